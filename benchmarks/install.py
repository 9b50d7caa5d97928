"""Set-up cost: a fresh install of the course's environment, and the size of ``.venv``.

The fresh install copies what ``make venv`` needs (Makefile, pyproject.toml,
requirements-lock.txt, README.md and the two packages) into a temporary
folder and runs ``make venv`` there: a new virtual environment with the
pinned packages, installed by the Makefile's own commands, then deleted.
Nothing in the repository or its ``.venv`` is touched. It takes minutes, so
the quick mode skips it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from benchmarks import REPO_ROOT
from course_utils.timing import Stopwatch

#: What ``make venv`` reads from the repository.
INSTALL_INPUTS = ("Makefile", "pyproject.toml", "requirements-lock.txt", "README.md")
PACKAGES = ("course_utils", "course_grading")


def directory_size(path: Path) -> int:
    """Return the bytes of every regular file under ``path`` (symlinks not followed).

    Parameters
    ----------
    path : Path
        A folder.

    Returns
    -------
    int
        The sum of the files' sizes; 0 if ``path`` does not exist.
    """
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            file = os.path.join(folder, name)
            if not os.path.islink(file):
                try:
                    total += os.path.getsize(file)
                except OSError:  # removed while we walk
                    pass
    return total


def fresh_install(root: Path = REPO_ROOT, *, timeout: float = 3600.0) -> dict[str, object]:
    """Time ``make venv`` in a temporary copy of the project, then measure and delete its ``.venv``.

    Parameters
    ----------
    root : Path, default=the repository
        Where to copy the install inputs from.
    timeout : float, default=3600.0
        Seconds before the install is stopped and counted as failed.

    Returns
    -------
    dict
        ``seconds``, ``ok``, ``venv_bytes`` (of the new environment) and ``error``
        (the end of make's output if it failed, else None).
    """
    with tempfile.TemporaryDirectory(prefix="bench-install-") as tmp:
        project = Path(tmp) / "course"
        project.mkdir()
        for name in INSTALL_INPUTS:
            shutil.copy2(root / name, project / name)
        for name in PACKAGES:
            shutil.copytree(root / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH"))}
        with Stopwatch() as watch:
            proc = subprocess.run(
                ["make", "venv"], cwd=project, env=env, capture_output=True, text=True, timeout=timeout
            )
        ok = proc.returncode == 0
        return {
            "seconds": watch.seconds,
            "ok": ok,
            "venv_bytes": directory_size(project / ".venv"),
            "error": None if ok else (proc.stdout + proc.stderr)[-1000:],
        }


def bench_install(*, quick: bool, root: Path = REPO_ROOT) -> dict[str, object]:
    """Measure the size of the repository's ``.venv`` and, unless ``quick``, a fresh install.

    Parameters
    ----------
    quick : bool
        Skip the fresh install (it takes minutes).
    root : Path, default=the repository
        The project whose ``.venv`` is measured.

    Returns
    -------
    dict
        ``venv_bytes`` (the existing ``.venv``) and ``fresh_install`` (the result of
        :func:`fresh_install`, or None when skipped, with ``skipped`` saying why).
    """
    result: dict[str, object] = {"venv_bytes": directory_size(root / ".venv")}
    if quick:
        result["fresh_install"] = None
        result["skipped"] = "quick mode: the fresh install takes minutes"
    else:
        result["fresh_install"] = fresh_install(root)
        result["skipped"] = None
    return result
