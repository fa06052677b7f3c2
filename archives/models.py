"""The household's archive (困难职工档案): one per household, kept by the county for years.

DOMAIN.md §5, WH-M §13–§17. An approved case opens the archive; re-verification visits
keep it current; a category change is a reviewed step; an exit is a request or a finding
on a visit, with a window for the worker's objection; a closed archive is read-only and
cannot be deleted until `retain_until` (30 years after closure). The database enforces
the last two (migration `0003_retention_guard`).
"""

from django.db import models
from django.utils import timezone

from accounts.models import Organisation
from accounts.roles import Level
from assistance.eligibility import Category
from assistance.models import (
    Case,
    CaseDocument,
    Policy,
    Visit,
    VisitStaff,
    survey_unsigned_needs_note,
)
from core.models import Notification, TrackedModel, TrackedQuerySet


class RetentionError(Exception):
    """A delete refused because the record is still within its retention period."""


class ArchiveQuerySet(TrackedQuerySet):
    def delete(self):
        raise RetentionError("困难职工档案不能批量删除：原始档案自撤档之日起保管30年。")


class Archive(TrackedModel):
    """One household's file, in one category, held by the county of its grassroots union."""

    SCOPE_FIELDS = {Level.CITY: "city", Level.COUNTY: "county", Level.GRASSROOTS: "organisation"}

    class Status(models.TextChoices):
        OPEN = "open", "在档"
        PHASE_OUT = "phase_out", "脱困渐退期"
        EXITING = "exiting", "退档告知期"
        CLOSED = "closed", "已退档"
        MERGED = "merged", "已合并"

    # A person in an archive of these states may not stand in another (一户一档).
    ACTIVE_STATUSES = (Status.OPEN, Status.PHASE_OUT, Status.EXITING)
    # Read-only from then on, in the database too.
    FINAL_STATUSES = (Status.CLOSED, Status.MERGED)

    class CloseReason(models.TextChoices):
        REQUEST = "request", "本人申请退档"
        STANDARD_MET = "standard_met", "达到退档（脱困）标准"
        PHASE_OUT_ENDED = "phase_out_ended", "渐退期满，不再符合建档标准"
        MERGED = "merged", "重复档案合并"
        # WH-M §19: false information found and confirmed; the money is recovered.
        FALSE_INFORMATION = "false_info", "因虚假信息追回撤档"

    number = models.CharField("档案编号", max_length=20, unique=True, null=True, editable=False)
    case = models.OneToOneField(
        Case, models.PROTECT, related_name="archive", verbose_name="建档申请"
    )
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    category = models.CharField("困难类别", max_length=16, choices=Category.choices())
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="archives", verbose_name="基层工会"
    )
    county = models.ForeignKey(Organisation, models.PROTECT, related_name="+")
    city = models.ForeignKey(Organisation, models.PROTECT, related_name="+")

    # The head of the household as listed and searched; full numbers stay on the case.
    person_name = models.CharField("姓名", max_length=50, db_index=True)
    id_hash = models.CharField(max_length=64, db_index=True, editable=False)
    id_masked = models.CharField("身份证号", max_length=18)
    phone = models.CharField("联系电话", max_length=20)

    # The assessment the archive stands on now: the case's at first, then each
    # re-verification's (with the policy and 低保 it was made under).
    policy = models.ForeignKey(Policy, models.PROTECT, related_name="+")
    minimum_living_standard = models.DecimalField("适用低保标准", max_digits=8, decimal_places=2)
    assessment = models.JSONField("评估结果")
    per_capita_income = models.DecimalField("人均月收入", max_digits=12, decimal_places=2)
    household_size = models.PositiveSmallIntegerField("共同生活人口")

    opened_on = models.DateField("建档日期")
    verified_on = models.DateField("最近核查日期")
    verification_due = models.DateField("下次核查到期日", db_index=True)
    phase_out_until = models.DateField("渐退期截止", null=True, blank=True)
    last_assisted_on = models.DateField("最近帮扶日期", null=True, blank=True)
    key_household = models.BooleanField("送温暖重点对象", default=False)

    closed_on = models.DateField("撤档日期", null=True, blank=True)
    close_reason = models.CharField(
        "撤档原因", max_length=16, choices=CloseReason.choices, blank=True
    )
    retain_until = models.DateField("保管期限至", null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="merged_from"
    )

    objects = models.Manager.from_queryset(ArchiveQuerySet)()

    class Meta:
        verbose_name = "困难职工档案"
        verbose_name_plural = "困难职工档案"
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["county", "-opened_on", "-id"]),
            models.Index(fields=["organisation", "-opened_on", "-id"]),
            models.Index(fields=["city", "-opened_on", "-id"]),
            models.Index(fields=["county", "status", "verification_due"]),
            models.Index(fields=["city", "status", "verification_due"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=["closed", "merged"])
                | models.Q(closed_on__isnull=False, retain_until__isnull=False),
                name="archive_closed_has_retention",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="merged") | models.Q(merged_into__isnull=False),
                name="archive_merged_names_survivor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.person_name}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def on_schedule(self) -> bool:
        """Re-verified on the cycle (WH-M §17) while open; a household in its phase-out or
        its objection month is visited at the end of it instead."""
        return self.status == self.Status.OPEN

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATUSES

    def delete(self, *args, **kwargs):
        if self.retain_until is None or self.retain_until >= timezone.localdate():
            raise RetentionError(
                f"档案 {self.number} 在保管期内（"
                f"{'在档' if self.retain_until is None else f'至 {self.retain_until}'}），不能删除。"
            )
        return super().delete(*args, **kwargs)


class ArchivePerson(TrackedModel):
    """A person of the household: the applicant and each member living together.

    `active` is true while the archive is open, phase-out or exiting. The database holds
    a person's ID number in at most one active row: one open archive per person.
    """

    archive = models.ForeignKey(Archive, models.PROTECT, related_name="people")
    name = models.CharField("姓名", max_length=50)
    relation = models.CharField("与户主关系", max_length=16)
    id_hash = models.CharField(max_length=64, db_index=True)
    id_masked = models.CharField("身份证号", max_length=18)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "档案家庭成员"
        verbose_name_plural = "档案家庭成员"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_hash"],
                condition=models.Q(active=True),
                name="archive_person_one_open_archive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.relation}）"


class ArchiveVisit(Visit):
    """A re-verification or exit visit (走访核查) by two or more staff, with fresh figures.

    The figures are re-assessed under the policy and 低保 in force on the visit date.
    """

    class Purpose(models.TextChoices):
        REVERIFY = "reverify", "定期核查"
        EXIT = "exit", "退档（脱困）走访"
        PHASE_OUT_END = "phase_out_end", "渐退期满核查"

    archive = models.ForeignKey(Archive, models.PROTECT, related_name="visits")
    purpose = models.CharField("走访目的", max_length=16, choices=Purpose.choices)
    figures = models.JSONField("核查数据")
    months_above_line = models.PositiveSmallIntegerField(
        "家庭人均收入连续超过低保标准（月）", default=0
    )
    # What the archive's recorded visits show (archives.services.visits.months_above_line_on);
    # more months than that only with the reason (WH-M §13).
    months_from_records = models.PositiveSmallIntegerField("其中按走访核查记录（月）", default=0)
    months_reason = models.TextField("超出记录月数的依据", blank=True)
    policy = models.ForeignKey(Policy, models.PROTECT, related_name="+")
    minimum_living_standard = models.DecimalField("适用低保标准", max_digits=8, decimal_places=2)
    assessment = models.JSONField("核查评估")
    category = models.CharField(
        "核查结论类别", max_length=16, choices=Category.choices(), null=True, blank=True
    )
    per_capita_income = models.DecimalField("人均月收入", max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "档案走访核查"
        verbose_name_plural = "档案走访核查"
        ordering = ["-visit_date", "-id"]
        constraints = [
            survey_unsigned_needs_note("archive_visit_unsigned_survey_needs_note"),
            models.CheckConstraint(
                condition=models.Q(months_above_line__lte=models.F("months_from_records"))
                | ~models.Q(months_reason=""),
                name="archive_visit_typed_months_need_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.archive} {self.get_purpose_display()} {self.visit_date}"


class ArchiveVisitStaff(VisitStaff):
    visit = models.ForeignKey(ArchiveVisit, models.PROTECT, related_name="staff")

    class Meta:
        verbose_name = "核查走访人员"
        verbose_name_plural = "核查走访人员"
        constraints = [
            models.UniqueConstraint(fields=["visit", "user"], name="archive_visit_staff_once")
        ]


class CategoryChange(TrackedModel):
    """A proposed change of the archive's category, decided by a second person (reviewed)."""

    SCOPE_FIELDS = {level: f"archive__{field}" for level, field in Archive.SCOPE_FIELDS.items()}

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已同意"
        REJECTED = "rejected", "不同意"

    archive = models.ForeignKey(Archive, models.PROTECT, related_name="category_changes")
    visit = models.ForeignKey(ArchiveVisit, models.PROTECT, null=True, blank=True, related_name="+")
    from_category = models.CharField("原类别", max_length=16, choices=Category.choices())
    to_category = models.CharField("拟变更为", max_length=16, choices=Category.choices())
    reason = models.TextField("变更理由")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        "accounts.User", models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    opinion = models.TextField("审核意见", blank=True)

    class Meta:
        verbose_name = "档案类别变更"
        verbose_name_plural = "档案类别变更"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["archive"],
                condition=models.Q(status="pending"),
                name="category_change_one_pending",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_category=models.F("to_category")),
                name="category_change_changes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.archive} {self.from_category} → {self.to_category}"


class ArchiveExit(TrackedModel):
    """Leaving the archive (退档, WH-M §13–§14): the worker's request, or a finding on a visit.

    A finding is written on the exit registration form (困难职工脱困登记表); if the worker
    refuses or cannot sign, the investigators say so and sign. The worker may object within
    one calendar month of being told (`objection_until`).
    """

    class Kind(models.TextChoices):
        REQUEST = "request", "本人书面申请退档"
        STANDARD_MET = "standard_met", "走访发现达到脱困（退档）标准"

    class Signature(models.TextChoices):
        SIGNED = "signed", "本人已签字"
        REFUSED = "refused", "本人拒绝签字"
        UNABLE = "unable", "本人无法签字"

    class Outcome(models.TextChoices):
        PHASE_OUT = "phase_out", "脱困，进入6个月渐退期"
        EXIT = "exit", "退档"

    class Status(models.TextChoices):
        IN_FORCE = "in_force", "有效"
        REVOKED = "revoked", "经复核撤销"

    archive = models.ForeignKey(Archive, models.PROTECT, related_name="exits")
    kind = models.CharField("退档方式", max_length=16, choices=Kind.choices)
    outcome = models.CharField("结果", max_length=12, choices=Outcome.choices)
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.IN_FORCE
    )
    visit = models.ForeignKey(ArchiveVisit, models.PROTECT, null=True, blank=True, related_name="+")
    document = models.ForeignKey(
        CaseDocument,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="退档申请书或签字的登记表",
    )
    situation = models.TextField("脱困（退档）情况")
    signature = models.CharField("职工签字", max_length=8, choices=Signature.choices)
    investigators_note = models.TextField("调查人说明", blank=True)
    notified_on = models.DateField("告知日期")
    objection_until = models.DateField("异议期截止")
    recorded_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "退档登记"
        verbose_name_plural = "退档登记"
        ordering = ["-notified_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(signature="signed") | ~models.Q(investigators_note=""),
                name="exit_unsigned_needs_note",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="standard_met") | models.Q(visit__isnull=False),
                name="exit_finding_needs_visit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.archive} {self.get_kind_display()} {self.notified_on}"


class ExitObjection(TrackedModel):
    """The worker's request for a re-check of an exit (退档复核), decided in 15 working days."""

    SCOPE_FIELDS = {level: f"archive__{field}" for level, field in Archive.SCOPE_FIELDS.items()}

    class Result(models.TextChoices):
        UPHELD = "upheld", "符合退出标准，予以退出"
        REVOKED = "revoked", "不符合退出标准，不予退出"

    exit = models.OneToOneField(ArchiveExit, models.PROTECT, related_name="objection")
    archive = models.ForeignKey(Archive, models.PROTECT, related_name="+")
    received_on = models.DateField("收到复核申请日期")
    content = models.TextField("复核理由")
    decide_by = models.DateField("复核截止（15个工作日）")
    result = models.CharField("复核结论", max_length=12, choices=Result.choices, blank=True)
    result_note = models.TextField("复核说明", blank=True)
    decided_on = models.DateField("复核完成日期", null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", models.PROTECT, null=True, blank=True, related_name="+"
    )
    notification = models.ForeignKey(
        Notification, models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "退档复核"
        verbose_name_plural = "退档复核"
        ordering = ["decide_by", "id"]

    def __str__(self) -> str:
        return f"{self.exit} 复核"


class ArchiveEvent(TrackedModel):
    """The archive's timeline: one append-only line per step, with who and why."""

    class Kind(models.TextChoices):
        OPENED = "opened", "建档"
        REVERIFIED = "reverified", "定期核查"
        CATEGORY_PROPOSED = "category_proposed", "提出类别变更"
        CATEGORY_DECIDED = "category_decided", "类别变更审核"
        EXIT_RECORDED = "exit_recorded", "退档登记"
        OBJECTION_RECEIVED = "objection_received", "收到退档复核申请"
        OBJECTION_DECIDED = "objection_decided", "退档复核结论"
        PHASE_OUT_ENDED = "phase_out_ended", "渐退期满"
        CLOSED = "closed", "撤档"
        MERGED = "merged", "重复档案合并"
        ASSISTED = "assisted", "帮扶救助发放"
        CONTACT_CHANGED = "contact_changed", "联系电话、银行卡变更"
        RECOVERY_RECORDED = "recovery_recorded", "登记追回（查实虚假信息）"
        RECOVERY_CONFIRMED = "recovery_confirmed", "确认追回"
        RECOVERY_REPAID = "recovery_repaid", "追回款收回"

    archive = models.ForeignKey(Archive, models.PROTECT, related_name="events")
    kind = models.CharField("事项", max_length=24, choices=Kind.choices)
    note = models.TextField("说明")
    actor = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "档案记录"
        verbose_name_plural = "档案记录"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.archive} {self.get_kind_display()}"
