"""The review chain as data (DOMAIN.md §4; WH-M §10–11, TA-A §12).

Each policy names a workflow variant; a variant is a table of transitions. A transition
says from which state to which, which role at which level of the union tree may take it,
whether it is a decision in the sense of segregation of duties, and what must be true
before it (its `requires`). The services in `assistance/services/review.py` take exactly
these transitions and nothing else changes a case's state.
"""

from dataclasses import dataclass

from accounts.roles import Level, Role
from assistance.eligibility import reason_text
from assistance.models import Case

S = Case.Status


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    source: str
    target: str
    roles: tuple[str, ...]
    level: int
    decision: bool = False  # forwards or approves: never by whoever entered or decided before
    requires: tuple[str, ...] = ()
    needs_opinion: bool = False
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
            "reject", "不予帮扶", state, S.REJECTED, (Role.REVIEWER,), level, needs_opinion=True
        ),
        Transition(
            "return", "退回补充材料", state, S.RETURNED, (Role.REVIEWER,), level, needs_opinion=True
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
        needs_opinion=True,
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
    needs_opinion=True,
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
            needs_opinion=True,
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
            needs_opinion=True,
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
            needs_opinion=True,
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
            needs_opinion=True,
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
            needs_opinion=True,
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
            needs_opinion=True,
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
            needs_opinion=True,
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
            needs_opinion=True,
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
            needs_opinion=True,
        ),
        *_review_exits(S.CITY_CONFIRMATION, Level.CITY),
    ),
}


class InvalidTransition(Exception):
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


def find_transition(workflow: str, action: str, source: str) -> Transition:
    for transition in WORKFLOWS[workflow]:
        if transition.action == action and transition.source == source:
            return transition
    raise InvalidTransition(
        f"当前环节（{Case.Status(source).label}）不能执行该操作，可能已由他人处理。"
    )


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
