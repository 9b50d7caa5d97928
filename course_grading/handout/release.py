"""Generate the student release exercises/ from the nbgrader source solutions/.

``make release`` runs ``python -m course_grading.handout.release``: one
``nbgrader generate_assignment --force`` per assignment folder of
solutions/, from the repository root, so nbgrader_config.py applies
(source_directory="solutions", release_directory="exercises").
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRECTORY = "solutions"
RELEASE_DIRECTORY = "exercises"
#: A solution or hidden-test block of a source cell, as nbgrader marks them.
SECRET_BLOCK = re.compile(
    r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(?P<body>.*?)### END (SOLUTION|HIDDEN TESTS)", flags=re.DOTALL
)

__all__ = [
    "REPO_ROOT",
    "assignment_notebook",
    "assignments",
    "ensure_scripts_on_path",
    "generate_assignment",
    "main",
    "nbgrader_command",
    "secret_lines",
]


def ensure_scripts_on_path(env: dict[str, str] | None = None) -> dict[str, str]:
    """Put this interpreter's scripts folder first on PATH (of ``env``, default ``os.environ``).

    nbgrader's gradebook runs the ``alembic`` command by name, so it must be
    found even when the virtual environment is not activated
    (``.venv/bin/python -m ...``).
    """
    env = os.environ if env is None else env
    scripts = str(Path(sys.executable).parent)
    parts = env.get("PATH", "").split(os.pathsep)
    if parts[0] != scripts:
        env["PATH"] = os.pathsep.join([scripts, *[p for p in parts if p]])
    return env


def nbgrader_command(course_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``nbgrader <args>`` in ``course_dir`` with the interpreter running this code.

    Parameters
    ----------
    course_dir : Path
        The course directory: nbgrader reads ``nbgrader_config.py`` there and
        resolves its relative paths (and the sqlite gradebook) against it.
    *args : str
        nbgrader's sub-command and options, e.g. ``"autograde", "ps1"``.
    check : bool, default=True
        Raise ``RuntimeError`` with nbgrader's log if it exits non-zero.

    Returns
    -------
    subprocess.CompletedProcess
        With ``stdout`` and ``stderr`` as text (nbgrader logs on stderr).
    """
    course_dir = Path(course_dir)
    if not (course_dir / "nbgrader_config.py").is_file():
        raise FileNotFoundError(f"course_dir {course_dir} has no nbgrader_config.py")
    env = ensure_scripts_on_path(dict(os.environ))
    # Same numerics as the tests and the stored outputs: one BLAS thread.
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    env.setdefault("PYTHONHASHSEED", "0")
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course_dir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if check and result.returncode != 0:
        raise RuntimeError(
            f"nbgrader {' '.join(args)} failed in {course_dir} (exit {result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result


def assignments(course_dir: Path = REPO_ROOT) -> list[str]:
    """Return the names of the assignments in ``<course_dir>/solutions``, sorted.

    An assignment is a folder that holds at least one ``.ipynb``.
    """
    source = Path(course_dir) / SOURCE_DIRECTORY
    return (
        sorted(path.name for path in source.iterdir() if path.is_dir() and any(path.glob("*.ipynb")))
        if source.is_dir()
        else []
    )


def assignment_notebook(assignment: str, course_dir: Path = REPO_ROOT) -> str:
    """Return the name (without .ipynb) of the single notebook of ``assignment`` in solutions/."""
    notebooks = sorted((Path(course_dir) / SOURCE_DIRECTORY / assignment).glob("*.ipynb"))
    if len(notebooks) != 1:
        found = [path.name for path in notebooks]
        raise ValueError(f"assignment {assignment!r} must have exactly one notebook, found {found}")
    return notebooks[0].stem


def secret_lines(source_notebook: Path) -> set[str]:
    """Return the lines only the instructor may see: those of the notebook's solution and hidden-test blocks.

    A line counts when it is longer than 3 characters (stripped) and appears
    nowhere in the notebook outside those blocks (a line the release shows
    anyway, such as ``import numpy as np``, is no secret).
    """
    source_nb = nbformat.read(source_notebook, as_version=4)
    source_text = "\n".join(cell.source for cell in source_nb.cells)
    outside = SECRET_BLOCK.sub("", source_text)
    return {
        line.strip()
        for match in SECRET_BLOCK.finditer(source_text)
        for line in match["body"].splitlines()
        if len(line.strip()) > 3 and line.strip() not in outside
    }


def generate_assignment(course_dir: Path, assignment: str, *extra: str) -> None:
    """Run ``nbgrader generate_assignment <assignment> --force`` in ``course_dir``.

    This writes the release notebooks and records the assignment, its
    notebooks and their grade cells in the course's gradebook, which
    ``nbgrader autograde`` needs.

    Parameters
    ----------
    course_dir : Path
        The course directory.
    assignment : str
        Folder name under solutions/.
    *extra : str
        More nbgrader options, e.g. ``"--CourseDirectory.release_directory=/tmp/x"``.
    """
    if assignment not in assignments(course_dir):
        raise ValueError(
            f"assignment {assignment!r} is not in {course_dir}/{SOURCE_DIRECTORY}: {assignments(course_dir)}"
        )
    nbgrader_command(course_dir, "generate_assignment", assignment, "--force", *extra)


def main(argv: list[str] | None = None) -> int:
    """Generate the release of every assignment (or of the ones named)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="*", help="assignment names (default: all in solutions/)")
    args = parser.parse_args(argv)
    names = args.assignment or assignments(REPO_ROOT)
    for name in names:
        generate_assignment(REPO_ROOT, name)
        print(f"released {SOURCE_DIRECTORY}/{name} -> {RELEASE_DIRECTORY}/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
