"""Input of the exit screens: cleaning and validation only; archives.services.exits decides."""

from django import forms
from django.utils import timezone

from archives.models import Archive, ArchiveExit, ExitObjection
from archives.selectors.figures import VISIT_FIGURES, current_figures
from archives.selectors.reverify import visit_staff_for
from assistance.forms.review import UPLOAD_ACCEPT, VisitStaffField, survey_form_fields
from assistance.models import CASE_MONEY_FIELDS, Case
from core.forms import MoneyField
from core.models import Notification

DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
DATE_ERRORS = {"invalid": "请输入正确的日期（年-月-日）。", "required": "请填写日期。"}


def _date(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, error_messages=DATE_ERRORS, **DATE_WIDGET, **kwargs)


def _text(label: str, *, rows: int = 3, required: bool = True, max_length: int = 4000):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _upload(label: str, *, required: bool = False) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=required,
        widget=forms.ClearableFileInput(attrs=UPLOAD_ACCEPT),
        error_messages={"required": "请上传文件。", "empty": "文件是空的。"},
    )


class ArchiveForm(forms.Form):
    """A form about one archive; an irreversible one carries a required confirmation."""

    confirm_label = ""
    upload = False
    danger = False

    def __init__(self, *args, archive: Archive, **kwargs):
        super().__init__(*args, **kwargs)
        self.archive = archive
        if self.confirm_label:
            self.fields["confirm"] = forms.BooleanField(
                label=self.confirm_label,
                error_messages={"required": "请勾选确认：该操作提交后不能撤销。"},
            )

    # The fields shown together on the page: (legend, field names, laid out as a grid).
    field_groups: tuple[tuple[str, tuple[str, ...], bool], ...] = ()

    def groups(self) -> list[tuple[str, list, bool]]:
        """The bound fields by group; the fields no group names come first, the confirmation last."""
        named = {name for _, names, _ in self.field_groups for name in names}
        rest = [f for f in self.visible_fields() if f.name not in named and f.name != "confirm"]
        groups = [("", rest, False)] if rest else []
        for legend, names, grid in self.field_groups:
            groups.append((legend, [self[name] for name in names if name in self.fields], grid))
        return groups

    def _not_in_future(self, name: str) -> None:
        value = self.cleaned_data.get(name)
        if value is not None and value > timezone.localdate():
            self.add_error(name, "日期不能晚于今天。")


class ExitRequestForm(ArchiveForm):
    upload = True
    danger = True
    confirm_label = "确认退档：档案将立即撤档，转为只读（提交后不能撤销）"
    request_date = _date("申请日期")
    request_document = _upload("职工本人填写的退档申请书（PDF、JPG、PNG）", required=True)
    note = _text("说明（可选）", rows=2, required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request_date"].initial = timezone.localdate
        self.fields["confirm"] = self.fields.pop("confirm")

    def clean(self):
        cleaned = super().clean()
        self._not_in_future("request_date")
        return cleaned


def _figure_field(name: str, current: str) -> forms.Field:
    if name in CASE_MONEY_FIELDS:
        field = MoneyField.for_model(Case, name)
    else:
        field = forms.IntegerField(
            min_value=1 if name == "household_size" else 0,
            max_value=99 if name in ("household_size", "students") else 9999,
            error_messages={
                "invalid": "请输入整数。",
                "min_value": "不能小于 %(limit_value)s。",
                "max_value": "不能大于 %(limit_value)s。",
            },
        )
    field.label = Case._meta.get_field(name).verbose_name
    field.initial = current
    field.help_text = f"上次核查 {current}"
    field.error_messages["required"] = "请填写核查数据。"
    return field


class VisitFieldsForm(ArchiveForm):
    """A visit to the household (走访核查): date, two or more staff, findings, fresh figures
    prefilled with the archive's current ones (archives.selectors.figures)."""

    upload = True
    visit_date = _date("走访日期")
    staff = VisitStaffField(
        error_messages={"required": "请选择走访人员。", "invalid_choice": "走访人员选择不正确。"},
    )
    findings = _text("走访情况（家庭收入、致困因素核实情况）", rows=4)
    months_above_line = forms.IntegerField(
        label="家庭人均收入连续超过低保标准的月数（留空按档案走访核查记录计算）",
        min_value=0,
        max_value=600,
        required=False,
        help_text="深度困难职工连续6个月超过低保标准方属脱困。按档案历次走访核查的人均收入和"
        "低保标准计算；记录未覆盖的月份才填写，并写明依据。",
        error_messages={
            "invalid": "请输入整数月数。",
            "min_value": "月数不能为负数。",
            "max_value": "月数过大。",
        },
    )
    months_reason = _text(
        "超出记录月数的依据（记录未覆盖的月份，如工资单、银行流水）",
        rows=2,
        required=False,
        max_length=2000,
    )

    field_groups = (
        (
            "核查数据（已按档案当前数据预填，请按走访核实修改；将按走访日期适用的政策和低保标准重新评估）",
            tuple(f"figure_{name}" for name in VISIT_FIGURES),
            True,
        ),
        (
            "",
            ("months_above_line", "months_reason", "survey", "survey_signature", "survey_note"),
            False,
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(survey_form_fields())
        self.fields["visit_date"].initial = timezone.localdate
        self.fields["staff"].queryset = visit_staff_for(self.archive).order_by(
            "organisation__code", "username"
        )
        current = current_figures(self.archive)
        for name in VISIT_FIGURES:
            self.fields[f"figure_{name}"] = _figure_field(name, current.get(name, ""))

    def clean(self):
        cleaned = super().clean()
        self._not_in_future("visit_date")
        size, students = cleaned.get("figure_household_size"), cleaned.get("figure_students")
        if size is not None and students is not None and students > size:
            self.add_error("figure_students", "在校学生人数不能超过共同生活人口。")
        cleaned["figures"] = {name: cleaned.get(f"figure_{name}") for name in VISIT_FIGURES}
        return cleaned

    def visit_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "visit_date": data["visit_date"],
            "staff": list(data["staff"]),
            "findings": data["findings"],
            "figures": data["figures"],
            "months_above_line": data["months_above_line"],
            "months_reason": data["months_reason"],
            "survey": data["survey"],
            "survey_signature": data["survey_signature"],
            "survey_note": data["survey_note"],
        }


class ExitFindingForm(VisitFieldsForm):
    """The exit registration form (困难职工脱困登记表) as filled in on the visit."""

    danger = True
    confirm_label = "确认登记：已告知职工达到脱困（退档）标准（记录不能修改）"
    situation = _text("脱困（退档）情况（登记表内容）", rows=4)
    signature = forms.ChoiceField(
        label="职工签字",
        choices=ArchiveExit.Signature.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "请选择职工签字情况。",
            "invalid_choice": "请选择职工签字情况。",
        },
    )
    investigators_note = _text(
        "调查人说明（职工拒绝签字或无法签字的，注明情况，调查人签字）",
        rows=2,
        required=False,
        max_length=2000,
    )
    notified_on = _date("告知职工日期")
    signed_form = _upload("签字的《困难职工脱困登记表》（可选，PDF、JPG、PNG）")

    field_groups = (
        *VisitFieldsForm.field_groups,
        (
            "困难职工脱困登记表",
            ("situation", "signature", "investigators_note", "notified_on", "signed_form"),
            False,
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notified_on"].initial = timezone.localdate
        self.fields["confirm"] = self.fields.pop("confirm")

    def clean(self):
        cleaned = super().clean()
        self._not_in_future("notified_on")
        signature = cleaned.get("signature")
        note = (cleaned.get("investigators_note") or "").strip()
        if signature and signature != ArchiveExit.Signature.SIGNED and not note:
            self.add_error(
                "investigators_note", "职工拒绝签字或无法签字的，须由调查人注明情况并签字。"
            )
        visit_date, notified_on = cleaned.get("visit_date"), cleaned.get("notified_on")
        if visit_date and notified_on and notified_on < visit_date:
            self.add_error("notified_on", "告知日期不能早于走访日期。")
        return cleaned


class PhaseOutConcludeForm(VisitFieldsForm):
    danger = True
    confirm_label = "确认登记渐退期满核查：将按核查结果恢复在档、提出类别变更或退档（不能撤销）"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"] = self.fields.pop("confirm")


class ObjectionForm(ArchiveForm):
    upload = True
    confirm_label = "确认登记复核申请（记录不能修改）"
    received_on = _date("收到复核申请日期")
    content = _text("复核理由（职工提出的异议）")
    request_document = _upload("退档复核申请书（可选，PDF、JPG、PNG）")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate
        self.fields["confirm"] = self.fields.pop("confirm")

    def clean(self):
        cleaned = super().clean()
        self._not_in_future("received_on")
        return cleaned


class ObjectionDecideForm(ArchiveForm):
    danger = True
    confirm_label = "确认复核结论并告知职工（提交后不能撤销）"
    result = forms.ChoiceField(
        label="复核结论",
        choices=ExitObjection.Result.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择复核结论。", "invalid_choice": "请选择复核结论。"},
    )
    note = _text("复核说明（将写入告知书）")
    channel = forms.ChoiceField(
        label="告知方式",
        choices=Notification.Channel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择告知方式。", "invalid_choice": "请选择告知方式。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"] = self.fields.pop("confirm")


class FinaliseForm(ArchiveForm):
    danger = True
    confirm_label = "确认办结退档：档案将撤档，转为只读（提交后不能撤销）"
