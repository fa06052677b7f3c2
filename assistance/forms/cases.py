"""Input of the intake screens: the application with its members, documents, duplicates
and withdrawal. Cleaning and validation only; the services decide."""

from django import forms
from django.conf import settings
from django.utils import timezone

from accounts.models import Organisation
from accounts.roles import Level
from accounts.selectors import organisation_choices_for_user
from assistance.assessment import MemberInput
from assistance.eligibility import Exclusion
from assistance.models import (
    CASE_INPUT_FIELDS,
    CASE_MONEY_FIELDS,
    Case,
    CaseDocument,
    HouseholdMember,
)
from core.forms import MoneyField
from core.id_numbers import validate_id_number
from core.service_forms import human_size


class IdNumberField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return validate_id_number(value) if value else value


class CaseForm(forms.ModelForm):
    """The applicant, the household's year of income and expenses, assets and exclusions."""

    organisation = forms.ModelChoiceField(
        label="受理基层工会", queryset=Organisation.objects.none()
    )
    id_number = IdNumberField(label="身份证号")
    bank_card = forms.RegexField(
        label="银行卡号",
        regex=r"^(\d[ ]?){11,18}\d$",
        error_messages={"invalid": "银行卡号应为 12–19 位数字（可用空格分隔）。"},
    )
    phone = forms.RegexField(
        label="联系电话",
        regex=r"^(1\d{10}|0\d{2,3}-?\d{7,8})$",
        error_messages={"invalid": "请输入 11 位手机号或带区号的固定电话。"},
    )
    exclusions = forms.MultipleChoiceField(
        label="有以下情形之一的不予帮扶（芜湖实施办法第七条），如有请勾选",
        choices=Exclusion.choices(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Case
        fields = ["organisation", *CASE_INPUT_FIELDS]
        widgets = {"application_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        field_classes = dict.fromkeys(CASE_MONEY_FIELDS, MoneyField)

    def __init__(self, *args, actor, editing: Case | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing_pk = editing.pk if editing is not None else None
        if editing is not None:
            # Full numbers are never put back on a page: blank keeps the stored number.
            for name, masked in (
                ("id_number", editing.applicant_id_masked),
                ("bank_card", editing.bank_card_masked),
            ):
                self.fields[name].required = False
                self.fields[name].widget.attrs["placeholder"] = masked
                self.fields[name].help_text = f"当前 {masked}；不修改请留空。"
            self.fields["organisation"].disabled = True
        unions = organisation_choices_for_user(actor, levels=(Level.GRASSROOTS,))
        self.fields["organisation"].queryset = unions
        if self.instance.pk is None and actor.organisation.level == Level.GRASSROOTS:
            self.fields["organisation"].initial = actor.organisation
        for name in ("labor_relation_months", "urban_homes", "vehicles"):
            self.fields[name].max_value = 9999
            self.fields[name].widget.attrs.update({"min": "0", "max": "9999"})
            self.fields[name].error_messages["min_value"] = "不能为负数。"
            self.fields[name].error_messages["max_value"] = "数值过大。"
        self.fields["application_date"].initial = timezone.localdate
        self.fields["channel"].initial = Case.Channel.PAPER
        self.fields["employment"].initial = Case.Employment.IN_POST

    def clean_bank_card(self):
        return self.cleaned_data["bank_card"].replace(" ", "")

    def clean_application_date(self):
        value = self.cleaned_data["application_date"]
        if value > timezone.localdate():
            raise forms.ValidationError("申请日期不能晚于今天。")
        return value


class MemberForm(forms.Form):
    pk = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label="姓名", max_length=50)
    id_number = IdNumberField(label="身份证号", required=False)
    relation = forms.ChoiceField(label="关系", choices=HouseholdMember.Relation.choices)
    health = forms.ChoiceField(label="健康状况", choices=HouseholdMember.Health.choices)
    disability = forms.ChoiceField(label="残疾", choices=HouseholdMember.Disability.choices)
    school = forms.ChoiceField(
        label="在校情况", choices=HouseholdMember.School.choices, required=False
    )
    employment = forms.ChoiceField(label="就业情况", choices=HouseholdMember.Employment.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", field.label)
        masked = self.initial.get("id_masked")
        if masked:
            self.fields["id_number"].widget.attrs["placeholder"] = f"{masked}（不修改请留空）"

    def clean(self):
        cleaned = super().clean()
        if (
            not cleaned.get("pk")
            and not cleaned.get("id_number")
            and "id_number" not in self.errors
        ):
            self.add_error("id_number", "请输入身份证号。")
        return cleaned


class BaseMemberFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen: dict[str, int] = {}
        for index, form in enumerate(self.forms, start=1):
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            number = form.cleaned_data["id_number"]
            if not number:
                continue
            if number in seen:
                form.add_error("id_number", f"与第 {seen[number]} 位成员的身份证号重复。")
            seen[number] = index

    def members(self) -> list[MemberInput]:
        return [
            MemberInput(**{k: v for k, v in form.cleaned_data.items() if k != "DELETE"})
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


MemberFormSet = forms.formset_factory(
    MemberForm, formset=BaseMemberFormSet, extra=0, can_delete=True, max_num=30, validate_max=True
)


def check_applicant_not_member(case_form: CaseForm, formset: BaseMemberFormSet) -> bool:
    """The applicant is counted once: a member with the applicant's ID is an error on that row."""
    number = case_form.cleaned_data.get("id_number")
    clean = True
    for form in formset.forms:
        data = form.cleaned_data
        if data and not data.get("DELETE") and number and data.get("id_number") == number:
            form.add_error("id_number", "与申请人的身份证号相同：申请人不必再列为家庭成员。")
            clean = False
    return clean


class DocumentUploadForm(forms.Form):
    doc_type = forms.ChoiceField(label="材料类型", choices=CaseDocument.Type.choices)
    file = forms.FileField(
        label="文件",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = human_size(settings.DOCUMENT_MAX_BYTES)
        self.fields["file"].label = f"文件（PDF、JPG、PNG，不超过 {limit}）"


class DuplicateClearForm(forms.Form):
    id_hash = forms.CharField(widget=forms.HiddenInput)
    other_case = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="说明（为何两份申请可以同时存在）", widget=forms.Textarea(attrs={"rows": 2})
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="撤回原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )
