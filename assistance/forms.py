from django import forms
from django.forms.models import model_to_dict

from accounts.models import Organisation
from accounts.roles import Level
from accounts.selectors import organisation_choices_for_user
from assistance.models import Policy


class PolicyForm(forms.ModelForm):
    """A new policy version; `initial` comes from the version it replaces."""

    items_funded = forms.MultipleChoiceField(
        label="资助项目", choices=Policy.Item.choices, widget=forms.CheckboxSelectMultiple
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

    @classmethod
    def copying(cls, policy: Policy, data=None) -> "PolicyForm":
        initial = model_to_dict(policy, exclude=["id", "code", "effective_from", "effective_to"])
        return cls(data, initial=initial)


class MinimumLivingStandardForm(forms.Form):
    county = forms.ModelChoiceField(label="县（市、区）", queryset=Organisation.objects.none())
    monthly_amount = forms.DecimalField(
        label="月低保标准（元）", min_value=0.01, max_digits=8, decimal_places=2
    )
    effective_from = forms.DateField(
        label="执行日期", widget=forms.DateInput(attrs={"type": "date"})
    )
    document = forms.CharField(label="依据文件", max_length=200, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = organisation_choices_for_user(
            actor, levels=(Level.COUNTY,)
        )
