"""``make report``: the class report of a graded synthetic class, read in headless Chromium.

A class of 01_cross_validation (:func:`course_grading.intake.synthetic_class.make_class`, 4 students: the
solution, the untouched release, two correct answer files, one of which writes to stderr and warns)
plus a second untouched release, so that failure messages group, is graded ONCE by
:func:`course_grading.gradebook.batch.grade_class`; s002 (full marks) is two days late under a late policy.
The report is written by :func:`course_grading.gradebook.class_report.write_reports` and served from its folder
by Python's http.server on 127.0.0.1. The page must load with no request leaving the machine, draw
its three figures with traces, and show the gradebook's numbers (read here with nbgrader's API).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from nbgrader.api import Gradebook

from browser_harness import BrowserPage
from browser_servers import Server, free_port, running_server
from course_grading.gradebook.batch import grade_class
from course_grading.gradebook.class_report import (
    StudentRecord,
    failure_groups,
    incident_groups,
    write_reports,
)
from course_grading.sandbox.isolation import GradingLimits
from course_grading.sandbox.kernel_guard import landlock_abi
from course_grading.gradebook.late_policy import POLICY_FILE
from course_grading.handout.release import REPO_ROOT, nbgrader_command
from course_grading.intake.submissions import make_submission, write_submission
from course_grading.intake.synthetic_class import make_class, new_course

ASSIGNMENT = "01_cross_validation"
NOTEBOOK = "cross_validation"
FIGURES = ("score-distribution", "test-cell-pass-share", "runtime")
UNTOUCHED = ("s001", "s004")

pytestmark = pytest.mark.skipif(landlock_abi() < 1, reason="the filesystem sandbox needs Linux Landlock")


@dataclass
class GradedReport:
    server: Server
    final: dict[str, float]  # student -> score minus late penalty, from the gradebook
    penalty: dict[str, float]
    passed: dict[str, int]  # test cell -> students with all its points
    n_students: int


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GradedReport]:
    course = new_course(tmp_path_factory.mktemp("report") / "course", [ASSIGNMENT])
    nbgrader_command(course, "db", "assignment", "add", ASSIGNMENT, "--duedate=2026-11-30 12:00:00 UTC")
    make_class(course, [ASSIGNMENT], 4)
    release = REPO_ROOT / "exercises" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    write_submission(course, UNTOUCHED[1], ASSIGNMENT, make_submission(release, {}), NOTEBOOK)
    (course / "submitted" / "s002" / ASSIGNMENT / "timestamp.txt").write_text("2026-12-02 11:00:00 UTC")
    (course / POLICY_FILE).write_text("penalty_per_day = 0.25\nmax_penalty = 1.0\n", encoding="utf-8")
    grade_class(course, jobs=2, limits=GradingLimits(cell_timeout=60))
    out = course / "reports"
    assert write_reports(course, out) == [out / f"{ASSIGNMENT}.html"]

    final, penalty, passed = {}, {}, {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for submission in gradebook.find_assignment(ASSIGNMENT).submissions:
            student = submission.student.id
            penalty[student] = float(submission.late_submission_penalty or 0)
            final[student] = float(submission.score) - penalty[student]
            for grade in submission.notebooks[0].grades:
                passed[grade.name] = passed.get(grade.name, 0) + (grade.score >= grade.max_score)
    port = free_port()
    command = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port), "--directory", str(out)]
    with running_server(
        command,
        cwd=out,
        env={"PATH": "/usr/bin:/bin"},
        url=f"http://127.0.0.1:{port}",
        token="",
        ready_path=f"/{ASSIGNMENT}.html",
        log=tmp_path_factory.mktemp("report-log") / "http.log",
        what="the class report's http.server",
    ) as server:
        yield GradedReport(server, final, penalty, passed, len(final))


def table(page, table_id: str) -> list[list[str]]:
    """The body rows of the table ``table_id``, as cell texts."""
    return page.locator(f"table[id='{table_id}'] tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim()))"
    )


def open_report(report: GradedReport, browser_page: BrowserPage):
    page = browser_page.page
    response = page.goto(f"{report.server.url}/{ASSIGNMENT}.html")
    assert response is not None and response.status == 200
    for figure in FIGURES:
        page.locator(f"#{figure} .main-svg").first.wait_for()
    return page


def test_report_loads_offline_and_draws_each_figure_with_traces(
    report: GradedReport, browser_page: BrowserPage
) -> None:
    page = open_report(report, browser_page)
    for figure in FIGURES:
        traces = page.locator(f"#{figure} .trace, #{figure} .cartesianlayer .point").count()
        assert traces > 0, f"the figure {figure} has no trace"
    assert page.locator(".js-plotly-plot").count() == len(FIGURES)
    browser_page.screenshot("class_report")
    remote = browser_page.remote_requests()
    assert not remote, f"the report requested URLs outside 127.0.0.1: {remote[:10]}"


def test_report_numbers_are_the_gradebooks(report: GradedReport, browser_page: BrowserPage) -> None:
    page = open_report(report, browser_page)
    students = {row[0]: row for row in table(page, "students")}
    assert sorted(students) == sorted(report.final)
    for student, row in students.items():
        assert float(row[3]) == pytest.approx(report.penalty[student])
        assert float(row[4]) == pytest.approx(report.final[student])
    assert report.penalty["s002"] > 0  # two days late, a quarter per day: half of its points
    histogram = page.evaluate("() => document.getElementById('score-distribution').data[0].x")
    assert sorted(histogram) == pytest.approx(sorted(report.final.values()))
    cells = {row[0]: row for row in table(page, "test-cells")}
    assert sorted(cells) == sorted(report.passed)
    for name, row in cells.items():
        assert (int(row[1]), int(row[2])) == (report.passed[name], report.n_students)
    shares = page.evaluate("() => document.getElementById('test-cell-pass-share').data[0].y")
    assert shares == pytest.approx([report.passed[name] / report.n_students for name in cells])


def test_failures_are_grouped_with_their_students_and_incidents_are_listed(
    report: GradedReport, browser_page: BrowserPage
) -> None:
    page = open_report(report, browser_page)
    failed = [name for name, n in report.passed.items() if n < report.n_students]
    assert failed, "the untouched releases fail every test cell"
    for name in failed:
        groups = table(page, f"failures-{name}")
        assert sum(int(row[0]) for row in groups) == report.n_students - report.passed[name]
        both = [row for row in groups if set(UNTOUCHED) <= set(row[2].split(", "))]
        assert both and int(both[0][0]) >= 2, f"{name}: the untouched releases are not one group: {groups}"
    incidents = table(page, "incidents")
    noisy = [row for row in incidents if re.search("stderr|warning", row[1], re.IGNORECASE)]
    assert noisy and "s003" in noisy[0][3].split(", "), f"no stderr note of s003 among {incidents}"


def test_failure_messages_differing_only_in_decimals_are_one_group_and_incidents_get_a_kind() -> None:
    ada = "AssertionError: got 0.81, expected 0.9"
    bob = "AssertionError: got 0.79, expected 0.9"
    records = [
        StudentRecord("ada", 1, 2, cells={"c": (1, 2)}, reasons={"c": ada}),
        StudentRecord("bob", 0, 2, cells={"c": (0, 2)}, reasons={"c": bob}),
        StudentRecord("cy", 2, 2, cells={"c": (2, 2)}, incidents=["timeout: c ran longer than 60 s"]),
        StudentRecord("dee", 0, 2, cells={"c": (0, 2)}, reasons={"c": "NameError: name 'x' is not defined"}),
    ]
    assert failure_groups(records, "c") == [
        ("AssertionError: got …, expected …", ["ada", "bob"]),
        ("NameError: name 'x' is not defined", ["dee"]),
    ]
    assert incident_groups(records) == [("timeout", "timeout: c ran longer than 60 s", ["cy"])]
