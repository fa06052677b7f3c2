"""Exits and objections: the archive page's exit panel, and the lists of open re-checks and
of households in their phase-out."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.selectors import scope_queryset
from archives.access import can_staff
from archives.lifecycles import ARCHIVE, OBJECTION
from archives.models import Archive, ArchiveExit, ExitObjection
from archives.rules import objection_refusal
from assistance.eligibility import Category
from core.workdays import WorkdayResult, holiday_published_years, span_note, working_days_since

S = Archive.Status


@dataclass(frozen=True)
class Deadline:
    """A re-check's last day: working days left (or overdue when past), and any fallback note."""

    day: datetime.date
    working_days_left: int
    overdue: bool
    note: str = ""

    @property
    def text(self) -> str:
        if self.overdue:
            return f"已逾期 {self.working_days_left} 个工作日"
        if self.working_days_left == 0:
            return "今天到期"
        return f"剩余 {self.working_days_left} 个工作日"


def deadlines(days: Iterable[datetime.date], today: datetime.date) -> dict[datetime.date, Deadline]:
    """Working days from today to each deadline (or since it, when past), in two queries.

    Days left until d are the working days after today up to d: W(today, end) − W(d, end)
    for any end after both; days overdue are W(d, today).
    """
    days = set(days)
    if not days:
        return {}
    future = {day for day in days if day >= today}
    past = days - future
    result: dict[datetime.date, Deadline] = {}
    if future:
        end = max(future)
        counts = working_days_since({today, *future}, end)
        base = counts[today]
        for day in future:
            years = sorted({*base.fallback_years, *counts[day].fallback_years})
            note = WorkdayResult(0, tuple(years)).note
            result[day] = Deadline(day, base.value - counts[day].value, False, note)
    if past:
        counts = working_days_since(past, today)
        for day in past:
            result[day] = Deadline(day, counts[day].value, True, counts[day].note)
    return result


def objection_deadlines(
    objections: Iterable[ExitObjection], today: datetime.date
) -> dict[int, Deadline]:
    """Each re-check's deadline (by objection id), its note naming every unpublished year
    from the receipt of the request to the deadline (the span it was counted over) or to
    today (the span of the days left or overdue)."""
    objections = list(objections)
    due = deadlines((o.decide_by for o in objections), today)
    published = holiday_published_years() if objections else []
    return {
        o.pk: replace(
            due[o.decide_by],
            note=span_note(min(o.received_on, today), max(o.decide_by, today), published),
        )
        for o in objections
    }


# --- The panel on the archive page --------------------------------------------------------


@dataclass(frozen=True)
class ExitRow:
    exit: ArchiveExit
    objection: ExitObjection | None
    deadline: Deadline | None
    window_open: bool  # the worker may still object (today ≤ objection_until)
    object_blocked: str  # why an objection cannot be recorded now ("" = it can)
    decide_blocked: str  # why this user cannot decide the re-check ("" = may)
    may_print_letter: bool

    @property
    def can_object(self) -> bool:
        return not self.object_blocked

    @property
    def can_decide(self) -> bool:
        return not self.decide_blocked


STAFF_ONLY = "只有该档案所在基层工会、县级或市级工会的经办人、审核人可以办理。"


@dataclass(frozen=True)
class ExitPanel:
    """The archive's exits and, for each step of the table, why this user may not take it
    now ("" = may): the reasons come from `archives.lifecycles`, never restated here."""

    rows: list[ExitRow]
    staff: bool  # a caseworker or reviewer in scope
    request_blocked: str
    find_blocked: str
    finalise_blocked: str
    conclude_blocked: str
    phase_out_ended: bool

    @property
    def can_request(self) -> bool:
        return not self.request_blocked

    @property
    def can_find(self) -> bool:
        return not self.find_blocked

    @property
    def can_finalise(self) -> bool:
        return not self.finalise_blocked

    @property
    def can_conclude(self) -> bool:
        return not self.conclude_blocked


def find_action(archive: Archive) -> str:
    """The table's step for an exit finding: a deep household 脱困 into its phase-out, the
    others into the objection month."""
    return "find_phase_out" if archive.category == Category.DEEP else "find_exit"


def _exits_of(archive: Archive) -> list[ArchiveExit]:
    return list(
        archive.exits.select_related(
            "recorded_by",
            "document",
            "visit",
            "objection",
            "objection__decided_by",
            "objection__notification",
        ).order_by("-notified_on", "-id")
    )


def exit_panel(archive: Archive, user) -> dict:
    """What the archive page shows of the archive's exits, and which steps this user may take
    now (asked of the tables; the services check everything again)."""
    today = timezone.localdate()
    exits = _exits_of(archive)
    staff = user.is_authenticated and can_staff(user, archive)
    objections = [getattr(e, "objection", None) for e in exits]
    due = objection_deadlines(
        (o for o in objections if o is not None and o.decided_on is None), today
    )
    active = archive.is_active
    rows = []
    for exit, objection in zip(exits, objections, strict=True):
        finding = exit.kind == ArchiveExit.Kind.STANDARD_MET
        in_force = exit.status == ArchiveExit.Status.IN_FORCE
        window_open = finding and in_force and active and today <= exit.objection_until
        decide_blocked = "已作出复核结论。"
        if objection is not None and objection.decided_on is None:
            objection.exit, objection.archive = exit, archive
            decide_blocked = OBJECTION.why_not(objection, user, "uphold")
        rows.append(
            ExitRow(
                exit=exit,
                objection=objection,
                deadline=due.get(objection.pk)
                if objection is not None and objection.decided_on is None
                else None,
                window_open=window_open,
                object_blocked=_object_blocked(user, archive, exit, staff, today),
                decide_blocked=decide_blocked if user.is_authenticated else STAFF_ONLY,
                may_print_letter=staff
                and objection is not None
                and objection.decided_on is not None,
            )
        )

    def blocked(action: str) -> str:
        if not user.is_authenticated:
            return STAFF_ONLY
        return ARCHIVE.why_not(archive, user, action)

    return {
        "exit_panel": ExitPanel(
            rows=rows,
            staff=staff,
            request_blocked=blocked("request_exit"),
            find_blocked=blocked(find_action(archive)),
            finalise_blocked=blocked("finalise"),
            conclude_blocked=blocked("phase_out_reopen"),
            phase_out_ended=archive.status == Archive.Status.PHASE_OUT
            and today > archive.phase_out_until,
        )
    }


def _object_blocked(user, archive: Archive, exit: ArchiveExit, staff: bool, today) -> str:
    if not staff:
        return STAFF_ONLY
    if not archive.is_active:
        return f"档案{archive.get_status_display()}，不能登记复核申请。"
    return objection_refusal(exit, today)


# --- One exit or objection of an archive the user may see ---------------------------------


def exit_of(archive: Archive, pk: int) -> ArchiveExit:
    exit = (
        archive.exits.select_related("visit", "visit__policy", "recorded_by", "document")
        .filter(pk=pk)
        .first()
    )
    if exit is None:
        raise Http404("没有找到该退档登记。")
    exit.archive = archive
    return exit


def objection_of(archive: Archive, pk: int) -> ExitObjection:
    objection = (
        ExitObjection.objects.filter(archive=archive, pk=pk)
        .select_related("exit", "decided_by__organisation", "notification", "recorded_by")
        .first()
    )
    if objection is None:
        raise Http404("没有找到该复核申请。")
    objection.archive = objection.exit.archive = archive
    return objection


def exit_visit_staff(exit: ArchiveExit) -> list[User]:
    if exit.visit_id is None:
        return []
    return [
        row.user for row in exit.visit.staff.select_related("user__organisation").order_by("id")
    ]


# --- Lists ------------------------------------------------------------------------------------


def open_objections_for_user(user) -> QuerySet[ExitObjection]:
    """Re-checks not yet decided, in the user's scope, the most urgent first."""
    return (
        scope_queryset(ExitObjection.objects.all(), user)
        .filter(decided_on=None)
        .select_related("archive", "archive__organisation", "exit")
        .order_by("decide_by", "id")
    )


def with_deadlines(objections: Iterable[ExitObjection]) -> list[tuple[ExitObjection, Deadline]]:
    """A page of objections, each with its deadline counted in working days (two queries)."""
    objections = list(objections)
    due = objection_deadlines(objections, timezone.localdate())
    return [(o, due[o.pk]) for o in objections]


def phase_out_for_user(user) -> QuerySet[Archive]:
    """Archives in their phase-out in the user's scope, the earliest end first."""
    return (
        scope_queryset(Archive.objects.all(), user)
        .filter(status=S.PHASE_OUT)
        .select_related("organisation", "county")
        .order_by("phase_out_until", "id")
    )


# --- For the daily command (every scope) ------------------------------------------------------


def phase_out_ended(today: datetime.date) -> QuerySet[Archive]:
    return (
        Archive.objects.filter(status=S.PHASE_OUT, phase_out_until__lt=today)
        .select_related("organisation", "county")
        .order_by("phase_out_until", "id")
    )


def objections_overdue(today: datetime.date) -> QuerySet[ExitObjection]:
    return (
        ExitObjection.objects.filter(decided_on=None, decide_by__lt=today)
        .select_related("archive", "archive__county")
        .order_by("decide_by", "id")
    )


def exits_due_for_finalising(today: datetime.date) -> QuerySet[Archive]:
    """EXITING archives whose window has passed (any scope: for the daily command)."""
    return (
        Archive.objects.filter(
            status=Archive.Status.EXITING,
            exits__status=ArchiveExit.Status.IN_FORCE,
            exits__outcome=ArchiveExit.Outcome.EXIT,
            exits__objection_until__lt=today,
        )
        .distinct()
        .order_by("id")
    )
