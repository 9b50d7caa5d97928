"""What the browser tests share besides fixtures: Chromium, the recorded page, the student's lab.

Kept out of conftest.py so that test modules can import it (every conftest.py
of the project is a module named ``conftest``).
"""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Page, Playwright

from browser_material import Exercise, Lecture
from browser_servers import ROOT, Server

CHROMIUM = Path("/usr/lib/chromium/chromium")
ARTIFACTS = ROOT / "artifacts" / "browser"

# Headless (Playwright adds --headless), no sandbox (CI runs as root in a
# container), nothing that talks to Google, a fresh profile per test.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Containers often give /dev/shm only 64 MB, too little for JupyterLab's tabs.
    "--disable-dev-shm-usage",
]

#: Milliseconds Playwright waits for an element before a test fails.
UI_TIMEOUT_MS = 60_000

_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
_LOCAL_SCHEMES = {"data", "blob", "about", "chrome", "chrome-extension", "devtools"}


@dataclass
class BrowserPage:
    """A page of a fresh Chromium profile and the URLs it requested."""

    page: Page
    context: BrowserContext
    requests: list[str] = field(default_factory=list)

    def remote_requests(self) -> list[str]:
        """Return the requested URLs whose host is not the loopback interface."""
        remote = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in _LOCAL_SCHEMES:
                continue
            if parts.hostname not in _LOOPBACK_HOSTS:
                remote.append(url)
        return remote

    def screenshot(self, name: str) -> Path:
        """Save a full-page screenshot as artifacts/browser/<name>.png and return its path."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@contextmanager
def chromium_page(driver: Playwright) -> Iterator[BrowserPage]:
    """Open a page in a fresh headless profile of Debian's Chromium, its requests recorded; close it after."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        context = driver.chromium.launch_persistent_context(
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
        finally:
            context.close()


@dataclass
class StudentLab:
    """JupyterLab on a temp folder holding a copy of lecture 07 and of exercise 01."""

    server: Server
    root: Path
    lecture: Lecture
    exercise: Exercise
