"""Grade a whole synthetic class with real nbgrader, once per test session.

For each assignment that has answer files in tests/grading/answers/<assignment>/,
a throw-away course directory gets these students:

- ``solution``: the release notebook filled with the instructor's answers;
- ``untouched``: the release notebook as students get it;
- one student per answer file (its name), built with
  :func:`course_grading.intake.submissions.make_submission` from the committed release.

Each assignment is autograded with ONE ``nbgrader autograde`` call over all its
students, in its own course directory and gradebook; two assignments are
graded at a time (the machine has 2 cores).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from course_grading.gradebook.grade import CellScore, autograde, prepare_course, read_scores
from course_grading.handout.release import REPO_ROOT, assignment_notebook
from course_grading.intake.submissions import (
    AnswerSet,
    answer_cells,
    cell_sources,
    graded_test_cells,
    load_answer_sets,
    make_submission,
    write_submission,
)

ANSWERS_DIR = Path(__file__).parent / "answers"
SOLUTION_STUDENT = "solution"
UNTOUCHED_STUDENT = "untouched"


def graded_assignments() -> list[str]:
    """Assignments with answer files, sorted."""
    return sorted(path.name for path in ANSWERS_DIR.iterdir() if path.is_dir() and any(path.glob("*.py")))


@dataclass
class GradedAssignment:
    """The outcome of autograding one assignment's synthetic class."""

    assignment: str
    notebook: str
    answer_sets: dict[str, AnswerSet]
    test_points: dict[str, float]
    scores: dict[str, dict[str, CellScore]]
    seconds: float
    n_students: int


def submission_answers(answer_set: AnswerSet, solution: dict[str, str]) -> dict[str, str]:
    """The answer cells a student of ``answer_set`` submits."""
    answers = dict(solution) if answer_set.base == "solution" else {}
    answers.update(answer_set.cells)
    return answers


def grade_assignment(root: Path, assignment: str) -> GradedAssignment:
    notebook = assignment_notebook(assignment)
    course_dir = prepare_course(root / assignment, [assignment])
    release_path = REPO_ROOT / "exercises" / assignment / f"{notebook}.ipynb"
    source = nbformat.read(REPO_ROOT / "solutions" / assignment / f"{notebook}.ipynb", as_version=4)
    solution = cell_sources(source, answer_cells(source))
    answer_sets = {answer_set.name: answer_set for answer_set in load_answer_sets(ANSWERS_DIR / assignment)}

    students = {SOLUTION_STUDENT: solution, UNTOUCHED_STUDENT: {}}
    for name, answer_set in answer_sets.items():
        students[name] = submission_answers(answer_set, solution)
    for student, answers in students.items():
        write_submission(course_dir, student, assignment, make_submission(release_path, answers), notebook)

    start = time.perf_counter()
    autograde(course_dir, assignment)
    seconds = time.perf_counter() - start
    return GradedAssignment(
        assignment=assignment,
        notebook=notebook,
        answer_sets=answer_sets,
        test_points=graded_test_cells(source),
        scores=read_scores(course_dir, assignment, notebook),
        seconds=seconds,
        n_students=len(students),
    )


@pytest.fixture(scope="session")
def graded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, GradedAssignment]:
    """assignment -> its graded synthetic class (autograded once per session).

    Only the assignments of the selected tests are graded, so
    ``pytest tests/grading -k 02_`` grades one assignment.
    """
    selected = {
        item.callspec.params.get("assignment")
        for item in request.session.items
        if "graded" in getattr(item, "fixturenames", ()) and hasattr(item, "callspec")
    }
    names = [name for name in graded_assignments() if name in selected]
    root = tmp_path_factory.mktemp("courses")
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda name: grade_assignment(root, name), names))
    return {result.assignment: result for result in results}
