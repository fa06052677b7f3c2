"""Telling a worker something (accounts.notify): a text message through the configured
gateway, or a letter to print; every message kept, with its phone number masked."""

import logging

import pytest
from django.core.exceptions import ValidationError

from accounts.notify import notify
from core.models import Notification
from core.notify import LogSmsBackend, SmsError

PHONE = "13912345678"


class RecordingGateway:
    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))


class RefusingGateway:
    reason = "号码已停机"

    def send(self, phone: str, text: str) -> None:
        raise SmsError(self.reason)


class SilentRefusingGateway:
    def send(self, phone: str, text: str) -> None:
        raise SmsError()


class VerboseRefusingGateway:
    def send(self, phone: str, text: str) -> None:
        raise SmsError("网关错误：" + "很长的说明" * 100)


class BrokenGateway:
    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("connection refused")


@pytest.fixture
def gateway(settings):
    settings.SMS_BACKEND = "tests.accounts.test_notify.RecordingGateway"
    RecordingGateway.sent = []
    return RecordingGateway


def send(tree, channel="sms", phone=PHONE, text="【镜湖区总工会】张建国：复核结果已出。"):
    return notify(
        actor=tree.county_a_reviewer,
        organisation=tree.county_a,
        channel=channel,
        recipient_name="张建国",
        phone=phone,
        text=text,
        reference="档案 DA2026000001 退档复核结果",
    )


def test_sms_goes_through_the_gateway_and_is_kept_masked(tree, gateway):
    notification = send(tree)
    assert gateway.sent == [(PHONE, "【镜湖区总工会】张建国：复核结果已出。")]
    row = Notification.objects.get(pk=notification.pk)
    assert (row.channel, row.status, row.error) == ("sms", Notification.Status.SENT, "")
    assert row.phone_masked == "139****5678"
    assert (row.organisation, row.sent_by) == (tree.county_a, tree.county_a_reviewer)
    history = Notification.history.get(id=row.pk)
    assert history.history_user == tree.county_a_reviewer
    assert history.history_change_reason == "告知：档案 DA2026000001 退档复核结果"


def test_a_letter_is_to_print_and_sends_nothing(tree, gateway):
    notification = send(tree, channel="letter")
    assert notification.status == Notification.Status.TO_PRINT
    assert notification.phone_masked == "139****5678"
    assert gateway.sent == []


def test_a_refusing_gateway_is_recorded_as_failed(tree, settings):
    settings.SMS_BACKEND = "tests.accounts.test_notify.RefusingGateway"
    notification = send(tree)
    row = Notification.objects.get(pk=notification.pk)
    assert (row.status, row.error) == (Notification.Status.FAILED, "号码已停机")


def test_a_long_gateway_reason_is_cut_to_fit(tree, settings):
    settings.SMS_BACKEND = "tests.accounts.test_notify.VerboseRefusingGateway"
    notification = send(tree)
    assert notification.status == Notification.Status.FAILED
    assert len(notification.error) == 200 and notification.error.startswith("网关错误：")


def test_a_gateway_refusal_without_a_reason_still_says_it_failed(tree, settings):
    settings.SMS_BACKEND = "tests.accounts.test_notify.SilentRefusingGateway"
    notification = send(tree)
    assert notification.status == Notification.Status.FAILED
    assert notification.error == "短信网关未说明原因"


def test_a_broken_gateway_is_recorded_as_failed_not_raised(tree, settings, caplog):
    settings.SMS_BACKEND = "tests.accounts.test_notify.BrokenGateway"
    notification = send(tree)
    assert notification.status == Notification.Status.FAILED
    assert notification.error == "短信网关故障，请改用书面告知"
    assert "SMS gateway failed" in caplog.text


@pytest.mark.parametrize("phone", ["", "   "])
def test_no_phone_number_fails_without_calling_the_gateway(tree, gateway, phone):
    notification = send(tree, phone=phone)
    assert (notification.status, notification.error) == (
        Notification.Status.FAILED,
        "没有手机号",
    )
    assert notification.phone_masked == ""
    assert gateway.sent == []


def test_the_number_is_sent_without_surrounding_spaces(tree, gateway):
    notification = send(tree, phone=f" {PHONE} ")
    assert gateway.sent[0][0] == PHONE
    assert notification.phone_masked == "139****5678"


def test_an_unknown_channel_is_refused_and_nothing_kept(tree, gateway):
    with pytest.raises(ValidationError) as caught:
        send(tree, channel="fax")
    assert caught.value.message_dict == {"channel": ["请选择告知方式（短信或书面告知）。"]}
    assert not Notification.objects.exists()
    assert gateway.sent == []


def test_the_default_backend_logs_the_masked_number_only(caplog):
    with caplog.at_level(logging.INFO, logger="sms"):
        LogSmsBackend().send(PHONE, "测试短信")
    assert "139****5678" in caplog.text and "测试短信" in caplog.text
    assert PHONE not in caplog.text
