"""Input of the policy screens: a new policy version and a county's 低保."""

from django import forms
from django.forms.models import model_to_dict

from accounts.models import Organisation
from accounts.roles import Level
from accounts.selectors import organisation_choices_for_user
from assistance.models import (
    APPROVAL_THRESHOLD_FIELDS,
    POLICY_MONEY_FIELDS,
    MinimumLivingStandard,
    Policy,
)
from core.forms import MoneyField


class PolicyForm(forms.ModelForm):
    """A new policy version; `initial` comes from the version it is copied from.

    Beside each rule a `source_<name>` field: the document a changed value rests on (the
    service requires it for every change). `confirm_backdated` answers the service's question
    when the version is in force before today."""

    items_funded = forms.MultipleChoiceField(
        label="资助项目", choices=Policy.Item.choices, widget=forms.CheckboxSelectMultiple
    )
    confirm_backdated = forms.BooleanField(
        label="确认追溯生效：已核对下列受影响的项目", required=False
    )

    class Meta:
        model = Policy
        fields = [
            field.name
            for field in Policy._meta.concrete_fields
            if field.editable
            and field.name not in {"id", "created_at", "updated_at", "effective_to"}
        ]
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"})}
        field_classes = dict.fromkeys(
            (*POLICY_MONEY_FIELDS, *APPROVAL_THRESHOLD_FIELDS), MoneyField
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in Policy.rule_fields():
            self.fields[f"source_{name}"] = forms.CharField(
                label=f"{self.fields[name].label}的依据",
                max_length=200,
                required=False,
                help_text="修改了本项数值时必填：文件名称和文号",
            )

    @classmethod
    def copying(cls, policy: Policy, data=None, *, region: str) -> "PolicyForm":
        """A form holding `policy`'s values for the actor's own `region` (which is not typed)."""
        initial = model_to_dict(
            policy, exclude=["id", "code", "effective_from", "effective_to", "based_on"]
        )
        initial["region"] = region
        form = cls(data, initial=initial)
        form.fields["region"].disabled = True
        return form

    def rule_rows(self) -> list[tuple]:
        """Each rule's field beside its source field, for the template."""
        return [(self[name], self[f"source_{name}"]) for name in Policy.rule_fields()]

    def identity_fields(self) -> list:
        rules = set(Policy.rule_fields())
        return [self[name] for name in self._meta.fields if name not in rules]

    def service_arguments(self) -> dict:
        """The service's keyword arguments: the policy's fields, the sources typed, the
        confirmation."""
        data = dict(self.cleaned_data)
        sources = {name: data.pop(f"source_{name}", "") for name in Policy.rule_fields()}
        confirm = data.pop("confirm_backdated", False)
        return {**data, "sources": sources, "confirm_backdated": confirm}


class MinimumLivingStandardForm(forms.Form):
    county = forms.ModelChoiceField(label="县（市、区）", queryset=Organisation.objects.none())
    monthly_amount = MoneyField.for_model(MinimumLivingStandard, "monthly_amount")
    effective_from = forms.DateField(
        label="执行日期", widget=forms.DateInput(attrs={"type": "date"})
    )
    document = forms.CharField(label="依据文件", max_length=200, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = organisation_choices_for_user(
            actor, levels=(Level.COUNTY,)
        )
