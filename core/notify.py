"""The SMS transport: the pluggable backend named by `settings.SMS_BACKEND` and the error a
gateway raises. What is sent, to whom, and its record: `accounts.notify.notify`."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from core.crypto import mask

logger = logging.getLogger("sms")


class SmsError(Exception):
    """The gateway refused or could not deliver; the message says why, for the record."""


class LogSmsBackend:
    """The default backend: writes the message to the log (phone masked) and succeeds."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask(phone, head=3, tail=4), text)


def sms_backend():
    return import_string(settings.SMS_BACKEND)()
