"""The instructor opens nbgrader's formgrader from JupyterLab's menu and sees every assignment listed.

JupyterLab runs in a copy of the course folder (nbgrader_config.py and
solutions/), as `make lab-instructor` runs in the repository; Nbgrader > Formgrader
opens /formgrader in a tab of JupyterLab.
"""

from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browser_harness import BrowserPage
from browser_lab_ui import click_menu
from browser_material import instructor_course
from browser_servers import jupyter_lab


def test_formgrader_lists_every_assignment_of_solutions(
    jupyter_env: dict[str, str], browser_page: BrowserPage, server_log, tmp_path: Path
):
    course = instructor_course(tmp_path)
    print(f"assignments in solutions/: {course.assignments}")
    page = browser_page.page
    # nbgrader reads nbgrader_config.py from the server's working directory.
    with jupyter_lab(
        course.root, env=jupyter_env, log=server_log("jupyterlab"), cwd=course.root, config="instructor"
    ) as server:
        page.goto(f"{server.url}/lab?token={server.token}")
        click_menu(page, "Nbgrader", "Formgrader")
        iframe = page.locator("#formgrader iframe")
        try:
            iframe.wait_for(timeout=60_000)
        except PlaywrightTimeout:
            pytest.fail("Nbgrader > Formgrader opened no tab with the formgrader ('#formgrader iframe')")
        formgrader = iframe.content_frame
        names = formgrader.locator("#main-table td.name")
        try:
            names.nth(len(course.assignments) - 1).wait_for(timeout=60_000)
        except PlaywrightTimeout:
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
