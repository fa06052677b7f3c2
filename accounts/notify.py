"""Telling a worker something: a text message through the SMS backend (`core.notify`), or a
letter; either way a `core.models.Notification` row keeps what was said, by whom, from which
union."""

import logging

from django.core.exceptions import ValidationError

from accounts.models import Organisation, User
from core.crypto import mask
from core.history import save_tracked
from core.models import Notification
from core.notify import SmsError, sms_backend

logger = logging.getLogger("sms")


def notify(
    *,
    actor: User,
    organisation: Organisation,
    channel: str,
    recipient_name: str,
    phone: str,
    text: str,
    reference: str,
) -> Notification:
    """Send (SMS) or prepare (letter) one message and keep its record.

    A failed text message is recorded as failed with the gateway's reason rather than
    undoing the step it reports: the caseworker then prints the letter instead.
    Call inside the service's transaction, after its own checks have passed.
    """
    if channel not in Notification.Channel.values:
        raise ValidationError({"channel": "请选择告知方式（短信或书面告知）。"})
    # A number of spaces only is no number: never handed to the gateway.
    phone = phone.strip()
    status, error = _deliver(channel, phone, text)
    notification = Notification(
        channel=channel,
        status=status,
        error=error,
        organisation=organisation,
        recipient_name=recipient_name,
        phone_masked=mask(phone, head=3, tail=4) if phone else "",
        text=text,
        reference=reference,
        sent_by=actor,
    )
    return save_tracked(notification, actor=actor, reason=f"告知：{reference}")


def _deliver(channel: str, phone: str, text: str) -> tuple[str, str]:
    """What became of the message: its status and, when it failed, why."""
    if channel == Notification.Channel.LETTER:
        return Notification.Status.TO_PRINT, ""
    if not phone:
        return Notification.Status.FAILED, "没有手机号"
    try:
        sms_backend().send(phone, text)
    except SmsError as exc:
        return Notification.Status.FAILED, str(exc)[:200] or "短信网关未说明原因"
    except Exception:
        # A gateway's own failure (a timeout, a refused connection) must not undo the
        # decision it reports: it is logged and recorded, and a letter goes instead.
        logger.exception("SMS gateway failed")
        return Notification.Status.FAILED, "短信网关故障，请改用书面告知"
    return Notification.Status.SENT, ""
