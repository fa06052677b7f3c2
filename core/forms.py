"""Form pieces every app uses: the money field."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils.text import capfirst

from core.money import AmountTextError, parse_yuan

MONEY_ERRORS = {
    "required": "请填写金额。",
    "invalid": "请输入金额数字，例如 1234.56；不接受“2万”“1e5”等写法。",
    "wan": "金额请直接写数字，不接受“万”：如指 %(number)s万元，请输入 %(yuan)s。",
    "full_width": "请用半角数字和小数点输入金额（切换到英文输入法），例如 1234.56。",
    "incomplete": "小数点前后都要写数字，例如 0.50、12.00。",
    "max_decimal_places": "金额最多两位小数（不会四舍五入），请核对。",
    "max_digits": "金额过大，请核对。",
    "max_whole_digits": "金额过大（整数部分最多 %(max)s 位），请核对。",
    "min_value": "金额不能为负数。",
}


class MoneyField(forms.DecimalField):
    """An amount in yuan as typed: plain digits only (core.money.parse_yuan), never rounded.

    A text input with a decimal keypad, not `type=number`: a browser's number input drops
    what it cannot read ("2万" reaches the server as "2") and takes "1e5". Whatever was
    typed comes back with the error. Negative amounts are refused unless `min_value=None`.
    """

    widget = forms.TextInput
    default_error_messages = MONEY_ERRORS

    def __init__(self, *, max_digits: int, min_value: Decimal | None = Decimal("0"), **kwargs):
        kwargs.pop("decimal_places", None)  # always 2: yuan and fen
        super().__init__(max_digits=max_digits, decimal_places=2, min_value=min_value, **kwargs)
        if min_value and min_value > 0 and "min_value" not in kwargs.get("error_messages", {}):
            self.error_messages["min_value"] = "金额须大于零。"

    @classmethod
    def for_model(cls, model, name: str, **kwargs) -> "MoneyField":
        """For a plain form: the model field's digits, minimum and label (a ModelForm
        names MoneyField in its Meta.field_classes instead)."""
        field = model._meta.get_field(name)
        minimums = [v.limit_value for v in field.validators if isinstance(v, MinValueValidator)]
        kwargs.setdefault("label", capfirst(field.verbose_name))
        kwargs.setdefault("min_value", max(minimums) if minimums else None)
        return cls(max_digits=field.max_digits, **kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}

    def to_python(self, value):
        if isinstance(value, Decimal):
            return value
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        try:
            return parse_yuan(text)
        except AmountTextError as exc:
            raise ValidationError(
                self.error_messages[exc.code], code=exc.code, params=exc.params
            ) from exc
