"""Write the student edition: the course a teacher hands out, without any instructor material.

``make student-edition`` runs ``python -m course_grading.handout.student_edition``. It
writes ``dist/student-edition/`` and ``dist/student-edition.zip`` with

- ``notebooks/`` (the lectures, with their stored outputs) and ``exercises/``
  (the release nbgrader generated), copied as they are committed;
- ``course_utils/``, the helper package the notebooks import;
- ``environment.yml`` and ``requirements-lock.txt`` as they are, and a
  ``pyproject.toml`` with the same pins that installs ``course_utils`` only;
- ``jupyter_config/student/`` (the JupyterLab of ``make lab``);
- the student's ``Makefile`` (``make lab``, ``make check``), ``README.md``,
  ``nbgrader_config.py`` and ``.gitignore`` from ``course_grading/handout/student_files/``.

Nothing of ``solutions/``, ``tests/``, ``course_grading/`` or the instructor's
configuration is copied; ``tests/release/test_student_edition.py`` scans every
file of the edition for the lines of every hidden test and solution.
"""

from __future__ import annotations

import argparse
import shutil
import tomllib
import zipfile
from pathlib import Path

from course_grading.handout.release import REPO_ROOT

STUDENT_FILES = Path(__file__).resolve().parent / "student_files"
#: Folders copied from the repository, without caches and checkpoints.
COPIED_FOLDERS = ["notebooks", "exercises", "course_utils", "jupyter_config/student"]
#: Files copied from the repository unchanged.
COPIED_FILES = ["environment.yml", "requirements-lock.txt"]
#: The student's own files: name in course_grading/handout/student_files/ -> name in the edition.
STUDENT_FILE_NAMES = {
    "Makefile": "Makefile",
    "README.md": "README.md",
    "nbgrader_config.py": "nbgrader_config.py",
    "gitignore": ".gitignore",
}
IGNORED = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc", "*.egg-info")

__all__ = ["COPIED_FILES", "COPIED_FOLDERS", "student_pyproject", "write_student_edition", "main"]


def student_pyproject(pyproject: Path) -> str:
    """Return a ``pyproject.toml`` with the pins of ``pyproject`` that installs ``course_utils`` only.

    Parameters
    ----------
    pyproject : Path
        The course's ``pyproject.toml``.

    Returns
    -------
    str
        The student edition's ``pyproject.toml``: same name, version, Python
        range and dependency pins; no grading package, no test configuration.
    """
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    dependencies = "".join(f'    "{pin}",\n' for pin in project["dependencies"])
    return (
        "# The course's pinned environment; `make lab` installs it into .venv.\n"
        "[build-system]\n"
        'requires = ["setuptools>=68"]\n'
        'build-backend = "setuptools.build_meta"\n\n'
        "[project]\n"
        f'name = "{project["name"]}"\n'
        f'version = "{project["version"]}"\n'
        f'description = "{project["description"]}"\n'
        f'requires-python = "{project["requires-python"]}"\n'
        f"dependencies = [\n{dependencies}]\n\n"
        "[tool.setuptools]\n"
        'packages = ["course_utils"]\n'
    )


def write_student_edition(destination: Path, *, source_root: Path = REPO_ROOT) -> Path:
    """Write the student edition of the course at ``source_root`` into ``destination``, and zip it.

    Parameters
    ----------
    destination : Path
        The edition's folder; replaced if it exists.
    source_root : Path, default=REPO_ROOT
        The course repository to take the material from.

    Returns
    -------
    Path
        The zip archive ``destination.with_suffix(".zip")``, holding the
        folder ``destination.name/`` with every file of the edition.
    """
    if destination.resolve() in (source_root.resolve(), *source_root.resolve().parents):
        raise ValueError(f"destination {destination} would replace the course itself")
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    for folder in COPIED_FOLDERS:
        shutil.copytree(source_root / folder, destination / folder, ignore=IGNORED)
    for name in COPIED_FILES:
        shutil.copy2(source_root / name, destination / name)
    for template, name in STUDENT_FILE_NAMES.items():
        shutil.copy2(STUDENT_FILES / template, destination / name)
    (destination / "pyproject.toml").write_text(
        student_pyproject(source_root / "pyproject.toml"), encoding="utf-8"
    )

    archive = destination.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(destination.rglob("*")):
            if path.is_file():
                bundle.write(path, Path(destination.name) / path.relative_to(destination))
    return archive


def main(argv: list[str] | None = None) -> int:
    """Command line of ``make student-edition``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output",
        type=Path,
        default=REPO_ROOT / "dist" / "student-edition",
        help="folder to write (default: dist/student-edition); the zip is written beside it",
    )
    args = parser.parse_args(argv)
    archive = write_student_edition(args.output)
    print(f"student edition: {args.output}/ and {archive}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
