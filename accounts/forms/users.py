from django import forms
from django.contrib.auth import password_validation

from accounts.models import Organisation, User
from accounts.roles import Role
from accounts.selectors import organisation_choices_for_user


class _UserFieldsForm(forms.Form):
    full_name = forms.CharField(label="姓名", max_length=50)
    phone = forms.RegexField(
        label="手机号",
        regex=r"^1\d{10}$",
        required=False,
        error_messages={"invalid": "请输入11位手机号码。"},
    )
    organisation = forms.ModelChoiceField(label="所属组织", queryset=Organisation.objects.none())
    roles = forms.MultipleChoiceField(
        label="角色", choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisation_choices_for_user(actor)


class _NewPasswordMixin(forms.Form):
    password1 = forms.CharField(label="密码", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="确认密码", widget=forms.PasswordInput, strip=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", "两次输入的密码不一致。")
        return cleaned


class UserCreateForm(_UserFieldsForm, _NewPasswordMixin):
    username = forms.RegexField(
        label="登录名",
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": "登录名只能包含字母、数字和 @ . + - _。"},
    )
    field_order = ["username", "full_name", "phone", "organisation", "roles"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("该登录名已被使用。")
        return username


class UserEditForm(_UserFieldsForm):
    is_active = forms.BooleanField(label="启用", required=False)


class PasswordResetByAdminForm(_NewPasswordMixin):
    help_text = password_validation.password_validators_help_text_html()
