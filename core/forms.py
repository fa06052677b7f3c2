from django import forms

from core.models import Holiday
from core.workdays import REASON_MAX_LENGTH

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
DATE_ERRORS = {
    "required": "请填写日期。",
    "invalid": "请输入有效的日期，例如 2026-10-01。",
}
YEAR_MIN, YEAR_MAX = 1949, 2100


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
