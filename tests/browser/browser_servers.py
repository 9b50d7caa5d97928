"""Start and stop the servers the browser tests talk to: JupyterLab and optuna-dashboard.

Every server runs from the project's ``.venv`` on 127.0.0.1 with a free port,
in its own process group, with its log in a file. :func:`running_server` stops
it (and every process it started, such as kernels) when the ``with`` block
ends, even when the test failed.
"""

import contextlib
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"

#: Seconds a server may take to answer its first request (JupyterLab needs ~5 s here).
START_TIMEOUT = 90.0
_VARIABLE_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def new_token() -> str:
    """Return a fresh random login token for a JupyterLab server."""
    return secrets.token_hex(24)


#: The JupyterLab configurations of ``make lab`` (student) and ``make lab-instructor``.
LAB_CONFIGS = {
    "student": ROOT / "jupyter_config" / "student",
    "instructor": ROOT / "jupyter_config" / "instructor",
}


def isolated_environment(home: Path, *, lab_settings: bool = True) -> dict[str, str]:
    """Return ``os.environ`` with Jupyter, IPython and Matplotlib dirs moved under ``home``.

    The server, its kernels and nbgrader then never read or write the user's
    files. With ``lab_settings``, JupyterLab gets settings that make runs
    reproducible (see :func:`write_lab_settings`); without, it starts as it
    does for a person who never changed a setting.
    """
    dirs = {
        "JUPYTER_CONFIG_DIR": home / "jupyter" / "config",
        "JUPYTER_DATA_DIR": home / "jupyter" / "data",
        "JUPYTER_RUNTIME_DIR": home / "jupyter" / "runtime",
        "IPYTHONDIR": home / "ipython",
        "MPLCONFIGDIR": home / "matplotlib",
        "XDG_CACHE_HOME": home / "cache",
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    if lab_settings:
        write_lab_settings(dirs["JUPYTER_CONFIG_DIR"])
    env = dict(os.environ)
    env.update({name: str(path) for name, path in dirs.items()})
    env.update(
        {
            "JUPYTER_PLATFORM_DIRS": "1",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "PYTHONHASHSEED": "0",
            "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
        }
    )
    # The kernels must import the course from .venv, not from a caller's path;
    # nbgrader runs `alembic` by name when it creates a gradebook.
    env.pop("PYTHONPATH", None)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


# JupyterLab user settings for the tests: no news or update check (no request
# leaves the machine), no autosave (a served notebook changes only when a
# test saves it), and every cell rendered (no windowing), so that a figure
# far down a notebook is in the page.
_LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": (
        '{"fetchNews": "false", "checkForUpdates": false}'
    ),
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": '{"autosave": false}',
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": '{"windowingMode": "none"}',
}


def write_lab_settings(config_dir: Path) -> None:
    """Write the test settings of JupyterLab into ``config_dir``/lab/user-settings."""
    for relative, text in _LAB_SETTINGS.items():
        path = config_dir / "lab" / "user-settings" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@dataclass
class Server:
    """A running server: its base URL, login token (may be empty) and log file."""

    url: str
    token: str
    process: subprocess.Popen
    log: Path

    def log_tail(self, lines: int = 30) -> str:
        """Return the last ``lines`` lines of the server's log, for failure messages."""
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def get(self, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
        """GET ``path`` (starting with /) with the token; return (status, body)."""
        request = urllib.request.Request(self.url + path)
        if self.token:
            request.add_header("Authorization", f"token {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


def _wait_until_ready(server: Server, ready_path: str, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{what} exited with code {server.process.returncode} before answering "
                f"{ready_path}; its log ends with:\n{server.log_tail()}"
            )
        try:
            status, _ = server.get(ready_path, timeout=2.0)
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            status = None
        if status == 200:
            return
        time.sleep(0.25)
    raise RuntimeError(
        f"{what} did not answer {ready_path} with 200 within {START_TIMEOUT:.0f} s; "
        f"its log ends with:\n{server.log_tail()}"
    )


def stop(process: subprocess.Popen, grace: float = 15.0) -> None:
    """Stop ``process`` and every process it started (kernels included).

    SIGTERM first, so that JupyterLab shuts its kernels down itself; whatever
    is still alive after ``grace`` seconds is killed.
    """
    try:
        family = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=grace)
    # Children that left the process group (kernels start their own session).
    _, alive = psutil.wait_procs(family, timeout=grace)
    for child in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    psutil.wait_procs(alive, timeout=grace)


@contextlib.contextmanager
def running_server(
    command: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    url: str,
    token: str,
    ready_path: str,
    log: Path,
    what: str,
) -> Iterator[Server]:
    """Start ``command``, wait until ``url + ready_path`` answers 200, yield, then stop it.

    The server is stopped on every way out of the ``with`` block, and also
    when it never became ready.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(url=url, token=token, process=process, log=log)
    try:
        _wait_until_ready(server, ready_path, what)
        yield server
    finally:
        stop(process)


def allow_root_flags() -> list[str]:
    """Return ``["--allow-root"]`` when this process runs as root (CI containers), else ``[]``.

    Jupyter refuses to start as root without it.
    """
    return ["--allow-root"] if os.geteuid() == 0 else []


def make_lab_command(
    port: int, target: str = "lab", *, course: Path = ROOT, make_options: tuple[str, ...] = ()
) -> tuple[dict[str, str], list[str]]:
    """Return the variables the ``target`` recipe of ``course``'s Makefile sets and its JupyterLab command.

    The recipe is read with ``make -n``, so a test follows any change of it. A
    recipe such as ``PATH="$(CURDIR)/.venv/bin:$$PATH" .venv/bin/jupyter lab ...``
    gives ``({"PATH": "<course>/.venv/bin:$PATH"}, [".venv/bin/jupyter", "lab", ...])``.
    """
    dry_run = subprocess.run(
        ["make", "-n", "--no-print-directory", *make_options, target, f"LAB_PORT={port}"],
        cwd=course,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # `make -n` may also print the venv install steps when the pins are newer than .venv.
    commands = [shlex.split(line) for line in dry_run.splitlines() if "jupyter lab " in line]
    if len(commands) != 1:
        raise AssertionError(f"`make -n {target}` printed no single `jupyter lab` command:\n{dry_run}")
    words, variables = commands[0], {}
    while words and _VARIABLE_ASSIGNMENT.match(words[0]):
        name, _, value = words.pop(0).partition("=")
        variables[name] = value
    return variables, words


@contextlib.contextmanager
def make_lab(
    env: dict[str, str],
    log: Path,
    *,
    course: Path = ROOT,
    make_options: tuple[str, ...] = (),
) -> Iterator[Server]:
    """Run the JupyterLab command of ``make lab`` in ``course`` on a free port with a known token.

    The recipe's variables (``PATH``, ``JUPYTER_CONFIG_PATH``) are set in
    ``env`` as the shell would set them; a relative command is taken from
    ``course``; ``--allow-root`` is added when the tests run as root.
    """
    port, token = free_port(), new_token()
    variables, command = make_lab_command(port, course=course, make_options=make_options)
    command = [str(course / command[0]), *command[1:], f"--IdentityProvider.token={token}"]
    command += [flag for flag in allow_root_flags() if flag not in command]
    env = dict(env)
    for name, value in variables.items():
        env[name] = value.replace(f"${name}", os.environ.get(name, ""))
    with running_server(
        command,
        cwd=course,
        env=env,
        url=f"http://127.0.0.1:{port}",
        token=token,
        ready_path="/api/status",
        log=log,
        what=f"`make lab`'s JupyterLab in {course}",
    ) as server:
        yield server


def jupyter_lab_command(root_dir: Path, port: int, token: str) -> list[str]:
    """Return the command ``make lab`` runs, on ``port`` and with a known ``token``."""
    return [
        str(VENV_BIN / "jupyter"),
        "lab",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--no-browser",
        f"--ServerApp.root_dir={root_dir}",
        f"--IdentityProvider.token={token}",
        *allow_root_flags(),
    ]


@contextlib.contextmanager
def jupyter_lab(
    root_dir: Path,
    *,
    env: dict[str, str],
    log: Path,
    cwd: Path | None = None,
    config: str = "student",
) -> Iterator[Server]:
    """Run JupyterLab from .venv on ``root_dir`` (working directory ``cwd``, default the root).

    ``config`` names the configuration of :data:`LAB_CONFIGS`: ``"student"``
    as ``make lab`` starts it, ``"instructor"`` as ``make lab-instructor``.
    Each server saves its workspace (the open tabs) in a folder of its own:
    a tab left open by an earlier server, e.g. the instructor's Formgrader,
    is never restored into this one.
    """
    port = free_port()
    token = new_token()
    with (
        tempfile.TemporaryDirectory(prefix="lab-workspaces-") as workspaces,
        running_server(
            jupyter_lab_command(root_dir, port, token),
            cwd=cwd or root_dir,
            env={
                **env,
                "JUPYTER_CONFIG_PATH": str(LAB_CONFIGS[config]),
                "JUPYTERLAB_WORKSPACES_DIR": workspaces,
            },
            url=f"http://127.0.0.1:{port}",
            token=token,
            ready_path="/api/status",
            log=log,
            what="JupyterLab",
        ) as server,
    ):
        yield server


@contextlib.contextmanager
def optuna_dashboard(storage: str, *, env: dict[str, str], log: Path, cwd: Path) -> Iterator[Server]:
    """Run optuna-dashboard from .venv on ``storage`` (a URL or a journal file path)."""
    port = free_port()
    with running_server(
        [str(VENV_BIN / "optuna-dashboard"), storage, "--host", "127.0.0.1", "--port", str(port)],
        cwd=cwd,
        env=env,
        url=f"http://127.0.0.1:{port}",
        token="",
        ready_path="/api/studies",
        log=log,
        what="optuna-dashboard",
    ) as server:
        yield server
