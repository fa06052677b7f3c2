from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from accounts.models import Organisation
from accounts.roles import Level
from assistance.eligibility import MedicalTier, PolicyRules
from core.models import TrackedModel


def _money(label: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        label, max_digits=12, decimal_places=2, validators=[MinValueValidator(0)], **kwargs
    )


def _count(label: str, **kwargs) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, **kwargs)


POLICY_MONEY_FIELDS = (
    "minimum_rigid_expenses",
    "relative_rigid_expenses_floor",
    "accident_cost_threshold",
    "medical_floor",
    "accident_cap",
    "provincial_approval_over",
    "national_approval_over",
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
    provincial_approval_over = _money("单项年度超过此额报省总工会审批")
    national_approval_over = _money("单项年度超过此额报全国总工会同意")

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
        if errors:
            raise ValidationError(errors)

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
        try:
            up_to = None if row[0] is None else Decimal(str(row[0]))
            amount = Decimal(str(row[1]))
        except ArithmeticError as exc:
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
