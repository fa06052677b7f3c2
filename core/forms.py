from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils.text import capfirst

from core.models import Holiday
from core.money import AmountTextError, parse_yuan
from core.workdays import NOTICE_NUMBER_MAX_LENGTH, REASON_MAX_LENGTH

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
DATE_ERRORS = {
    "required": "请填写日期。",
    "invalid": "请输入有效的日期，例如 2026-10-01。",
}
YEAR_MIN, YEAR_MAX = 1949, 2100

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


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_INPUT_FORMATS,
        error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class HolidayForm(forms.Form):
    kind = forms.ChoiceField(
        label="类型",
        choices=Holiday.Kind.choices,
        error_messages={"required": "请选择类型。", "invalid_choice": "请选择有效的类型。"},
    )
    name = forms.CharField(
        label="名称",
        max_length=50,
        help_text="如 春节、国庆节。调休上班日也填所属节日。",
        error_messages={"required": "请填写名称。"},
    )


class HolidayCreateForm(HolidayForm):
    date = _date_field("日期")
    field_order = ["date", "kind", "name"]


class HolidayDeleteForm(forms.Form):
    reason = forms.CharField(
        label="删除原因",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写删除原因。"},
    )


class HolidayYearForm(forms.Form):
    year = forms.IntegerField(
        label="年份",
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        error_messages={"invalid": "请输入四位数的年份。"},
    )


class WorkdayCalculatorForm(forms.Form):
    start = _date_field("起算日")
    days = forms.IntegerField(
        label="工作日数",
        min_value=0,
        max_value=366,
        help_text="起算日当天不计，例如公示 5 个工作日。",
        error_messages={"required": "请填写工作日数。", "invalid": "请输入整数。"},
    )


# The year's notice: one form with its days off (ranges) and adjusted working weekends.


class NoticeForm(forms.Form):
    notice_number = forms.CharField(
        label="通知文号",
        max_length=NOTICE_NUMBER_MAX_LENGTH,
        required=False,
        help_text="国务院办公厅关于该年部分节假日安排的通知，如 国办发明电〔2026〕7号。公布时必填。",
    )
    publish = forms.BooleanField(
        label="确认公布",
        required=False,
        help_text="勾选后该年即为已公布：计算工作日按本表的安排，相关期限随之重新计算。"
        "不勾选则保存为草稿，计算工作日仍按周一至周五并提示尚未公布。",
    )


class HolidayRangeForm(forms.Form):
    name = forms.CharField(label="节日名称", max_length=50, required=False)
    start = _date_field("放假起始日")
    end = _date_field("放假截止日")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A blank row is allowed (the formset has spare rows); a half-filled row is not.
        self.fields["start"].required = False
        self.fields["end"].required = False

    def clean(self):
        data = super().clean()
        if not self.has_changed() or self.errors:
            return data
        if not data.get("start"):
            self.add_error("start", "请填写放假起始日。")
        if not data.get("end"):
            self.add_error("end", "请填写放假截止日（只放一天的，起止填同一天）。")
        if not (data.get("name") or "").strip():
            self.add_error("name", "请填写节日名称（如 春节）。")
        return data


class AdjustedWorkdayForm(forms.Form):
    date = _date_field("调休上班日")
    name = forms.CharField(label="所属节日", max_length=50, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].required = False

    def clean(self):
        data = super().clean()
        if not self.has_changed() or self.errors:
            return data
        if not data.get("date"):
            self.add_error("date", "请填写调休上班的日期。")
        if not (data.get("name") or "").strip():
            self.add_error("name", "请填写所属节日（如 国庆节）。")
        return data


HolidayRangeFormSet = forms.formset_factory(HolidayRangeForm, extra=3, max_num=40)
AdjustedWorkdayFormSet = forms.formset_factory(AdjustedWorkdayForm, extra=3, max_num=40)
