"""A throw-away PostgreSQL server on loopback for the distributed-storage tests.

The server is Debian's ``postgresql`` package (installed by
``scripts/install_system_packages.sh``). initdb refuses to run as root, so
when the tests run as root the data folder belongs to the ``postgres`` user
and the server commands run as that user. The server listens only on
127.0.0.1, on a free port, with its socket in its own data folder, and is
stopped and deleted at the end of the session, also when a test fails.
"""

import getpass
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from course_utils.storage import free_port, wait_for_port

PG_BIN = Path(os.environ.get("COURSE_PG_BIN", "/usr/lib/postgresql/15/bin"))
DATABASE = "optuna_course"


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _run(command: list[str]) -> None:
    result = subprocess.run(_as_server_user(command), capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        output = f"{result.stdout}\n{result.stderr}"
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{output}")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Start a PostgreSQL server, create a database, yield its SQLAlchemy URL, then remove it all."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(
            f"PostgreSQL binaries not found in {PG_BIN}: run scripts/install_system_packages.sh as root"
        )
    superuser = "postgres" if os.geteuid() == 0 else getpass.getuser()
    workdir = Path(tempfile.mkdtemp(prefix="course-postgres-"))
    data = workdir / "data"
    if os.geteuid() == 0:
        shutil.chown(workdir, user="postgres", group="postgres")
    port = free_port()
    started = False
    try:
        _run(
            [str(PG_BIN / "initdb"), "-D", str(data), "-U", superuser, "-A", "trust", "--no-sync",
             "-E", "UTF8"]
        )
        _run(
            [
                str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(workdir / "server.log"), "-w", "-t", "60",
                "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {workdir} -c fsync=off",
                "start",
            ]
        )
        started = True
        wait_for_port(port, timeout=30)
        _run(
            [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", superuser, DATABASE]
        )
        yield f"postgresql+psycopg2://{superuser}@127.0.0.1:{port}/{DATABASE}"
    finally:
        if started:
            _run([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
        shutil.rmtree(workdir, ignore_errors=True)
