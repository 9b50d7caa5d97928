"""The browser tests' own helpers, without a browser: answers, request filter, server start and stop."""

import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from browser_harness import BrowserPage
from browser_material import (
    EXERCISE,
    LECTURE_07,
    SOLUTION,
    answer_text,
    correct_answers,
    count_plotly_outputs,
    wrong_answers,
)
from browser_servers import free_port, running_server, stop


def test_answer_text_drops_only_the_solution_markers():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"
    assert answer_text(source) == "def f(x):\n    return 2 * x"


def test_correct_answers_fill_every_answer_cell_of_the_release_from_the_solution():
    release = nbformat.read(EXERCISE, as_version=4)
    solution = nbformat.read(SOLUTION, as_version=4)
    answers = correct_answers(release, solution)
    answer_cells = [i for i, c in enumerate(release.cells) if c.metadata.get("nbgrader", {}).get("solution")]
    assert sorted(answers) == answer_cells
    assert all(
        "BEGIN SOLUTION" not in text and "NotImplementedError" not in text for text in answers.values()
    )


def test_wrong_answers_change_a_cell_and_come_from_an_answer_file():
    release = nbformat.read(EXERCISE, as_version=4)
    correct = correct_answers(release, nbformat.read(SOLUTION, as_version=4))
    wrong, source = wrong_answers(release, correct)
    assert sorted(wrong) == sorted(correct)
    assert any(wrong[i] != correct[i] for i in correct), "the wrong answers equal the solution"
    assert source.startswith("tests/grading/answers/01_cross_validation/wrong_"), source


def test_lecture_07_stores_plotly_figures_for_the_browser_test_to_expect():
    assert count_plotly_outputs(nbformat.read(LECTURE_07, as_version=4)) > 0


def test_remote_requests_keep_only_urls_that_leave_the_machine():
    page = BrowserPage(page=None, context=None)
    page.requests = [
        "http://127.0.0.1:8888/lab",
        "http://localhost:1234/static/x.js",
        "data:image/png;base64,AAAA",
        "blob:http://127.0.0.1:8888/1234",
        "https://cdn.plot.ly/plotly-2.0.0.min.js",
        "https://fonts.googleapis.com/css",
    ]
    assert page.remote_requests() == [
        "https://cdn.plot.ly/plotly-2.0.0.min.js",
        "https://fonts.googleapis.com/css",
    ]


def test_stop_ends_a_server_and_the_processes_it_started():
    # A parent that starts a child in its own session, like JupyterLab starts kernels.
    code = (
        "import subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'], start_new_session=True)\n"
        "time.sleep(600)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    deadline = time.monotonic() + 30
    while not psutil.Process(process.pid).children() and time.monotonic() < deadline:
        time.sleep(0.05)
    children = psutil.Process(process.pid).children(recursive=True)
    assert children, "the parent did not start its child"
    stop(process, grace=1)
    assert process.poll() is not None
    assert not any(child.is_running() and child.status() != psutil.STATUS_ZOMBIE for child in children)


def test_a_server_that_exits_before_it_answers_is_reported_with_its_log(tmp_path: Path):
    port = free_port()
    command = [sys.executable, "-c", "print('cannot start: port taken'); raise SystemExit(3)"]
    with pytest.raises(RuntimeError, match=r"(?s)exited with code 3.*cannot start: port taken"):
        with running_server(
            command,
            cwd=tmp_path,
            env={},
            url=f"http://127.0.0.1:{port}",
            token="",
            ready_path="/",
            log=tmp_path / "server.log",
            what="the fake server",
        ):
            pass
