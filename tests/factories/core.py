"""What every app's tests share: the frozen clock, refusals, uploads and the SMS gateway."""

import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    """`timezone.now` (and so `timezone.localdate`) frozen at 10:00 Beijing time of a day."""

    def __init__(self, monkeypatch, day: datetime.date) -> None:
        self._monkeypatch = monkeypatch
        self.set(day)

    def set(self, day: datetime.date) -> None:
        moment = datetime.datetime.combine(day, datetime.time(10), tzinfo=SHANGHAI)
        self._monkeypatch.setattr(timezone, "now", lambda: moment)

    def today(self) -> datetime.date:
        return timezone.localdate()


def fresh(obj):
    """The row of `obj` as the database holds it now."""
    return type(obj).objects.get(pk=obj.pk)


def refusal_text(exc_info) -> str:
    """The words of a refusal (ValidationError or PermissionDenied) caught by pytest.raises."""
    exc = exc_info.value
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


# The first bytes of each accepted kind: enough for the signature check, small to keep.
PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def upload_file(name: str = "申请书.pdf", content: bytes = PDF_BYTES):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


class FakeGateway:
    """An SMS gateway that keeps what it was asked to send (the `gateway` fixture)."""

    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))
