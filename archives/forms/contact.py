"""Input of the phone and bank card update: cleaning only (the rules of `archives.rules`);
archives.services.contact decides."""

from django import forms
from django.core.exceptions import ValidationError

from archives.models import Archive
from archives.rules import REASON_MAX, clean_bank_card, clean_phone, without_spaces


class ContactUpdateForm(forms.Form):
    """The phone and bank prefilled; the card never: blank keeps the card on file."""

    phone = forms.CharField(
        label="联系电话",
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        error_messages={"required": "请填写联系电话。"},
    )
    bank_name = forms.CharField(
        label="开户银行",
        max_length=50,
        error_messages={"required": "请填写开户银行。"},
    )
    bank_card = forms.CharField(
        label="新银行卡号",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    reason = forms.CharField(
        label="更新原因",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=f"不超过 {REASON_MAX} 字，如：原银行卡已销户，职工本人提供新卡。",
        error_messages={"required": "请填写更新原因（如：原银行卡已销户）。"},
    )
    confirm = forms.BooleanField(
        label="已核对：新银行卡为职工本人的银行卡（实名制发放），联系电话为本人电话",
        error_messages={"required": "请勾选确认已核对职工本人的银行卡和电话。"},
    )

    def __init__(self, *args, archive: Archive, **kwargs):
        super().__init__(*args, **kwargs)
        self.archive = archive
        case = archive.case
        self.fields["phone"].initial = archive.phone
        self.fields["bank_name"].initial = case.bank_name
        # The full number is never put on the page: the mask says which card is on file.
        card = self.fields["bank_card"]
        card.widget.attrs["placeholder"] = case.bank_card_masked
        card.help_text = f"当前银行卡 {case.bank_card_masked}；不更换请留空。12–19 位数字。"

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"]
        if without_spaces(value) == self.archive.phone:
            return self.archive.phone  # as on file (intake allows "0553-1234567")
        try:
            return clean_phone(value)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc

    def clean_bank_card(self) -> str:
        try:
            return clean_bank_card(self.cleaned_data["bank_card"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("phone", "bank_name", "bank_card", "reason")}
