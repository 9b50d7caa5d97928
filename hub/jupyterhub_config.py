"""JupyterHub of `make hub`: the course for local system accounts on 127.0.0.1 (hub/README.md).

Run as root (PAM reads /etc/shadow, LocalProcessSpawner starts each server as its
user). Everything a course changes comes from the environment:

COURSE_HUB_INSTRUCTOR   the instructor's account (default: instructor)
COURSE_HUB_STUDENTS     the students' accounts, comma-separated (required)
COURSE_HUB_COURSE_DIR   the instructor's course directory (default: this repository)
COURSE_EXCHANGE_ROOT    nbgrader's exchange (default: /srv/nbgrader/exchange)
COURSE_HUB_STATE_DIR    the hub's database and cookie secret (default: .hub-state/)
COURSE_HUB_PORT         the port of the login page (default: 8000)
COURSE_HUB_API_PORT     the hub's own port, behind the proxy (default: 8081)
COURSE_HUB_PROXY_API_PORT  the proxy's REST API (default: 8001)
"""

import os
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from course_grading.intake.hub_exchange import prepare_exchange  # noqa: E402

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

VENV_BIN = REPOSITORY / ".venv" / "bin"
COURSE_ID = "model-validation-hpo"
INSTRUCTOR = os.environ.get("COURSE_HUB_INSTRUCTOR", "instructor")
STUDENTS = {name for name in os.environ.get("COURSE_HUB_STUDENTS", "").split(",") if name}
COURSE_DIR = Path(os.environ.get("COURSE_HUB_COURSE_DIR", REPOSITORY))
EXCHANGE_ROOT = Path(os.environ.get("COURSE_EXCHANGE_ROOT", "/srv/nbgrader/exchange"))
STATE_DIR = Path(os.environ.get("COURSE_HUB_STATE_DIR", REPOSITORY / ".hub-state"))
if not STUDENTS:
    raise SystemExit("COURSE_HUB_STUDENTS is empty: name the students' accounts, comma-separated")

# Loopback only, no TLS: the proxy and the hub listen on 127.0.0.1.
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ.get("COURSE_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("COURSE_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('COURSE_HUB_PROXY_API_PORT', '8001')}"
PROXY = REPOSITORY / "hub" / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [str(PROXY)]
STATE_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
c.JupyterHub.db_url = f"sqlite:///{STATE_DIR / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE_DIR / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE_DIR / "jupyterhub-proxy.pid")

# Local system accounts, passwords checked by PAM; only the course's accounts may log in.
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = STUDENTS | {INSTRUCTOR}

c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(VENV_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def configure_user_server(spawner) -> None:
    """Give the instructor the course directory and nbgrader's instructor tools, a student neither."""
    edition = "instructor" if spawner.user.name == INSTRUCTOR else "student"
    config_path = [REPOSITORY / "jupyter_config" / edition, REPOSITORY / "hub" / "nbgrader_exchange"]
    spawner.environment = {
        **spawner.environment,
        "JUPYTER_CONFIG_PATH": os.pathsep.join(str(folder) for folder in config_path),
        "COURSE_EXCHANGE_ROOT": str(EXCHANGE_ROOT),
        "PATH": f"{VENV_BIN}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
        "JUPYTER_PLATFORM_DIRS": "1",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    if edition == "instructor":
        spawner.notebook_dir = str(COURSE_DIR)


c.Spawner.pre_spawn_hook = configure_user_server

prepare_exchange(EXCHANGE_ROOT, COURSE_ID, INSTRUCTOR)
