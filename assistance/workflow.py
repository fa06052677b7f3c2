"""The review chain as data (DOMAIN.md §4; WH-M §10–11, TA-A §12).

Each policy names a workflow variant; a variant is a table of transitions. A transition
says from which state to which, which role at which level of the union tree may take it,
whether it is a decision in the sense of segregation of duties, and what must be true
before it (its `requires`). `CaseLifecycle` (one per variant, `LIFECYCLES`) is the table on
the shared engine `core.lifecycle`: who may take a move (`refusal`), what of its requirements
is met (`requirements`) and the step's `CaseTransition` row (`record`). The services in
`assistance/services/review.py` take exactly these transitions, through
`core.lifecycle.take`, and nothing else changes a case's state.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from accounts.roles import Level, Role
from accounts.selectors import in_scope
from assistance.eligibility import reason_text
from assistance.models import Case, CaseTransition, CaseUserObjectPermission, InformationComparison
from assistance.rules import notice_ended
from core import lifecycle
from core.history import save_tracked

S = Case.Status


@dataclass(frozen=True)
class Transition(lifecycle.Transition):
    """A step of the review chain: the shared table row (`decision`: forwards or approves,
    never by whoever entered or decided before; `needs_reason`: the step's opinion)."""

    # Shows this year's county visit coverage of new files and, when it is below the
    # policy's minimum, asks the reviewer to confirm explicitly (WH-M §10(三)).
    confirms_coverage: bool = False


# What each `requires` entry means, in the words a reviewer sees when it is not met.
REQUIREMENT_TEXT = {
    "grassroots_visit": "基层工会须先由两名以上工作人员入户走访并登记（芜湖实施办法第十条第二项）。",
    "county_visit_after_check": "家庭信息核查通过后，县级须派两名以上工作人员入户走访并登记（泰安档案办法第十二条第3项）。",
    "county_visit_if_doubtful": "该申请已标记建档存疑，县级须先入户走访核查（芜湖实施办法第十条第三项）。",
    "comparison_consistent": "须先登记信息比对结果为“一致”，并上传比对报告。",
    "notice_ended": "公示期尚未届满，届满且无异议后才能确认。",
    "qualifies": "评估结果不符合任何建档类别，不能通过；请不予帮扶或退回。",
}


def _review_exits(state: str, level: int) -> list[Transition]:
    """At every review state a reviewer of that level may reject or return the case."""
    return [
        Transition(
            "reject", "不予帮扶", state, S.REJECTED, (Role.REVIEWER,), level, needs_reason=True
        ),
        Transition(
            "return", "退回补充材料", state, S.RETURNED, (Role.REVIEWER,), level, needs_reason=True
        ),
    ]


_INTAKE = [
    Transition("submit", "提交申请", S.DRAFT, S.SUBMITTED, (Role.CASEWORKER,), Level.GRASSROOTS),
    # A returned case goes back to the state that returned it (Case.returned_to).
    Transition(
        "resubmit", "补充材料后重新提交", S.RETURNED, "", (Role.CASEWORKER,), Level.GRASSROOTS
    ),
    Transition(
        "withdraw",
        "撤回申请",
        S.DRAFT,
        S.WITHDRAWN,
        (Role.CASEWORKER,),
        Level.GRASSROOTS,
        needs_reason=True,
    ),
]
# The caseworker's own steps, taken from the case pages, not from the review panel.
INTAKE_ACTIONS = frozenset(t.action for t in _INTAKE)
_OBJECTION = Transition(
    "objection",
    "登记公示异议，退回县级审核",
    S.NOTICE,
    S.COUNTY_REVIEW,
    (Role.CASEWORKER, Role.REVIEWER),
    Level.GRASSROOTS,
    needs_reason=True,
)

WORKFLOWS: dict[str, tuple[Transition, ...]] = {
    # Wuhu: grassroots visit and initial review → county review → information comparison →
    # public notice at the grassroots union → the county confirms (WH-M §10).
    "wuhu": (
        *_INTAKE,
        Transition(
            "grassroots_forward",
            "初审通过，报县级审核",
            S.SUBMITTED,
            S.COUNTY_REVIEW,
            (Role.REVIEWER,),
            Level.GRASSROOTS,
            decision=True,
            requires=("grassroots_visit",),
            needs_reason=True,
        ),
        *_review_exits(S.SUBMITTED, Level.GRASSROOTS),
        Transition(
            "county_forward",
            "审核通过，转信息比对",
            S.COUNTY_REVIEW,
            S.COMPARISON,
            (Role.REVIEWER,),
            Level.COUNTY,
            decision=True,
            requires=("county_visit_if_doubtful",),
            needs_reason=True,
        ),
        *_review_exits(S.COUNTY_REVIEW, Level.COUNTY),
        Transition(
            "comparison_pass",
            "比对符合，开始公示",
            S.COMPARISON,
            S.NOTICE,
            (Role.REVIEWER,),
            Level.COUNTY,
            decision=True,
            requires=("comparison_consistent", "qualifies"),
            needs_reason=True,
        ),
        *_review_exits(S.COMPARISON, Level.COUNTY),
        _OBJECTION,
        Transition(
            "notice_confirm",
            "公示无异议，确认建档",
            S.NOTICE,
            S.APPROVED,
            (Role.REVIEWER,),
            Level.COUNTY,
            decision=True,
            requires=("notice_ended", "qualifies"),
            needs_reason=True,
            confirms_coverage=True,
        ),
    ),
    # Tai'an: the grassroots union checks and posts the notice first; the county checks the
    # household's data, then visits; the city confirms (认定) (TA-A §12).
    "taian": (
        *_INTAKE,
        Transition(
            "grassroots_forward",
            "初核通过，在单位公示",
            S.SUBMITTED,
            S.NOTICE,
            (Role.REVIEWER,),
            Level.GRASSROOTS,
            decision=True,
            requires=("qualifies",),
            needs_reason=True,
        ),
        *_review_exits(S.SUBMITTED, Level.GRASSROOTS),
        _OBJECTION,
        Transition(
            "notice_complete",
            "公示期满无异议，报县级复审",
            S.NOTICE,
            S.COUNTY_REVIEW,
            (Role.REVIEWER,),
            Level.GRASSROOTS,
            decision=True,
            requires=("notice_ended",),
            needs_reason=True,
        ),
        # TA-A §12.3: the county checks the household's data first (核查), and only once
        # the check has passed sends two or more staff to visit; then it reports to the city.
        Transition(
            "county_forward",
            "复审通过，转家庭信息核查",
            S.COUNTY_REVIEW,
            S.COMPARISON,
            (Role.REVIEWER,),
            Level.COUNTY,
            decision=True,
            needs_reason=True,
        ),
        *_review_exits(S.COUNTY_REVIEW, Level.COUNTY),
        Transition(
            "comparison_pass",
            "核查符合、入户走访属实，报市级认定",
            S.COMPARISON,
            S.CITY_CONFIRMATION,
            (Role.REVIEWER,),
            Level.COUNTY,
            decision=True,
            requires=("comparison_consistent", "county_visit_after_check"),
            needs_reason=True,
        ),
        *_review_exits(S.COMPARISON, Level.COUNTY),
        Transition(
            "city_confirm",
            "认定符合，确认建档",
            S.CITY_CONFIRMATION,
            S.APPROVED,
            (Role.REVIEWER,),
            Level.CITY,
            decision=True,
            requires=("qualifies",),
            needs_reason=True,
        ),
        *_review_exits(S.CITY_CONFIRMATION, Level.CITY),
    ),
}


class InvalidTransition(ValidationError):
    """The case is not in a state from which this action can be taken."""


DEFAULT_WORKFLOW = "wuhu"

# Every action that approves at its level, in any variant (segregation of duties).
DECISION_ACTIONS = frozenset(
    t.action for transitions in WORKFLOWS.values() for t in transitions if t.decision
)
# An objection reopens the review: decisions start a new round after it. A return does not,
# or a reviewer could return a case and then take a second decision on it.
ROUND_RESTART_ACTIONS = ("objection",)
# States in which home visits are made, joint visitors invited, and figures verified.
VISIT_STATES = (S.SUBMITTED, S.COUNTY_REVIEW, S.COMPARISON, S.NOTICE, S.CITY_CONFIRMATION)
VERIFY_STATES = (S.SUBMITTED, S.COUNTY_REVIEW)


def workflow_of(case: Case) -> str:
    """The variant of the case's policy. A case not yet assessed has no policy; it can only
    be a draft, whose transitions (submit, withdraw) are the same in every variant."""
    return case.policy.workflow if case.policy_id else DEFAULT_WORKFLOW


def transitions_for(workflow: str) -> tuple[Transition, ...]:
    return WORKFLOWS[workflow]


def decision_now(case: Case) -> Transition | None:
    """The decision the case's current state awaits, if any (whose level holds the case)."""
    for transition in transitions_for(workflow_of(case)):
        if transition.source == case.status and transition.decision:
            return transition
    return None


def holder_now(case: Case):
    """The organisation that takes the case's current decision, if it awaits one."""
    transition = decision_now(case)
    return organisation_at(case, transition.level) if transition else None


def find_transition(workflow: str, action: str, source: str) -> Transition:
    return LIFECYCLES[workflow].find(action, source)


def organisation_at(case: Case, level: int):
    """The organisation that holds `case` at `level` of the tree."""
    return {Level.GRASSROOTS: case.organisation, Level.COUNTY: case.county, Level.CITY: case.city}[
        level
    ]


# Reasons a reviewer may give for a refusal, with the rule each comes from; the engine's
# own reasons (eligibility.REASON_TEXT) may be given too.
REFUSAL_REASONS = {
    "comparison_inconsistent": "家庭经济状况信息比对结果不符合建档条件（芜湖实施办法第十条第四项）",
    "visit_not_confirmed": "入户走访核实的家庭收入和致困情况与申请不符（芜湖实施办法第十条第二项、第三项）",
    "false_material": "隐瞒家庭真实收入、人口变动或提供虚假材料（芜湖实施办法第七条第四项）",
    "objection_upheld": "公示期间的异议经核实成立（芜湖实施办法第十条第四项）",
    "other": "其他原因（见审核意见）",
}


def refusal_reason_text(code: str) -> str:
    return REFUSAL_REASONS.get(code) or reason_text(code)


def refusal_reason_choices(case: Case) -> list[tuple[str, str]]:
    """The engine's reasons of this case first, then the reviewer's own reasons."""
    engine = [(code, reason_text(code)) for code in (case.assessment or {}).get("reasons", [])]
    return [*engine, *REFUSAL_REASONS.items()]


def mermaid(workflow: str) -> str:
    """The state diagram of a workflow variant, in Mermaid, drawn from the table itself."""
    lines = ["stateDiagram-v2"]
    for transition in WORKFLOWS[workflow]:
        if transition.action == "resubmit":
            lines.append(f"    {S.RETURNED.value} --> {_RETURNS_TO}: {transition.label}")
            continue
        roles = "、".join(Role(r).label for r in transition.roles)
        lines.append(
            f"    {transition.source} --> {transition.target}: "
            f"{transition.label}（{Level(transition.level).label}{roles}）"
        )
    used = {t.source for t in WORKFLOWS[workflow]} | {t.target for t in WORKFLOWS[workflow]}
    for status in S:
        if status in used:
            lines.append(f"    {status.value}: {status.label}")
    lines.append(f"    {_RETURNS_TO}: 退回前所在环节")
    lines.append(f"    [*] --> {S.DRAFT.value}")
    for status in (S.APPROVED, S.REJECTED, S.WITHDRAWN):
        lines.append(f"    {status.value} --> [*]")
    return "\n".join(lines)


_RETURNS_TO = "returned_to"


# --- The questions the engine asks of a case ---------------------------------------------


def case_assignee(case: Case) -> User | None:
    """The named reviewer the case is assigned to at its current level, if any."""
    grant = (
        CaseUserObjectPermission.objects.filter(
            content_object=case, permission__codename="review_case"
        )
        .select_related("user")
        .first()
    )
    return grant.user if grant else None


def this_round(case: Case):
    """The transitions since the review was last reopened by a notice objection.

    Segregation of duties holds within a round: each decision of the round by a different
    person, none by whoever entered the case. An objection starts a new round, or a county
    with three reviewers could never approve a case after one; a return does not, or a
    reviewer could return a case and then take a second decision on it.
    """
    restart = case.transitions.filter(action__in=ROUND_RESTART_ACTIONS).order_by("-id").first()
    transitions = case.transitions.all()
    return transitions.filter(id__gt=restart.id) if restart else transitions


def stage_entry(case: Case) -> CaseTransition | None:
    """The transition that brought the case into its current state."""
    return case.transitions.filter(to_status=case.status).order_by("-id").first()


def latest_comparison(case: Case) -> InformationComparison | None:
    """The comparison recorded for the step that brought the case into its current state."""
    return case.comparisons.filter(stage_entry=stage_entry(case)).order_by("-id").first()


@dataclass(frozen=True)
class StepRecord:
    """What a step's `CaseTransition` row carries besides the move itself: the opinion as
    recorded (with a confirmed coverage shortfall), the refusal reasons and the documents
    the reviewer cites. The step's effect notes it on the locked case for `record`."""

    opinion: str
    reasons: tuple[str, ...] = ()
    documents: tuple = ()


class CaseLifecycle(lifecycle.Lifecycle):
    """A case's review chain under one workflow variant (DOMAIN.md §4)."""

    model = Case
    noun = "申请"
    reason_field = "opinion"
    missing_reason_text = "请填写意见。"
    requirement_text = REQUIREMENT_TEXT
    # Only the case row is locked: PostgreSQL refuses FOR UPDATE on the nullable side of
    # the outer join that the (nullable) policy needs.
    related = ("policy", "organisation", "county", "city")

    def __init__(self, workflow: str):
        self.workflow = workflow
        self.transitions = WORKFLOWS[workflow]

    def find(self, action: str, source: str) -> Transition:
        for transition in self.transitions:
            if transition.action == action and transition.source == source:
                return transition
        raise InvalidTransition(
            f"当前环节（{Case.Status(source).label}）不能执行该操作，可能已由他人处理。"
        )

    def stale(self, obj: Case, action: str, seen: str) -> str:
        return f"该申请已由他人处理，当前环节为“{obj.get_status_display()}”，请刷新页面后再操作。"

    def history_reason(self, obj: Case, transition: lifecycle.Transition, reason: str) -> str:
        # The opinion is on the step's own row (CaseTransition); the history names the step.
        return transition.label

    def refusal(self, obj: Case, actor: User, transition: lifecycle.Transition) -> str:
        """The role; the union holding the case at the step's level (a reviewer) or the
        actor's scope (a caseworker); a named reviewer's assignment; segregation of duties
        within the round (WH-M §10, DOMAIN.md §4)."""
        case = obj
        if not actor.has_role(*transition.roles):
            return f"“{transition.label}”须由{self.role_names(transition)}办理。"
        holder = organisation_at(case, transition.level)
        if Role.REVIEWER in transition.roles and actor.has_role(Role.REVIEWER):
            if actor.organisation_id != holder.pk:
                return f"该申请当前由{holder.name}办理，您不能执行“{transition.label}”。"
            # An assignment binds the reviewers of the assignee's union only: it does not
            # stop another level from its own step (the grassroots recording an objection).
            assignee = case_assignee(case)
            if (
                assignee is not None
                and assignee.pk != actor.pk
                and assignee.organisation_id == holder.pk
            ):
                return f"该申请已指派给{assignee}审核。"
        elif not in_scope(actor, case):
            return "该申请不在您的管理范围内。"
        if transition.decision:
            decided = this_round(case).filter(actor=actor, action__in=DECISION_ACTIONS)
            if case.entered_by_id == actor.pk or decided.exists():
                return "职责分离：您录入或审批过该申请，不能再次审批，请由其他审核人办理。"
        return ""

    def requirements(self, obj: Case) -> dict[str, Callable[[], bool]]:
        """Each requirement of the table with its check.

        A visit counts for the union that holds the case at that level (an invited joint
        visitor goes along on that union's visit); a comparison counts only for the step
        that brought the case into the comparison (a case returned and resubmitted is
        compared again).
        """
        case = obj
        return {
            "grassroots_visit": lambda: case.visits.filter(organisation=case.organisation).exists(),
            "county_visit_if_doubtful": lambda: (
                not case.doubtful or case.visits.filter(organisation=case.county).exists()
            ),
            "comparison_consistent": lambda: (
                getattr(latest_comparison(case), "result", None)
                == InformationComparison.Result.CONSISTENT
            ),
            "county_visit_after_check": lambda: (
                (comparison := latest_comparison(case)) is not None
                and case.visits.filter(
                    organisation=case.county, created_at__gte=comparison.created_at
                ).exists()
            ),
            "notice_ended": lambda: notice_ended(case, timezone.localdate()),
            "qualifies": lambda: case.category is not None,
        }

    def record(self, obj: Case, transition, *, actor: User, source: str, reason: str):
        """The step's append-only `CaseTransition` row, with the documents it cites."""
        step = getattr(obj, "_step_record", None) or StepRecord(opinion=reason)
        row = CaseTransition(
            case=obj,
            action=transition.action,
            from_status=source,
            to_status=obj.status,
            actor=actor,
            organisation=actor.organisation,
            level=actor.organisation.level,
            opinion=step.opinion,
            reasons=sorted(set(step.reasons)),
        )
        save_tracked(row, actor=actor, reason=transition.label)
        row.documents.set([d for d in step.documents if d.case_id == obj.pk])
        return row


LIFECYCLES: dict[str, CaseLifecycle] = {name: CaseLifecycle(name) for name in WORKFLOWS}


def lifecycle_of(case: Case) -> CaseLifecycle:
    """The lifecycle of the case's workflow variant."""
    return LIFECYCLES[workflow_of(case)]
