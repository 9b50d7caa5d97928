"""Fixtures of the browser tests: isolated Jupyter dirs, Debian's Chromium driven by Playwright.

Chromium is the Debian package (``scripts/install_system_packages.sh``),
launched directly from /usr/lib/chromium; Playwright never downloads a
browser of its own. Each test gets a fresh browser profile, every request the
page makes is recorded (a test fails on one that leaves the machine), and a
screenshot of the page is saved in artifacts/browser/ when the test ends,
passed or failed.
"""

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Set before Playwright is imported: it must never fetch a browser.
os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"

from playwright.sync_api import sync_playwright  # noqa: E402

from browser_harness import (  # noqa: E402
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    UI_TIMEOUT_MS,
    BrowserPage,
    StudentLab,
)
from browser_material import exercise_01, lecture_07  # noqa: E402
from browser_servers import isolated_environment, jupyter_lab  # noqa: E402


def _artifact_name(node_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", node_name).strip("_")


@pytest.fixture(scope="session")
def jupyter_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for servers and kernels, with Jupyter, IPython and Matplotlib dirs in a temp folder."""
    return isolated_environment(tmp_path_factory.mktemp("jupyter-home"))


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator:
    """Playwright's driver, started once per test session."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install the Debian package 'chromium' "
            "(scripts/install_system_packages.sh, run by `make test` as root)"
        )
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def browser_page(playwright_driver, request: pytest.FixtureRequest) -> Iterator[BrowserPage]:
    """A page in a fresh headless Chromium profile; screenshot saved when the test ends."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        context = playwright_driver.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            context.set_default_timeout(UI_TIMEOUT_MS)
            page = context.pages[0] if context.pages else context.new_page()
            browser_page = BrowserPage(page=page, context=context)
            context.on("request", lambda r: browser_page.requests.append(r.url))
            yield browser_page
            try:
                browser_page.screenshot(_artifact_name(request.node.name))
            except Exception as error:  # a failed screenshot must not hide the test's own result
                print(f"screenshot of {request.node.name} failed: {error}")
        finally:
            context.close()


@pytest.fixture
def server_log(request: pytest.FixtureRequest):
    """Return a function giving the log file (in artifacts/browser/) of a server the test starts."""

    def log_path(what: str) -> Path:
        return ARTIFACTS / f"{_artifact_name(request.node.name)}-{what}.log"

    return log_path


@pytest.fixture(scope="module")
def student_lab(
    jupyter_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StudentLab]:
    """A student's JupyterLab (from .venv, 127.0.0.1, token), shared by the tests of one module.

    The served root is a temp folder, so nothing a test runs or saves
    touches the repository. The server and its kernels are stopped when the
    module's tests are done, also when one failed.
    """
    root = tmp_path_factory.mktemp("student")
    lecture = lecture_07(root)
    exercise_folder = root / "01_cross_validation"
    exercise_folder.mkdir()
    exercise = exercise_01(exercise_folder)
    with jupyter_lab(root, env=jupyter_env, log=ARTIFACTS / "student-jupyterlab.log") as server:
        yield StudentLab(server=server, root=root, lecture=lecture, exercise=exercise)
