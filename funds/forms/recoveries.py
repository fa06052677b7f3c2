"""Input of the recovery (追回) and reduce / stop (减拨、停拨) screens: cleaning only; the
services decide."""

from django import forms

from assistance.forms.review import UPLOAD_ACCEPT
from core.forms import MoneyField
from core.models import Notification
from funds.forms.receipts import date_field, year_field
from funds.models import AllocationRestriction, FundAccount, Recovery, RecoveryRepayment


def _text(label: str, *, max_length: int = 2000, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": f"请填写{label}。"},
    )


class GrantsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, grant) -> str:
        return (
            f"{grant.year}年{grant.get_item_display()} {grant.amount} 元 · "
            f"{grant.get_source_display()} · {grant.paid_on:%Y-%m-%d} 发放"
        )


class RecoveryForm(forms.Form):
    finding = _text("查实的虚假信息情况", rows=4)
    found_on = date_field("查实日期")
    evidence = forms.FileField(
        label="查实材料（调查记录、比对报告等，PDF/JPG/PNG）",
        widget=forms.ClearableFileInput(attrs=UPLOAD_ACCEPT),
        error_messages={"required": "请上传查实材料。", "empty": "文件是空的。"},
    )
    grants = GrantsField(
        label="追回的已发放帮扶项目",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "请选择要追回的已发放帮扶项目。",
            "invalid_choice": "所选帮扶项目不能追回，请刷新页面后重选。",
            "invalid_pk_value": "所选帮扶项目不正确。",
        },
    )
    amount = MoneyField.for_model(Recovery, "amount")

    def __init__(self, *args, grants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grants"].queryset = grants


class ConfirmForm(forms.Form):
    channel = forms.ChoiceField(
        label="告知方式",
        choices=Notification.Channel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择告知方式。", "invalid_choice": "请选择告知方式。"},
    )
    confirm = forms.BooleanField(
        label="我已核实查实材料，确认追回：档案将因虚假信息撤档，转为只读（提交后不能撤销）",
        error_messages={"required": "请勾选确认。"},
    )


class NoteForm(forms.Form):
    note = _text("说明", max_length=1000, rows=2)
    confirm = forms.BooleanField(label="确认办理", error_messages={"required": "请勾选确认。"})


class RepayForm(forms.Form):
    received_on = date_field("收款日期")
    amount = MoneyField.for_model(RecoveryRepayment, "amount")
    reference = forms.CharField(
        label="收款凭证号（银行流水号）",
        max_length=100,
        error_messages={"required": "请填写收款凭证号或银行流水号。"},
    )


class RestrictionForm(forms.Form):
    to_account = forms.ModelChoiceField(
        label="县级工会专户",
        queryset=FundAccount.objects.none(),
        error_messages={
            "required": "请选择县级工会专户。",
            "invalid_choice": "请选择县级工会专户。",
        },
    )
    year = year_field()
    kind = forms.ChoiceField(
        label="决定",
        choices=AllocationRestriction.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择减拨或停拨。", "invalid_choice": "请选择减拨或停拨。"},
    )
    ceiling = MoneyField.for_model(
        AllocationRestriction,
        "ceiling",
        label="减拨后本年度下拨上限（元，减拨填写）",
        required=False,
    )
    reason = _text("理由")
    decision_reference = forms.CharField(
        label="决定文号（会议纪要文号）",
        max_length=100,
        error_messages={"required": "请填写决定文号或会议纪要文号。"},
    )
    decided_on = date_field("决定日期")

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_account"].queryset = counties


class LiftForm(forms.Form):
    reason = _text("解除理由", max_length=1000, rows=2)
