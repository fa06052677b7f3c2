"""Input of the payment screens: cleaning and validation only; the services decide."""

from django import forms
from django.utils import timezone

from funds.models import PaymentBatch, PaymentLine

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": "请输入日期，如 2026-04-13。"}


class GrantChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, grant) -> str:
        return (
            f"{grant.archive.person_name}（{grant.archive.number}）{grant.year}年"
            f"{grant.get_item_display()} {grant.amount} 元 · {grant.get_source_display()}"
        )


class BatchCreateForm(forms.Form):
    grants = GrantChoiceField(
        label="已审批待发放的帮扶救助",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "请选择要发放的帮扶救助。",
            "invalid_choice": "所选救助已不能发放（可能已列入其他批次或已撤销），请刷新页面后重选。",
            "invalid_pk_value": "所选救助不正确。",
        },
    )

    def __init__(self, *args, payable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grants"].queryset = payable


class SendForm(forms.Form):
    sent_on = forms.DateField(label="报送银行日期", widget=DATE_WIDGET, error_messages=DATE_ERRORS)
    confirm = forms.BooleanField(
        label="确认花名册已报送银行（报送后批次不能再修改，等待银行处理结果）",
        error_messages={"required": "请勾选确认。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sent_on"].initial = timezone.localdate()


RESULT_CHOICES = [
    ("", "暂不登记"),
    (PaymentLine.Status.PAID, "已到账"),
    (PaymentLine.Status.FAILED, "发放失败"),
]


class ResultsForm(forms.Form):
    """One row of fields per line still at the bank; rows left at "暂不登记" are skipped."""

    confirm = forms.BooleanField(
        label="确认按银行回单登记以上结果（已到账的将记账支出并短信告知职工，登记后不能修改）",
        error_messages={"required": "请勾选确认：结果登记后不能修改。"},
    )

    def __init__(self, *args, batch: PaymentBatch, lines: list[PaymentLine], **kwargs):
        super().__init__(*args, **kwargs)
        self.batch = batch
        self.lines = lines
        today = timezone.localdate()
        for line in lines:
            self.fields[f"result_{line.pk}"] = forms.ChoiceField(
                label="结果", choices=RESULT_CHOICES, required=False
            )
            self.fields[f"paid_on_{line.pk}"] = forms.DateField(
                label="到账日期",
                required=False,
                initial=today,
                widget=DATE_WIDGET,
                error_messages=DATE_ERRORS,
            )
            self.fields[f"reference_{line.pk}"] = forms.CharField(
                label="银行流水号", required=False, max_length=100
            )
            self.fields[f"reason_{line.pk}"] = forms.CharField(
                label="失败原因", required=False, max_length=200
            )

    def rows(self):
        """(line, its four bound fields) for the template."""
        return [
            (
                line,
                self[f"result_{line.pk}"],
                self[f"paid_on_{line.pk}"],
                self[f"reference_{line.pk}"],
                self[f"reason_{line.pk}"],
            )
            for line in self.lines
        ]

    def clean(self):
        data = super().clean()
        if self.is_bound and not self.errors and not self.results():
            raise forms.ValidationError("请至少为一条明细选择“已到账”或“发放失败”。")
        return data

    def results(self) -> dict:
        data = getattr(self, "cleaned_data", {})
        chosen = {}
        for line in self.lines:
            status = data.get(f"result_{line.pk}")
            if status:
                chosen[line.pk] = (
                    status,
                    data.get(f"paid_on_{line.pk}") if status == PaymentLine.Status.PAID else None,
                    data.get(f"reference_{line.pk}") or "",
                    data.get(f"reason_{line.pk}") or "",
                )
        return chosen


class SlipForm(forms.Form):
    file = forms.FileField(
        label="银行回单（PDF、JPG、PNG）",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        error_messages={"required": "请选择银行回单文件。", "empty": "文件是空的。"},
    )


class ReturnUploadForm(forms.Form):
    file = forms.FileField(
        label="银行回盘文件（.xlsx 或 .csv）",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={"required": "请选择银行回盘文件。", "empty": "文件是空的。"},
    )


class ReturnConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label="确认按回盘文件登记以上结果（已到账的将记账支出并短信告知职工，登记后不能修改）",
        error_messages={"required": "请勾选确认：结果登记后不能修改。"},
    )


class BatchFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), *PaymentBatch.Status.choices]
    )

    def status_filter(self) -> str:
        return self.cleaned_data["status"] if self.is_valid() else ""
