"""Reads of the archive lists, their export, the archive page and its printed forms."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.roles import Level, Role
from accounts.selectors import scope_queryset
from archives.models import Archive, ArchiveEvent, ArchivePerson
from assistance.eligibility import EXPENSE_KINDS, INCOME_KINDS
from assistance.models import Case, CaseDocument, CaseTransition, HouseholdMember
from assistance.selectors import history_entries
from assistance.workflow import DECISION_ACTIONS, transitions_for, workflow_of
from core.dates import add_months
from core.excel import Column
from core.history import HistoryChange

# The list's status filter: the active archives unless told otherwise.
STATUS_ACTIVE = ""
STATUS_ALL = "all"


def stale_verification_cutoff(today: datetime.date) -> datetime.date:
    """An active archive verified before this day has had no re-verification for over a
    year (WH-M §17: deep households are re-verified every year)."""
    return add_months(today, -12)


def archive_list_for_user(
    user,
    *,
    name: str = "",
    person_hash: str = "",
    category: str = "",
    status: str = STATUS_ACTIVE,
    organisation: Organisation | None = None,
    stale_verification: bool = False,
    never_assisted: bool = False,
) -> QuerySet[Archive]:
    """The archives of the user's organisation and those below it, filtered, newest first.

    `person_hash` finds the archive a person heads or belongs to (its keyed hash: the
    number itself never reaches a list). `status` is a status, "all", or "" for the
    active ones (在档, 渐退期, 退档告知期).
    """
    qs = scope_queryset(Archive.objects.select_related("organisation"), user)
    if name:
        qs = qs.filter(person_name__icontains=name)
    if person_hash:
        members = ArchivePerson.objects.filter(id_hash=person_hash).values("archive_id")
        qs = qs.filter(Q(id_hash=person_hash) | Q(pk__in=members))
    if category:
        qs = qs.filter(category=category)
    if status == STATUS_ACTIVE:
        qs = qs.filter(status__in=Archive.ACTIVE_STATUSES)
    elif status != STATUS_ALL:
        qs = qs.filter(status=status)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if stale_verification:
        cutoff = stale_verification_cutoff(timezone.localdate())
        qs = qs.filter(status__in=Archive.ACTIVE_STATUSES, verified_on__lt=cutoff)
    if never_assisted:
        qs = qs.filter(last_assisted_on__isnull=True)
    return qs.order_by("-opened_on", "-id")


# --- The export -------------------------------------------------------------------------

# The list's columns; the export holds the masked ID number and no phone (minimisation).
EXPORT_COLUMNS = (
    Column("档案编号", width=16),
    Column("姓名", width=10),
    Column("身份证号（脱敏）", width=20),
    Column("困难类别", width=10),
    Column("状态", width=12),
    Column("基层工会", width=24),
    Column("建档日期", kind="date", width=12),
    Column("最近核查", kind="date", width=12),
    Column("下次核查到期", kind="date", width=14),
    Column("最近帮扶", kind="date", width=12),
)


def archive_export_rows(archives: QuerySet[Archive]) -> Iterator[tuple]:
    """One row per archive, in `EXPORT_COLUMNS` order, read in chunks (constant memory)."""
    for archive in archives.iterator(chunk_size=2000):
        yield (
            archive.number,
            archive.person_name,
            archive.id_masked,
            archive.get_category_display(),
            archive.get_status_display(),
            archive.organisation.name,
            archive.opened_on,
            archive.verified_on,
            archive.verification_due,
            archive.last_assisted_on,
        )


# --- The archive page --------------------------------------------------------------------


def archive_people(archive: Archive) -> list[ArchivePerson]:
    """The household: the applicant first, active people before those who left."""
    return sorted(archive.people.all(), key=lambda p: (not p.active, p.pk))


def archive_events(archive: Archive) -> list[ArchiveEvent]:
    return list(archive.events.select_related("actor").order_by("created_at", "id"))


def archive_merged_from(archive: Archive) -> list[Archive]:
    return list(archive.merged_from.order_by("closed_on", "id"))


def archive_documents(archive: Archive) -> list[CaseDocument]:
    """The documents of the approving case that are still in force."""
    return list(archive.case.documents.filter(removed=False).order_by("doc_type", "id"))


def archive_history(archive: Archive) -> list[HistoryChange]:
    """Every recorded change to the archive and its people, newest first."""
    entries = history_entries(
        archive.history.select_related("history_user").order_by("history_date"),
        lambda r: "档案",
    )
    people = ArchivePerson.history.filter(archive_id=archive.pk).select_related("history_user")
    entries += history_entries(people.order_by("history_date"), lambda r: f"家庭成员 {r.name}")
    return sorted(entries, key=lambda e: e.at, reverse=True)


def archive_find_by_number(user, number: str) -> Archive | None:
    """An archive of the user's scope by its number (档案编号), or None."""
    archives = Archive.objects.select_related("organisation", "county", "policy")
    return scope_queryset(archives, user).filter(number=number.strip().upper()).first()


# --- The printed forms ---------------------------------------------------------------------


@dataclass(frozen=True)
class LevelOpinions:
    """The review opinions given at one level of the tree, for its signature and seal box."""

    level: int
    label: str
    organisation: Organisation
    steps: list[CaseTransition]


def approval_opinions(archive: Archive) -> list[LevelOpinions]:
    """The approving decisions of each level (审批意见), in the order they were taken."""
    case = archive.case
    labels = {t.action: t.label for t in transitions_for(workflow_of(case))}
    steps = list(
        case.transitions.filter(action__in=DECISION_ACTIONS)
        .select_related("actor", "organisation")
        .order_by("created_at", "id")
    )
    grouped: dict[int, LevelOpinions] = {}
    for step in steps:
        step.label = labels.get(step.action, step.action)
        if step.level not in grouped:
            grouped[step.level] = LevelOpinions(
                level=step.level,
                label=f"{Level(step.level).label}工会意见",
                organisation=step.organisation,
                steps=[],
            )
        grouped[step.level].steps.append(step)
    return sorted(grouped.values(), key=lambda g: -g.level)


def approval_members(archive: Archive) -> list[HouseholdMember]:
    return list(archive.case.members.all())


@dataclass(frozen=True)
class Figures:
    """The 12 months' income or rigid expenses of the application: each line and the sum."""

    lines: list[tuple[str, Decimal]]
    total: Decimal


def approval_figures(case: Case) -> dict[str, Figures]:
    """The approved application's income and rigid expenses (申请日前12个月, 元)."""
    figures = {}
    for key, prefix, kinds in (
        ("income", "income", INCOME_KINDS),
        ("expenses", "expense", EXPENSE_KINDS),
    ):
        names = [f"{prefix}_{kind}" for kind in kinds]
        lines = [(str(Case._meta.get_field(n).verbose_name), getattr(case, n)) for n in names]
        figures[key] = Figures(lines=lines, total=sum((v for _, v in lines), Decimal("0.00")))
    return figures


def union_contacts(archive: Archive) -> list[User]:
    """The grassroots union's active caseworkers: whom the household calls (联系人)."""
    return list(
        User.objects.filter(
            organisation=archive.organisation,
            is_active=True,
            role_grants__role=Role.CASEWORKER,
        )
        .distinct()
        .order_by("username")
    )
