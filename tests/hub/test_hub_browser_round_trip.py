"""A class's round trip on `make hub`'s JupyterHub in Debian's Chromium, with real accounts (root only).

Each student logs in through the hub's login form (PAM checks the password the test set), opens
JupyterLab's *Assignments* tab (nbgrader's assignment_list extension), fetches 01_cross_validation,
types answers into the notebook (student-a the solution's, student-b a known wrong answer of
tests/grading/answers/ that fails a visible test), validates and submits. The instructor collects,
grades with ``python -m course_grading.batch`` (what ``make grade`` runs) and releases feedback
with nbgrader's own commands; each student fetches the feedback in the *Assignments* tab and reads
their score. Then each student, in a terminal of their own JupyterLab, tries to read the other's
notebook and the instructor's source. Screenshots and the hub's log (which holds the users'
servers' logs) go to artifacts/browser/; the round trip's duration and the hub's memory are printed.
"""

from __future__ import annotations

import re
import shutil
import time

import nbformat
import psutil
from playwright.sync_api import Locator, Page

from browser_harness import ARTIFACTS, BrowserPage, chromium_page
from browser_lab_ui import click_menu, close_dialog, open_notebook, set_cell_text, validate
from browser_material import correct_answers, wrong_answers
from browser_servers import Server, write_lab_settings
from course_grading.submissions import graded_test_cells, load_answer_set
from hub_accounts import (
    COURSE_ID,
    INSTRUCTOR,
    NBGRADER,
    REPOSITORY,
    STUDENTS,
    Course,
    collect_grade_and_release_feedback,
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


def test_students_fetch_submit_and_read_only_their_own_feedback_in_the_browser(playwright_driver):
    release = nbformat.read(REPOSITORY / "exercises" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    solution = nbformat.read(REPOSITORY / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    right = correct_answers(release, solution)
    wrong, wrong_source = wrong_answers(release, right)
    answers = {"student-a": right, "student-b": wrong}
    expected, max_score = _expected_scores(wrong_source)
    print(f"student-a types the solution's answers, student-b {wrong_source}")

    with (
        throwaway_course() as course,
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
    assert validation == {"student-a": "success", "student-b": "failed"}, validation
    for student in STUDENTS:
        other = next(name for name in STUDENTS if name != student)
        score = SCORE.search(feedback[student])
        assert score, f"{student}'s feedback page shows no 'Score: x / y':\n{feedback[student][:1500]}"
        assert (float(score[1]), float(score[2])) == (expected[student], max_score), score[0]
        assert other not in feedback[student], f"{student}'s feedback names {other}"
        seen = terminal[student]
        assert f"account={student}" in seen["account"], f"{student}'s terminal runs as: {seen['account']}"
        assert "{" in seen["own notebook"], f"{student}'s terminal cannot read their own notebook: {seen}"
        for what in DENIED:
            assert "Permission denied" in seen[what], f"{student} could read the {what}:\n{seen[what][-500:]}"
        assert not remote[student], f"{student}'s pages requested URLs off 127.0.0.1: {remote[student][:5]}"
