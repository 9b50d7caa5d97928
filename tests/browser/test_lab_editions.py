"""What the student's and the instructor's JupyterLab show: menus, side bars, toolbar, first-run prompts.

``make lab`` (student) must offer the lectures, the exercises with nbgrader's
*Validate* button and the *Assignments* tab, and none of the instructor's
tools; ``make lab-instructor`` keeps *Create Assignment* and *Formgrader*.
Both start as they do for a person who never changed a setting (no test
settings written), so a news prompt or another first-run dialog would show.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browser_harness import BrowserPage
from browser_lab_ui import UIError, open_notebook
from browser_material import exercise_01
from browser_servers import Server, isolated_environment, jupyter_lab

INSTRUCTOR_ONLY_ITEMS = ["Formgrader", "Course List"]
FIRST_RUN_PROMPTS = ".Toastify__toast, .jp-Dialog"


@pytest.fixture(params=["student", "instructor"])
def lab(request: pytest.FixtureRequest, tmp_path: Path, server_log) -> Iterator[tuple[str, Server, str]]:
    """A JupyterLab of the given configuration on a folder holding exercise 01; yields its notebook path."""
    folder = tmp_path / "course" / "01_cross_validation"
    folder.mkdir(parents=True)
    notebook = exercise_01(folder).notebook.relative_to(tmp_path / "course").as_posix()
    env = isolated_environment(tmp_path / "home", lab_settings=False)
    config = request.param
    with jupyter_lab(tmp_path / "course", env=env, log=server_log(f"{config}-lab"), config=config) as server:
        yield config, server, notebook


def nbgrader_menu_items(page: Page) -> list[str]:
    """Open the menu bar's *Nbgrader* menu and return the labels of its visible items."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").first.click()
    menu = page.locator(".lm-Menu").last
    menu.wait_for()
    labels = [
        text.strip() for text in menu.locator(".lm-Menu-item:visible .lm-Menu-itemLabel").all_inner_texts()
    ]
    page.keyboard.press("Escape")
    return [label for label in labels if label]


def side_bar_titles(page: Page) -> list[str]:
    """Return the titles of every tab in JupyterLab's left and right side bars."""
    tabs = page.locator(".jp-SideBar .lm-TabBar-tab")
    return [(tab.get_attribute("title") or tab.inner_text()).strip() for tab in tabs.all()]


def test_each_lab_shows_its_own_tools_and_no_first_run_prompt(lab, browser_page: BrowserPage):
    config, server, notebook = lab
    page = browser_page.page
    panel = open_notebook(page, server, notebook)
    try:
        panel.locator("jp-button.validate-button").wait_for(timeout=30_000)
    except PlaywrightTimeout:
        raise UIError(
            f"the {config}'s JupyterLab shows no Validate button in the toolbar of {notebook}"
        ) from None

    items = nbgrader_menu_items(page)
    titles = side_bar_titles(page)
    browser_page.screenshot(f"{config}_lab_tools")
    print(f"{config}: Nbgrader menu {items}; side bar tabs {titles}")
    assert "Assignment List" in items, f"the {config}'s Nbgrader menu lacks the Assignments tab: {items}"
    has_create_assignment = (
        any("Create Assignment" in title for title in titles) or "Create assignment" in items
    )
    if config == "student":
        shown = [item for item in INSTRUCTOR_ONLY_ITEMS if item in items]
        assert not shown, f"the student's Nbgrader menu offers instructor tools: {shown} (all items: {items})"
        assert not has_create_assignment, (
            f"the student's JupyterLab offers Create Assignment: {titles} {items}"
        )
        status, _ = server.get("/formgrader")
        assert status == 404, f"the student's server answers /formgrader with {status}: its extension runs"
    else:
        assert "Formgrader" in items, f"the instructor's Nbgrader menu lacks Formgrader: {items}"
        assert has_create_assignment, (
            f"the instructor's JupyterLab has no Create Assignment: {titles} {items}"
        )

    prompts = page.locator(FIRST_RUN_PROMPTS)
    texts = [text.strip() for text in prompts.all_inner_texts()]
    assert not texts, f"the {config}'s JupyterLab shows a prompt at its first start: {texts}"
    remote = browser_page.remote_requests()
    assert not remote, f"the {config}'s JupyterLab requested URLs outside 127.0.0.1: {remote[:10]}"
