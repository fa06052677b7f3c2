import uuid
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from guardian.managers import UserObjectPermissionManager
from guardian.models import UserObjectPermissionBase

from accounts.models import Organisation
from accounts.roles import Level
from assistance.eligibility import (
    EXPENSE_KINDS,
    INCOME_KINDS,
    Category,
    Exclusion,
    MainCause,
    MedicalTier,
    PolicyRules,
)
from core.models import TrackedModel, TrackedQuerySet
from core.money import AmountTextError, parse_yuan


def _money(label: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        label, max_digits=12, decimal_places=2, validators=[MinValueValidator(0)], **kwargs
    )


def _approval(label: str) -> models.DecimalField:
    return models.DecimalField(
        label, max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )


class ApprovalReading(models.TextChoices):
    """How a policy reads its approval thresholds (Civil Code art. 1259: 以上 includes the
    number, 超过 does not)."""

    INCLUSIVE = "inclusive", "以上：达到额度即须审批（含本数，芜湖实施办法第九条第一项第5目）"
    EXCLUSIVE = "exclusive", "超过：超过额度才须审批（不含本数，芜湖细则第九条）"


def _count(label: str, **kwargs) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, **kwargs)


POLICY_MONEY_FIELDS = (
    "minimum_rigid_expenses",
    "relative_rigid_expenses_floor",
    "accident_cost_threshold",
    "medical_floor",
    "accident_cap",
)


APPROVAL_THRESHOLD_FIELDS = ("provincial_approval_threshold", "national_approval_threshold")
# A policy's identity and period: not rules, so they name no source of their own.
POLICY_IDENTITY_FIELDS = frozenset(
    {"id", "created_at", "updated_at", "code", "name", "document", "region"}
    | {"effective_from", "effective_to"}
)


class Policy(TrackedModel):
    """Every number of DOMAIN.md §3, §5–§8 for one region and period (policy as data, §9).

    A case is judged under the policy in force in its region on its application date.
    """

    class Workflow(models.TextChoices):
        WUHU = "wuhu", "芜湖：县级审核、信息比对后在基层公示"
        TAIAN = "taian", "泰安：基层初核后公示，市级认定"

    class Item(models.TextChoices):
        LIVING = "living", "生活救助"
        MEDICAL = "medical", "医疗救助"
        EDUCATION = "education", "助学救助"
        TRAINING = "training", "职业培训和职业介绍"
        LEGAL_AID = "legal_aid", "法律援助"

    code = models.SlugField("政策编号", max_length=32, unique=True)
    name = models.CharField("名称", max_length=200)
    document = models.CharField("文件依据", max_length=200)
    region = models.SlugField("地区", max_length=32)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)
    workflow = models.CharField("审核流程", max_length=16, choices=Workflow.choices)

    # Eligibility (DOMAIN.md §3; WH-M §5–§7)
    deep_line_multiple = models.DecimalField(
        "深度困难线（低保标准倍数）", max_digits=4, decimal_places=2, default=Decimal("1")
    )
    relative_line_multiple = models.DecimalField(
        "相对困难线（低保标准倍数）", max_digits=4, decimal_places=2, default=Decimal("2")
    )
    minimum_rigid_expenses = _money("建档最低致困支出（小于此数不建深度、相对档案）")
    relative_rigid_expenses_floor = _money("相对困难最低致困支出（不超过此数不建相对档案）")
    accident_cost_threshold = _money("意外致困年度致困费用标准（含本数）")
    migrant_min_labour_months = _count("农民工最短事实劳动关系（月）")
    no_deep_homes = _count("不建深度档案的城镇住房套数")
    no_deep_vehicles = _count("不建深度档案的机动车数")
    no_file_homes = _count("不建档的城镇住房套数")
    no_file_vehicles = _count("不建档的机动车数")
    no_file_homes_with_vehicle = _count("有机动车时不建档的住房套数")

    # Standards (DOMAIN.md §6; WH-M §9)
    deep_living_months = _count("深度困难生活救助（月低保标准）")
    relative_living_months = _count("相对困难生活救助（月低保标准）")
    deep_education_months = _count("深度困难助学（每生，月低保标准）")
    relative_education_months = _count("相对困难助学（每生，月低保标准）")
    medical_floor = _money("医疗救助起点（医保内个人负担）")
    deep_medical_tiers = models.JSONField(
        "深度困难医疗救助档次",
        help_text='[["10000", "4000"], ..., [null, "20000"]]：上限（含）与金额',
    )
    relative_medical_tiers = models.JSONField("相对困难医疗救助档次")
    accident_rate = models.DecimalField("意外致困救助比例", max_digits=4, decimal_places=3)
    accident_cap = _money("意外致困救助上限")
    relative_items_per_year = _count("相对困难每年救助项目数")
    accident_items_per_year = _count("意外致困每年救助项目数")
    items_funded = models.JSONField("资助项目", default=list)
    # WH-M §9(一)5 says 2万元以上 / 5万元以上 (以上 includes the number), WH-F §9 says 超过
    # (excludes it): the reading is policy data, inclusive (the stricter) by default.
    provincial_approval_threshold = _approval("单项年度合计达到此额报省总工会审批（元）")
    national_approval_threshold = _approval("单项年度合计达到此额报全国总工会同意（元）")
    approval_threshold_reading = models.CharField(
        "审批额度是否含本数",
        max_length=16,
        choices=ApprovalReading.choices,
        default=ApprovalReading.INCLUSIVE,
    )

    # Deadlines and cycles (DOMAIN.md §5, §7, §8)
    notice_working_days = _count("公示期（工作日）")
    entry_working_days = _count("帮扶后录入系统时限（工作日）")
    allocation_working_days = _count("资金下达时限（工作日）")
    exit_recheck_working_days = _count("退档复核时限（工作日）")
    exit_objection_months = _count("退档异议期（月）")
    exit_months_above_line = _count("脱困：收入连续超过低保的月数")
    phase_out_months = _count("脱困渐退期（月）")
    reverify_months_deep = _count("深度困难核查周期（月）")
    reverify_months_relative = _count("相对困难核查周期（月）")
    reverify_months_accident = _count("意外致困核查周期（月）")
    retention_years = _count("档案保管年限（自撤档起）")
    visit_coverage_percent = _count("新建档走访核查比例下限（%）")

    # Where the version came from (DOMAIN.md §9): the policy it was copied from, and for each
    # rule field the document its value rests on — a changed value's own source, an unchanged
    # one's carried over from the base. Tai'an's seed cites the provincial documents it follows
    # instead of stating numbers, so each number names its document.
    based_on = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name="复制自",
    )
    sources = models.JSONField("各项数值的依据文件", default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = "帮扶政策"
        verbose_name_plural = "帮扶政策"
        ordering = ["region", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "effective_from"], name="policy_one_per_region_and_date"
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="policy_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(accident_rate__gte=0, accident_rate__lte=1),
                name="policy_accident_rate_fraction",
            ),
            models.CheckConstraint(
                condition=models.Q(deep_line_multiple__gt=0, relative_line_multiple__gt=0),
                name="policy_line_multiples_positive",
            ),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__gte": 0}), name=f"policy_{name}_non_negative"
                )
                for name in POLICY_MONEY_FIELDS
            ],
            models.CheckConstraint(
                condition=models.Q(
                    provincial_approval_threshold__gt=0, national_approval_threshold__gt=0
                ),
                name="policy_approval_thresholds_positive",
                violation_error_message="报省总工会审批和报全国总工会同意的金额须大于0元。",
            ),
            models.CheckConstraint(
                condition=models.Q(approval_threshold_reading__in=["inclusive", "exclusive"]),
                name="policy_approval_threshold_reading_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def clean(self) -> None:
        errors = {}
        for name in ("deep_medical_tiers", "relative_medical_tiers"):
            try:
                parse_medical_tiers(getattr(self, name))
            except ValueError as exc:
                errors[name] = str(exc)
        unknown = set(self.items_funded or []) - set(self.Item.values)
        if unknown or not self.items_funded:
            errors["items_funded"] = (
                "资助项目须从生活、医疗、助学、职业培训和职业介绍、法律援助中选择。"
            )
        for name in APPROVAL_THRESHOLD_FIELDS:
            value = getattr(self, name)
            if value is not None and value <= 0:
                errors[name] = (
                    f"“{self._meta.get_field(name).verbose_name}”须大于0元"
                    "（芜湖实施办法第九条第一项第5目：2万元以上报送省总工会审批，"
                    "5万元以上报送全总审批）。"
                )
        provincial, national = self.provincial_approval_threshold, self.national_approval_threshold
        if provincial and national and 0 < national < provincial:
            errors["national_approval_threshold"] = (
                "报全国总工会同意的额度不能低于报省总工会审批的额度。"
            )
        if errors:
            raise ValidationError(errors)

    @property
    def approval_inclusive(self) -> bool:
        """Whether a yearly total exactly at an approval threshold already needs it (以上)."""
        return self.approval_threshold_reading == ApprovalReading.INCLUSIVE

    @classmethod
    def rule_fields(cls) -> list[str]:
        """The fields that carry a rule (every number, tier, item and the workflow): each one
        names its source document in `sources`."""
        return [
            field.name
            for field in cls._meta.concrete_fields
            if field.editable and field.name not in POLICY_IDENTITY_FIELDS
        ]

    def source_of(self, name: str) -> str:
        """The document `name`'s value rests on: its own source, else the policy's document."""
        return (self.sources or {}).get(name) or self.document

    def rules(self) -> PolicyRules:
        """The numbers the eligibility engine needs, as plain values."""
        return PolicyRules(
            code=self.code,
            deep_line_multiple=self.deep_line_multiple,
            relative_line_multiple=self.relative_line_multiple,
            minimum_rigid_expenses=self.minimum_rigid_expenses,
            relative_rigid_expenses_floor=self.relative_rigid_expenses_floor,
            accident_cost_threshold=self.accident_cost_threshold,
            migrant_min_labour_months=self.migrant_min_labour_months,
            no_deep_homes=self.no_deep_homes,
            no_deep_vehicles=self.no_deep_vehicles,
            no_file_homes=self.no_file_homes,
            no_file_vehicles=self.no_file_vehicles,
            no_file_homes_with_vehicle=self.no_file_homes_with_vehicle,
            deep_living_months=self.deep_living_months,
            relative_living_months=self.relative_living_months,
            deep_education_months=self.deep_education_months,
            relative_education_months=self.relative_education_months,
            medical_floor=self.medical_floor,
            deep_medical_tiers=parse_medical_tiers(self.deep_medical_tiers),
            relative_medical_tiers=parse_medical_tiers(self.relative_medical_tiers),
            accident_rate=self.accident_rate,
            accident_cap=self.accident_cap,
        )


def parse_medical_tiers(raw) -> tuple[MedicalTier, ...]:
    """`[[up_to, amount], ...]`, bounds ascending, the last open (`null`)."""
    message = "医疗救助档次格式应为 [[上限, 金额], ...]，上限递增，最后一档上限为 null。"
    if not isinstance(raw, list) or not raw:
        raise ValueError(message)
    tiers = []
    previous = None
    for index, row in enumerate(raw):
        if not isinstance(row, list | tuple) or len(row) != 2:
            raise ValueError(message)
        last = index == len(raw) - 1
        try:  # typed amounts: plain digits, never "2万" or "1e4" (core.money.parse_yuan)
            up_to = None if row[0] is None else parse_yuan(str(row[0]))
            amount = parse_yuan(str(row[1]))
        except AmountTextError as exc:
            raise ValueError(message) from exc
        if (up_to is None) != last or amount < 0:
            raise ValueError(message)
        if up_to is not None and previous is not None and up_to <= previous:
            raise ValueError(message)
        previous = up_to
        tiers.append(MedicalTier(up_to=up_to, amount=amount))
    return tuple(tiers)


class MinimumLivingStandard(TrackedModel):
    """A county's monthly urban minimum living standard (城市低保标准) from a date on."""

    county = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="minimum_living_standards",
        limit_choices_to={"level": Level.COUNTY},
        verbose_name="县（市、区）",
    )
    monthly_amount = models.DecimalField(
        "月低保标准（元）",
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    effective_from = models.DateField("执行日期")
    document = models.CharField("依据文件", max_length=200, blank=True)

    class Meta:
        verbose_name = "城市低保标准"
        verbose_name_plural = "城市低保标准"
        ordering = ["county__code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "effective_from"], name="mls_one_per_county_and_date"
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_amount__gt=0), name="mls_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.effective_from:%Y-%m-%d} 起 {self.monthly_amount} 元/月"


# The household's figures (WH-M §6): money, never negative in the database.
CASE_MONEY_FIELDS = (
    *(f"income_{kind}" for kind in INCOME_KINDS),
    *(f"expense_{kind}" for kind in EXPENSE_KINDS),
    "employment_costs",
    "accident_costs",
    "medical_out_of_pocket",
)
# What the engine reads from a case besides the money.
CASE_ASSESSED_FIELDS = (
    "application_date",
    *CASE_MONEY_FIELDS,
    "urban_homes",
    "vehicles",
    "main_cause",
    "retired",
    "migrant_worker",
    "labor_relation_months",
    "fixed_urban_residence",
    "exclusions",
)
# Everything a caseworker enters on the application form, but the numbers kept encrypted.
CASE_INPUT_FIELDS = (
    "channel",
    "applicant_name",
    "phone",
    "work_unit",
    "employment",
    "bank_name",
    *CASE_ASSESSED_FIELDS,
)


class Case(TrackedModel):
    """A household's application (申请) and, later, its way through the review chain.

    The organisation path (`organisation` → `county` → `city`) is copied onto the row so that
    scoping a list is one indexed equality. Personal numbers are kept encrypted, with a keyed
    hash for exact search and duplicate detection and a mask for lists (`core.crypto`).
    """

    SCOPE_FIELDS = {Level.CITY: "city", Level.COUNTY: "county", Level.GRASSROOTS: "organisation"}

    class Status(models.TextChoices):
        """Where the application stands; the moves between them are `assistance.workflow`."""

        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "待基层初审"
        RETURNED = "returned", "退回补充材料"
        COUNTY_REVIEW = "county_review", "待县级审核"
        COMPARISON = "comparison", "待信息比对"
        CITY_CONFIRMATION = "city_confirmation", "待市级认定"
        NOTICE = "notice", "公示中"
        APPROVED = "approved", "已认定"
        REJECTED = "rejected", "不予帮扶"
        WITHDRAWN = "withdrawn", "已撤回"

    # Applications still in hand: a person may stand in only one of them (一户一档, WH-M §16).
    CLOSED_STATUSES = (Status.REJECTED, Status.WITHDRAWN)
    OPEN_STATUSES = (
        Status.DRAFT,
        Status.SUBMITTED,
        Status.RETURNED,
        Status.COUNTY_REVIEW,
        Status.COMPARISON,
        Status.CITY_CONFIRMATION,
        Status.NOTICE,
        Status.APPROVED,
    )
    # An approved application stays in hand while its household's archive does: once the
    # archive is closed or merged, its people may apply again. The archives' own
    # `Archive.FINAL_STATUSES`, named here so that assistance imports nothing of archives
    # (tests/test_architecture.py keeps the two equal).
    ARCHIVE_FINAL_STATUSES = ("closed", "merged")

    class Channel(models.TextChoices):
        PAPER = "paper", "书面申请"
        APP = "app", "工会APP在线申请"

    class Employment(models.TextChoices):
        IN_POST = "in_post", "在岗"
        LAID_OFF = "laid_off", "下岗失业"
        FLEXIBLE = "flexible", "灵活就业"

    class Sex(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    number = models.CharField("申请编号", max_length=20, unique=True, null=True, editable=False)
    status = models.CharField(
        "状态", max_length=24, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="cases", verbose_name="受理基层工会"
    )
    county = models.ForeignKey(Organisation, models.PROTECT, related_name="+", editable=False)
    city = models.ForeignKey(Organisation, models.PROTECT, related_name="+", editable=False)
    channel = models.CharField("申请渠道", max_length=8, choices=Channel.choices)
    application_date = models.DateField("申请日期", db_index=True)
    entered_by = models.ForeignKey(
        "accounts.User", models.PROTECT, related_name="+", editable=False, verbose_name="录入人"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True, editable=False)

    # Applicant (WH-M §6, WH-annex 二)
    applicant_name = models.CharField("申请人姓名", max_length=50, db_index=True)
    applicant_id_cipher = models.TextField(editable=False)
    applicant_id_hash = models.CharField(max_length=64, db_index=True, editable=False)
    applicant_id_masked = models.CharField("身份证号", max_length=18, editable=False)
    birth_date = models.DateField("出生日期", editable=False)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices, editable=False)
    phone = models.CharField("联系电话", max_length=20)
    work_unit = models.CharField("工作单位", max_length=100)
    employment = models.CharField("就业状态", max_length=16, choices=Employment.choices)
    migrant_worker = models.BooleanField("农民工", default=False)
    labor_relation_months = models.PositiveSmallIntegerField("事实劳动关系（月）", default=0)
    fixed_urban_residence = models.BooleanField("在城市有固定居所", default=False)
    retired = models.BooleanField("离退休人员", default=False)
    bank_name = models.CharField("开户银行", max_length=50)
    bank_card_cipher = models.TextField(editable=False)
    bank_card_masked = models.CharField("银行卡号", max_length=24, editable=False)

    # 12 months before the application date (WH-M §6(四))
    income_wages = _money("工资性收入", default=0)
    income_business = _money("经营净收入", default=0)
    income_property = _money("财产净收入", default=0)
    income_transfer = _money("转移净收入", default=0)
    income_other = _money("其他收入", default=0)
    expense_medical = _money("因病支出", default=0)
    expense_disability = _money("因残支出", default=0)
    expense_education = _money("因学支出", default=0)
    expense_housing = _money("住房租金支出", default=0)
    expense_other = _money("其他刚性支出", default=0)
    # WH-M §5(二), annex 1(2): deducted from income, but no rigid expense.
    employment_costs = _money("必要就业成本", default=0)
    accident_costs = _money("年度致困费用（损失）", default=0)
    medical_out_of_pocket = _money("医保内个人负担医疗费", default=0)
    urban_homes = models.PositiveSmallIntegerField("城镇住房（套）", default=0)
    vehicles = models.PositiveSmallIntegerField("机动车（辆）", default=0)
    main_cause = models.CharField("主要致困原因", max_length=16, choices=MainCause.choices())
    exclusions = models.JSONField("不予帮扶情形", default=list, blank=True)

    household_size = models.PositiveSmallIntegerField("共同生活人口", default=1, editable=False)
    students = models.PositiveSmallIntegerField("在校学生", default=0, editable=False)

    # The assessment as saved, with the policy and 低保 it was made under (never recomputed).
    policy = models.ForeignKey(
        Policy, models.PROTECT, null=True, editable=False, related_name="cases"
    )
    minimum_living_standard = models.DecimalField(
        "适用低保标准", max_digits=8, decimal_places=2, null=True, editable=False
    )
    assessment = models.JSONField("评估结果", null=True, editable=False)
    category = models.CharField(
        "建议类别", max_length=16, choices=Category.choices(), null=True, editable=False
    )
    per_capita_income = models.DecimalField(
        "人均月收入", max_digits=12, decimal_places=2, null=True, editable=False
    )
    assessed_at = models.DateTimeField("评估时间", null=True, editable=False)

    # The review chain (assistance.workflow)
    state_entered_at = models.DateTimeField("进入当前环节时间", null=True, editable=False)
    returned_to = models.CharField(
        "补充材料后回到", max_length=24, choices=Status.choices, blank=True, editable=False
    )
    doubtful = models.BooleanField("建档存疑", default=False, editable=False)
    doubtful_reason = models.TextField("存疑原因", blank=True, editable=False)
    notice_start = models.DateField("公示开始", null=True, editable=False)
    notice_end = models.DateField("公示截止", null=True, editable=False)
    final_category = models.CharField(
        "认定类别", max_length=16, choices=Category.choices(), null=True, editable=False
    )
    decided_at = models.DateTimeField("办结时间", null=True, editable=False)
    rejection_reasons = models.JSONField("不予帮扶理由", default=list, editable=False)
    rejection_opinion = models.TextField("不予帮扶说明", blank=True, editable=False)

    class Meta:
        verbose_name = "帮扶申请"
        verbose_name_plural = "帮扶申请"
        ordering = ["-application_date", "-id"]
        permissions = [
            ("review_case", "指定审核该申请"),
            ("visit_case", "参与该申请的联合走访"),
        ]
        # Each level's list: its path key, then the list's own order (and with a status).
        indexes = [
            models.Index(fields=["county", "-application_date", "-id"]),
            models.Index(fields=["organisation", "-application_date", "-id"]),
            models.Index(fields=["city", "-application_date", "-id"]),
            models.Index(fields=["county", "status", "-application_date"]),
            models.Index(fields=["organisation", "status", "-application_date"]),
            models.Index(fields=["city", "status", "-application_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(household_size__gte=1), name="case_household_size_at_least_one"
            ),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__gte": 0}), name=f"case_{name}_non_negative"
                )
                for name in CASE_MONEY_FIELDS
            ],
        ]

    def __str__(self) -> str:
        return f"{self.number or '草稿'} {self.applicant_name}"

    @property
    def is_editable(self) -> bool:
        """A draft, or a case returned for more material, can be corrected by its caseworker."""
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def exclusion_labels(self) -> list[str]:
        return [Exclusion(code).label for code in self.exclusions]


class HouseholdMember(TrackedModel):
    """A member of the household living together (共同生活人口), besides the applicant."""

    class Relation(models.TextChoices):
        SPOUSE = "spouse", "配偶"
        CHILD = "child", "子女"
        PARENT = "parent", "父母"
        GRANDPARENT = "grandparent", "祖父母/外祖父母"
        GRANDCHILD = "grandchild", "孙子女/外孙子女"
        SIBLING = "sibling", "兄弟姐妹"
        OTHER = "other", "其他"

    class Health(models.TextChoices):
        HEALTHY = "healthy", "健康"
        CHRONIC = "chronic", "慢性病"
        SERIOUS = "serious", "重大疾病"

    class Disability(models.TextChoices):
        NONE = "none", "无"
        GRADE_1 = "1", "一级"
        GRADE_2 = "2", "二级"
        GRADE_3 = "3", "三级"
        GRADE_4 = "4", "四级"

    class School(models.TextChoices):
        NONE = "", "不在校"
        PRESCHOOL = "preschool", "学前教育"
        PRIMARY = "primary", "小学"
        JUNIOR = "junior", "初中"
        SENIOR = "senior", "普通高中"
        VOCATIONAL = "vocational", "中职/技工学校"
        COLLEGE = "college", "大专/本科"
        POSTGRADUATE = "postgraduate", "研究生"

    class Employment(models.TextChoices):
        EMPLOYED = "employed", "就业"
        UNEMPLOYED = "unemployed", "失业"
        FLEXIBLE = "flexible", "灵活就业"
        RETIRED = "retired", "离退休"
        NOT_WORKING = "not_working", "无劳动能力/未到就业年龄"
        STUDENT = "student", "在校学生"

    case = models.ForeignKey(Case, models.CASCADE, related_name="members")
    name = models.CharField("姓名", max_length=50)
    id_cipher = models.TextField(editable=False)
    id_hash = models.CharField(max_length=64, db_index=True, editable=False)
    id_masked = models.CharField("身份证号", max_length=18, editable=False)
    relation = models.CharField("与申请人关系", max_length=16, choices=Relation.choices)
    health = models.CharField("健康状况", max_length=16, choices=Health.choices)
    disability = models.CharField("残疾等级", max_length=8, choices=Disability.choices)
    school = models.CharField("在校情况", max_length=16, choices=School.choices, blank=True)
    employment = models.CharField("就业情况", max_length=16, choices=Employment.choices)

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "id_hash"], name="member_once_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_relation_display()}）"

    @property
    def is_student(self) -> bool:
        return bool(self.school)


def document_path(document: "CaseDocument", filename: str) -> str:
    return f"cases/{document.case_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class CaseDocument(TrackedModel):
    """A document of the application (WH-M §10(一), §16), stored outside the web root."""

    class Type(models.TextChoices):
        APPLICATION_FORM = "application_form", "帮扶救助申请书"
        ID_CARD = "id_card", "身份证"
        HOUSEHOLD_REGISTER = "household_register", "户口本"
        INCOME_PROOF = "income_proof", "家庭财产收入证明"
        HARDSHIP_PROOF = "hardship_proof", "家庭困难证明材料"
        AUTHORISATION = "authorisation", "家庭经济状况核对承诺授权书"
        VISIT_SURVEY = "visit_survey", "困难职工家庭走访调查表"
        COMPARISON_REPORT = "comparison_report", "家庭经济状况核对报告"
        SUPPLEMENT = "supplement", "补充材料"
        EXIT_REQUEST = "exit_request", "退档申请书"
        EXIT_REGISTRATION = "exit_registration", "困难职工脱困登记表（签字件）"
        RECHECK_REQUEST = "recheck_request", "退档复核申请书"
        FALSE_INFORMATION_EVIDENCE = "false_info_evidence", "虚假信息查实材料"

    REQUIRED_FOR_SUBMISSION = (
        Type.APPLICATION_FORM,
        Type.ID_CARD,
        Type.HOUSEHOLD_REGISTER,
        Type.INCOME_PROOF,
        Type.HARDSHIP_PROOF,
        Type.AUTHORISATION,
    )

    case = models.ForeignKey(Case, models.PROTECT, related_name="documents")
    doc_type = models.CharField("材料类型", max_length=24, choices=Type.choices)
    file = models.FileField("文件", upload_to=document_path)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")
    removed = models.BooleanField("已撤下", default=False)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["doc_type", "id"]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()}：{self.original_name}"


class DuplicateClearance(TrackedModel):
    """A reviewer's record of why a person may stand in this case and in another (一户一档)."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="duplicate_clearances")
    id_hash = models.CharField(max_length=64)
    person_name = models.CharField("姓名", max_length=50)
    other_case = models.ForeignKey(Case, models.PROTECT, related_name="+", null=True)
    reason = models.TextField("说明")
    cleared_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "重复申请说明"
        verbose_name_plural = "重复申请说明"
        constraints = [
            models.UniqueConstraint(
                fields=["case", "id_hash", "other_case"], name="duplicate_cleared_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.person_name}"


class PersonalDataAccess(TrackedModel):
    """Each display of a full ID or bank card number: who, which record, when (for auditors)."""

    SCOPE_FIELDS = {
        Level.CITY: "case__city",
        Level.COUNTY: "case__county",
        Level.GRASSROOTS: "case__organisation",
    }

    user = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, models.PROTECT, related_name="personal_data_accesses")
    fields = models.JSONField("查看内容")
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "个人信息查看记录"
        verbose_name_plural = "个人信息查看记录"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} 查看 {self.case}"


class CaseTransition(TrackedModel):
    """One step of the review chain: who moved the case, from where to where, and why.

    Append-only: the database refuses to change or delete a row (migration
    `0007_review_chain`), so the timeline can be trusted by an auditor.
    """

    case = models.ForeignKey(Case, models.PROTECT, related_name="transitions")
    action = models.CharField("操作", max_length=32)
    from_status = models.CharField("原环节", max_length=24, choices=Case.Status.choices)
    to_status = models.CharField("新环节", max_length=24, choices=Case.Status.choices)
    actor = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    opinion = models.TextField("意见", blank=True)
    reasons = models.JSONField("理由代码", default=list, blank=True)
    documents = models.ManyToManyField("CaseDocument", blank=True, related_name="+")

    class Meta:
        verbose_name = "审核环节记录"
        verbose_name_plural = "审核环节记录"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.action}"


class SurveySignature(models.TextChoices):
    """The worker's signature on the home-visit survey (困难职工家庭走访调查表) entered in
    the system; one who refuses or cannot sign has the visiting staff note why."""

    SIGNED = "signed", "职工已在调查表上签字确认"
    REFUSED = "refused", "职工拒绝签字（走访人员注明情况）"
    UNABLE = "unable", "职工无法签字（走访人员注明情况）"


def survey_unsigned_needs_note(name: str) -> models.CheckConstraint:
    """A survey entered in the system but not signed names why (WH-M §14)."""
    return models.CheckConstraint(
        condition=models.Q(survey_signature__in=["", SurveySignature.SIGNED])
        | ~models.Q(survey_note=""),
        name=name,
    )


class Visit(TrackedModel):
    """What every visit to a household records, at intake (`HomeVisit`) or to its archive
    (`archives.models.ArchiveVisit`): two or more staff of the visiting union (the rule:
    `assistance.rules.visit_staff_problem`), the date, the findings, and the survey of the
    visit (WH-M §10(二), §17) — its scan, or its entry in the system (the visit's record with
    the worker's signature on it); one of the two is required for a new visit
    (`assistance.services.documents.check_visit_survey`). Each concrete visit declares the
    `survey_unsigned_needs_note` constraint under its own name."""

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="+", verbose_name="走访工会"
    )
    visit_date = models.DateField("走访日期")
    findings = models.TextField("走访情况")
    survey = models.ForeignKey(
        "assistance.CaseDocument",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="走访调查表",
    )
    survey_signature = models.CharField(
        "调查表职工签字", max_length=8, choices=SurveySignature.choices, blank=True
    )
    survey_note = models.TextField("调查表未签字说明", blank=True)
    recorded_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class VisitStaff(TrackedModel):
    """One member of a visit's staff; each concrete table declares its `visit`."""

    user = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self.user)


class HomeVisit(Visit):
    """A home visit (入户走访) at intake by two or more staff of the visiting union
    (WH-M §10(二)(三), TA-A §12.3), with its survey; verified figures re-run the assessment."""

    case = models.ForeignKey(Case, models.PROTECT, related_name="visits")
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    verified = models.JSONField("核实数据", default=dict, blank=True)
    assessment_before = models.JSONField("核实前评估", null=True)
    assessment_after = models.JSONField("核实后评估", null=True)

    class Meta:
        verbose_name = "入户走访"
        verbose_name_plural = "入户走访"
        ordering = ["visit_date", "id"]
        constraints = [survey_unsigned_needs_note("visit_unsigned_survey_needs_note")]

    def __str__(self) -> str:
        return f"{self.case} 走访 {self.visit_date}"


class HomeVisitStaff(VisitStaff):
    visit = models.ForeignKey(HomeVisit, models.CASCADE, related_name="staff")

    class Meta:
        verbose_name = "走访人员"
        verbose_name_plural = "走访人员"
        constraints = [models.UniqueConstraint(fields=["visit", "user"], name="visit_staff_once")]


class InformationComparison(TrackedModel):
    """The result of comparing the household's economic data (信息比对, WH-M §10(四))."""

    class Result(models.TextChoices):
        CONSISTENT = "consistent", "一致（符合建档条件）"
        INCONSISTENT = "inconsistent", "不一致"

    case = models.ForeignKey(Case, models.PROTECT, related_name="comparisons")
    result = models.CharField("比对结果", max_length=16, choices=Result.choices)
    report = models.ForeignKey(
        "CaseDocument", models.PROTECT, related_name="+", verbose_name="比对报告"
    )
    # The step that brought the case into this comparison: a comparison counts only for it.
    stage_entry = models.ForeignKey(CaseTransition, models.PROTECT, null=True, related_name="+")
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "信息比对"
        verbose_name_plural = "信息比对"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_result_display()}"


class NoticeObjection(TrackedModel):
    """An objection raised during the public notice (公示异议)."""

    case = models.ForeignKey(Case, models.PROTECT, related_name="objections")
    raised_by = models.CharField("异议人", max_length=100)
    content = models.TextField("异议内容")
    recorded_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} 异议：{self.raised_by}"


class CasePermissionManager(UserObjectPermissionManager.from_queryset(TrackedQuerySet)):
    pass


class CaseUserObjectPermission(UserObjectPermissionBase, TrackedModel):
    """Individual grants on one case (django-guardian, direct foreign key).

    `review_case`: the case is assigned to this reviewer at its current level.
    `visit_case`: a user of another union joins the home visit of this case.
    """

    content_object = models.ForeignKey(Case, models.CASCADE, related_name="user_grants")

    objects = CasePermissionManager()

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "申请的个别授权"
        verbose_name_plural = "申请的个别授权"
