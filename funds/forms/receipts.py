"""Input of the account, receipt, allocation, budget-request, return and 冲销 screens:
cleaning and validation only; funds.services decides."""

from django import forms
from django.utils import timezone

from accounts.models import Organisation
from accounts.roles import Level
from assistance.models import Policy
from core.forms import MoneyField
from core.money import FEN
from funds.models import AllocationLine, BudgetRequest, Entry, FundAccount, Receipt, Source

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
DATE_ERRORS = {"required": "请填写日期。", "invalid": "请输入有效的日期，例如 2026-04-01。"}
YEAR_MIN, YEAR_MAX = 2000, 2100
CONFIRM_ERROR = {"required": "请勾选确认：该操作提交后不能撤销。"}


def date_field(label: str, *, required: bool = True, initial_today: bool = True):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        error_messages=DATE_ERRORS,
        initial=timezone.localdate if initial_today else None,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def year_field(label: str = "预算年度", *, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        initial=lambda: timezone.localdate().year,
        error_messages={
            "required": "请填写年度。",
            "invalid": "请输入四位数的年度。",
            "min_value": "请输入四位数的年度。",
            "max_value": "请输入四位数的年度。",
        },
    )


def text_field(label: str, max_length: int, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        error_messages={
            "required": f"请填写{label}。",
            "max_length": f"{label}不能超过{max_length}个字。",
        },
        **kwargs,
    )


def choice_field(label: str, choices, *, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        error_messages={"required": f"请选择{label}。", "invalid_choice": f"请选择有效的{label}。"},
    )


def confirm_field(label: str) -> forms.BooleanField:
    return forms.BooleanField(label=label, error_messages=CONFIRM_ERROR)


class NotInFutureMixin:
    future_fields: tuple[str, ...] = ()

    def clean(self):
        cleaned = super().clean()
        for name in self.future_fields:
            value = cleaned.get(name)
            if value is not None and value > timezone.localdate():
                self.add_error(name, "日期不能晚于今天。")
        return cleaned


# --- Accounts ------------------------------------------------------------------------------


class AccountCreateForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="工会",
        queryset=Organisation.objects.none(),
        error_messages={"required": "请选择工会。", "invalid_choice": "请选择列表中的工会。"},
    )
    name = text_field("账户名称", 100)
    bank_name = text_field("开户银行", 100)
    bank_account = text_field("银行账号", 40)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        city_id = user.organisation.city_id if user.organisation else None
        self.fields["organisation"].queryset = (
            Organisation.objects.filter(
                city_id=city_id, level__in=(Level.CITY, Level.COUNTY), is_active=True
            )
            .exclude(pk__in=FundAccount.objects.values("organisation"))
            .order_by("level", "code")
        )


class BalanceYearForm(forms.Form):
    year = year_field(required=False)

    def selected_year(self) -> int | None:
        """The year asked for: this year by default, None for 全部年度 (`year=all`)."""
        if self.data.get("year") == "all":
            return None
        if self.is_valid() and self.cleaned_data["year"]:
            return self.cleaned_data["year"]
        return timezone.localdate().year


class EntryFilterForm(forms.Form):
    year = year_field(required=False)
    source = choice_field("资金来源", [("", "全部来源"), *Source.choices], required=False)
    item = choice_field(
        "项目", [("", "全部项目"), ("-", "未指定项目"), *Policy.Item.choices], required=False
    )
    kind = choice_field("类型", [("", "全部类型"), *Entry.Kind.choices], required=False)
    date_from = date_field("起始日期", required=False, initial_today=False)
    date_to = date_field("截止日期", required=False, initial_today=False)
    q = forms.CharField(label="对方单位、文号或摘要", max_length=100, required=False)

    def filters(self) -> dict:
        """The selector's arguments from whatever is valid; a bad value is left out."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "year": data.get("year"),
            "source": data.get("source", ""),
            "item": data.get("item", ""),
            "kind": data.get("kind", ""),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "text": (data.get("q") or "").strip(),
        }


# --- Receipts --------------------------------------------------------------------------------


class ReceiptForm(NotInFutureMixin, forms.Form):
    future_fields = ("received_on",)
    received_on = date_field("到账日期")
    year = year_field()
    source = choice_field("资金来源", [("", "请选择"), *Source.choices])
    amount = MoneyField.for_model(Receipt, "amount")
    counterpart = text_field("拨款单位", 100, help_text="如 安徽省总工会、芜湖市财政局")
    document_number = text_field("拨款文件文号", 100, help_text="如 皖工办〔2026〕13号")
    document_title = text_field("拨款文件标题", 200)
    # WH-F §13, TA-F §10: local finance money follows its finance's approval.
    carry_over_approved = forms.BooleanField(
        label="本级财政批准跨年使用",
        required=False,
        help_text="仅限地方财政配套资金：当地财政批复同意在预算年度结束后继续使用时勾选。"
        "中央和省级专项资金须当年使用完毕，不得结转下年。",
    )
    carry_over_document = text_field(
        "跨年使用财政批复文号", 100, required=False, help_text="如 芜财社〔2026〕21号"
    )


class CarryOverApproveForm(forms.Form):
    carry_over_document = text_field("跨年使用财政批复文号", 100, help_text="如 芜财社〔2026〕21号")
    confirm = confirm_field("确认：本级财政已批准该笔地方财政配套资金跨年度使用，提交后不能撤销")


# --- Allocation plans ------------------------------------------------------------------------


class ReceiptChoiceField(forms.ModelChoiceField):
    """A receipt with what remains of it to pass down (as computed for this page)."""

    remaining: dict = {}

    def label_from_instance(self, receipt: Receipt) -> str:
        return (
            f"{receipt.received_on:%Y-%m-%d} {receipt.get_source_display()} "
            f"{receipt.document_number}（{receipt.year}年度，"
            f"未下达 {self.remaining.get(receipt.pk, '—')} 元）"
        )


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, account: FundAccount) -> str:
        return account.organisation.name


class PlanForm(NotInFutureMixin, forms.Form):
    future_fields = ("meeting_date",)
    year = year_field()
    title = text_field("方案名称", 200)
    meeting_reference = text_field(
        "会议纪要文号",
        100,
        help_text="领导班子集体研究决定的会议纪要文号（芜湖细则第七条、第十一条，泰安细则第八条）",
    )
    meeting_date = date_field("会议日期")


class PlanLineForm(forms.Form):
    receipt = ReceiptChoiceField(
        label="资金到账",
        queryset=Receipt.objects.none(),
        required=False,
        error_messages={"invalid_choice": "请选择列表中的到账。"},
    )
    to_account = AccountChoiceField(
        label="下达到",
        queryset=FundAccount.objects.none(),
        required=False,
        error_messages={"invalid_choice": "请选择列表中的县级工会。"},
    )
    item = choice_field("项目", [("", "不指定项目")], required=False)
    amount = MoneyField.for_model(AllocationLine, "amount", required=False)

    def __init__(self, *args, receipts, counties, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receipt"].queryset = Receipt.objects.filter(
            pk__in=[r.pk for r in receipts]
        ).order_by("-received_on", "-id")
        self.fields["receipt"].remaining = {r.pk: r.remaining for r in receipts}
        self.fields["to_account"].queryset = counties
        self.fields["item"].choices = [
            ("", "不指定项目"),
            *((item, Policy.Item(item).label) for item in items),
        ]

    def clean(self):
        cleaned = super().clean()
        values = [cleaned.get(name) for name in ("receipt", "to_account", "amount")]
        if any(values) and not all(values) and not self.errors:
            raise forms.ValidationError("请完整填写该行的到账、下达单位和金额，或清空该行。")
        return cleaned

    def line(self):
        data = self.cleaned_data
        if not data.get("receipt"):
            return None
        return (data["receipt"], data["to_account"], data.get("item") or "", data["amount"])


PlanLineFormSet = forms.formset_factory(PlanLineForm, extra=6, max_num=50, absolute_max=50)


class PlanExecuteForm(NotInFutureMixin, forms.Form):
    future_fields = ("transfer_date",)
    transfer_date = date_field("下拨日期")
    reference = text_field("凭证号", 100, help_text="银行付款凭证或记账凭证号")
    confirm = confirm_field("确认按本方案下拨：各县级工会专户同时入账，提交后不能撤销")


# --- Budget requests (TA-F §7) ----------------------------------------------------------------


class BudgetRequestForm(NotInFutureMixin, forms.Form):
    future_fields = ("submitted_on",)
    year = year_field("申请年度")
    quarter = forms.TypedChoiceField(
        label="申请季度",
        choices=[("", "请选择"), *BudgetRequest._meta.get_field("quarter").choices],
        coerce=int,
        error_messages={"required": "请选择季度。", "invalid_choice": "请选择有效的季度。"},
    )
    submitted_on = date_field("报送日期")
    amount = MoneyField.for_model(BudgetRequest, "amount", label="申请金额合计（元）")
    note = forms.CharField(
        label="说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.item_names = []
        for item in items:
            name = f"item_{item}"
            self.fields[name] = MoneyField.for_model(
                BudgetRequest, "amount", label=f"{Policy.Item(item).label}（元）", required=False
            )
            self.item_names.append(name)
        self.order_fields(["year", "quarter", "submitted_on", *self.item_names, "amount"])

    def items(self) -> dict:
        return {
            name.removeprefix("item_"): self.cleaned_data[name]
            for name in self.item_names
            if self.cleaned_data.get(name) is not None
        }


class BudgetYearForm(forms.Form):
    year = year_field("年度", required=False)


# --- Returns and corrections -----------------------------------------------------------------


class ReturnForm(NotInFutureMixin, forms.Form):
    future_fields = ("entry_date",)
    entry_date = date_field("上缴日期")
    year = year_field()
    source = choice_field("资金来源", [("", "请选择"), *Source.choices])
    amount = MoneyField.for_model(Entry, "amount", min_value=FEN)  # paid out: stored negative
    counterpart = text_field("上缴（退回）至", 100, help_text="如 安徽省总工会")
    reference = text_field("凭证号（文号）", 100)
    confirm = confirm_field("确认上缴：资金从本专户付出，提交后只能冲销更正")


class ReverseForm(NotInFutureMixin, forms.Form):
    future_fields = ("entry_date",)
    entry_date = date_field("冲销日期")
    reason = forms.CharField(
        label="冲销原因",
        max_length=150,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写冲销原因。", "max_length": "冲销原因不能超过150个字。"},
    )
    confirm = confirm_field("确认冲销：原分录保留，另记一笔金额相反的冲销分录，提交后不能撤销")


class UnspentYearForm(forms.Form):
    year = year_field()
