"""The archives' status fields as tables: the archive itself, a category change, an exit
and the re-check of the worker's objection (DOMAIN.md §5, WH-M §13–§17).

Each table says from which state, by which action, to which state, by whom, at which level,
on what requirements, and whether the step is a decision in the sense of segregation of
duties. `core.lifecycle.take` is the only code that sets these statuses; the archive keeps
its own timeline (`ArchiveEvent`), so every table here writes its event lines there.
Panels ask `why_not` (`core.lifecycle.Lifecycle.why_not`, here who first) what a user may do now.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import User
from accounts.roles import Level, Role
from archives.access import STAFF_ROLES, can_act_on, category_decider_refusal, is_system
from archives.access import took_part_in_exit as took_part
from archives.models import (
    Archive,
    ArchiveEvent,
    ArchiveExit,
    ArchiveVisit,
    CategoryChange,
    ExitObjection,
)
from archives.rules import (
    DEEP_LEAVES_BY_PHASE_OUT,
    day_text,
    finalise_refusal,
    leaves_deep,
    phase_out_refusal,
)
from assistance.eligibility import Category
from core.history import save_tracked
from core.lifecycle import Lifecycle, Transition, move
from core.models import Notification

# Who takes a step besides the roles: the daily job (the inactive system account), and
# whoever closes the archive (a pending category change lapses with it).
SYSTEM = "system"
CLOSER = "closer"
PSEUDO_ROLES = {SYSTEM: "系统定时任务", CLOSER: "撤档办理人"}

S = Archive.Status
ACTIVE = (S.OPEN, S.PHASE_OUT, S.EXITING)
REVIEWER = (Role.REVIEWER,)


def record_event(archive: Archive, *, actor: User, kind: str, note: str) -> ArchiveEvent:
    """Append a line to the archive's timeline (append-only in the database)."""
    event = ArchiveEvent(archive=archive, kind=kind, note=note, actor=actor)
    return save_tracked(event, actor=actor, reason=ArchiveEvent.Kind(kind).label)


def category_text(category: str | None) -> str:
    return Category(category).label if category else "不符合建档标准"


class ArchivesLifecycle(Lifecycle):
    """What the archives' tables share: refusals in the services' own words, requirements
    whose texts name their dates, and the archive's timeline as their event table."""

    # The words of a role refusal ("登记退档申请须由经办人、审核人办理。"), when not the label.
    what: dict[str, str] = {}

    def archive_of(self, obj: Any) -> Archive:
        return obj.archive

    def first(self, action: str) -> Transition:
        """The action's first row: its roles are the same from every state."""
        return next(t for t in self.transitions if t.action == action)

    def why_not(self, obj: Any, actor: User, action: str) -> str:
        """Who first (role, union, segregation of duties), then the state, then the
        requirements — the order in which the archives services have always refused."""
        found = move(self, obj, actor, action)
        if found is not None:
            return found.why_not
        return self.refusal(obj, actor, self.first(action)) or self.unavailable(obj, action)

    def requirement(self, obj: Any, name: str) -> str:
        """The text of requirement `name` when it is not met, else ""."""
        return ""

    def requirements(self, obj: Any) -> dict:
        return {
            name: (lambda name=name: not self.requirement(obj, name))
            for name in self.requirement_text
        }

    def unmet(self, obj: Any, transition: Transition) -> list[str]:
        return [text for name in transition.requires if (text := self.requirement(obj, name))]

    def role_names(self, transition: Transition) -> str:
        return "、".join(PSEUDO_ROLES.get(r) or str(Role(r).label) for r in transition.roles)

    def segregation(self, obj: Any, actor: User, transition: Transition) -> str:
        """Why `actor` may not take this decision on `obj` (职责分离), else ""."""
        return ""

    def refusal(self, obj: Any, actor: User, transition: Transition) -> str:
        if SYSTEM in transition.roles:
            return "" if is_system(actor) else "只有系统定时任务可以办理。"
        if CLOSER in transition.roles:
            return ""
        what = self.what.get(transition.action, transition.label)
        refused = can_act_on(actor, self.archive_of(obj), transition.roles, what)
        if refused:
            return refused
        level = getattr(actor.organisation, "level", None)
        if transition.level is not None and level != transition.level:
            return (
                f"{what}须由{Level(transition.level).label}工会的"
                f"{self.role_names(transition)}办理。"
            )
        if transition.decision:
            return self.segregation(obj, actor, transition)
        return ""


# --- The archive ------------------------------------------------------------------------------


class ArchiveLifecycle(ArchivesLifecycle):
    """Archive.status: open, the phase-out after 脱困, the objection month after an exit
    finding, closed, merged (WH-M §13–§16). Opened by the approving step of its case."""

    model = Archive
    noun = "档案"
    related = ("organisation", "county", "city", "policy", "case")
    transitions = (
        *(
            Transition(
                "request_exit",
                "登记退档申请",
                s,
                S.CLOSED,
                STAFF_ROLES,
                requires=("no_open_recheck",),
            )
            for s in (S.OPEN, S.PHASE_OUT)
        ),
        Transition("find_phase_out", "登记脱困，进入渐退期", S.OPEN, S.PHASE_OUT, STAFF_ROLES),
        Transition("find_exit", "登记退档，进入告知期", S.OPEN, S.EXITING, STAFF_ROLES),
        Transition(
            "finalise", "办结退档", S.EXITING, S.CLOSED, STAFF_ROLES, requires=("exit_window_over",)
        ),
        Transition(
            "finalise_due",
            "异议期满办结退档",
            S.EXITING,
            S.CLOSED,
            (SYSTEM,),
            requires=("exit_window_over",),
        ),
        Transition(
            "phase_out_reopen",
            "渐退期满核查：恢复在档",
            S.PHASE_OUT,
            S.OPEN,
            STAFF_ROLES,
            requires=("phase_out_over", "phase_out_recheck_decided"),
        ),
        Transition(
            "phase_out_close",
            "渐退期满核查：退档",
            S.PHASE_OUT,
            S.CLOSED,
            STAFF_ROLES,
            requires=("phase_out_over", "phase_out_recheck_decided"),
        ),
        *(
            Transition("revoke", "复核撤销退档", s, S.OPEN, REVIEWER)
            for s in (S.PHASE_OUT, S.EXITING)
        ),
        *(
            Transition(
                "merge", "合并档案", s, S.MERGED, (Role.ADMIN,), level=Level.CITY, needs_reason=True
            )
            for s in ACTIVE
        ),
        *(
            Transition(
                "close_for_cause",
                "因虚假信息追回撤档",
                s,
                S.CLOSED,
                REVIEWER,
                level=Level.COUNTY,
                needs_reason=True,
            )
            for s in ACTIVE
        ),
    )
    requirement_text = {
        "no_open_recheck": "该档案有未办结的退档复核，请先作出复核结论。",
        "exit_window_over": "异议期届满且没有未办结的复核申请（或复核维持退档）",
        "phase_out_over": "渐退期届满",
        "phase_out_recheck_decided": "职工对脱困认定的复核申请尚未办结，请先作出复核结论。",
    }
    what = {
        "find_phase_out": "登记脱困（退档）走访",
        "find_exit": "登记脱困（退档）走访",
        "phase_out_reopen": "登记渐退期满核查",
        "phase_out_close": "登记渐退期满核查",
        "revoke": "退档复核",
    }
    # The timeline line each move writes (None: the step that caused it writes the line).
    events = {
        "request_exit": ArchiveEvent.Kind.CLOSED,
        "find_phase_out": ArchiveEvent.Kind.EXIT_RECORDED,
        "find_exit": ArchiveEvent.Kind.EXIT_RECORDED,
        "finalise": ArchiveEvent.Kind.CLOSED,
        "finalise_due": ArchiveEvent.Kind.CLOSED,
        "phase_out_reopen": ArchiveEvent.Kind.PHASE_OUT_ENDED,
        "phase_out_close": ArchiveEvent.Kind.CLOSED,
        "revoke": None,
        "merge": ArchiveEvent.Kind.MERGED,
        "close_for_cause": ArchiveEvent.Kind.CLOSED,
    }

    def archive_of(self, obj: Archive) -> Archive:
        return obj

    def unavailable(self, archive: Archive, action: str) -> str:
        status = archive.get_status_display()
        if action == "request_exit":
            if archive.status == S.EXITING:
                return "档案已在退档告知期：异议期满后办结退档即可，不需要另行登记退档申请。"
            return f"档案{status}，不能办理退档。"
        if action in ("find_phase_out", "find_exit"):
            if archive.status == S.PHASE_OUT:
                return (
                    f"档案已在脱困渐退期（至{day_text(archive.phase_out_until)}），"
                    "期满后请登记渐退期满核查。"
                )
            if archive.status == S.EXITING:
                return "档案已登记退档，正在退档告知期。"
            return f"档案{status}，不能登记退档。"
        if action in ("finalise", "finalise_due"):
            return f"档案{status}，不在退档告知期，不能办结退档。"
        if action in ("phase_out_reopen", "phase_out_close"):
            return f"档案{status}，不在脱困渐退期。"
        what = {"merge": "合并", "close_for_cause": "撤档", "revoke": "作出复核结论"}[action]
        return f"档案{status}，不能{what}。"

    def requirement(self, archive: Archive, name: str) -> str:
        today = timezone.localdate()
        if name in ("no_open_recheck", "phase_out_recheck_decided"):
            open_recheck = ExitObjection.objects.filter(archive=archive, decided_on=None)
            return self.requirement_text[name] if open_recheck.exists() else ""
        if name == "exit_window_over":
            return finalise_refusal(current_exit(archive), today)
        if name == "phase_out_over":
            return phase_out_refusal(archive, today)
        raise KeyError(name)

    def record(self, archive, transition, *, actor, source, reason):
        kind = self.events[transition.action]
        if kind is not None:
            record_event(archive, actor=actor, kind=kind, note=reason)


def current_exit(archive: Archive) -> ArchiveExit | None:
    """The archive's exit in force (the latest), with its objection."""
    return (
        archive.exits.filter(status=ArchiveExit.Status.IN_FORCE)
        .select_related("objection")
        .order_by("-notified_on", "-id")
        .first()
    )


# --- A category change ----------------------------------------------------------------------


class CategoryChangeLifecycle(ArchivesLifecycle):
    """CategoryChange.status: proposed, then decided by a reviewer of the county or the city
    who neither proposed it nor recorded or went on its visit (职责分离); it lapses when
    the archive closes."""

    model = CategoryChange
    noun = "类别变更"
    reason_field = "opinion"
    related = ("archive", "visit")
    transitions = (
        Transition(
            "approve",
            "同意类别变更",
            CategoryChange.Status.PENDING,
            CategoryChange.Status.APPROVED,
            REVIEWER,
            decision=True,
            requires=("archive_active", "deep_by_phase_out", "category_unchanged"),
            needs_reason=True,
        ),
        Transition(
            "reject",
            "不同意类别变更",
            CategoryChange.Status.PENDING,
            CategoryChange.Status.REJECTED,
            REVIEWER,
            decision=True,
            requires=("archive_active",),
            needs_reason=True,
        ),
        Transition(
            "lapse",
            "撤档，类别变更终止",
            CategoryChange.Status.PENDING,
            CategoryChange.Status.REJECTED,
            (CLOSER,),
        ),
    )
    requirement_text = {
        "archive_active": "档案在档（含渐退期、退档告知期）",
        "deep_by_phase_out": DEEP_LEAVES_BY_PHASE_OUT,
        "category_unchanged": "档案现类别与该变更的原类别相同",
    }

    def refusal(self, change, actor, transition):
        if CLOSER in transition.roles:
            return ""
        # The reviewer's level and union, then segregation of duties: one check, one text.
        return category_decider_refusal(actor, change, change.archive)

    def unavailable(self, change: CategoryChange, action: str) -> str:
        return f"该类别变更已审核（{change.get_status_display()}），不能再次审核。"

    def requirement(self, change: CategoryChange, name: str) -> str:
        archive = change.archive
        if name == "archive_active":
            return (
                "" if archive.is_active else f"档案{archive.get_status_display()}，不能变更类别。"
            )
        if name == "deep_by_phase_out":
            from_phase_out = (
                change.visit is not None
                and change.visit.purpose == ArchiveVisit.Purpose.PHASE_OUT_END
            )
            if leaves_deep(change.from_category, change.to_category) and not from_phase_out:
                return DEEP_LEAVES_BY_PHASE_OUT
            return ""
        if name == "category_unchanged":
            if archive.category != change.from_category:
                return (
                    f"档案现类别为{category_text(archive.category)}，与该变更的原类别"
                    f"{category_text(change.from_category)}不符，请不予同意后重新提出。"
                )
            return ""
        raise KeyError(name)

    def record(self, change, transition, *, actor, source, reason):
        if transition.action == "lapse":
            return  # the archive's closing line says it
        archive = change.archive
        moved = f"{category_text(change.from_category)} → {category_text(change.to_category)}"
        if transition.action == "approve":
            result = (
                f"同意类别变更（{moved}），档案类别变更为{category_text(change.to_category)}；"
                f"下次核查到期日：{archive.verification_due:%Y-%m-%d}。"
            )
        else:
            result = f"不同意类别变更（{moved}），档案类别仍为{category_text(archive.category)}。"
        record_event(
            archive,
            actor=actor,
            kind=ArchiveEvent.Kind.CATEGORY_DECIDED,
            note=f"{result}审核意见：{change.opinion}",
        )


# --- An exit and the re-check of the worker's objection ----------------------------------------


def _not_of_the_exit(actor: User, exit: ArchiveExit) -> str:
    """Who recorded an exit or went on its visit does not re-check it (职责分离)."""
    if took_part(actor, exit):
        return "职责分离：登记该退档或参加该次走访的人员不能复核，请由其他审核人办理。"
    return ""


class ArchiveExitLifecycle(ArchivesLifecycle):
    """ArchiveExit.status: in force until a re-check revokes it (WH-M §14)."""

    model = ArchiveExit
    noun = "退档登记"
    related = ("archive", "visit")
    transitions = (
        Transition(
            "revoke",
            "复核撤销退档",
            ArchiveExit.Status.IN_FORCE,
            ArchiveExit.Status.REVOKED,
            REVIEWER,
            decision=True,
        ),
    )
    what = {"revoke": "退档复核"}

    def unavailable(self, exit: ArchiveExit, action: str) -> str:
        return "该退档已经复核撤销。"

    def segregation(self, exit, actor, transition):
        return _not_of_the_exit(actor, exit)

    def record(self, exit, transition, *, actor, source, reason):
        """The re-check's result line on the archive's timeline says it."""


class ExitObjectionLifecycle(ArchivesLifecycle):
    """ExitObjection.result: received (blank), then decided once by a reviewer in scope who
    neither recorded the exit nor went on its visit (WH-M §14, 职责分离)."""

    model = ExitObjection
    noun = "退档复核"
    field = "result"
    reason_field = "note"
    related = ("exit", "exit__visit", "archive")
    transitions = tuple(
        Transition(
            action,
            label,
            "",
            result,
            REVIEWER,
            decision=True,
            requires=("archive_active",),
            needs_reason=True,
        )
        for action, label, result in (
            ("uphold", "复核维持退档", ExitObjection.Result.UPHELD),
            ("revoke", "复核撤销退档", ExitObjection.Result.REVOKED),
        )
    )
    requirement_text = {"archive_active": "档案在档（含渐退期、退档告知期）"}
    what = {"uphold": "退档复核", "revoke": "退档复核"}

    def label(self, status: str) -> str:
        return super().label(status) if status else "待复核"

    def unavailable(self, objection: ExitObjection, action: str) -> str:
        return (
            f"该复核已于{day_text(objection.decided_on)}作出结论："
            f"{objection.get_result_display()}。"
        )

    def segregation(self, objection, actor, transition):
        return _not_of_the_exit(actor, objection.exit)

    def requirement(self, objection: ExitObjection, name: str) -> str:
        archive = objection.archive
        if name == "archive_active":
            if archive.is_active:
                return ""
            return f"档案{archive.get_status_display()}，不能作出复核结论。"
        raise KeyError(name)

    def record(self, objection, transition, *, actor, source, reason):
        late = ""
        if objection.decided_on > objection.decide_by:
            late = f"（逾期办结：复核期限为{day_text(objection.decide_by)}）"
        notification = objection.notification
        if notification.channel == Notification.Channel.LETTER:
            told = "书面告知职工（打印《退档复核结果告知书》送达）"
        elif notification.status == Notification.Status.SENT:
            told = "短信告知职工：已发送"
        else:
            told = f"短信告知职工：发送失败（{notification.error}），请打印书面告知书送达"
        revoked = objection.result == ExitObjection.Result.REVOKED
        record_event(
            objection.archive,
            actor=actor,
            kind=ArchiveEvent.Kind.OBJECTION_DECIDED,
            note=(
                f"复核结论：{objection.get_result_display()}{late}。"
                f"说明：{objection.result_note.strip().rstrip('。.；;，, ')}。"
                f"{told}。" + ("档案恢复在档。" if revoked else "")
            ),
        )


ARCHIVE = ArchiveLifecycle()
CATEGORY_CHANGE = CategoryChangeLifecycle()
EXIT = ArchiveExitLifecycle()
OBJECTION = ExitObjectionLifecycle()

LIFECYCLES = {
    "archive": ARCHIVE,
    "category_change": CATEGORY_CHANGE,
    "exit": EXIT,
    "objection": OBJECTION,
}


# --- Asking the table -------------------------------------------------------------------------


def require_move(lifecycle: ArchivesLifecycle, obj: Any, actor: User, action: str) -> Transition:
    """Raise what `why_not` says, as the services do before the step's own checks: a
    PermissionDenied for who, a ValidationError for the state and the requirements."""
    found = move(lifecycle, obj, actor, action)
    if found is None:
        refused = lifecycle.refusal(obj, actor, lifecycle.first(action))
        if refused:
            raise PermissionDenied(refused)
        raise ValidationError(lifecycle.unavailable(obj, action))
    if found.refused:
        raise PermissionDenied(found.refused)
    if found.unmet:
        raise ValidationError(list(found.unmet))
    return found.transition
