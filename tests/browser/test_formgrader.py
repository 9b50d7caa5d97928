"""The instructor opens nbgrader's formgrader in a course folder and sees every assignment listed."""

from pathlib import Path

import pytest

from browser_harness import BrowserPage
from browser_material import instructor_course
from browser_servers import jupyter_lab


def test_formgrader_lists_every_assignment_of_solutions(
    jupyter_env: dict[str, str], browser_page: BrowserPage, server_log, tmp_path: Path
):
    course = instructor_course(tmp_path)
    print(f"assignments in solutions/: {course.assignments}")
    page = browser_page.page
    # nbgrader reads nbgrader_config.py from the server's working directory.
    with jupyter_lab(course.root, env=jupyter_env, log=server_log("jupyterlab"), cwd=course.root) as server:
        page.goto(f"{server.url}/formgrader?token={server.token}")
        names = page.locator("#main-table td.name")
        try:
            page.wait_for_function(
                "n => document.querySelectorAll('#main-table td.name').length >= n",
                arg=len(course.assignments),
                timeout=60_000,
            )
        except Exception:
            shown = names.all_inner_texts()
            pytest.fail(
                f"the formgrader's Manage Assignments table ('#main-table td.name') shows {shown}, "
                f"expected {course.assignments}"
            )
        shown = sorted(text.strip() for text in names.all_inner_texts())
        browser_page.screenshot("formgrader_manage_assignments")
        assert shown == course.assignments, f"the formgrader lists {shown}, expected {course.assignments}"
        remote = browser_page.remote_requests()
        assert not remote, f"the formgrader requested URLs outside 127.0.0.1: {remote[:10]}"
