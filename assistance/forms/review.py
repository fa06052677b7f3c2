"""Input of the review screens: cleaning and validation only; the services decide."""

from django import forms
from django.utils import timezone

from assistance.models import Case, InformationComparison, SurveySignature
from assistance.rules import VERIFIABLE_FIELDS, visit_staff_problem
from assistance.selectors.review import (
    coverage_shortfall,
    joint_visit_candidates,
    reviewer_choices,
    visit_staff_choices,
)
from assistance.workflow import decision_now, refusal_reason_choices
from core.forms import MoneyField

UPLOAD_ACCEPT = {"accept": ".pdf,.jpg,.jpeg,.png"}


def survey_form_fields() -> dict[str, forms.Field]:
    """The visit's survey (困难职工家庭走访调查表): its scan, or the survey entered in the system
    with the worker's signature on it. The service requires one of the two."""
    return {
        "survey": forms.FileField(
            label="困难职工家庭走访调查表扫描件（PDF、JPG、PNG）",
            help_text="未上传扫描件的，须在系统中填写调查表：登记下方的职工签字情况。",
            required=False,
            widget=forms.ClearableFileInput(attrs=UPLOAD_ACCEPT),
        ),
        "survey_signature": forms.ChoiceField(
            label="系统中填写的调查表：职工签字情况",
            choices=[("", "未在系统中填写（已上传扫描件）"), *SurveySignature.choices],
            required=False,
            widget=forms.RadioSelect,
        ),
        "survey_note": forms.CharField(
            label="未签字说明（职工拒绝签字或无法签字的，由走访人员注明情况）",
            max_length=2000,
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
        ),
    }


class UserChoiceLabel:
    """A user in a select: the name and the union, so two 张伟 can be told apart."""

    @staticmethod
    def label_from_instance(user) -> str:
        return f"{user}（{user.organisation.name}）"


class UserChoiceField(UserChoiceLabel, forms.ModelChoiceField):
    pass


class UserMultipleChoiceField(UserChoiceLabel, forms.ModelMultipleChoiceField):
    pass


class VisitStaffField(UserMultipleChoiceField):
    """The staff of a visit, at intake or to an archive: two or more people
    (`assistance.rules.visit_staff_problem`); the form sets the choices."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "走访人员（两名以上）")
        kwargs.setdefault("queryset", None)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(**kwargs)

    def clean(self, value):
        staff = super().clean(value)
        if problem := visit_staff_problem(staff):
            raise forms.ValidationError(problem)
        return staff


class ReviewForm(forms.Form):
    """A form about one case, by one actor; a decisive one carries a required confirmation.

    Several of these forms stand on the case page at once: `prefix_id` keeps their element
    ids apart (the field names stay plain, so the action's own page takes the same POST).
    """

    prefix_id = "review"
    confirm_label = ""
    # A move of the case's state carries the state the reviewer saw when the form was shown.
    moves_state = False

    def __init__(self, *args, case: Case, actor, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.prefix_id}_%s")
        super().__init__(*args, **kwargs)
        self.case, self.actor = case, actor
        if self.moves_state:
            self.fields["seen_status"] = forms.ChoiceField(
                choices=Case.Status.choices, initial=case.status, widget=forms.HiddenInput
            )
        if self.confirm_label:
            self.fields["confirm"] = forms.BooleanField(
                label=self.confirm_label,
                error_messages={"required": "请勾选确认：该操作提交后不能撤销。"},
            )


def _opinion(label: str = "意见") -> forms.CharField:
    return forms.CharField(label=label, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ForwardForm(ReviewForm):
    """Approve at this level (初审通过、审核通过、比对符合、确认建档……), with the documents relied on."""

    prefix_id = "forward"
    moves_state = True
    confirm_label = "我已核对申请材料和审核记录，确认审批通过（提交后不能撤销）"
    opinion = _opinion("审批意见")
    documents = forms.ModelMultipleChoiceField(
        label="依据的材料（可选）",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].queryset = self.case.documents.filter(removed=False)
        # Below this year's visit coverage the county confirms explicitly (WH-M §10(三)).
        decision = decision_now(self.case)
        shortfall = coverage_shortfall(self.case, bool(decision and decision.confirms_coverage))
        if shortfall is not None:
            self.fields["coverage_confirmed"] = forms.BooleanField(
                label=f"{shortfall.shortfall_text()}。我已知悉，仍确认{decision.label}",
                required=False,
            )
            self.fields["confirm"] = self.fields.pop("confirm")


class RejectForm(ReviewForm):
    prefix_id = "reject"
    moves_state = True
    confirm_label = "确认不予帮扶：申请将办结，并出具《不予困难帮扶告知书》（提交后不能撤销）"
    reasons = forms.MultipleChoiceField(label="不予帮扶的理由", widget=forms.CheckboxSelectMultiple)
    opinion = _opinion("审核意见（将写入告知书）")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reasons"].choices = refusal_reason_choices(self.case)


class ReturnForm(ReviewForm):
    prefix_id = "return"
    moves_state = True
    confirm_label = "确认退回基层工会补充材料（提交后不能撤销）"
    opinion = _opinion("退回意见（需补充什么）")


class ObjectionForm(ReviewForm):
    prefix_id = "objection"
    moves_state = True
    confirm_label = "确认登记异议：申请将退回县级审核（提交后不能撤销）"
    raised_by = forms.CharField(label="异议人（姓名或单位）", max_length=100)
    content = forms.CharField(
        label="异议内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class VisitForm(ReviewForm):
    """A home visit by two or more staff; verified figures left blank stay as entered."""

    prefix_id = "visit"
    confirm_label = "确认登记走访（核实数据将重新评估，记录不能修改）"
    visit_date = forms.DateField(
        label="走访日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    staff = VisitStaffField()
    findings = forms.CharField(
        label="走访情况（家庭收入、致困原因核实情况）",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(survey_form_fields())
        self.fields["visit_date"].initial = timezone.localdate
        self.fields["staff"].queryset = visit_staff_choices(self.actor, self.case)
        for name in VERIFIABLE_FIELDS:
            model_field = Case._meta.get_field(name)
            current = getattr(self.case, name)
            if name in ("urban_homes", "vehicles"):
                field = forms.IntegerField(min_value=0, max_value=9999, required=False)
            else:
                field = MoneyField.for_model(Case, name, required=False)
            field.label = f"核实{model_field.verbose_name}"
            field.help_text = f"当前 {current}；不变请留空。"
            field.widget.attrs["placeholder"] = str(current)
            self.fields[f"verified_{name}"] = field
        # The confirmation stays last, after the figures.
        self.fields["confirm"] = self.fields.pop("confirm")

    def clean_visit_date(self):
        value = self.cleaned_data["visit_date"]
        if value > timezone.localdate():
            raise forms.ValidationError("走访日期不能晚于今天。")
        return value

    @property
    def verified_field_names(self) -> list[str]:
        return [f"verified_{name}" for name in VERIFIABLE_FIELDS]

    def clean(self):
        cleaned = super().clean()
        # The figures the visit verified: only those filled in.
        cleaned["verified"] = {
            name: cleaned[f"verified_{name}"]
            for name in VERIFIABLE_FIELDS
            if cleaned.get(f"verified_{name}") is not None
        }
        return cleaned


class DoubtfulForm(ReviewForm):
    prefix_id = "doubtful"
    confirm_label = "确认标记建档存疑：县级须入户走访核查后才能审核通过（不能取消）"
    reason = forms.CharField(
        label="存疑原因", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ComparisonForm(ReviewForm):
    prefix_id = "comparison"
    confirm_label = "确认登记比对结果（记录不能修改）"
    result = forms.ChoiceField(
        label="比对结果", choices=InformationComparison.Result.choices, widget=forms.RadioSelect
    )
    report = forms.FileField(
        label="家庭经济状况核对报告（PDF、JPG、PNG）",
        widget=forms.ClearableFileInput(attrs=UPLOAD_ACCEPT),
    )
    note = forms.CharField(
        label="说明", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(ReviewForm):
    prefix_id = "assign"
    reviewer = UserChoiceField(label="指派审核人", queryset=None)

    def __init__(self, *args, holder, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewer_choices(holder)


class InviteForm(ReviewForm):
    prefix_id = "invite"
    user = UserChoiceField(label="邀请联合走访人员（本市其他工会）", queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = joint_visit_candidates(self.actor, self.case)
