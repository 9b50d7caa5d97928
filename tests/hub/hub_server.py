"""Start `make hub`'s JupyterHub for the hub tests and stop it with everything it started.

The hub runs as `make hub` runs it (``jupyterhub -f hub/jupyterhub_config.py`` from .venv, the
proxy of ``scripts/install_hub_proxy.sh``), as root, on free loopback ports, with its state in the
throw-away course's folder; its log (the users' servers write theirs into it too) goes to a file.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from browser_servers import free_port, stop
from hub_accounts import INSTRUCTOR, REPOSITORY, STUDENTS, VENV_BIN, Course

START_SECONDS = 180


@dataclass(frozen=True)
class Hub:
    """A running hub: its login page's base URL, its process and its log."""

    course: Course
    url: str
    process: subprocess.Popen
    log: Path

    def user_url(self, user: str) -> str:
        """The base URL of ``user``'s server behind the proxy."""
        return f"{self.url}/user/{user}"


def wait_for(ready: Callable[[], bool], hub_process: subprocess.Popen, log: Path) -> None:
    """Call ``ready`` until it returns True; fail when the hub exits or after :data:`START_SECONDS`."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert hub_process.poll() is None, f"jupyterhub exited: see {log}"
        try:
            if ready():
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"not ready after {START_SECONDS} s: see {log}")


@contextmanager
def running_hub(course: Course, log: Path) -> Iterator[Hub]:
    """Start the hub for ``course``'s accounts (the instructor's server in their home); stop it afterwards."""
    subprocess.run(["bash", str(REPOSITORY / "scripts" / "install_hub_proxy.sh")], check=True)
    port = free_port()
    environment = {
        "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
        "COURSE_HUB_INSTRUCTOR": INSTRUCTOR,
        "COURSE_HUB_STUDENTS": ",".join(STUDENTS),
        "COURSE_HUB_COURSE_DIR": str(course.home(INSTRUCTOR)),
        "COURSE_EXCHANGE_ROOT": str(course.exchange),
        "COURSE_HUB_STATE_DIR": str(course.root / "hub-state"),
        "COURSE_HUB_PORT": str(port),
        "COURSE_HUB_API_PORT": str(free_port()),
        "COURSE_HUB_PROXY_API_PORT": str(free_port()),
    }
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [str(VENV_BIN / "jupyterhub"), "-f", str(REPOSITORY / "hub" / "jupyterhub_config.py")],
            cwd=course.root,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: requests.get(f"{url}/hub/login", timeout=5).status_code == 200, process, log)
        yield Hub(course, url, process, log)
    finally:
        # SIGTERM to the hub's group: the hub stops the users' servers itself, stop() kills what is left.
        stop(process, grace=60)
