"""Autograde a class, write feedback and export the grades.

``make grade`` runs ``python -m course_grading.gradebook.grade`` in the repository:
for every assignment with submissions under ``submitted/<student>/<assignment>/``
it records the assignment in the gradebook (``generate_assignment`` into a
temporary folder, so the committed exercises/ is never touched), runs ONE
``nbgrader autograde`` over all students, then ``generate_feedback``; at the
end ``nbgrader export`` writes ``grades.csv``.

The same functions grade a throw-away course in the tests
(:func:`prepare_course` makes one in a temporary folder).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from course_grading.handout.release import (
    REPO_ROOT,
    SOURCE_DIRECTORY,
    assignments,
    ensure_scripts_on_path,
    generate_assignment,
    nbgrader_command,
)

__all__ = [
    "CellScore",
    "autograde",
    "export_grades",
    "generate_feedback",
    "new_course",
    "prepare_course",
    "read_scores",
    "register_assignment",
    "submitted_assignments",
    "main",
]


@dataclass(frozen=True)
class CellScore:
    """The autograded score of one test cell of one submission."""

    score: float
    max_score: float

    @property
    def full(self) -> bool:
        """True if the cell got all its points."""
        return self.score == self.max_score


def new_course(dest: Path, names: list[str], *, source_root: Path = REPO_ROOT) -> Path:
    """Make an empty course in ``dest``: the repository's nbgrader_config.py and ``solutions/<name>``."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"dest {dest} must be empty or missing")
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(Path(source_root) / "nbgrader_config.py", dest / "nbgrader_config.py")
    for name in names:
        shutil.copytree(Path(source_root) / SOURCE_DIRECTORY / name, dest / SOURCE_DIRECTORY / name)
    return dest


def prepare_course(dest: Path, names: Iterable[str], *, source_root: Path = REPO_ROOT) -> Path:
    """Make a throw-away course directory with the repository's config and sources.

    Copies ``nbgrader_config.py`` and ``solutions/<name>`` for each name into
    ``dest``, then registers each assignment in a fresh gradebook
    (``dest/gradebook.db``).

    Parameters
    ----------
    dest : Path
        An empty or missing folder.
    names : iterable of str
        Assignment names.
    source_root : Path, default=the repository
        Where to copy from.

    Returns
    -------
    Path
        ``dest``.
    """
    names = list(names)
    new_course(dest, names, source_root=Path(source_root))
    for name in names:
        generate_assignment(dest, name)
    return Path(dest)


def register_assignment(course_dir: Path, assignment: str) -> None:
    """Record ``assignment`` and its grade cells in the gradebook without touching the release folder."""
    with tempfile.TemporaryDirectory(prefix="release-") as scratch:
        generate_assignment(course_dir, assignment, f"--CourseDirectory.release_directory={scratch}")


def submitted_assignments(course_dir: Path) -> list[str]:
    """Return the assignments that have at least one submission under ``submitted/``, sorted."""
    submitted = Path(course_dir) / "submitted"
    if not submitted.is_dir():
        return []
    return sorted({path.parent.name for path in submitted.glob("*/*/*.ipynb")})


def autograde(course_dir: Path, assignment: str) -> str:
    """Autograde every student's submission of ``assignment`` in one nbgrader call.

    Returns
    -------
    str
        nbgrader's log.
    """
    result = nbgrader_command(course_dir, "autograde", assignment, "--force")
    return result.stderr


def generate_feedback(course_dir: Path, assignment: str) -> str:
    """Write ``feedback/<student>/<assignment>/*.html`` for every autograded student.

    Returns
    -------
    str
        nbgrader's log.
    """
    return nbgrader_command(course_dir, "generate_feedback", assignment, "--force").stderr


def export_grades(course_dir: Path, to: str = "grades.csv") -> Path:
    """Export every grade of the gradebook to a CSV file (nbgrader's CsvExportPlugin); returns its path."""
    nbgrader_command(course_dir, "export", f"--to={to}")
    return Path(course_dir) / to


def read_scores(course_dir: Path, assignment: str, notebook: str) -> dict[str, dict[str, CellScore]]:
    """Return the autograded score of every test cell of every student's ``notebook``.

    Parameters
    ----------
    course_dir : Path
        The course directory (its ``gradebook.db`` is read).
    assignment : str
        Assignment name.
    notebook : str
        Notebook name without ``.ipynb``.

    Returns
    -------
    dict
        student id -> {grade_id -> CellScore}, for the students with an
        autograded submission. Answer cells (not graded) are not included.
    """
    db_url = f"sqlite:///{Path(course_dir).resolve() / 'gradebook.db'}"
    scores: dict[str, dict[str, CellScore]] = {}
    ensure_scripts_on_path()  # the gradebook runs `alembic` by name
    with Gradebook(db_url) as gradebook:
        for student in gradebook.students:
            try:
                submission = gradebook.find_submission_notebook(notebook, assignment, student.id)
            except MissingEntry:
                continue
            scores[student.id] = {
                grade.name: CellScore(float(grade.score), float(grade.max_score))
                for grade in submission.grades
                if grade.auto_score is not None or grade.manual_score is not None
            }
    return scores


def main(argv: list[str] | None = None) -> int:
    """Grade everything under submitted/ of the repository (or of --course-dir)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--course-dir", type=Path, default=REPO_ROOT, help="course directory (default: the repository)"
    )
    parser.add_argument("--to", default="grades.csv", help="CSV file written by nbgrader export")
    args = parser.parse_args(argv)
    course_dir = args.course_dir.resolve()
    names = submitted_assignments(course_dir)
    unknown = sorted(set(names) - set(assignments(course_dir)))
    if unknown:
        print(f"submitted/ has assignments with no source in {SOURCE_DIRECTORY}/: {unknown}", file=sys.stderr)
        return 1
    if not names:
        print(f"nothing to grade: no submitted/<student>/<assignment>/*.ipynb in {course_dir}")
        return 0
    for name in names:
        register_assignment(course_dir, name)
        autograde(course_dir, name)
        generate_feedback(course_dir, name)
        print(f"graded {name}: autograded/*/{name}, feedback/*/{name}")
    csv_path = export_grades(course_dir, args.to)
    print(f"grades written to {csv_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
