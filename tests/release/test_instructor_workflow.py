"""The plain nbgrader sequence on a throw-away course: autograde, feedback, CSV.

(``python -m course_grading.gradebook.grade``)"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import nbformat

from course_grading.gradebook.grade import main as grade_main
from course_grading.gradebook.grade import submitted_assignments
from course_grading.handout.release import REPO_ROOT, assignment_notebook
from course_grading.intake.submissions import (
    answer_cells,
    cell_sources,
    graded_test_cells,
    make_submission,
    write_submission,
)

ASSIGNMENT = "01_cross_validation"


def test_grade_command_autogrades_writes_feedback_and_exports_csv(tmp_path: Path) -> None:
    notebook = assignment_notebook(ASSIGNMENT)
    # The instructor's layout: config and sources, no gradebook yet (make grade records the assignment).
    course = tmp_path / "course"
    shutil.copytree(REPO_ROOT / "solutions" / ASSIGNMENT, course / "solutions" / ASSIGNMENT)
    shutil.copy2(REPO_ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    release = REPO_ROOT / "exercises" / ASSIGNMENT / f"{notebook}.ipynb"
    source = nbformat.read(REPO_ROOT / "solutions" / ASSIGNMENT / f"{notebook}.ipynb", as_version=4)
    solution = cell_sources(source, answer_cells(source))
    write_submission(course, "ada", ASSIGNMENT, make_submission(release, solution), notebook)
    write_submission(course, "bob", ASSIGNMENT, make_submission(release, {}), notebook)
    assert submitted_assignments(course) == [ASSIGNMENT]

    assert grade_main(["--course-dir", str(course)]) == 0

    for student in ("ada", "bob"):
        assert (course / "autograded" / student / ASSIGNMENT / f"{notebook}.ipynb").is_file()
        assert (course / "feedback" / student / ASSIGNMENT / f"{notebook}.html").is_file()
    with open(course / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    max_points = sum(graded_test_cells(source).values())
    assert float(rows["ada"]["score"]) == max_points
    assert float(rows["bob"]["score"]) == 0
    assert float(rows["ada"]["max_score"]) == max_points


def test_grade_command_with_nothing_submitted(tmp_path: Path, capsys) -> None:
    course = tmp_path / "empty"
    course.mkdir()
    (course / "nbgrader_config.py").write_text((REPO_ROOT / "nbgrader_config.py").read_text())
    assert grade_main(["--course-dir", str(course)]) == 0
    assert "nothing to grade" in capsys.readouterr().out
    assert not (course / "grades.csv").exists()
