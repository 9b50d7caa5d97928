"""Fixtures of the browser tests: isolated Jupyter dirs, Debian's Chromium driven by Playwright.

Chromium is the Debian package (``scripts/install_system_packages.sh``),
launched directly from /usr/lib/chromium; Playwright never downloads a
browser of its own (the driver is ``playwright_driver`` of tests/conftest.py).
Each test gets a fresh browser profile, every request the page makes is
recorded (a test fails on one that leaves the machine), and a screenshot of
the page is saved in artifacts/browser/ when the test ends, passed or failed.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser_harness import ARTIFACTS, BrowserPage, StudentLab, chromium_page
from browser_material import exercise_01, lecture_07
from browser_servers import isolated_environment, jupyter_lab


def _artifact_name(node_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", node_name).strip("_")


@pytest.fixture(scope="session")
def jupyter_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for servers and kernels, with Jupyter, IPython and Matplotlib dirs in a temp folder."""
    return isolated_environment(tmp_path_factory.mktemp("jupyter-home"))


@pytest.fixture
def browser_page(playwright_driver, request: pytest.FixtureRequest) -> Iterator[BrowserPage]:
    """A page in a fresh headless Chromium profile; screenshot saved when the test ends."""
    with chromium_page(playwright_driver) as browser_page:
        yield browser_page
        try:
            browser_page.screenshot(_artifact_name(request.node.name))
        except Exception as error:  # a failed screenshot must not hide the test's own result
            print(f"screenshot of {request.node.name} failed: {error}")


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
