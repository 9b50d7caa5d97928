"""A class of 01_cross_validation for the sandbox tests: written, graded by the real batch, read back.

Each ``test_sandbox_*.py`` module makes one class of hostile submissions and grades it once with
:func:`course_grading.gradebook.batch.grade_class` (worker processes, real nbgrader, kernels in the real
sandbox), then checks the score in the gradebook, the reason in ``grade_reasons.csv`` and in the
feedback page, and what the kernels printed.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course_grading.gradebook.batch import REASONS_CSV, ClassReport, grade_class
from course_grading.gradebook.grade import read_scores
from course_grading.sandbox.isolation import GradingLimits
from course_grading.handout.release import REPO_ROOT
from course_grading.intake.submissions import answer_cells, cell_sources, make_submission, write_submission

ASSIGNMENT = "01_cross_validation"
NOTEBOOK = "cross_validation"
RELEASE = REPO_ROOT / "exercises" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"

# The shuffled-KFold mistake: loses the 1 point of stratified_cv_scores_hidden, keeps the other 9.
SHUFFLED_KFOLD = '''\
def stratified_cv_scores(model, X, y, n_splits=5, seed=0):
    """Return the accuracy of each fold of a stratified, shuffled k-fold cross-validation."""
    return cross_val_score(model, X, y, cv=KFold(n_splits, shuffle=True, random_state=seed))
'''


def solution_answers() -> dict[str, str]:
    """grade_id -> the instructor's answer, for every answer cell."""
    source = nbformat.read(REPO_ROOT / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    return cell_sources(source, answer_cells(source))


def submit(
    course: Path, student: str, appended: dict[str, str] | None = None, replaced: dict[str, str] | None = None
) -> Path:
    """Submit the solution, ``appended[grade_id]`` added to the end of an answer cell, ``replaced`` ones
    instead of the solution's; returns the submission's folder."""
    answers = solution_answers()
    for grade_id, code in (appended or {}).items():
        answers[grade_id] = f"{answers[grade_id]}\n\n{code}"
    answers.update(replaced or {})
    return write_submission(course, student, ASSIGNMENT, make_submission(RELEASE, answers), NOTEBOOK).parent


@dataclass
class GradedClass:
    course: Path
    report: ClassReport
    reasons: dict[str, str]  # student -> the reasons column of grade_reasons.csv

    def score(self, student: str) -> float:
        return sum(cell.score for cell in read_scores(self.course, ASSIGNMENT, NOTEBOOK)[student].values())

    def feedback(self, student: str) -> str:
        page = self.course / "feedback" / student / ASSIGNMENT / f"{NOTEBOOK}.html"
        return page.read_text(encoding="utf-8")

    def printed(self, student: str, grade_id: str) -> str:
        """What the cell ``grade_id`` of the student's autograded notebook printed (stdout and stderr)."""
        path = self.course / "autograded" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
        cell = next(
            c for c in nbformat.read(path, as_version=4).cells
            if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
        )
        return "".join(out.get("text", "") for out in cell.get("outputs", []) if out.output_type == "stream")


def grade(course: Path, limits: GradingLimits) -> GradedClass:
    """Grade the class, two submissions at a time, and read its grade_reasons.csv."""
    report = grade_class(course, jobs=2, limits=limits)
    with open(course / REASONS_CSV, newline="", encoding="utf-8") as handle:
        reasons = {row["student"]: row["reasons"] for row in csv.DictReader(handle)}
    return GradedClass(course, report, reasons)
