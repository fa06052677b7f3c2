"""Input of re-verification and category changes: cleaning and validation; services decide."""

from django import forms
from django.utils import timezone

from archives.models import Archive, CategoryChange
from archives.selectors.figures import VISIT_FIGURES, current_figures
from archives.selectors.reverify import TABS, county_choices, visit_staff_for
from assistance.eligibility import Category
from assistance.forms.review import VisitStaffField, survey_form_fields
from assistance.models import CASE_MONEY_FIELDS, Case
from core.forms import MoneyField

COUNT_ERRORS = {
    "invalid": "请输入整数。",
    "min_value": "不能为负数。",
    "max_value": "数值过大。",
}


class ArchiveForm(forms.Form):
    """A form about one archive; an irreversible one carries a required confirmation."""

    prefix_id = "archive"
    confirm_label = ""

    def __init__(self, *args, archive: Archive, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.prefix_id}_%s")
        super().__init__(*args, **kwargs)
        self.archive = archive
        if self.confirm_label:
            self.fields["confirm"] = forms.BooleanField(
                label=self.confirm_label,
                error_messages={"required": "请勾选确认：该操作提交后不能撤销。"},
            )


def figure_field(name: str) -> forms.Field:
    label = str(Case._meta.get_field(name).verbose_name)
    if name in CASE_MONEY_FIELDS:
        field = MoneyField.for_model(Case, name, label=f"{label}（元）")
    else:
        field = forms.IntegerField(
            label=label,
            min_value=1 if name == "household_size" else 0,
            max_value=99,
            error_messages=COUNT_ERRORS,
        )
        if name == "household_size":
            field.error_messages["min_value"] = "共同生活人口至少为1人。"
    return field


class ReverifyForm(ArchiveForm):
    """A re-verification visit: two or more staff, the findings and the household's figures
    afresh (prefilled with what the archive knows now)."""

    prefix_id = "reverify"
    confirm_label = "确认登记定期核查（记录不能修改；核查类别与档案不同的，将提交类别变更审核）"
    visit_date = forms.DateField(
        label="走访日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "请输入日期，如 2026-04-01。"},
    )
    staff = VisitStaffField()
    findings = forms.CharField(
        label="走访情况（家庭收入、支出、住房、致困原因核实情况）",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    months_above_line = forms.IntegerField(
        label="家庭人均收入连续超过低保标准的月数（留空按档案走访核查记录计算）",
        min_value=0,
        max_value=999,
        required=False,
        error_messages=COUNT_ERRORS,
    )
    months_reason = forms.CharField(
        label="超出记录月数的依据（记录未覆盖的月份，如工资单、银行流水）",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(survey_form_fields())
        self.fields["visit_date"].initial = timezone.localdate
        self.fields["staff"].queryset = visit_staff_for(self.archive)
        months = self.archive.policy.exit_months_above_line
        self.fields["months_above_line"].help_text = (
            f"用于判断脱困：深度困难家庭人均收入连续{months}个月超过低保标准的，按退档（脱困）"
            "程序办理。按档案历次走访核查的人均收入和低保标准计算；记录未覆盖的月份才填写，并写明依据。"
        )
        current = current_figures(self.archive)
        for name in VISIT_FIGURES:
            field = figure_field(name)
            field.initial = current.get(name)
            field.help_text = f"现有数据：{current.get(name, '—')}"
            self.fields[f"figure_{name}"] = field
        # The upload and the confirmation stay last, after the figures.
        for name in (*self.TAIL, "confirm"):
            self.fields[name] = self.fields.pop(name)

    @property
    def figure_fields(self) -> list:
        return [self[f"figure_{name}"] for name in VISIT_FIGURES]

    # Shown after the figures: the months above 低保 and the survey.
    TAIL = ("months_above_line", "months_reason", "survey", "survey_signature", "survey_note")

    @property
    def other_fields(self) -> list:
        return [
            self[name]
            for name in self.fields
            if not name.startswith("figure_") and name != "confirm" and name not in self.TAIL
        ]

    @property
    def tail_fields(self) -> list:
        return [self[name] for name in self.TAIL]

    def clean_visit_date(self):
        value = self.cleaned_data["visit_date"]
        if value > timezone.localdate():
            raise forms.ValidationError("走访日期不能晚于今天。")
        return value

    def clean(self):
        cleaned = super().clean()
        figures = {name: cleaned.get(f"figure_{name}") for name in VISIT_FIGURES}
        if all(value is not None for value in figures.values()):
            cleaned["figures"] = figures
            if figures["students"] > figures["household_size"]:
                self.add_error("figure_students", "在校学生人数不能超过共同生活人口。")
        return cleaned


class ProposeForm(ArchiveForm):
    prefix_id = "propose"
    confirm_label = "确认提出类别变更（提交后由县级或市级审核人审核，审核前档案类别不变）"
    to_category = forms.ChoiceField(label="拟变更为", choices=Category.choices())
    reason = forms.CharField(
        label="变更理由（如新发生的医疗费用、家庭变故，请写明依据）",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_category"].choices = [
            (value, label) for value, label in Category.choices() if value != self.archive.category
        ]
        self.fields["confirm"] = self.fields.pop("confirm")


class DecideForm(ArchiveForm):
    prefix_id = "decide"
    confirm_label = "我已核对核查记录，确认提交审核结论（提交后不能撤销）"
    decision = forms.ChoiceField(
        label="审核结论",
        choices=[
            ("approve", "同意变更"),
            ("reject", "不同意变更"),
        ],
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(
        label="审核意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, change: CategoryChange, **kwargs):
        super().__init__(*args, **kwargs)
        self.change = change
        self.fields["confirm"] = self.fields.pop("confirm")

    @property
    def approve(self) -> bool:
        return self.cleaned_data.get("decision") == "approve"


class DueFilterForm(forms.Form):
    """The due list's tab and, for the city, a county (a bad value shows the whole scope)."""

    tab = forms.ChoiceField(choices=list(TABS.items()), required=False)
    county = forms.ModelChoiceField(
        label="县（市、区）", queryset=None, required=False, empty_label="全部县（市、区）"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = county_choices(user)
