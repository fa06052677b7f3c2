"""One money field for every form: the amount as typed, or a clear refusal — never a guess."""

from decimal import Decimal

import pytest
from django import forms

from assistance.models import MinimumLivingStandard
from core.forms import MoneyField
from core.money import AmountTextError, exact_yuan
from funds.models import Entry

INVALID = "请输入金额数字，例如 1234.56；不接受“2万”“1e5”等写法。"
FULL_WIDTH = "请用半角数字和小数点输入金额（切换到英文输入法），例如 1234.56。"
INCOMPLETE = "小数点前后都要写数字，例如 0.50、12.00。"
DECIMALS = "金额最多两位小数（不会四舍五入），请核对。"


class AmountForm(forms.Form):
    amount = MoneyField(label="金额（元）", max_digits=12)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # What a browser's number input or Python's Decimal would turn into another amount.
        ("2万", "金额请直接写数字，不接受“万”：如指 2万元，请输入 20000.00。"),
        ("2.5万元", "金额请直接写数字，不接受“万”：如指 2.5万元，请输入 25000.00。"),
        ("一万五", INVALID),
        ("1e5", INVALID),
        ("1E5", INVALID),
        ("12.345", DECIMALS),
        ("12.340", DECIMALS),
        ("１２３", FULL_WIDTH),
        ("12。5", FULL_WIDTH),
        ("-5", "金额不能为负数。"),
        ("+5", INVALID),
        ("NaN", INVALID),
        ("Infinity", INVALID),
        ("0x10", INVALID),
        ("1_000", INVALID),
        ("٣", INVALID),  # Arabic-Indic three: Decimal reads it as 3
        ("1 000", INVALID),
        ("1,00", INVALID),  # a decimal comma, or a slip: never 100
        ("1000,00", INVALID),
        ("12.", INCOMPLETE),
        (".5", INCOMPLETE),
        ("", "请填写金额。"),
        ("   ", "请填写金额。"),
        ("10000000000", "金额过大（整数部分最多 10 位），请核对。"),
        # Plain amounts, exactly as typed.
        (" 12.5 ", Decimal("12.5")),
        ("1,000.00", Decimal("1000.00")),
        ("1,234,567.8", Decimal("1234567.8")),
        ("0", Decimal("0")),
        ("0.01", Decimal("0.01")),
        ("9120", Decimal("9120")),
        ("9999999999.99", Decimal("9999999999.99")),
    ],
)
def test_a_typed_amount_is_taken_exactly_or_refused_with_the_reason(typed, expected):
    form = AmountForm({"amount": typed})

    if isinstance(expected, Decimal):
        assert form.is_valid(), form.errors
        assert form.cleaned_data["amount"] == expected
    else:
        assert not form.is_valid()
        assert form.errors["amount"] == [expected]
        # What was typed is shown again, in a text input a browser does not rewrite.
        html = str(form["amount"])
        assert 'type="text"' in html and 'inputmode="decimal"' in html
        assert f'value="{typed}"' in html if typed else "value=" not in html


def test_the_model_field_gives_the_digits_the_minimum_and_the_label():
    field = MoneyField.for_model(MinimumLivingStandard, "monthly_amount")

    assert (field.label, field.max_digits, field.decimal_places) == ("月低保标准（元）", 8, 2)
    with pytest.raises(forms.ValidationError) as zero:
        field.clean("0")
    assert zero.value.messages == ["金额须大于零。"]
    with pytest.raises(forms.ValidationError) as large:
        field.clean("1000000")
    assert large.value.messages == ["金额过大（整数部分最多 6 位），请核对。"]
    assert field.clean("999999.99") == Decimal("999999.99")


def test_a_negative_amount_only_where_the_model_takes_one():
    assert MoneyField.for_model(Entry, "amount").clean("-1,000.50") == Decimal("-1000.50")
    with pytest.raises(forms.ValidationError):
        MoneyField.for_model(Entry, "amount", min_value=Decimal("0.01")).clean("-5")


def test_an_optional_amount_left_blank_is_none():
    assert MoneyField(max_digits=14, required=False).clean("  ") is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [("12.5", Decimal("12.50")), (Decimal("30000"), Decimal("30000.00")), (7, Decimal("7.00"))],
)
def test_a_service_takes_an_amount_exactly(given, expected):
    assert exact_yuan(given) == expected


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("100.005", "max_decimal_places"),
        (Decimal("100.005"), "max_decimal_places"),
        (Decimal("NaN"), "invalid"),
        (Decimal("Infinity"), "invalid"),
        ("1e5", "invalid"),
        ("2万", "wan"),
    ],
)
def test_a_service_refuses_what_it_would_have_to_round_or_guess(given, code):
    with pytest.raises(AmountTextError) as info:
        exact_yuan(given)
    assert info.value.code == code
