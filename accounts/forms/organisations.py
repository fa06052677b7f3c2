from django import forms

from accounts.models import Organisation, User
from accounts.roles import Level
from accounts.selectors import organisation_choices_for_user


class OrganisationCreateForm(forms.Form):
    parent = forms.ModelChoiceField(
        label="上级组织", queryset=Organisation.objects.none(), required=False
    )
    code = forms.RegexField(
        label="编码",
        max_length=32,
        regex=r"^[0-9A-Za-z-]+$",
        error_messages={"invalid": "编码只能包含字母、数字和连字符。"},
    )
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=Organisation.Kind.choices)
    policy_region = forms.SlugField(
        label="政策地区", required=False, help_text="仅市总工会填写，如 wuhu。"
    )

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = organisation_choices_for_user(
            actor, levels=(Level.CITY, Level.COUNTY)
        )

    def clean_code(self):
        code = self.cleaned_data["code"]
        if Organisation.objects.filter(code=code).exists():
            raise forms.ValidationError("该编码已被使用。")
        return code


class OrganisationEditForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    policy_region = forms.SlugField(label="政策地区", required=False)
    is_active = forms.BooleanField(label="启用", required=False)
