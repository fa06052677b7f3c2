"""Playwright drives Debian's Chromium against the live test server.

Playwright's sync API runs an event loop in the test thread, so Django's async-safety
check would refuse the ORM calls the tests make for their setup: it is lifted here,
for the browser tests only.
"""

import datetime
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from tests.assistance.review_data import SHANGHAI

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
# The guides' screenshots are refreshed with `make screenshots`; an ordinary run writes them
# to a temporary folder, so that running the tests leaves the working tree as it was.
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "union-assistance-screenshots"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium")
        pytest.skip("Debian chromium is not installed (run scripts/ensure-browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def screenshot(page, name: str) -> None:
    """Screenshots for the user guides in docs/ (see SCREENSHOTS)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


class Clock:
    """`timezone.now` frozen at a given Beijing time; the live server's thread reads it too."""

    def __init__(self, monkeypatch) -> None:
        self._monkeypatch = monkeypatch

    def set(self, day: datetime.date, hour: int = 9, minute: int = 0) -> None:
        moment = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)
        self._monkeypatch.setattr(timezone, "now", lambda: moment)


class RecordingSms:
    """A stand-in SMS gateway: keeps what it was asked to send (the live server runs in
    this process, so the test reads the same list)."""

    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))


@pytest.fixture
def sms(settings) -> list[tuple[str, str]]:
    RecordingSms.sent = []
    settings.SMS_BACKEND = "tests.browser.conftest.RecordingSms"
    return RecordingSms.sent


class Cast:
    """The people of a test, by their part in the flow."""

    def __init__(self, **people) -> None:
        self.__dict__.update(people)
