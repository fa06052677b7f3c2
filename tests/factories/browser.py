"""What the browser tests share: logging in, the guides' screenshots, the cast and the clock."""

import datetime
import os
import tempfile
from pathlib import Path

from django.utils import timezone

from tests.factories.core import SHANGHAI

# The guides' screenshots are refreshed with `make screenshots`; an ordinary run writes them
# to a temporary folder (one per parallel worker), so that running the tests leaves the
# working tree as it was.
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS")
    else Path(tempfile.gettempdir())
    / "union-assistance-screenshots"
    / os.environ.get("PYTEST_XDIST_WORKER", "main")
)


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


class Cast:
    """The people of a test, by their part in the flow."""

    def __init__(self, **people) -> None:
        self.__dict__.update(people)
