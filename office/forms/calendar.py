"""The holiday calendar's forms: a day, its deletion, a year to show, the working-day
calculator, and a year's notice (its days off and adjusted working weekends) in one form."""

from django import forms

from core.models import Holiday
from office.services.calendar import NOTICE_NUMBER_MAX_LENGTH, REASON_MAX_LENGTH

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
