"""``make export-lms``: a tiny class graded by nbgrader, exported for Canvas and Moodle, read back like them.

Two submissions of assignment 01 in a throw-away course, graded by plain ``nbgrader autograde`` with the
course's late-submission plugin (course_grading.gradebook.late_policy) and a ``late_policy.toml`` that takes the
whole score from a day late on: the solution on time (full marks), a wrong answer two days after the due
date (some points, all taken by the penalty: final score 0). A third roster student
submits nothing; a student in the gradebook but not on the roster is not exported.
"""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from course_grading.gradebook.grade import autograde, export_grades, prepare_course
from course_grading.handout.release import REPO_ROOT, ensure_scripts_on_path, nbgrader_command
from course_grading.intake.submissions import (
    answer_cells,
    cell_sources,
    load_answer_set,
    make_submission,
    write_submission,
)

ASSIGNMENT = "01_cross_validation"
NOTEBOOK = "cross_validation"
DUE = "2026-11-30 12:00:00"
ROSTER = """student_id,first_name,last_name,email,canvas_user_id,canvas_sis_user_id,canvas_section
ada,Ada,Lovelace,ada@example.org,101,S-1,A
bob,Bob,Babbage,bob@example.org,102,S-2,A
dora,Dora,Silent,dora@example.org,104,S-4,B
"""


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    course = prepare_course(tmp_path_factory.mktemp("lms-export") / "course", [ASSIGNMENT])
    (course / "late_policy.toml").write_text("penalty_per_day = 1.0\nmax_penalty = 1.0\n", encoding="utf-8")
    (course / "roster.csv").write_text(ROSTER, encoding="utf-8")
    ensure_scripts_on_path()
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        gradebook.update_or_create_assignment(ASSIGNMENT, duedate=DUE)
        gradebook.add_student("zed")  # graded elsewhere, not on the roster

    release = REPO_ROOT / "exercises" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    source = nbformat.read(REPO_ROOT / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    solution = cell_sources(source, answer_cells(source))
    wrong_answers = REPO_ROOT / "tests" / "grading" / "answers" / ASSIGNMENT / "wrong_ignores_gap.py"
    wrong = {**solution, **load_answer_set(wrong_answers).cells}
    for student, answers, submitted_at in (
        ("ada", solution, "2026-11-30 11:00:00"),
        ("bob", wrong, "2026-12-02 12:00:00"),
    ):
        path = write_submission(course, student, ASSIGNMENT, make_submission(release, answers), NOTEBOOK)
        (path.parent / "timestamp.txt").write_text(submitted_at, encoding="utf-8")
    autograde(course, ASSIGNMENT)
    export_grades(course)  # nbgrader's own grades.csv, as make grade writes it
    return course


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def nbgrader_scores(course: Path) -> dict[str, dict[str, str]]:
    return {row["student_id"]: row for row in read_csv(course / "grades.csv")}


def test_canvas_import_csv_has_canvas_columns_one_row_per_roster_student_and_final_scores(
    graded_course: Path,
) -> None:
    nbgrader_command(
        graded_course,
        "export",
        "--exporter=course_grading.lms.canvas.CanvasExportPlugin",
        "--LmsExportPlugin.roster=roster.csv",
        f"--CanvasExportPlugin.assignment_ids={ASSIGNMENT}=7001",
        "--to=canvas_grades.csv",
    )
    rows = read_csv(graded_course / "canvas_grades.csv")
    column = f"{ASSIGNMENT} (7001)"
    assert list(rows[0]) == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column]
    assert [(r["Student"], r["ID"], r["SIS User ID"], r["Section"]) for r in rows] == [
        ("Lovelace, Ada", "101", "S-1", "A"),
        ("Babbage, Bob", "102", "S-2", "A"),
        ("Silent, Dora", "104", "S-4", "B"),
    ]
    nbgrader = nbgrader_scores(graded_course)
    scores = {r["ID"]: float(r[column]) for r in rows}
    max_score = float(nbgrader["ada"]["max_score"])
    assert scores["101"] == max_score  # the solution, on time
    # Bob's late answer earned points, and the late policy took them all: the export is after penalty.
    assert 0 < float(nbgrader["bob"]["raw_score"]) == float(nbgrader["bob"]["late_submission_penalty"])
    assert scores["102"] == 0.0
    assert scores["104"] == 0.0  # no submission
    for student, canvas_id in (("ada", "101"), ("bob", "102")):
        assert scores[canvas_id] == float(nbgrader[student]["score"])  # the final score of nbgrader's CSV


def test_moodle_import_csv_identifies_students_by_email_with_one_column_per_assignment(
    graded_course: Path,
) -> None:
    nbgrader_command(
        graded_course,
        "export",
        "--exporter=course_grading.lms.moodle.MoodleExportPlugin",
        "--LmsExportPlugin.roster=roster.csv",
        "--to=moodle_grades.csv",
    )
    rows = read_csv(graded_course / "moodle_grades.csv")
    assert list(rows[0]) == ["First name", "Last name", "Email address", ASSIGNMENT]
    assert [r["Email address"] for r in rows] == [
        "ada@example.org",
        "bob@example.org",
        "dora@example.org",
    ]
    nbgrader = nbgrader_scores(graded_course)
    by_email = {r["Email address"]: float(r[ASSIGNMENT]) for r in rows}
    assert by_email["bob@example.org"] == 0.0 < float(nbgrader["bob"]["raw_score"])
    ada_score = by_email["ada@example.org"]
    assert ada_score == float(nbgrader["ada"]["score"]) == float(nbgrader["ada"]["max_score"])
    assert by_email["dora@example.org"] == 0.0
