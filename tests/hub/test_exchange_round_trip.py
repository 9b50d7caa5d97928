"""nbgrader's exchange with real system accounts, up to ``collect`` (root only).

The instructor releases 01_cross_validation, student-a and student-b fetch it; student-a submits
a wrong answer, then the solution's answers; student-b submits a known wrong answer once; the
instructor collects. Every step is nbgrader's own command run as that user with ``runuser``, in
the environment the hub gives that user's server. What only these command-line students do is
checked here: a resubmission (collect takes the latest, the exchange keeps both) and what another
student can do in the exchange. Grading what ``collect`` put in ``submitted/``, releasing and
fetching the feedback are checked on the browser round trip's run
(test_hub_browser_round_trip.py), which grades one collected submission per student.
"""

from __future__ import annotations

import json
import re
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from course_grading.intake.hub_exchange import COURSE_FOLDER_MODE, EXCHANGE_ROOT_MODE, prepare_exchange
from course_grading.intake.submissions import answer_cells, cell_sources, load_answer_set, make_submission
from hub_accounts import (
    COURSE_ID,
    INSTRUCTOR,
    NBGRADER,
    REPOSITORY,
    STUDENTS,
    Course,
    denied,
    python_as,
    run_as,
    set_up_course_directory,
    throwaway_course,
)

ASSIGNMENT = "01_cross_validation"
NOTEBOOK = "cross_validation"
WRONG_ANSWER = REPOSITORY / "tests" / "grading" / "answers" / ASSIGNMENT / "wrong_kfold_not_stratified.py"


@dataclass(frozen=True)
class Exchange:
    """The exchange after ``collect``, and what each student submitted last."""

    course: Course
    seconds: float
    inbound_before_collect: list[str]
    last_answers: dict[str, dict[str, str]]

    def collected(self, student: str) -> Path:
        return self.course.course_dir / "submitted" / student / ASSIGNMENT


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
def exchange() -> Iterator[Exchange]:
    right, wrong = _answers()
    with throwaway_course() as course:
        set_up_course_directory(course, ASSIGNMENT)
        prepare_exchange(course.exchange, COURSE_ID, INSTRUCTOR)
        start = time.perf_counter()
        run_as(course, INSTRUCTOR, [NBGRADER, "release_assignment", ASSIGNMENT], cwd=course.course_dir)
        for student in STUDENTS:
            run_as(course, student, [NBGRADER, "fetch_assignment", ASSIGNMENT])
        last_answers = {}
        for student, answers in (("student-a", wrong), ("student-a", right), ("student-b", wrong)):
            _fill(course, student, answers)
            run_as(course, student, [NBGRADER, "submit", ASSIGNMENT])
            last_answers[student] = answers
        inbound = course.exchange / COURSE_ID / "inbound"
        listing = f"import os, json; print(json.dumps(os.listdir({str(inbound)!r})))"
        inbound_names = json.loads(python_as(course, INSTRUCTOR, listing))
        run_as(course, INSTRUCTOR, [NBGRADER, "collect", ASSIGNMENT], cwd=course.course_dir)
        seconds = time.perf_counter() - start
        yield Exchange(course, seconds, sorted(inbound_names), last_answers)


def test_collect_takes_each_students_latest_submission_and_the_exchange_keeps_the_earlier(exchange):
    """What ``make grade`` then grades, once per student (graded on the browser round trip's run)."""
    print(f"release, fetch, three submits, collect: {exchange.seconds:.1f} s")
    kept = [name for name in exchange.inbound_before_collect if name.startswith(f"student-a+{ASSIGNMENT}+")]
    assert len(kept) == 2, f"student-a's two submissions in inbound: {exchange.inbound_before_collect}"
    submitted = exchange.course.course_dir / "submitted"
    assert sorted(path.name for path in submitted.iterdir()) == sorted(STUDENTS)
    stamp = exchange.collected("student-a") / "timestamp.txt"
    latest = max(name.split("+")[2] for name in kept)
    assert python_as(exchange.course, INSTRUCTOR, f"print(open({str(stamp)!r}).read())") == latest
    for student in STUDENTS:
        notebook = nbformat.read(exchange.collected(student) / f"{NOTEBOOK}.ipynb", as_version=4)
        collected = cell_sources(notebook, answer_cells(notebook))
        assert collected == exchange.last_answers[student], f"{student}'s collected answers are not the last"


@pytest.mark.parametrize(
    "what, operation",
    [
        ("list the other student's home", "os.listdir({home_a!r})"),
        ("read the other student's notebook", "open({home_a!r} + '/{course}/{assignment}/{notebook}.ipynb')"),
        ("list the instructor's course directory", "os.listdir({course_dir!r})"),
        ("read the instructor's source", "open({course_dir!r} + '/solutions/{assignment}/{notebook}.ipynb')"),
        ("read the collected submissions", "os.listdir({course_dir!r} + '/submitted')"),
        ("list the exchange's inbound", "os.listdir({exchange!r} + '/{course}/inbound')"),
        (
            "change the release",
            "open({exchange!r} + '/{course}/outbound/{assignment}/{notebook}.ipynb', 'w')",
        ),
        ("add to the release", "open({exchange!r} + '/{course}/outbound/{assignment}/extra.py', 'w')"),
        ("rename the course folder", "os.rename({exchange!r} + '/{course}', {exchange!r} + '/moved')"),
        ("remove the course folder", "shutil.rmtree({exchange!r} + '/{course}')"),
    ],
)
def test_student_b_is_denied(exchange, what, operation):
    course = exchange.course
    filled = operation.format(
        home_a=str(course.home("student-a")),
        course_dir=str(course.course_dir),
        exchange=str(course.exchange),
        course=COURSE_ID,
        assignment=ASSIGNMENT,
        notebook=NOTEBOOK,
    )
    assert denied(course, "student-b", filled), f"student-b could {what}"


def test_exchange_keeps_the_modes_that_close_its_world_writable_root(exchange):
    course = exchange.course
    assert stat.S_IMODE(course.exchange.stat().st_mode) == EXCHANGE_ROOT_MODE
    assert stat.S_IMODE((course.exchange / COURSE_ID).stat().st_mode) == COURSE_FOLDER_MODE


def test_a_submission_folder_is_writable_by_whoever_knows_its_random_name(exchange):
    """nbgrader's submit makes each inbound submission folder 0777, its notebook 0644: the hole that remains.

    A student cannot list inbound (mode 2733) and the folder's name ends in a random string, so another
    student cannot find it; one who learns the name can read the notebook and add or delete files until
    the instructor collects (collect copies into the instructor's private course directory).
    """
    course = exchange.course
    inbound = course.exchange / COURSE_ID / "inbound"
    name = next(name for name in exchange.inbound_before_collect if name.startswith("student-a+"))
    random_part = name.split("+")[3]
    # ExchangeSubmit.init_dest: base64 of os.urandom(9), 72 random bits.
    assert re.fullmatch(r"[A-Za-z0-9_-]{12}", random_part), f"no random suffix in {name}"
    folder = inbound / name
    assert stat.S_IMODE(folder.stat().st_mode) == 0o777
    assert not denied(course, "student-b", f"open({str(folder / (NOTEBOOK + '.ipynb'))!r}).read()")
    assert not denied(course, "student-b", f"open({str(folder / 'planted.txt')!r}, 'w').close()")
