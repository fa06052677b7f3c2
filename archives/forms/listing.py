"""Input of the archive list, its search and export, and the merge of duplicates."""

import re

from django import forms
from django.core.exceptions import ValidationError

from accounts.roles import Level
from accounts.selectors import organisation_choices_for_user
from archives.models import Archive
from archives.selectors.listing import STATUS_ACTIVE, STATUS_ALL
from assistance.eligibility import Category
from core.crypto import keyed_hash
from core.id_numbers import validate_id_number

HASH = re.compile(r"[0-9a-f]{64}")

STATUS_CHOICES = [
    (STATUS_ACTIVE, "在档（含渐退期、退档告知期）"),
    (STATUS_ALL, "全部状态"),
    *Archive.Status.choices,
]


class ArchiveFilterForm(forms.Form):
    """The list's filters, read from the query string (or the export's POST).

    The ID number is never a field of the query string: the search posts it and it comes
    back as its keyed hash (`person`), as on the case list.
    """

    name = forms.CharField(label="姓名", required=False, max_length=50)
    person = forms.CharField(required=False, widget=forms.HiddenInput)
    category = forms.ChoiceField(
        label="困难类别", required=False, choices=[("", "全部类别"), *Category.choices()]
    )
    status = forms.ChoiceField(label="状态", required=False, choices=STATUS_CHOICES)
    organisation = forms.ModelChoiceField(
        label="基层工会", required=False, queryset=None, empty_label="全部基层工会"
    )
    stale = forms.BooleanField(label="超过一年未核查", required=False)
    never_assisted = forms.BooleanField(label="从未帮扶", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisation_choices_for_user(
            user, levels=(Level.GRASSROOTS,)
        )

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_person(self) -> str:
        person = self.cleaned_data["person"]
        if person and not HASH.fullmatch(person):
            raise ValidationError("身份证号查询条件无效，已忽略。")
        return person

    def filters(self) -> dict:
        """The selector's arguments from whatever is valid; a bad value is left out."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "name": data.get("name", ""),
            "person_hash": data.get("person", ""),
            "category": data.get("category", ""),
            "status": data.get("status", STATUS_ACTIVE),
            "organisation": data.get("organisation"),
            "stale_verification": data.get("stale", False),
            "never_assisted": data.get("never_assisted", False),
        }


class IdNumberField(forms.CharField):
    """A national ID number typed to search by; cleaned to its keyed hash."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "身份证号")
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def clean(self, value) -> str:
        value = super().clean(value).strip().replace(" ", "")
        if not value:
            return ""
        return keyed_hash(validate_id_number(value.upper()))


class ArchiveSearchForm(forms.Form):
    """What the search posts besides the filters: the ID number, if typed."""

    id_number = IdNumberField()


class MergeForm(forms.Form):
    """The duplicate to merge into this archive, by its number, and why."""

    number = forms.CharField(
        label="重复档案的档案编号",
        max_length=20,
        help_text="该档案将并入本档案：撤档为“已合并”，只读保存，其家庭成员并入本档案。",
    )
    reason = forms.CharField(
        label="合并理由", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_number(self) -> str:
        return self.cleaned_data["number"].strip().upper()

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("请填写合并理由。")
        return reason
