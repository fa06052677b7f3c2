"""Input of the grant screens: cleaning and validation only; the services decide."""

from django import forms
from django.utils import timezone

from assistance.eligibility import Category
from assistance.models import Case
from core.forms import MoneyField
from funds.models import Grant, Item, Source
from funds.rules import ACCIDENT_ITEMS
from funds.selectors.accounts import items_funded_in

# What each item an accident household's standard may be booked under is for.
ACCIDENT_ITEM_CAUSES = {
    Item.LIVING: "生活救助：突发事件等",
    Item.MEDICAL: "医疗救助：患重大疾病、意外伤害",
}


class StandardForm(forms.Form):
    """What the standard is worked out from; shown again with each choice of item (GET)."""

    item = forms.ChoiceField(
        label="救助项目",
        choices=Item.choices,
        error_messages={"invalid_choice": "请选择救助项目。"},
    )
    year = forms.IntegerField(
        label="救助年度",
        min_value=2000,
        max_value=2100,
        error_messages={"invalid": "请输入年度，如 2026。"},
    )
    students = forms.IntegerField(
        label="在校学生（人）",
        required=False,
        min_value=0,
        max_value=30,
        help_text="助学救助按人计算；不填则按档案当前数据。",
        error_messages={"invalid": "请输入人数。", "min_value": "不能为负数。"},
    )
    medical_out_of_pocket = MoneyField.for_model(
        Case,
        "medical_out_of_pocket",
        label="医保内个人实际负担医疗费（元）",
        required=False,
        help_text="医疗救助按档次定额；不填则按档案当前数据。",
    )
    accident_costs = MoneyField.for_model(
        Case,
        "accident_costs",
        label="年度致困费用（损失）（元）",
        required=False,
        help_text="意外致困一次性救助按其 15%、最高 1 万元（一次，按致困原因记入医疗或生活救助）；"
        "不填则按档案当前数据。",
    )

    def __init__(self, *args, archive, **kwargs):
        super().__init__(*args, **kwargs)
        self.archive = archive
        self.fields["year"].initial = timezone.localdate().year
        if archive.category == Category.ACCIDENT:
            self.fields["item"].choices = [
                (item, f"意外致困一次性救助（记入{ACCIDENT_ITEM_CAUSES[item]}）")
                for item in ACCIDENT_ITEMS
            ]
        # Only the items the region's policy funds are offered (TA-A §14 for Tai'an); another
        # item typed into the address is refused by the service, which names the policy.
        funded = items_funded_in(archive.organisation.region, timezone.localdate())
        item = self.fields["item"]
        item.widget.choices = [choice for choice in item.choices if choice[0] in funded]

    def inputs(self) -> dict:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in ("students", "medical_out_of_pocket", "accident_costs")
            if data.get(name) is not None
        }


class GrantForm(StandardForm):
    source = forms.ChoiceField(
        label="资金来源",
        choices=[("", "请选择"), *Source.choices],
        error_messages={"required": "请选择资金来源。", "invalid_choice": "请选择资金来源。"},
    )
    amount = MoneyField.for_model(
        Grant, "amount", required=False, help_text="默认为救助标准；与标准不同须说明理由。"
    )
    basis = forms.CharField(
        label="说明（金额与标准不同、无定额标准的项目须填写）",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    provincial_approval = forms.CharField(
        label="省总工会审批文号",
        required=False,
        max_length=100,
        help_text="全年单项合计达到政策规定额度（芜湖：2 万元以上，含 2 万元），"
        "或深度困难医疗救助特殊情况高于标准时填写。审批文号不能突破政策规定的最高额。",
    )
    national_approval = forms.CharField(
        label="全国总工会同意文号",
        required=False,
        max_length=100,
        help_text="全年单项合计达到政策规定额度（芜湖：5 万元以上，含 5 万元）时填写。",
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="审批结论",
        choices=[("approve", "批准"), ("reject", "不予批准")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择审批结论。"},
    )
    opinion = forms.CharField(
        label="审批意见（不予批准须填写）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label="我已核对救助标准和计算依据，确认提交审批结论（提交后不能撤销）",
        error_messages={"required": "请勾选确认：审批结论提交后不能撤销。"},
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="撤销理由",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写撤销理由。"},
    )
    confirm = forms.BooleanField(
        label="确认撤销该帮扶救助（撤销后不能恢复，需要时请重新提出）",
        error_messages={"required": "请勾选确认。"},
    )


class GrantFilterForm(forms.Form):
    """The list's filters from the query string; a bad value is left out, never an error."""

    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), *Grant.Status.choices]
    )
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    item = forms.ChoiceField(
        label="救助项目", required=False, choices=[("", "全部项目"), *Item.choices]
    )
    county = forms.ModelChoiceField(
        label="县（市、区）", required=False, queryset=None, empty_label="全部县（市、区）"
    )
    archive = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, counties=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.counties = counties
        if counties is None:
            del self.fields["county"]
        else:
            self.fields["county"].queryset = counties

    def filters(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        county = data.get("county")
        return {
            "status": data.get("status") or "",
            "year": data.get("year"),
            "item": data.get("item") or "",
            "county_id": county.pk if county else None,
            "archive_id": data.get("archive"),
        }
