"""The special assistance funds (帮扶资金): accounts, append-only entries, and what moves money.

DOMAIN.md §6–§7 (WH-M §8–§9, WH-F, TA-F). One special account per union level (city and
each county). Every movement of money is an `Entry`: dated, in a budget year, with its item,
fund category and source, counterpart and reference. Entries are never changed or deleted
(the database refuses it, migration `0002_append_only`); a mistake is corrected by a
reversing entry. Balances are sums of entries.
"""

import uuid
from decimal import Decimal
from pathlib import Path

from django.core.validators import MinValueValidator
from django.db import models

from accounts.models import Organisation
from accounts.roles import Level
from archives.models import Archive
from assistance.models import Policy
from core.models import Notification, TrackedModel

Item = Policy.Item


class Source(models.TextChoices):
    CENTRAL = "central", "中央财政"
    PROVINCIAL = "provincial", "省级财政"
    LOCAL = "local", "地方财政"
    UNION = "union", "工会经费"
    DONATION = "donation", "社会捐赠"
    INTEREST = "interest", "专户利息"
    OTHER = "other", "其他合法来源"


class FundCategory(models.TextChoices):
    FINANCE = "finance", "财政资金"
    UNION = "union", "工会资金"
    SOCIAL = "social", "社会资金"
    OTHER = "other", "其他资金"


SOURCE_CATEGORY = {
    Source.CENTRAL: FundCategory.FINANCE,
    Source.PROVINCIAL: FundCategory.FINANCE,
    Source.LOCAL: FundCategory.FINANCE,
    Source.UNION: FundCategory.UNION,
    Source.DONATION: FundCategory.SOCIAL,
    Source.INTEREST: FundCategory.OTHER,
    Source.OTHER: FundCategory.OTHER,
}
# Central and provincial money must be spent in its budget year (WH-F §13, TA-F §10); local
# finance money too, unless its receipt carries the local finance's approval to use it later
# (`Receipt.carry_over_approved`). The rule: funds.services.ledger.carry_over_refusal.
SPEND_IN_BUDGET_YEAR = (Source.CENTRAL, Source.PROVINCIAL)


def _amount(label: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        **kwargs,
    )


class FundAccount(TrackedModel):
    """The special assistance account (帮扶资金专户) of one city or county union."""

    SCOPE_FIELDS = {Level.CITY: "city", Level.COUNTY: "county"}

    organisation = models.OneToOneField(
        Organisation, models.PROTECT, related_name="fund_account", verbose_name="工会"
    )
    county = models.ForeignKey(
        Organisation, models.PROTECT, null=True, blank=True, related_name="+"
    )
    city = models.ForeignKey(Organisation, models.PROTECT, related_name="+")
    name = models.CharField("账户名称", max_length=100)
    bank_name = models.CharField("开户银行", max_length=100)
    bank_account = models.CharField("银行账号", max_length=40)

    class Meta:
        verbose_name = "帮扶资金专户"
        verbose_name_plural = "帮扶资金专户"
        ordering = ["organisation__level", "organisation__code"]

    def __str__(self) -> str:
        return self.name


class Receipt(TrackedModel):
    """Funds received (资金到账) with their appropriation document (拨款文件)."""

    account = models.ForeignKey(FundAccount, models.PROTECT, related_name="receipts")
    received_on = models.DateField("到账日期")
    year = models.PositiveSmallIntegerField("预算年度")
    source = models.CharField("资金来源", max_length=12, choices=Source.choices)
    amount = _amount("金额（元）")
    counterpart = models.CharField("拨款单位", max_length=100)
    document_number = models.CharField("拨款文件文号", max_length=100)
    document_title = models.CharField("拨款文件标题", max_length=200)
    # WH-F §12: the city passes received funds down within 20 working days.
    allocation_due = models.DateField("下达截止日期")
    # WH-F §13, TA-F §10: 地方财政配套的帮扶资金，可根据当地财政批复意见执行 — local money
    # may be used after its budget year only with the local finance's approval document.
    carry_over_approved = models.BooleanField("本级财政批准跨年使用", default=False)
    carry_over_document = models.CharField("跨年使用财政批复文号", max_length=100, blank=True)
    recorded_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "资金到账"
        verbose_name_plural = "资金到账"
        ordering = ["-received_on", "-id"]
        constraints = [
            # An appropriation document's money is received once (a double submit, a retry).
            models.UniqueConstraint(
                fields=["account", "source", "document_number"],
                name="receipt_once_per_document",
            ),
            # Only local finance money carries over, and only with its approval document.
            models.CheckConstraint(
                condition=models.Q(carry_over_approved=False)
                | (models.Q(source="local") & ~models.Q(carry_over_document="")),
                name="receipt_carry_over_local_with_document",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.received_on} {self.get_source_display()} {self.amount}"


class AllocationPlan(TrackedModel):
    """The allocation plan (分配使用方案) decided collectively by the union leadership."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草拟"
        EXECUTED = "executed", "已下达"

    account = models.ForeignKey(FundAccount, models.PROTECT, related_name="plans")
    year = models.PositiveSmallIntegerField("预算年度")
    title = models.CharField("方案名称", max_length=200)
    meeting_reference = models.CharField("会议纪要文号", max_length=100)
    meeting_date = models.DateField("会议日期")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    recorded_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")
    executed_on = models.DateField("下达日期", null=True, blank=True)
    executed_by = models.ForeignKey(
        "accounts.User", models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "分配使用方案"
        verbose_name_plural = "分配使用方案"
        ordering = ["-meeting_date", "-id"]

    def __str__(self) -> str:
        return self.title


class AllocationLine(TrackedModel):
    """One line of a plan: an amount of one receipt for one county (or kept at the city)."""

    plan = models.ForeignKey(AllocationPlan, models.PROTECT, related_name="lines")
    receipt = models.ForeignKey(Receipt, models.PROTECT, related_name="allocation_lines")
    to_account = models.ForeignKey(FundAccount, models.PROTECT, related_name="+")
    item = models.CharField("项目", max_length=16, choices=Item.choices, blank=True)
    amount = _amount("金额（元）")

    class Meta:
        verbose_name = "分配明细"
        verbose_name_plural = "分配明细"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.plan} → {self.to_account} {self.amount}"


class Transfer(TrackedModel):
    """Money passed down the tree (下拨): one transfer, one entry in each account."""

    from_account = models.ForeignKey(FundAccount, models.PROTECT, related_name="+")
    to_account = models.ForeignKey(FundAccount, models.PROTECT, related_name="+")
    line = models.OneToOneField(
        AllocationLine, models.PROTECT, null=True, blank=True, related_name="transfer"
    )
    receipt = models.ForeignKey(Receipt, models.PROTECT, null=True, blank=True, related_name="+")
    transfer_date = models.DateField("下拨日期")
    year = models.PositiveSmallIntegerField("预算年度")
    source = models.CharField("资金来源", max_length=12, choices=Source.choices)
    item = models.CharField("项目", max_length=16, choices=Item.choices, blank=True)
    amount = _amount("金额（元）")
    reference = models.CharField("凭证号", max_length=100)
    recorded_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "资金下拨"
        verbose_name_plural = "资金下拨"
        ordering = ["-transfer_date", "-id"]

    def __str__(self) -> str:
        return f"{self.from_account} → {self.to_account} {self.amount}"


class BudgetRequest(TrackedModel):
    """Tai'an: a county's budget request for the next quarter, submitted in the last month
    of the current quarter (TA-F §7)."""

    account = models.ForeignKey(FundAccount, models.PROTECT, related_name="budget_requests")
    year = models.PositiveSmallIntegerField("申请年度")
    quarter = models.PositiveSmallIntegerField(
        "申请季度", choices=[(q, f"第{q}季度") for q in (1, 2, 3, 4)]
    )
    submitted_on = models.DateField("报送日期")
    amount = _amount("申请金额（元）")
    items = models.JSONField("分项目金额", default=dict)
    on_time = models.BooleanField("按时报送")
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "季度资金预算申请"
        verbose_name_plural = "季度资金预算申请"
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "year", "quarter"], name="budget_request_once_per_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.year}年第{self.quarter}季度"


class Grant(TrackedModel):
    """An assistance item for an archived household (帮扶项目): proposed, approved by a
    second person, then paid once by bank transfer (先建档、后帮扶、实名制)."""

    SCOPE_FIELDS = {Level.CITY: "city", Level.COUNTY: "county", Level.GRASSROOTS: "organisation"}

    class Status(models.TextChoices):
        PROPOSED = "proposed", "待审批"
        APPROVED = "approved", "已审批待发放"
        REJECTED = "rejected", "不予批准"
        PAID = "paid", "已发放"
        CANCELLED = "cancelled", "已撤销"

    # Grants that count towards a household's year (limits, totals, earlier aid).
    COUNTED_STATUSES = (Status.PROPOSED, Status.APPROVED, Status.PAID)

    archive = models.ForeignKey(Archive, models.PROTECT, related_name="grants")
    account = models.ForeignKey(FundAccount, models.PROTECT, related_name="grants")
    organisation = models.ForeignKey(Organisation, models.PROTECT, related_name="+")
    county = models.ForeignKey(Organisation, models.PROTECT, related_name="+")
    city = models.ForeignKey(Organisation, models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    item = models.CharField("救助项目", max_length=16, choices=Item.choices)
    source = models.CharField("资金来源", max_length=12, choices=Source.choices)
    category = models.CharField("档案类别", max_length=16)
    standard_amount = models.DecimalField("标准金额（元）", max_digits=14, decimal_places=2)
    amount = _amount("救助金额（元）")
    basis = models.TextField("计算依据")
    inputs = models.JSONField("计算数据", default=dict)
    assessment = models.JSONField("再评估结果", null=True, blank=True)
    provincial_approval = models.CharField("省总工会审批文号", max_length=100, blank=True)
    national_approval = models.CharField("全国总工会同意文号", max_length=100, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.PROPOSED, db_index=True
    )
    proposed_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        "accounts.User", models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    opinion = models.TextField("审批意见", blank=True)
    paid_on = models.DateField("发放日期", null=True, blank=True)

    class Meta:
        verbose_name = "帮扶救助项目"
        verbose_name_plural = "帮扶救助项目"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["archive", "year", "item"]),
            models.Index(fields=["county", "status", "-created_at"]),
            models.Index(fields=["city", "status", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="grant_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.archive.person_name} {self.get_item_display()} {self.amount}"


def slip_path(batch: "PaymentBatch", filename: str) -> str:
    return f"funds/slips/{batch.pk}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class PaymentBatch(TrackedModel):
    """A batch of approved grants paid by bank transfer (发放批次) with its roster (花名册)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待报送银行"
        SENT = "sent", "已报送银行"
        SETTLED = "settled", "已回单"

    account = models.ForeignKey(FundAccount, models.PROTECT, related_name="batches")
    number = models.CharField("批次号", max_length=24, unique=True, null=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")
    sent_on = models.DateField("报送银行日期", null=True, blank=True)
    bank_slip = models.FileField("银行回单", upload_to=slip_path, blank=True)
    bank_slip_name = models.CharField("回单文件名", max_length=200, blank=True)
    settled_on = models.DateField("回单日期", null=True, blank=True)

    class Meta:
        verbose_name = "发放批次"
        verbose_name_plural = "发放批次"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number or "发放批次"


class PaymentLine(TrackedModel):
    """One line of the roster: one grant to the worker's own card, and the bank's result."""

    class Status(models.TextChoices):
        PENDING = "pending", "待银行处理"
        PAID = "paid", "已到账"
        FAILED = "failed", "发放失败"

    batch = models.ForeignKey(PaymentBatch, models.PROTECT, related_name="lines")
    grant = models.ForeignKey(Grant, models.PROTECT, related_name="payment_lines")
    payee_name = models.CharField("收款人", max_length=50)
    bank_name = models.CharField("开户银行", max_length=50)
    card_cipher = models.TextField(editable=False)
    card_masked = models.CharField("银行卡号", max_length=24)
    amount = _amount("金额（元）")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    failure_reason = models.CharField("失败原因", max_length=200, blank=True)
    bank_reference = models.CharField("银行流水号", max_length=100, blank=True)
    paid_on = models.DateField("到账日期", null=True, blank=True)
    entry_due = models.DateField("录入截止（30个工作日）", null=True, blank=True)
    result_recorded_at = models.DateTimeField("结果登记时间", null=True, blank=True)
    result_recorded_by = models.ForeignKey(
        "accounts.User", models.PROTECT, null=True, blank=True, related_name="+"
    )
    notification = models.ForeignKey(
        Notification, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "发放明细"
        verbose_name_plural = "发放明细"
        ordering = ["id"]
        constraints = [
            # A grant is never paid twice: at most one line pending or paid.
            models.UniqueConstraint(
                fields=["grant"],
                condition=models.Q(status__in=["pending", "paid"]),
                name="payment_line_one_live_per_grant",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="failed") | ~models.Q(failure_reason=""),
                name="payment_line_failure_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch} {self.payee_name} {self.amount}"


def return_path(upload: "BankReturn", filename: str) -> str:
    return f"funds/returns/{upload.batch_id}/{upload.sha256}{Path(filename).suffix.lower()}"


class BankReturn(TrackedModel):
    """The bank's return file (回盘文件) of a batch, kept as uploaded (private storage) and
    named by its SHA-256: the preview and the confirmation both read it again."""

    batch = models.ForeignKey(PaymentBatch, models.PROTECT, related_name="returns")
    sha256 = models.CharField("SHA-256", max_length=64)
    file = models.FileField("文件", upload_to=return_path)
    name = models.CharField("文件名", max_length=200)
    uploaded_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField("登记时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        "accounts.User", models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "银行回盘文件"
        verbose_name_plural = "银行回盘文件"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "sha256"], name="bank_return_once_per_batch")
        ]

    def __str__(self) -> str:
        return f"{self.batch} {self.name}"


class Entry(TrackedModel):
    """One movement of money in one account (记账分录). Append-only.

    `amount` is signed: money in is positive, money out negative. A reversal carries the
    opposite amount and names the entry it reverses; an entry is reversed at most once.
    """

    SCOPE_FIELDS = {Level.CITY: "city", Level.COUNTY: "county"}

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "资金到账"
        TRANSFER_IN = "transfer_in", "上级下拨"
        TRANSFER_OUT = "transfer_out", "下拨"
        PAYMENT = "payment", "帮扶支出"
        RETURN = "return", "资金上缴（退回）"
        REVERSAL = "reversal", "冲销"
        RECOVERED = "recovered", "追回"

    account = models.ForeignKey(FundAccount, models.PROTECT, related_name="entries")
    county = models.ForeignKey(
        Organisation, models.PROTECT, null=True, blank=True, related_name="+"
    )
    city = models.ForeignKey(Organisation, models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    entry_date = models.DateField("记账日期")
    year = models.PositiveSmallIntegerField("预算年度")
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2)
    source = models.CharField("资金来源", max_length=12, choices=Source.choices)
    fund_category = models.CharField("资金类别", max_length=12, choices=FundCategory.choices)
    item = models.CharField("项目", max_length=16, choices=Item.choices, blank=True)
    counterpart = models.CharField("对方单位（收款人）", max_length=100)
    reference = models.CharField("凭证号（文号）", max_length=100)
    description = models.CharField("摘要", max_length=200)
    reverses = models.OneToOneField(
        "self", models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    receipt = models.ForeignKey(Receipt, models.PROTECT, null=True, blank=True, related_name="+")
    transfer = models.ForeignKey(
        Transfer, models.PROTECT, null=True, blank=True, related_name="entries"
    )
    payment_line = models.ForeignKey(
        PaymentLine, models.PROTECT, null=True, blank=True, related_name="entries"
    )
    # A recovered repayment (追回) names the recovery line it repays and the repayment.
    recovery_line = models.ForeignKey(
        "RecoveryLine", models.PROTECT, null=True, blank=True, related_name="entries"
    )
    repayment = models.ForeignKey(
        "RecoveryRepayment", models.PROTECT, null=True, blank=True, related_name="entries"
    )
    created_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "记账分录"
        verbose_name_plural = "记账分录"
        ordering = ["entry_date", "id"]
        indexes = [
            models.Index(fields=["account", "year", "entry_date", "id"]),
            models.Index(fields=["account", "year", "source"]),
            models.Index(fields=["city", "year", "entry_date", "id"]),
            models.Index(fields=["county", "year", "entry_date", "id"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="entry_amount_not_zero"),
            models.CheckConstraint(
                condition=models.Q(kind="reversal") | models.Q(reverses__isnull=True),
                name="entry_only_reversal_reverses",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="reversal") | models.Q(reverses__isnull=False),
                name="entry_reversal_names_entry",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="payment") | models.Q(payment_line__isnull=False),
                name="entry_payment_is_a_grant_payment",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="recovered")
                    & models.Q(recovery_line__isnull=False, repayment__isnull=False, amount__gt=0)
                )
                | (
                    ~models.Q(kind="recovered")
                    & models.Q(recovery_line__isnull=True, repayment__isnull=True)
                ),
                name="entry_recovered_repays_a_recovery_line",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_date} {self.get_kind_display()} {self.amount}"


class ExportJob(TrackedModel):
    """A large export built in the background (a province-size year), then downloaded."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    requested_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, models.PROTECT, related_name="+")
    kind = models.CharField("导出内容", max_length=32)
    params = models.JSONField("条件", default=dict)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField("文件", upload_to="funds/exports/", blank=True)
    rows = models.PositiveIntegerField("行数", default=0)
    error = models.TextField("错误", blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.get_status_display()}"


# --- Recovering money and reducing or stopping a county's allocation (WH-M §19, TA-F §14) --


class Recovery(TrackedModel):
    """Money to be recovered from a household found to have given false information
    (追回帮扶资金, WH-M §19; TA-F §14 追回违规所得资金).

    A county reviewer records the finding with its evidence, the paid grants concerned and
    the amount (never more than they paid); another county reviewer confirms it
    (职责分离), which closes the archive for cause and tells the worker. Repayments are
    booked back into the account, year, source and item of the original grants
    (`RecoveryLine`, `Entry.Kind.RECOVERED`). Moves: `funds.lifecycles.RECOVERIES`.
    """

    SCOPE_FIELDS = {Level.CITY: "city", Level.COUNTY: "county"}

    class Status(models.TextChoices):
        RECORDED = "recorded", "待确认"
        CONFIRMED = "confirmed", "已确认，追回中"
        REPAID = "repaid", "已全部追回"
        CLOSED = "closed", "已终结追回"
        CANCELLED = "cancelled", "已撤销"

    # Money is owed while the recovery is confirmed; the rest owe nothing (more).
    OWING_STATUSES = (Status.CONFIRMED,)
    # A grant's money counts as being recovered while its recovery is one of these.
    LIVE_STATUSES = (Status.RECORDED, Status.CONFIRMED, Status.REPAID, Status.CLOSED)

    archive = models.ForeignKey(Archive, models.PROTECT, related_name="recoveries")
    account = models.ForeignKey(FundAccount, models.PROTECT, related_name="recoveries")
    county = models.ForeignKey(Organisation, models.PROTECT, related_name="+")
    city = models.ForeignKey(Organisation, models.PROTECT, related_name="+")
    finding = models.TextField("查实的虚假信息")
    found_on = models.DateField("查实日期")
    evidence = models.ForeignKey(
        "assistance.CaseDocument", models.PROTECT, related_name="+", verbose_name="查实材料"
    )
    amount = _amount("应追回金额（元）")
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.RECORDED, db_index=True
    )
    recorded_by = models.ForeignKey(
        "accounts.User", models.PROTECT, related_name="+", verbose_name="登记人"
    )
    confirmed_by = models.ForeignKey(
        "accounts.User",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认人",
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    notification = models.ForeignKey(
        Notification,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="告知记录",
    )
    decided_by = models.ForeignKey(
        "accounts.User",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="撤销或终结人",
    )
    decision_note = models.TextField("撤销或终结说明", blank=True)

    class Meta:
        verbose_name = "帮扶资金追回"
        verbose_name_plural = "帮扶资金追回"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["county", "status"]),
            models.Index(fields=["city", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.archive.person_name} 追回 {self.amount}"


class RecoveryLine(TrackedModel):
    """The part of a recovery that falls on one paid grant: repaid into that grant's
    account, year, source and item. Lines are filled grant by grant, oldest grant first."""

    recovery = models.ForeignKey(Recovery, models.PROTECT, related_name="lines")
    grant = models.ForeignKey(Grant, models.PROTECT, related_name="recovery_lines")
    amount = _amount("应追回金额（元）")

    class Meta:
        verbose_name = "追回明细"
        verbose_name_plural = "追回明细"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["recovery", "grant"], name="recovery_line_once"),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="recovery_line_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recovery} · {self.grant}"


class RecoveryRepayment(TrackedModel):
    """Money the worker paid back (退回款): one `recovered` entry per line it fills."""

    recovery = models.ForeignKey(Recovery, models.PROTECT, related_name="repayments")
    received_on = models.DateField("收款日期")
    amount = _amount("收回金额（元）")
    reference = models.CharField("收款凭证号（银行流水号）", max_length=100)
    recorded_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "追回款收回"
        verbose_name_plural = "追回款收回"
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"{self.recovery} 收回 {self.amount}"


class AllocationRestriction(TrackedModel):
    """The city's recorded decision to reduce or stop a county's allocation of a budget
    year (减拨、停拨, TA-F §14). Executing an allocation plan respects it: stopped, nothing
    more goes to the county that year; reduced, the year's allocations to the county may not
    exceed the ceiling decided. Lifted with a reason; its history is kept."""

    class Kind(models.TextChoices):
        REDUCE = "reduce", "减拨"
        STOP = "stop", "停拨"

    class Status(models.TextChoices):
        IN_FORCE = "in_force", "执行中"
        LIFTED = "lifted", "已解除"

    account = models.ForeignKey(FundAccount, models.PROTECT, related_name="+")
    to_account = models.ForeignKey(FundAccount, models.PROTECT, related_name="restrictions")
    year = models.PositiveSmallIntegerField("预算年度")
    kind = models.CharField("决定", max_length=8, choices=Kind.choices)
    ceiling = models.DecimalField(
        "减拨后本年度下拨上限（元）",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    reason = models.TextField("理由")
    decision_reference = models.CharField("决定文号（会议纪要）", max_length=100)
    decided_on = models.DateField("决定日期")
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.IN_FORCE
    )
    recorded_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")
    lifted_by = models.ForeignKey(
        "accounts.User", models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_on = models.DateField("解除日期", null=True, blank=True)
    lift_reason = models.TextField("解除理由", blank=True)

    class Meta:
        verbose_name = "减拨、停拨决定"
        verbose_name_plural = "减拨、停拨决定"
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="reduce", ceiling__isnull=False, ceiling__gte=0)
                | models.Q(kind="stop", ceiling__isnull=True),
                name="restriction_reduce_has_ceiling",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.to_account} {self.year}年度{self.get_kind_display()}"
