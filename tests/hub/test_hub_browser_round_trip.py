"""A class's round trip on `make hub`'s JupyterHub in Debian's Chromium, with real accounts (root only).

Each student logs in through the hub's login form (PAM checks the password the test set), opens
JupyterLab's *Assignments* tab (nbgrader's assignment_list extension), fetches 01_cross_validation,
types answers into the notebook (student-a the solution's, student-b a known wrong answer of
tests/grading/answers/ that fails a visible test), validates and submits. The instructor collects,
grades with ``python -m course_grading.gradebook.batch`` (what ``make grade`` runs) and releases feedback
with nbgrader's own commands; each student fetches the feedback in the *Assignments* tab and reads
their score. Then each student, in a terminal of their own JupyterLab, tries to read the other's
notebook and the instructor's source. Screenshots and the hub's log (which holds the users'
servers' logs) go to artifacts/browser/; the round trip's duration and the hub's memory are printed.

The round trip runs ONCE (the module fixture ``round_trip``); each test asserts one property of it,
also those of the grading and the released feedback that need no browser (the stamps, the pages in
the students' homes, grades.csv). test_exchange_round_trip.py keeps what only its command-line
students do: a resubmission, and what another student can do in the exchange.
"""

from __future__ import annotations

import csv
import html
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil
import pytest
from playwright.sync_api import Locator, Page

from browser_harness import ARTIFACTS, BrowserPage, chromium_page
from browser_lab_ui import click_menu, close_dialog, open_notebook, set_cell_text, validate
from browser_material import correct_answers, wrong_answers
from browser_servers import Server, write_lab_settings
from course_grading.gradebook.batch import SUBMISSION_STAMPS
from course_grading.feedback_pages.hidden_tests import instructor_messages, secret_lines, shown_message
from course_grading.intake.submissions import graded_test_cells, load_answer_set
from hub_accounts import (
    COURSE_ID,
    INSTRUCTOR,
    NBGRADER,
    REPOSITORY,
    STUDENTS,
    Course,
    collect_grade_and_release_feedback,
    denied,
    python_as,
    run_as,
    set_up_course_directory,
    throwaway_course,
)
from hub_server import START_SECONDS, Hub, running_hub

ASSIGNMENT = "01_cross_validation"
NOTEBOOK = "cross_validation"
FETCHED = f"{COURSE_ID}/{ASSIGNMENT}/{NOTEBOOK}.ipynb"
SCORE = re.compile(r"Score:\s*([0-9.]+)\s*/\s*([0-9.]+)")

# Runs ``command`` in a new terminal of the page's JupyterLab (jupyter_server_terminals' REST API and
# websocket, as JupyterLab's Terminal does) and returns what the terminal printed until the marker.
# The marker is echoed as `__do""ne__` when typed, so only the command's own echo matches it.
_RUN_IN_TERMINAL = """async ([base, command]) => {
    const xsrf = decodeURIComponent((document.cookie.match(/(?:^|; )_xsrf=([^;]*)/) || [, ''])[1]);
    const response = await fetch(`${base}/api/terminals`, {method: 'POST', headers: {'X-XSRFToken': xsrf}});
    if (!response.ok) throw new Error(`POST ${base}/api/terminals answered ${response.status}`);
    const {name} = await response.json();
    return await new Promise((resolve, reject) => {
        const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/terminals/websocket/${name}`);
        let output = '';
        socket.onopen = () => socket.send(JSON.stringify(['stdin', `${command}; echo __do""ne__\\r`]));
        socket.onerror = () => reject(new Error(`the websocket of terminal ${name} failed`));
        socket.onmessage = event => {
            const [kind, text] = JSON.parse(event.data);
            if (kind !== 'stdout') return;
            output += text;
            if (output.includes('__done__')) { socket.close(); resolve(output); }
        };
    });
}"""


def _lab_server(hub: Hub, user: str) -> Server:
    """``user``'s JupyterLab behind the proxy, as browser_lab_ui addresses a server (cookie, no token)."""
    return Server(url=hub.user_url(user), token="", process=hub.process, log=hub.log)


def _give_lab_test_settings(hub: Hub, user: str) -> None:
    """The browser tests' JupyterLab settings (every cell rendered, no autosave) in ``user``'s config dir."""
    config = hub.course.home(user) / ".config"
    write_lab_settings(config / "jupyter")
    for path in (config, *config.rglob("*")):
        shutil.chown(path, user, user)


def _log_in(page: Page, hub: Hub, user: str) -> None:
    """Sign in through the hub's login form (jupyterhub/templates/login.html); wait for the spawned lab."""
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", hub.course.passwords[user])
    page.click("#login_submit")
    page.wait_for_url(f"{hub.user_url(user)}/lab**", timeout=START_SECONDS * 1000)
    page.locator("#jp-main-dock-panel").wait_for()


def _assignments_tab(page: Page) -> None:
    """Open (or bring to front) nbgrader's Assignments tab: Nbgrader > Assignment List."""
    click_menu(page, "Nbgrader", "Assignment List")
    page.locator("#released_assignments_list").wait_for()


def _row(page: Page, listing: str) -> Locator:
    """The assignment's row in the Assignments tab's list ``listing`` (released, fetched, submitted)."""
    return page.locator(f"#{listing}_assignments_list > .list_item", has_text=ASSIGNMENT)


def _fetch_answer_validate_submit(
    browser: BrowserPage, hub: Hub, user: str, answers: dict[int, str]
) -> str:
    """The student's part before the deadline; returns nbgrader's validation result."""
    page = browser.page
    _assignments_tab(page)
    _row(page, "released").locator(".item_status button", has_text="Fetch").click()
    _row(page, "fetched").wait_for()
    browser.screenshot(f"hub-{user}-fetched")
    panel = open_notebook(page, _lab_server(hub, user), FETCHED)
    for index, text in answers.items():
        set_cell_text(page, panel, index, text)
    result, _ = validate(page, panel)
    browser.screenshot(f"hub-{user}-validated")
    close_dialog(page)
    _assignments_tab(page)
    _row(page, "fetched").locator(".item_status button", has_text="Submit").first.click()
    _row(page, "submitted").wait_for()
    browser.screenshot(f"hub-{user}-submitted")
    return result


def _fetch_feedback(browser: BrowserPage, user: str) -> str:
    """Fetch the released feedback in the Assignments tab, open it as a student would; return its text.

    "(view feedback)" shows the feedback folder in the file browser; a double click opens the page in
    JupyterLab's HTML viewer. What viewing it requests stays in the browser's record, which the test
    asserts holds no URL off 127.0.0.1 (the course's feedback template loads no MathJax from cdnjs).
    """
    page = browser.page
    _assignments_tab(page)
    page.locator("#refresh_assignments_list").click()
    _row(page, "submitted").locator(".item_status button", has_text="Fetch Feedback").click()
    page.locator("#submitted_assignments_list a", has_text="(view feedback)").click()
    page.locator(".jp-DirListing-item", has_text=f"{NOTEBOOK}.html").dblclick()
    shown = page.frame_locator(".jp-HTMLViewer iframe").locator("body", has_text="Score")
    shown.wait_for()
    browser.screenshot(f"hub-{user}-feedback")
    return shown.inner_text()


def _in_terminal(page: Page, hub: Hub, user: str, command: str) -> str:
    return page.evaluate(_RUN_IN_TERMINAL, [hub.user_url(user), command])


DENIED = ("other's notebook", "instructor's source", "collected submissions", "exchange inbound")


def _terminal_probes(course: Course, student: str) -> dict[str, str]:
    """The shell commands the student types: who they are, their own notebook, then each of :data:`DENIED`."""
    other = next(name for name in STUDENTS if name != student)
    return {
        "account": 'echo "account=$(id -un)"',
        "own notebook": f"head -c 1 ~/{FETCHED}",
        "other's notebook": f"cat {course.home(other)}/{FETCHED}",
        "instructor's source": f"cat {course.course_dir}/solutions/{ASSIGNMENT}/{NOTEBOOK}.ipynb",
        "collected submissions": f"ls {course.course_dir}/submitted",
        "exchange inbound": f"ls {course.exchange}/{COURSE_ID}/inbound",
    }


def _hub_memory(hub: Hub) -> dict[str, float]:
    """RSS in MiB of the hub, its proxy, the users' servers and their kernels (the hub's process tree)."""
    hub_process = psutil.Process(hub.process.pid)
    memory = {"hub": hub_process.memory_info().rss, "proxy": 0, "servers": 0, "kernels": 0}
    for process in hub_process.children(recursive=True):
        command = " ".join(process.cmdline())
        part = (
            "proxy" if "configurable-http-proxy" in command
            else "servers" if "jupyterhub-singleuser" in command
            else "kernels"
        )
        memory[part] += process.memory_info().rss
    return {part: rss / 2**20 for part, rss in memory.items()}


def _expected_scores(wrong_source: str) -> tuple[dict[str, float], float]:
    solution = nbformat.read(REPOSITORY / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    points = graded_test_cells(solution)
    max_score = sum(points.values())
    lost = sum(points[cell] for cell in load_answer_set(REPOSITORY / wrong_source).fails)
    return {"student-a": max_score, "student-b": max_score - lost}, max_score


@dataclass(frozen=True)
class RoundTrip:
    """What the browser round trip left: what each student saw, and the course folders to inspect."""

    course: Course
    wrong_source: str
    validation: dict[str, str]
    feedback: dict[str, str]
    terminal: dict[str, dict[str, str]]
    remote: dict[str, list[str]]
    expected: dict[str, float]
    max_score: float

    def feedback_pages(self, student: str) -> list[Path]:
        """The pages *Fetch Feedback* put in the student's home."""
        return sorted(self.course.home(student).glob(f"{COURSE_ID}/{ASSIGNMENT}/feedback/*/{NOTEBOOK}.html"))


@pytest.fixture(scope="module")
def round_trip(playwright_driver) -> Iterator[RoundTrip]:
    release = nbformat.read(REPOSITORY / "exercises" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    solution = nbformat.read(REPOSITORY / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    right = correct_answers(release, solution)
    wrong, wrong_source = wrong_answers(release, right)
    answers = {"student-a": right, "student-b": wrong}
    expected, max_score = _expected_scores(wrong_source)
    print(f"student-a types the solution's answers, student-b {wrong_source}")

    with throwaway_course() as course:
        with (
            running_hub(course, ARTIFACTS / "hub-round-trip-jupyterhub.log") as hub,
            chromium_page(playwright_driver) as browser_a,
            chromium_page(playwright_driver) as browser_b,
        ):
            browsers = {"student-a": browser_a, "student-b": browser_b}
            set_up_course_directory(course, ASSIGNMENT)
            start = time.perf_counter()
            for student, browser in browsers.items():
                _give_lab_test_settings(hub, student)
                _log_in(browser.page, hub, student)
                browser.screenshot(f"hub-{student}-lab")
            logged_in = time.perf_counter()
            run_as(course, INSTRUCTOR, [NBGRADER, "release_assignment", ASSIGNMENT], cwd=course.course_dir)
            validation = {
                student: _fetch_answer_validate_submit(browser, hub, student, answers[student])
                for student, browser in browsers.items()
            }
            submitted = time.perf_counter()
            collect_grade_and_release_feedback(course, ASSIGNMENT)
            graded = time.perf_counter()
            feedback = {student: _fetch_feedback(browser, student) for student, browser in browsers.items()}
            done = time.perf_counter()
            memory = _hub_memory(hub)

            terminal = {
                student: {what: _in_terminal(browser.page, hub, student, command)
                          for what, command in _terminal_probes(course, student).items()}
                for student, browser in browsers.items()
            }
            remote = {student: browser.remote_requests() for student, browser in browsers.items()}

        print(
            f"round trip {done - logged_in:.0f} s after both logins ({logged_in - start:.0f} s): "
            f"fetch, answer, validate, submit {submitted - logged_in:.0f} s; collect, grade, release "
            f"{graded - submitted:.0f} s; fetch and open feedback {done - graded:.0f} s"
        )
        print(
            "hub memory (RSS): "
            + ", ".join(f"{part} {mib:.0f} MiB" for part, mib in memory.items())
            + f"; hub + proxy + 2 servers {memory['hub'] + memory['proxy'] + memory['servers']:.0f} MiB"
        )
        trip = RoundTrip(course, wrong_source, validation, feedback, terminal, remote, expected, max_score)
        for student in STUDENTS:
            for page in trip.feedback_pages(student):
                shutil.copy(page, ARTIFACTS / f"hub-feedback-{student}.html")
        yield trip


def test_validate_passes_the_solution_and_fails_the_wrong_answer_in_the_assignments_tab(round_trip):
    assert round_trip.validation == {"student-a": "success", "student-b": "failed"}, round_trip.validation


@pytest.mark.parametrize("student", STUDENTS)
def test_each_student_sees_their_own_score_and_no_other_student_in_the_feedback_tab(round_trip, student):
    other = next(name for name in STUDENTS if name != student)
    shown = round_trip.feedback[student]
    score = SCORE.search(shown)
    assert score, f"{student}'s feedback page shows no 'Score: x / y':\n{shown[:1500]}"
    expected = (round_trip.expected[student], round_trip.max_score)
    assert (float(score[1]), float(score[2])) == expected, score[0]
    assert other not in shown, f"{student}'s feedback names {other}"


@pytest.mark.parametrize("student", STUDENTS)
def test_each_student_fetched_one_feedback_page_readable_as_themselves_with_their_own_score(
    round_trip, student
):
    pages = round_trip.feedback_pages(student)
    assert len(pages) == 1, f"{student} fetched {pages}"
    page = python_as(round_trip.course, student, f"print(open({str(pages[0])!r}).read())")
    score = SCORE.search(page)
    assert score and float(score[1]) == round_trip.expected[student], f"no score of {student} in {pages[0]}"
    other = next(name for name in STUDENTS if name != student)
    assert other not in page


def test_make_grade_writes_one_grade_per_collected_student_with_the_expected_score(round_trip):
    with open(round_trip.course.course_dir / "grades.csv", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["assignment"] == ASSIGNMENT]
    assert sorted(row["student_id"] for row in rows) == sorted(STUDENTS), rows
    grades = {row["student_id"]: (float(row["score"]), float(row["max_score"])) for row in rows}
    assert grades == {student: (round_trip.expected[student], round_trip.max_score) for student in STUDENTS}


@pytest.mark.parametrize("student", STUDENTS)
def test_make_grade_puts_the_graded_submissions_stamps_beside_its_feedback(round_trip, student):
    """``release_feedback`` needs both stamp files beside the page (course_grading.gradebook.batch._publish)."""
    course_dir = round_trip.course.course_dir
    for name in SUBMISSION_STAMPS:
        stamp = course_dir / "feedback" / student / ASSIGNMENT / name
        collected = course_dir / "submitted" / student / ASSIGNMENT / name
        assert stamp.read_text() == collected.read_text(), f"{stamp} is not the collected {name}"


def test_feedback_of_a_lost_point_names_the_part_and_its_failure_message(round_trip):
    with open(round_trip.course.course_dir / "grade_reasons.csv", newline="") as handle:
        reasons = next(row["reasons"] for row in csv.DictReader(handle) if row["student"] == "student-b")
    part = reasons.split(" | ")[0].partition(": ")[0]  # "<grade id>: <exception>: <message>"
    assert part in load_answer_set(REPOSITORY / round_trip.wrong_source).fails
    autograded = nbformat.read(
        round_trip.course.course_dir / "autograded" / "student-b" / ASSIGNMENT / f"{NOTEBOOK}.ipynb",
        as_version=4,
    )
    cell = next(c for c in autograded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == part)
    error = next(output for output in cell.outputs if output.output_type == "error")
    message = re.sub(r"\x1b\[[0-9;]*m", "", error.evalue)
    # Before the first hidden test the page shows the message itself; from it on, the instructor's
    # text with each value elided (that rule is tested in tests/grading/test_feedback_pages.py).
    locked = [
        c.source for c in autograded.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("locked")
    ]
    templates = [template for source in locked for template in instructor_messages(source)]
    shown = {" ".join(text.split()) for text in (message, shown_message(message, templates))}
    page = " ".join(html.unescape(round_trip.feedback_pages("student-b")[0].read_text()).split())
    assert part in page
    assert any(f"{error.ename}: {text}" in page for text in shown), shown


@pytest.mark.parametrize("student", STUDENTS)
def test_released_feedback_carries_no_hidden_test_source(round_trip, student):
    page = html.unescape(round_trip.feedback_pages(student)[0].read_text())
    source = nbformat.read(REPOSITORY / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    hidden = secret_lines(source)
    assert hidden, "found no hidden-test lines to look for"
    assert "BEGIN HIDDEN TESTS" not in page
    shown = sorted(line for line in hidden if line in page)
    assert not shown, f"{student}'s released feedback quotes hidden tests: {shown[:3]}"


@pytest.mark.parametrize("student", STUDENTS)
def test_a_students_terminal_runs_as_them_and_cannot_read_the_other_or_the_instructor(round_trip, student):
    seen = round_trip.terminal[student]
    assert f"account={student}" in seen["account"], f"{student}'s terminal runs as: {seen['account']}"
    assert "{" in seen["own notebook"], f"{student}'s terminal cannot read their own notebook: {seen}"
    for what in DENIED:
        assert "Permission denied" in seen[what], f"{student} could read the {what}:\n{seen[what][-500:]}"


def test_a_student_cannot_list_the_released_feedback_in_the_exchange(round_trip):
    feedback = round_trip.course.exchange / COURSE_ID / "feedback"
    assert denied(round_trip.course, "student-b", f"os.listdir({str(feedback)!r})")


@pytest.mark.parametrize("student", STUDENTS)
def test_no_page_a_student_opens_requests_a_url_off_127_0_0_1(round_trip, student):
    """The hub, JupyterLab and the feedback page (no MathJax from cdnjs) load everything locally."""
    remote = round_trip.remote[student]
    assert not remote, f"{student}'s pages requested URLs off 127.0.0.1: {remote[:5]}"
