"""Browser fixtures: Playwright for Python driving Debian's Chromium against pytest-django's `live_server`.

Never `playwright install`: the browser is the system's Chromium (`tests.services.chromium_path()`, which skips, or
fails under REQUIRE_SERVICES=1, when it is missing). Reuse these fixtures in any `tests/e2e/test_*.py`:
`login(page, username)` signs in through the real login form, `screenshot(page, name)` saves a full-page PNG to
`test-results/screenshots/`.
"""

import os
from pathlib import Path

import pytest

from tests.services import chromium_path

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run there unless told it's fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
PASSWORD = "pw-for-tests-1"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch arguments, pointed at the system Chromium."""
    return {**browser_type_launch_args, "executable_path": chromium_path(), "args": CHROMIUM_ARGS}


@pytest.fixture
def browser_context_args(browser_context_args, live_server):
    return {**browser_context_args, "base_url": live_server.url, "viewport": {"width": 1366, "height": 860}}


@pytest.fixture
def login(live_server):
    """Sign in as `username` through the login page (and sign out first when someone is signed in)."""

    def _login(page, username: str, password: str = PASSWORD) -> None:
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")

    return _login


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot
