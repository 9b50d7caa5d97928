"""What the test folders share: the browser helpers of tests/browser and one Playwright driver.

The browser tests (tests/browser) and the hub's browser test (tests/hub) drive Debian's Chromium
through Playwright's sync API, which runs once per thread: the driver is one session fixture here.
tests/browser is put on ``sys.path`` so that both folders import its helpers (``browser_harness``,
``browser_lab_ui``, ``browser_servers``) by name.
"""

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "browser"))
# Set before Playwright is imported: it must never fetch a browser.
os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator:
    """Playwright's driver, started once per test session."""
    from playwright.sync_api import sync_playwright

    from browser_harness import CHROMIUM

    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install the Debian package 'chromium' "
            "(scripts/install_system_packages.sh, run by `make test` as root)"
        )
    with sync_playwright() as driver:
        yield driver
