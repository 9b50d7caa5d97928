"""Throw-away system accounts and a shared exchange for the hub tests (root only).

The accounts (instructor, student-a, student-b) get their homes under a fresh
folder in /tmp, mode 0700 each, and a password for PAM; everything is removed
when the test module ends, passed or failed. Where .venv's interpreter sits
below a folder other users may not enter (pyenv under /root), each account
gets an ACL entry that lets it traverse (x only) that folder, for the test's
duration: on a real hub the course's environment is installed where every
user can run it.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
VENV_BIN = REPOSITORY / ".venv" / "bin"
ARTIFACTS = REPOSITORY / "artifacts" / "hub"
LOG = ARTIFACTS / "commands.log"
INSTRUCTOR = "instructor"
STUDENTS = ("student-a", "student-b")
COURSE_ID = "model-validation-hpo"
NBGRADER = str(VENV_BIN / "nbgrader")


@dataclass(frozen=True)
class Course:
    """Where the throw-away course lives."""

    root: Path
    exchange: Path
    homes: Path
    passwords: dict[str, str]

    def home(self, user: str) -> Path:
        return self.homes / user

    @property
    def course_dir(self) -> Path:
        """The instructor's course directory: this repository's layout for one assignment."""
        return self.home(INSTRUCTOR) / "course"


def user_environment(course: Course, user: str) -> dict[str, str]:
    """The environment the hub gives ``user``'s server (hub/jupyterhub_config.py), for nbgrader's commands."""
    return {
        "HOME": str(course.home(user)),
        "USER": user,
        "LOGNAME": user,
        "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
        "JUPYTER_CONFIG_PATH": str(REPOSITORY / "hub" / "nbgrader_exchange"),
        "COURSE_EXCHANGE_ROOT": str(course.exchange),
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYTHONPATH": str(REPOSITORY),
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def run_as(
    course: Course, user: str, command: Sequence[str], cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """Run ``command`` as ``user`` (runuser) with the hub's environment; fail with its output if it fails."""
    environment = [f"{key}={value}" for key, value in user_environment(course, user).items()]
    result = subprocess.run(
        ["runuser", "-u", user, "--", "env", "-i", *environment, *command],
        cwd=cwd or course.home(user),
        capture_output=True,
        text=True,
        timeout=900,
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with LOG.open("a") as log:
        log.write(f"$ [{user}] {' '.join(command)}  -> {result.returncode}\n{result.stdout}{result.stderr}\n")
    assert result.returncode == 0, (
        f"{' '.join(command)} as {user} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    )
    return result


def python_as(course: Course, user: str, code: str) -> str:
    """Run Python ``code`` as ``user`` and return what it printed."""
    return run_as(course, user, [str(VENV_BIN / "python"), "-c", code]).stdout.strip()


def denied(course: Course, user: str, operation: str) -> bool:
    """True if the Python statement ``operation`` raises PermissionError when ``user`` runs it."""
    code = (
        f"import os, shutil\ntry:\n    {operation}\n    print('allowed')\n"
        "except PermissionError:\n    print('denied')"
    )
    return python_as(course, user, code) == "denied"


def collect_grade_and_release_feedback(course: Course, assignment: str) -> None:
    """The instructor after the deadline: nbgrader collect, make grade's batch, nbgrader release_feedback."""
    run_as(course, INSTRUCTOR, [NBGRADER, "collect", assignment], cwd=course.course_dir)
    grade = [str(VENV_BIN / "python"), "-m", "course_grading.gradebook.batch", "--jobs", "2", "--course-dir",
             str(course.course_dir)]
    run_as(course, INSTRUCTOR, grade, cwd=course.course_dir)
    run_as(course, INSTRUCTOR, [NBGRADER, "release_feedback", assignment], cwd=course.course_dir)


def set_up_course_directory(course: Course, assignment: str) -> None:
    """Give the instructor a course directory of this repository's layout holding ``assignment``."""
    course.course_dir.mkdir()
    shutil.copy(REPOSITORY / "nbgrader_config.py", course.course_dir)
    for folder in ("solutions", "exercises"):
        shutil.copytree(REPOSITORY / folder / assignment, course.course_dir / folder / assignment)
    shutil.chown(course.course_dir, INSTRUCTOR, INSTRUCTOR)
    for path in course.course_dir.rglob("*"):
        shutil.chown(path, INSTRUCTOR, INSTRUCTOR)


def _closed_ancestors(path: Path) -> list[Path]:
    """The folders above ``path`` and above what it links to that other users cannot traverse.

    Both matter: the accounts run ``.venv/bin/python`` inside the repository (wherever a CI clones
    it) and that link leads to the base interpreter (under /root here).
    """
    folders = {*Path(os.path.abspath(path)).parents, *path.resolve().parents}
    return sorted(folder for folder in folders if not folder.stat().st_mode & stat.S_IXOTH)


def _acl(folder: Path) -> str:
    command = ["getfacl", "--absolute-names", str(folder)]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _create_account(user: str, home: Path, password: str) -> None:
    subprocess.run(
        ["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash", user], check=True
    )
    home.chmod(0o700)
    subprocess.run(["chpasswd"], input=f"{user}:{password}\n", text=True, check=True)


@contextmanager
def throwaway_course() -> Iterator[Course]:
    """Create the accounts, their homes and an empty exchange folder; remove all of it afterwards."""
    if os.geteuid() != 0:
        raise RuntimeError("the hub tests create system accounts and must run as root")
    users = (INSTRUCTOR, *STUDENTS)
    existing = [user for user in users if subprocess.run(["id", user], capture_output=True).returncode == 0]
    if existing:
        raise RuntimeError(
            f"accounts {existing} already exist: remove them (userdel -r) before the hub tests"
        )
    root = Path(tempfile.mkdtemp(prefix="course-hub-"))
    root.chmod(0o755)
    course = Course(
        root=root,
        exchange=root / "exchange",
        homes=root / "homes",
        passwords={user: f"pw-{user}-{os.urandom(6).hex()}" for user in users},
    )
    course.homes.mkdir(mode=0o755)
    LOG.unlink(missing_ok=True)
    closed = _closed_ancestors(VENV_BIN / "python")
    acls_before = {folder: _acl(folder) for folder in closed}
    created = []
    try:
        for user in users:
            _create_account(user, course.home(user), course.passwords[user])
            created.append(user)
            for folder in closed:
                subprocess.run(["setfacl", "-m", f"u:{user}:x", str(folder)], check=True)
        yield course
    finally:
        for folder, acl in acls_before.items():
            subprocess.run(["setfacl", "--restore=-"], input=acl, text=True, check=True)
        for user in created:
            subprocess.run(["userdel", "--remove", user], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
