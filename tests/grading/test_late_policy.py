"""The late policy (course_grading.gradebook.late_policy) through a real grading run, and its pure penalty function.

One class of 01_cross_validation, five copies of the solution submitted at different times, is graded
ONCE by :func:`course_grading.gradebook.batch.grade_class` (worker processes, real nbgrader, sandboxed kernels)
under :data:`POLICY` (15 min grace, 10 % of the earned score per day, at most 50 %, one extension),
with the due date set by ``nbgrader db assignment add --duedate`` as the README tells instructors:

- ``on_time``: an hour early; ``in_grace``: 10 min late; ``two_days``: 47 h late;
- ``capped``: 10 days late; ``extended``: 30 h late with a 48 h extension.

Each penalty is checked in the gradebook (``SubmittedNotebook.late_submission_penalty``), in nbgrader's
own ``grades.csv``, in ``grade_reasons.csv``, in the student's feedback page and in the Canvas export.
Then the policy file is changed and the class graded again: nothing is re-run, and every penalty is the
new policy's (no stale penalty from the first run).
"""

from __future__ import annotations

import csv
import datetime
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from course_grading.gradebook.batch import REASONS_CSV, ClassReport, grade_class
from course_grading.sandbox.isolation import GradingLimits
from course_grading.sandbox.kernel_guard import landlock_abi
from course_grading.gradebook.late_policy import (
    POLICY_FILE,
    LatePolicy,
    LatePolicyPlugin,
    assign_late_penalty,
    late_penalty,
    load_policy,
)
from course_grading.lms.canvas import CanvasExportPlugin
from course_grading.handout.release import ensure_scripts_on_path, nbgrader_command
from course_grading.intake.synthetic_class import new_course

from sandbox_class import ASSIGNMENT, NOTEBOOK, submit

DUE = datetime.datetime(2026, 11, 30, 12, 0, 0)
LIMITS = GradingLimits(cell_timeout=60)
POLICY = """
grace_minutes = 15
penalty_per_day = 0.10
max_penalty = 0.50
[extension_hours.extended]
01_cross_validation = 48
"""
CHANGED_POLICY = """
grace_minutes = 0
penalty_per_day = 0.30
max_penalty = 0.80
"""
SUBMITTED_AFTER_DUE = {
    "on_time": datetime.timedelta(hours=-1),
    "in_grace": datetime.timedelta(minutes=10),
    "two_days": datetime.timedelta(hours=47),
    "capped": datetime.timedelta(days=10),
    "extended": datetime.timedelta(hours=30),
}
# Fraction of the earned score taken, by the policy's rules (days: each started 24 h after the due date).
EXPECTED_FRACTION = {"on_time": 0.0, "in_grace": 0.0, "two_days": 0.2, "capped": 0.5, "extended": 0.0}
EXPECTED_AFTER_CHANGE = {"on_time": 0.0, "in_grace": 0.3, "two_days": 0.6, "capped": 0.8, "extended": 0.6}
HEADING_SCORE = re.compile(r"<h4>[^<]*\(Score: ([0-9.]+) / ([0-9.]+)\)</h4>")

pytestmark = pytest.mark.skipif(landlock_abi() < 1, reason="the filesystem sandbox needs Linux Landlock")


@dataclass
class Snapshot:
    """What one grading run left: penalties in the gradebook, the CSVs and the feedback pages."""

    report: ClassReport
    max_score: float
    penalty: dict[str, float]  # SubmittedNotebook.late_submission_penalty (None as 0)
    grades_csv: dict[str, dict[str, str]]
    reasons: dict[str, dict[str, str]]
    feedback: dict[str, str]
    canvas: dict[str, str]  # Canvas ID -> the exported score


def snapshot(course: Path, report: ClassReport) -> Snapshot:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        penalty = {
            s: float(gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT, s).late_submission_penalty or 0)
            for s in SUBMITTED_AFTER_DUE
        }
        max_score = float(gradebook.find_notebook(NOTEBOOK, ASSIGNMENT).max_score)
        CanvasExportPlugin(roster=str(course / "roster.csv"), to=str(course / "canvas.csv")).export(gradebook)

    def rows(name: str) -> list[dict[str, str]]:
        with open(course / name, newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    return Snapshot(
        report=report,
        max_score=max_score,
        penalty=penalty,
        grades_csv={row["student_id"]: row for row in rows("grades.csv")},
        reasons={row["student"]: row for row in rows(REASONS_CSV)},
        feedback={
            s: (course / "feedback" / s / ASSIGNMENT / f"{NOTEBOOK}.html").read_text(encoding="utf-8")
            for s in SUBMITTED_AFTER_DUE
        },
        canvas={row["ID"]: row[ASSIGNMENT] for row in rows("canvas.csv")},
    )


@pytest.fixture(scope="module")
def late_class(tmp_path_factory: pytest.TempPathFactory) -> tuple[Snapshot, Snapshot]:
    """The class graded under POLICY, then again under CHANGED_POLICY: the two snapshots."""
    course = new_course(tmp_path_factory.mktemp("late") / "course", [ASSIGNMENT])
    nbgrader_command(course, "db", "assignment", "add", ASSIGNMENT, f"--duedate={DUE:%Y-%m-%d %H:%M:%S} UTC")
    roster = ["student_id,first_name,last_name,canvas_user_id"]
    for index, (student, after_due) in enumerate(SUBMITTED_AFTER_DUE.items()):
        folder = submit(course, student)
        (folder / "timestamp.txt").write_text(f"{DUE + after_due:%Y-%m-%d %H:%M:%S} UTC", encoding="utf-8")
        roster.append(f"{student},{student.title()},Student,{100 + index}")
    (course / "roster.csv").write_text("\n".join(roster) + "\n", encoding="utf-8")
    (course / POLICY_FILE).write_text(POLICY, encoding="utf-8")
    first = snapshot(course, grade_class(course, jobs=2, limits=LIMITS))
    (course / POLICY_FILE).write_text(CHANGED_POLICY, encoding="utf-8")
    second = snapshot(course, grade_class(course, jobs=2, limits=LIMITS))
    return first, second


@pytest.mark.parametrize("student", sorted(SUBMITTED_AFTER_DUE))
def test_penalty_in_gradebook_and_nbgrader_csv_is_the_policys_fraction_of_the_score(
    late_class: tuple[Snapshot, Snapshot], student: str
) -> None:
    first, _ = late_class
    assert float(first.grades_csv[student]["raw_score"]) == first.max_score  # the solution: full marks
    expected = EXPECTED_FRACTION[student] * first.max_score
    assert first.penalty[student] == pytest.approx(expected)
    assert float(first.grades_csv[student]["late_submission_penalty"]) == pytest.approx(expected)
    assert float(first.grades_csv[student]["score"]) == pytest.approx(first.max_score - expected)


@pytest.mark.parametrize(
    ("student", "reason"),
    [
        ("on_time", None),
        ("in_grace", "submitted 10 min after the due date, inside the 15 min grace period: no penalty"),
        ("two_days", "late: submitted 1 d 23 h after the due date, 2 days late; penalty 20 %"),
        ("capped", "late: submitted 10 d after the due date, 10 days late; penalty 50 % (the cap)"),
        ("extended", None),  # 30 h late, the extension is 48 h: on time
    ],
)
def test_grade_reasons_and_feedback_show_the_penalty_and_its_reason(
    late_class: tuple[Snapshot, Snapshot], student: str, reason: str | None
) -> None:
    first, _ = late_class
    row, page = first.reasons[student], first.feedback[student]
    final = first.max_score * (1 - EXPECTED_FRACTION[student])
    assert float(row["late_penalty"]) == pytest.approx(first.max_score - final)
    assert float(row["final_score"]) == pytest.approx(final)
    heading = HEADING_SCORE.search(page)
    assert heading is not None and float(heading[1]) == pytest.approx(final, abs=0.005)
    assert float(heading[2]) == first.max_score
    if reason is None:
        assert row["reasons"] == "" and 'late-penalty" style' not in page
    else:
        assert row["reasons"].startswith(reason)
        assert reason in page.replace("&#x27;", "'")


def test_canvas_export_has_the_scores_after_the_penalty(late_class: tuple[Snapshot, Snapshot]) -> None:
    first, _ = late_class
    for index, student in enumerate(SUBMITTED_AFTER_DUE):
        exported = float(first.canvas[str(100 + index)])
        assert exported == pytest.approx(first.max_score * (1 - EXPECTED_FRACTION[student]))


@pytest.mark.parametrize("student", sorted(SUBMITTED_AFTER_DUE))
def test_a_changed_policy_changes_every_penalty_without_regrading(
    late_class: tuple[Snapshot, Snapshot], student: str
) -> None:
    first, second = late_class
    assert len(first.report.graded) == len(SUBMITTED_AFTER_DUE)
    assert second.report.graded == [] and len(second.report.reused) == len(SUBMITTED_AFTER_DUE)
    expected = EXPECTED_AFTER_CHANGE[student] * second.max_score
    assert second.penalty[student] == pytest.approx(expected)
    assert float(second.grades_csv[student]["late_submission_penalty"]) == pytest.approx(expected)
    assert float(second.reasons[student]["final_score"]) == pytest.approx(second.max_score - expected)
    heading = HEADING_SCORE.search(second.feedback[student])
    assert heading is not None and float(heading[1]) == pytest.approx(second.max_score - expected, abs=0.005)
    assert second.feedback[student].count('class="late-penalty" style') == (1 if expected else 0)


# ---------------------------------------------------------------- the pure penalty function

HOUR = 3600.0
DAY = 24 * HOUR


@pytest.mark.parametrize(
    ("seconds_late", "days", "fraction"),
    [
        (0.0, 0, 0.0),
        (15 * 60, 0, 0.0),  # exactly the grace period: on time
        (15 * 60 + 1, 1, 0.1),  # past the grace period: a day counted from the due date
        (DAY, 1, 0.1),
        (DAY + 1, 2, 0.2),
        (2 * DAY, 2, 0.2),
        (5 * DAY, 5, 0.5),
        (5 * DAY + 1, 6, 0.5),  # the cap
        (100 * DAY, 100, 0.5),
    ],
)
def test_late_penalty_counts_each_started_day_after_the_grace_period_up_to_the_cap(
    seconds_late: float, days: int, fraction: float
) -> None:
    policy = LatePolicy(grace_minutes=15, penalty_per_day=0.1, max_penalty=0.5)
    penalty = late_penalty(policy, 8.0, seconds_late)
    assert (penalty.days_late, penalty.fraction) == (days, pytest.approx(fraction))
    assert penalty.points == pytest.approx(8.0 * fraction)
    assert bool(penalty.reason) == (seconds_late > 0)
    assert ("(the cap)" in penalty.reason) == (days > 5)  # 5 days x 10 % reach the 50 % cap exactly


def test_late_penalty_of_a_zero_score_is_zero_points() -> None:
    penalty = late_penalty(LatePolicy(penalty_per_day=0.5, max_penalty=1.0), 0.0, 3 * DAY)
    assert penalty.points == 0.0 and penalty.days_late == 3


def test_load_policy_reads_the_committed_example_and_missing_file_penalises_nothing(tmp_path: Path) -> None:
    committed = load_policy(Path(__file__).parents[2] / POLICY_FILE)
    assert committed.penalty_per_day > 0 and committed.max_penalty >= committed.penalty_per_day
    assert load_policy(tmp_path / "absent.toml") == LatePolicy()
    assert late_penalty(LatePolicy(), 10.0, 30 * DAY).points == 0.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("penalty_per_dya = 0.1\n", "unknown keys \\['penalty_per_dya'\\]"),
        ("penalty_per_day = 10\n", "penalty_per_day is a fraction of the score, at most 1"),
        ("grace_minutes = -5\n", "grace_minutes must be a number >= 0"),
        ("[extension_hours]\nada = 48\n", "extension_hours.ada must map assignment names to hours"),
    ],
)
def test_load_policy_names_the_bad_key_and_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / POLICY_FILE
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as error:
        load_policy(path)
    assert str(path) in str(error.value)


def test_extension_is_per_student_and_assignment() -> None:
    policy = LatePolicy(extension_hours={"ada": {"01_cross_validation": 48}})
    assert policy.extension("ada", "01_cross_validation") == datetime.timedelta(hours=48)
    assert policy.extension("ada", "02_hyperparameter_search") is None
    assert policy.extension("bob", "01_cross_validation") is None


def test_plugin_on_nbgraders_interface_gives_the_policys_points(tmp_path: Path) -> None:
    path = tmp_path / POLICY_FILE
    path.write_text("penalty_per_day = 0.25\nmax_penalty = 1.0\n", encoding="utf-8")
    plugin = LatePolicyPlugin(policy_file=str(path))
    assert plugin.late_submission_penalty("ada", 6.0, 2 * DAY + 1) == pytest.approx(6.0 * 0.75)


# student -> (timestamp.txt or None, extension hours, expected points of 2 earned, expected reason start)
TIMESTAMP_CASES = {
    "no_file": (None, 0, 0.0, ""),  # never late, as in nbgrader
    "late": ("2026-12-01 13:00:00 UTC", 0, 0.5, "late: submitted 1 d 1 h after the due date, 2 days late"),
    "extended": ("2026-12-01 13:00:00 UTC", 48, 0.0, ""),  # the extension moves the due date
    "zone": ("2026-12-01 14:00:00 Europe/Berlin", 0, 0.5, "late: submitted 1 d 1 h after"),  # 13:00 UTC
    "garbled": ("the day after tomorrow", 0, 0.0, "late policy not applied: timestamp.txt holds no readable"),
}


def test_assign_late_penalty_writes_timestamp_extension_and_penalty_from_scratch(tmp_path: Path) -> None:
    extensions = {student: {"a1": case[1]} for student, case in TIMESTAMP_CASES.items()}
    policy = LatePolicy(penalty_per_day=0.125, max_penalty=1.0, extension_hours=extensions)
    ensure_scripts_on_path()
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gradebook:
        gradebook.add_assignment("a1", duedate="2026-11-30 12:00:00 UTC")
        gradebook.add_notebook("nb", "a1")
        gradebook.add_grade_cell("c", "nb", "a1", max_score=2.0, cell_type="code")
        for student, (timestamp, hours, points, reason) in TIMESTAMP_CASES.items():
            folder = tmp_path / "submitted" / student / "a1"
            folder.mkdir(parents=True)
            if timestamp is not None:
                (folder / "timestamp.txt").write_text(timestamp, encoding="utf-8")
            gradebook.add_student(student)
            submission = gradebook.add_submission("a1", student)
            notebook = gradebook.find_submission_notebook("nb", "a1", student)
            notebook.late_submission_penalty = 1.5  # stale, from an earlier policy
            gradebook.find_grade("c", "nb", "a1", student).auto_score = 2.0
            gradebook.db.commit()
            gradebook.db.refresh(notebook)
            penalty = assign_late_penalty(submission, notebook, policy, folder)
            gradebook.db.commit()
            assert penalty.points == pytest.approx(points), student
            assert penalty.reason.startswith(reason), (student, penalty.reason)
            assert float(notebook.late_submission_penalty or 0) == pytest.approx(points), student
            assert submission.extension == datetime.timedelta(hours=hours), student
