"""Honest accidents grade normally: copied cells, altered cell metadata, unusual student ids.

One class is graded ONCE by the real pipeline (:func:`course_grading.gradebook.batch.grade_class`). Every
01_cross_validation submission below holds the instructor's answers, so each must get 10/10;
the metadata accidents must also be named in grade_reasons.csv and in the feedback:

- ``copied_answer_cell``: the answer cell was copied (JupyterLab keeps its nbgrader metadata)
  and the copy edited; ``test_marked_as_answer``: a hidden test cell marked as an answer cell;
  ``test_other_points``: a visible test cell worth 5 points instead of 1;
  ``extra_graded_cell``: a new cell the student marked as a test worth 3 points;
- student ids nbgrader accepts as folder names: a leading ``-``, a trailing space, non-ASCII.

A 02_hyperparameter_search submission without a notebook is there to check that
``--assignment`` regrades one assignment and keeps the other's rows in grade_reasons.csv.
"""

from __future__ import annotations

import copy
import csv
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from course_grading.gradebook.batch import REASONS_CSV, ClassReport, grade_class
from course_grading.gradebook.grade import read_scores
from course_grading.sandbox.isolation import GradingLimits
from course_grading.sandbox.kernel_guard import landlock_abi
from course_grading.handout.release import REPO_ROOT
from course_grading.intake.submissions import answer_cells, cell_sources, make_submission
from course_grading.intake.synthetic_class import new_course

ASSIGNMENT = "01_cross_validation"
NOTEBOOK = "cross_validation"
OTHER_ASSIGNMENT = "02_hyperparameter_search"
LIMITS = GradingLimits(cell_timeout=60)
UNUSUAL_IDS = ("-starts-with-dash", "ends with a space ", "élève-Łukasz-学生")

pytestmark = pytest.mark.skipif(landlock_abi() < 1, reason="the filesystem sandbox needs Linux Landlock")

# student -> text that must be in the submission's reasons and feedback ("" for none)
EXPECTED_NOTES = {
    "copied_answer_cell": "copied cell stratified_cv_scores (2 cells with its nbgrader metadata)",
    "test_marked_as_answer": "altered nbgrader metadata of group_splits_hidden (solution: True -> False",
    "test_other_points": "altered nbgrader metadata of cv_summary_visible (points: 5.0 -> 1.0)",
    "extra_graded_cell": "extra graded cell my_own_check: not in the assignment, graded as an ordinary cell",
    **{student: "" for student in UNUSUAL_IDS},
}


def cell_index(nb: nbformat.NotebookNode, grade_id: str) -> int:
    return [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in nb.cells].index(grade_id)


def write_submission_folder(course: Path, student: str, assignment: str, nb: nbformat.NotebookNode) -> None:
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{NOTEBOOK}.ipynb")


def write_class(course: Path) -> None:
    release = REPO_ROOT / "exercises" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    source = nbformat.read(course / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    solved = make_submission(release, cell_sources(source, answer_cells(source)))

    def submit(student: str, change=None) -> None:
        nb = copy.deepcopy(solved)
        if change is not None:
            change(nb)
        write_submission_folder(course, student, ASSIGNMENT, nb)

    def copy_answer_cell(nb):
        index = cell_index(nb, "stratified_cv_scores")
        pasted = copy.deepcopy(nb.cells[index])
        pasted.id = "pasted-cell"  # JupyterLab gives the pasted cell a new id, the same metadata
        pasted.source = "# my second try\n" + pasted.source
        nb.cells.insert(index + 1, pasted)

    def mark_test_as_answer(nb):
        nb.cells[cell_index(nb, "group_splits_hidden")].metadata.nbgrader["solution"] = True

    def change_points(nb):
        nb.cells[cell_index(nb, "cv_summary_visible")].metadata.nbgrader["points"] = 5

    def add_graded_cell(nb):
        meta = {"grade": True, "solution": False, "locked": False, "points": 3, "grade_id": "my_own_check"}
        metadata = {"nbgrader": {**meta, "schema_version": 3}}
        nb.cells.append(nbformat.v4.new_code_cell("assert True", metadata=metadata))

    submit("copied_answer_cell", copy_answer_cell)
    submit("test_marked_as_answer", mark_test_as_answer)
    submit("test_other_points", change_points)
    submit("extra_graded_cell", add_graded_cell)
    for student in UNUSUAL_IDS:
        submit(student)
    (course / "submitted" / "forgot_upload" / OTHER_ASSIGNMENT).mkdir(parents=True)


@dataclass
class HonestClass:
    course: Path
    report: ClassReport
    reasons: dict[str, dict[str, str]]
    scores: dict


def read_reasons(course: Path) -> list[dict[str, str]]:
    with open(course / REASONS_CSV, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def honest_class(tmp_path_factory: pytest.TempPathFactory) -> HonestClass:
    course = new_course(tmp_path_factory.mktemp("honest") / "course", [ASSIGNMENT, OTHER_ASSIGNMENT])
    write_class(course)
    report = grade_class(course, jobs=2, limits=LIMITS)
    reasons = {row["student"]: row for row in read_reasons(course) if row["assignment"] == ASSIGNMENT}
    return HonestClass(course, report, reasons, read_scores(course, ASSIGNMENT, NOTEBOOK))


@pytest.mark.parametrize("student", sorted(EXPECTED_NOTES))
def test_honest_submission_gets_full_marks_and_says_what_was_restored(
    honest_class: HonestClass, student: str
) -> None:
    row = honest_class.reasons[student]
    scores = honest_class.scores[student]
    assert sum(cell.score for cell in scores.values()) == 10 and len(scores) == 10, row
    assert row["status"] == "graded" and row["score"] == "10" and row["max_score"] == "10", row
    feedback = honest_class.course / "feedback" / student / ASSIGNMENT / f"{NOTEBOOK}.html"
    expected = EXPECTED_NOTES[student]
    if expected:
        assert expected in row["reasons"], row["reasons"]
        assert expected in feedback.read_text(encoding="utf-8").replace("&gt;", ">")
    else:
        assert row["reasons"] == "" and feedback.is_file()


def test_unusual_student_ids_keep_their_exact_folder_and_gradebook_id(honest_class: HonestClass) -> None:
    for student in UNUSUAL_IDS:
        assert honest_class.report.result(ASSIGNMENT, student).student == student
        assert (honest_class.course / "autograded" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb").is_file()
    assert set(UNUSUAL_IDS) <= set(honest_class.scores)


def test_grading_one_assignment_keeps_the_other_assignments_rows(honest_class: HonestClass) -> None:
    before = read_reasons(honest_class.course)
    assert {row["assignment"] for row in before} == {ASSIGNMENT, OTHER_ASSIGNMENT}
    one = grade_class(honest_class.course, assignments_to_grade=[OTHER_ASSIGNMENT], force=True, limits=LIMITS)
    assert one.graded == [f"{OTHER_ASSIGNMENT}/forgot_upload"]
    after = read_reasons(honest_class.course)
    assert after == before
    report = grade_class(honest_class.course, jobs=2, limits=LIMITS)
    assert report.graded == [] and len(report.reused) == len(before), "a second run reuses every result"


def test_a_notebook_past_its_time_budget_is_graded_as_far_as_it_ran_and_reused(tmp_path: Path) -> None:
    course = new_course(tmp_path / "course", [ASSIGNMENT])
    release = REPO_ROOT / "exercises" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    source = nbformat.read(course / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    answers = cell_sources(source, answer_cells(source))
    answers["forecast_splits"] = "import time\ntime.sleep(600)\n" + answers["forecast_splits"]
    write_submission_folder(course, "slow", ASSIGNMENT, make_submission(release, answers))
    limits = GradingLimits(cell_timeout=300, notebook_timeout=120)

    first = grade_class(course, jobs=1, limits=limits).result(ASSIGNMENT, "slow")
    assert first.status == "graded"
    assert any(text.startswith("timeout: forecast_splits ran longer than") for text in first.incidents)
    budget_note = "time budget: the cells ran 120 s in total before"
    assert any(text.startswith(budget_note) for text in first.incidents)
    earned = {grade_id for grade_id, cell in first.cells.items() if cell["score"] == cell["max_score"]}
    assert earned == {f"{part}_{kind}" for part in answer_cells(source)[:3] for kind in ("visible", "hidden")}
    again = grade_class(course, jobs=1, limits=limits)
    assert again.graded == [] and again.result(ASSIGNMENT, "slow").incidents == first.incidents


def test_time_budget_gives_each_cell_the_shorter_of_its_limit_and_what_is_left() -> None:
    from course_grading.sandbox.time_budget import TimeBudget

    now = [100.0]
    budget = TimeBudget(50, clock=lambda: now[0])
    assert budget.remaining() == 50 and not budget.used_up()
    assert budget.cell_timeout(20) == 20  # the first cell starts the clock
    now[0] += 40
    assert budget.cell_timeout(20) == 10
    now[0] += 10.5
    assert budget.used_up() and budget.cell_timeout(20) == 1
    with pytest.raises(ValueError, match="seconds"):
        TimeBudget(0)


def test_restoring_an_untouched_release_changes_nothing() -> None:
    from course_grading.sandbox.restore_cells import restore_cell_metadata

    release = nbformat.read(REPO_ROOT / "exercises" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    source = nbformat.read(REPO_ROOT / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    restored = copy.deepcopy(release)
    assert restore_cell_metadata(restored, source) == [] and restored == release
