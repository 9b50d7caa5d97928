"""A class's round trip through nbgrader's exchange with real system accounts (root only).

The instructor releases 01_cross_validation, student-a and student-b fetch it; student-a submits
a wrong answer, then the solution's answers; student-b submits a known wrong answer once. The
instructor collects, grades with ``python -m course_grading.batch`` (what ``make grade`` runs) and
releases feedback, which each student fetches. Every step is nbgrader's own command run as that
user with ``runuser``, in the environment the hub gives that user's server.
"""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from course_grading.batch import SUBMISSION_STAMPS
from course_grading.feedback import secret_lines
from course_grading.hub_exchange import COURSE_FOLDER_MODE, EXCHANGE_ROOT_MODE, prepare_exchange
from course_grading.submissions import (
    answer_cells,
    cell_sources,
    graded_test_cells,
    load_answer_set,
    make_submission,
)
from hub_accounts import (
    ARTIFACTS,
    COURSE_ID,
    INSTRUCTOR,
    NBGRADER,
    REPOSITORY,
    STUDENTS,
    Course,
    collect_grade_and_release_feedback,
    python_as,
    run_as,
    set_up_course_directory,
    throwaway_course,
)

ASSIGNMENT = "01_cross_validation"
NOTEBOOK = "cross_validation"
WRONG_ANSWER = REPOSITORY / "tests" / "grading" / "answers" / ASSIGNMENT / "wrong_kfold_not_stratified.py"
SCORE = re.compile(r"Score:\s*([0-9.]+)\s*/\s*([0-9.]+)")


@dataclass(frozen=True)
class RoundTrip:
    course: Course
    seconds: float
    inbound_before_collect: list[str]
    grades: dict[str, tuple[float, float]]
    expected: dict[str, float]
    max_score: float

    def feedback_pages(self, student: str) -> list[Path]:
        return sorted(self.course.home(student).glob(f"{COURSE_ID}/{ASSIGNMENT}/feedback/*/{NOTEBOOK}.html"))


def _answers() -> tuple[dict[str, str], dict[str, str]]:
    release = nbformat.read(REPOSITORY / "exercises" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    solution = nbformat.read(REPOSITORY / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    right = cell_sources(solution, answer_cells(release))
    return right, {**right, **load_answer_set(WRONG_ANSWER).cells}


def _fill(course: Course, student: str, answers: dict[str, str]) -> None:
    """Put ``answers`` into the student's fetched copy, as the student typing them would."""
    path = course.home(student) / COURSE_ID / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    filled = make_submission(path, answers)
    staged = course.root / f"{student}.ipynb"
    nbformat.write(filled, staged)
    staged.chmod(0o644)
    run_as(course, student, ["cp", str(staged), str(path)])
    staged.unlink()


@pytest.fixture(scope="module")
def round_trip() -> Iterator[RoundTrip]:
    right, wrong = _answers()
    points = graded_test_cells(nbformat.read(REPOSITORY / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", 4))
    fails = load_answer_set(WRONG_ANSWER).fails
    with throwaway_course() as course:
        set_up_course_directory(course, ASSIGNMENT)
        prepare_exchange(course.exchange, COURSE_ID, INSTRUCTOR)
        start = time.perf_counter()
        run_as(course, INSTRUCTOR, [NBGRADER, "release_assignment", ASSIGNMENT], cwd=course.course_dir)
        for student in STUDENTS:
            run_as(course, student, [NBGRADER, "fetch_assignment", ASSIGNMENT])
        for student, answers in (("student-a", wrong), ("student-a", right), ("student-b", wrong)):
            _fill(course, student, answers)
            run_as(course, student, [NBGRADER, "submit", ASSIGNMENT])
        inbound = course.exchange / COURSE_ID / "inbound"
        listing = f"import os, json; print(json.dumps(os.listdir({str(inbound)!r})))"
        inbound_names = json.loads(python_as(course, INSTRUCTOR, listing))
        collect_grade_and_release_feedback(course, ASSIGNMENT)
        for student in STUDENTS:
            run_as(course, student, [NBGRADER, "fetch_feedback", ASSIGNMENT])
        seconds = time.perf_counter() - start
        for student in STUDENTS:
            for page in course.home(student).glob(f"{COURSE_ID}/{ASSIGNMENT}/feedback/*/{NOTEBOOK}.html"):
                shutil.copy(page, ARTIFACTS / f"feedback-{student}.html")
        with open(course.course_dir / "grades.csv", newline="") as handle:
            rows = [row for row in csv.DictReader(handle) if row["assignment"] == ASSIGNMENT]
        grades = {}
        for row in rows:
            assert row["student_id"] not in grades, f"{row['student_id']} graded twice: {rows}"
            grades[row["student_id"]] = (float(row["score"]), float(row["max_score"]))
        max_score = sum(points.values())
        expected = {"student-a": max_score, "student-b": max_score - sum(points[cell] for cell in fails)}
        yield RoundTrip(course, seconds, sorted(inbound_names), grades, expected, max_score)


def test_collect_grades_each_students_latest_submission_once(round_trip):
    print(f"round trip: {round_trip.seconds:.1f} s")
    expected = {student: (round_trip.expected[student], round_trip.max_score) for student in STUDENTS}
    assert round_trip.grades == expected
    kept = [name for name in round_trip.inbound_before_collect if name.startswith(f"student-a+{ASSIGNMENT}+")]
    assert len(kept) == 2, f"student-a's two submissions in inbound: {round_trip.inbound_before_collect}"
    collected = round_trip.course.course_dir / "submitted" / "student-a" / ASSIGNMENT / "timestamp.txt"
    latest = max(name.split("+")[2] for name in kept)
    assert python_as(round_trip.course, INSTRUCTOR, f"print(open({str(collected)!r}).read())") == latest


@pytest.mark.parametrize("student", STUDENTS)
def test_make_grade_puts_the_graded_submissions_stamps_beside_its_feedback(round_trip, student):
    """``release_feedback`` needs both stamp files beside the page (course_grading.batch._publish)."""
    course_dir = round_trip.course.course_dir
    for name in SUBMISSION_STAMPS:
        stamp = course_dir / "feedback" / student / ASSIGNMENT / name
        collected = course_dir / "submitted" / student / ASSIGNMENT / name
        assert stamp.read_text() == collected.read_text(), f"{stamp} is not the collected {name}"


@pytest.mark.parametrize("student", STUDENTS)
def test_each_student_fetches_feedback_with_their_own_score_only(round_trip, student):
    pages = round_trip.feedback_pages(student)
    assert len(pages) == 1, f"{student} fetched {pages}"
    page = python_as(round_trip.course, student, f"print(open({str(pages[0])!r}).read())")
    assert SCORE.search(page), f"no 'Score: x / y' in {pages[0]}"
    score = float(SCORE.search(page)[1])
    assert score == round_trip.expected[student]
    other = next(name for name in STUDENTS if name != student)
    assert other not in page


def test_feedback_of_a_lost_point_names_the_part_and_its_failure_message(round_trip):
    with open(round_trip.course.course_dir / "grade_reasons.csv", newline="") as handle:
        reasons = next(row["reasons"] for row in csv.DictReader(handle) if row["student"] == "student-b")
    part, _, message = reasons.partition(": ")
    assert part in load_answer_set(WRONG_ANSWER).fails
    page = html.unescape(round_trip.feedback_pages("student-b")[0].read_text())
    assert part in page
    assert " ".join(message.split(": ", 1)[1].split()) in " ".join(page.split())


@pytest.mark.parametrize("student", STUDENTS)
def test_released_feedback_carries_no_hidden_test_source(round_trip, student):
    page = html.unescape(round_trip.feedback_pages(student)[0].read_text())
    source = nbformat.read(REPOSITORY / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    hidden = secret_lines(source)
    assert hidden, "found no hidden-test lines to look for"
    assert "BEGIN HIDDEN TESTS" not in page
    shown = sorted(line for line in hidden if line in page)
    assert not shown, f"{student}'s released feedback quotes hidden tests: {shown[:3]}"


def _denied(course: Course, user: str, operation: str) -> bool:
    """True if the Python ``operation`` raises PermissionError when ``user`` runs it."""
    code = (
        f"import os, shutil\ntry:\n    {operation}\n    print('allowed')\n"
        "except PermissionError:\n    print('denied')"
    )
    return python_as(course, user, code) == "denied"


@pytest.mark.parametrize(
    "what, operation",
    [
        ("list the other student's home", "os.listdir({home_a!r})"),
        ("read the other student's notebook", "open({home_a!r} + '/{course}/{assignment}/{notebook}.ipynb')"),
        ("list the instructor's course directory", "os.listdir({course_dir!r})"),
        ("read the instructor's source", "open({course_dir!r} + '/solutions/{assignment}/{notebook}.ipynb')"),
        ("read the collected submissions", "os.listdir({course_dir!r} + '/submitted')"),
        ("list the exchange's inbound", "os.listdir({exchange!r} + '/{course}/inbound')"),
        ("list the released feedback", "os.listdir({exchange!r} + '/{course}/feedback')"),
        (
            "change the release",
            "open({exchange!r} + '/{course}/outbound/{assignment}/{notebook}.ipynb', 'w')",
        ),
        ("add to the release", "open({exchange!r} + '/{course}/outbound/{assignment}/extra.py', 'w')"),
        ("rename the course folder", "os.rename({exchange!r} + '/{course}', {exchange!r} + '/moved')"),
        ("remove the course folder", "shutil.rmtree({exchange!r} + '/{course}')"),
    ],
)
def test_student_b_is_denied(round_trip, what, operation):
    course = round_trip.course
    filled = operation.format(
        home_a=str(course.home("student-a")),
        course_dir=str(course.course_dir),
        exchange=str(course.exchange),
        course=COURSE_ID,
        assignment=ASSIGNMENT,
        notebook=NOTEBOOK,
    )
    assert _denied(course, "student-b", filled), f"student-b could {what}"


def test_exchange_keeps_the_modes_that_close_its_world_writable_root(round_trip):
    course = round_trip.course
    assert stat.S_IMODE(course.exchange.stat().st_mode) == EXCHANGE_ROOT_MODE
    assert stat.S_IMODE((course.exchange / COURSE_ID).stat().st_mode) == COURSE_FOLDER_MODE


def test_a_submission_folder_is_writable_by_whoever_knows_its_random_name(round_trip):
    """nbgrader's submit makes each inbound submission folder 0777, its notebook 0644: the hole that remains.

    A student cannot list inbound (mode 2733) and the folder's name ends in a random string, so another
    student cannot find it; one who learns the name can read the notebook and add or delete files until
    the instructor collects (collect copies into the instructor's private course directory).
    """
    course = round_trip.course
    inbound = course.exchange / COURSE_ID / "inbound"
    name = next(name for name in round_trip.inbound_before_collect if name.startswith("student-a+"))
    random_part = name.split("+")[3]
    # ExchangeSubmit.init_dest: base64 of os.urandom(9), 72 random bits.
    assert re.fullmatch(r"[A-Za-z0-9_-]{12}", random_part), f"no random suffix in {name}"
    folder = inbound / name
    assert stat.S_IMODE(folder.stat().st_mode) == 0o777
    assert not _denied(course, "student-b", f"open({str(folder / (NOTEBOOK + '.ipynb'))!r}).read()")
    assert not _denied(course, "student-b", f"open({str(folder / 'planted.txt')!r}, 'w').close()")
