"""The review chain: one service per transition, all through one engine (`take_transition`
on `core.lifecycle.take`, with the case's lifecycle `assistance.workflow.CaseLifecycle`).

Every move of a case's state happens here, in a transaction, on the locked case row,
after checking the transition against the workflow table of the case's policy, the
actor's role and organisation, segregation of duties, an assignment to a named reviewer,
and the transition's requirements; and it leaves a `CaseTransition` row (append-only) and
a history row with the actor and the reason.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import in_scope

# The one upward call of the layers (docs/architecture.md, "The one upward call"): the
# approving step opens the household archive, in the same transaction.
from archives.services.lifecycle import archive_open_for_case
from assistance.access import (
    can_assign_reviewer,
    can_flag_doubtful,
    can_invite_to_visit,
    can_record_comparison,
    invited_to_visit,
)
from assistance.assessment import reassess_under_stored_policy, store_assessment
from assistance.models import (
    Case,
    CaseDocument,
    CaseUserObjectPermission,
    HomeVisit,
    HomeVisitStaff,
    InformationComparison,
    NoticeObjection,
)
from assistance.rules import VERIFIABLE_FIELDS, distinct_staff, notice_end_for, visit_staff_problem
from assistance.selectors import case_grants, coverage_shortfall, member_inputs
from assistance.services.documents import (
    INTAKE_SURVEY_CLAUSE,
    check_visit_survey,
    store_document,
)
from assistance.workflow import (
    VERIFY_STATES,
    VISIT_STATES,
    CaseLifecycle,
    StepRecord,
    Transition,
    holder_now,
    lifecycle_of,
    refusal_reason_choices,
    stage_entry,
    transitions_for,
    workflow_of,
)
from core.deadlines import follow_calendar
from core.history import acting_as, delete_tracked, save_tracked
from core.lifecycle import locked, take

S = Case.Status


def _lock(case: Case) -> Case:
    return locked(Case, case.pk, related=CaseLifecycle.related)


def recompute_notice_ends(
    *, actor: User, first: datetime.date, last: datetime.date, reason: str
) -> int:
    """A year's holiday calendar was published or changed: the notices still running whose
    period reaches into it get their end recounted, with history. A notice already
    confirmed keeps the end it was confirmed under."""
    cases = (
        Case.objects.select_for_update(of=("self",))
        .select_related("policy")
        .filter(status=S.NOTICE, notice_start__lte=last, notice_end__gte=first)
        .order_by("pk")
    )
    return follow_calendar(
        cases,
        field="notice_end",
        due_of=lambda case: notice_end_for(case).value,
        label="公示截止",
        actor=actor,
        reason=reason,
    )


@transaction.atomic
def take_transition(
    *,
    actor: User,
    case: Case,
    action: str,
    opinion: str = "",
    reasons: Iterable[str] = (),
    documents: Iterable[CaseDocument] = (),
    coverage_confirmed: bool = False,
) -> Case:
    """Move a locked case along one transition of its workflow, or refuse with a reason.

    `case` is the case as the actor saw it: when its state has changed since (another
    reviewer decided first), the action is refused rather than applied to a state the
    actor never saw. A step that confirms coverage, taken while the county's visit
    coverage of this year's new files is below the policy's minimum, needs
    `coverage_confirmed`; the shortfall is written into the step's opinion (WH-M §10(三)).
    """

    def effect(case: Case, transition: Transition) -> list[str]:
        source = transition.source
        step_opinion = opinion.strip()
        shortfall = coverage_shortfall(case, transition.confirms_coverage)
        if shortfall is not None:
            if not coverage_confirmed:
                raise ValidationError(
                    {
                        "coverage_confirmed": f"{shortfall.shortfall_text()}。"
                        f"请勾选确认已知悉后再{transition.label}。"
                    }
                )
            step_opinion += f"\n（已确认：{shortfall.shortfall_text()}。）"
        # A returned case goes back to the state that returned it.
        target = transition.target or case.returned_to
        now = timezone.now()
        fields = ["state_entered_at"]
        case.status, case.state_entered_at = target, now
        if target == S.RETURNED:
            case.returned_to = source
            fields.append("returned_to")
        elif source == S.RETURNED:
            case.returned_to = ""
            fields.append("returned_to")
        if target == S.NOTICE:
            case.notice_start = timezone.localdate()
            case.notice_end = notice_end_for(case).value
            fields += ["notice_start", "notice_end"]
        if target == S.APPROVED:
            # Hand-off to the archives: the approved case carries its final category, and
            # the household's archive (困难职工档案) is opened in this transaction, below.
            case.final_category, case.decided_at = case.category, now
            fields += ["final_category", "decided_at"]
        if target == S.REJECTED:
            case.rejection_reasons = sorted(set(reasons))
            case.rejection_opinion = opinion.strip()
            case.decided_at = now
            fields += ["rejection_reasons", "rejection_opinion", "decided_at"]
        if target == S.SUBMITTED and source == S.DRAFT:
            case.submitted_at = now
            fields.append("submitted_at")
        case._step_record = StepRecord(
            opinion=step_opinion, reasons=tuple(reasons), documents=tuple(documents)
        )
        return fields

    reasons, documents = list(reasons), list(documents)
    case = take(
        lifecycle_of(case), obj=case, actor=actor, action=action, reason=opinion, effect=effect
    )
    if case.status == S.APPROVED:
        archive_open_for_case(actor=actor, case=case)
    _clear_assignment(actor, case)
    if case.status not in VISIT_STATES:
        _end_joint_visits(actor, case)
    return case


def _revoke_grants(actor: User, case: Case, codename: str, reason: str) -> None:
    for grant in case_grants(case, codename):
        delete_tracked(grant, actor=actor, reason=reason)


def _end_joint_visits(actor: User, case: Case) -> None:
    """A joint visitor sees the case only while visits are made."""
    _revoke_grants(actor, case, "visit_case", "走访环节结束，联合走访授权结束")


def _clear_assignment(actor: User, case: Case) -> None:
    """An assignment holds for one level: it ends when the case moves on."""
    _revoke_grants(actor, case, "review_case", "环节变更，指派结束")


# --- One service per transition ---------------------------------------------------------


@transaction.atomic
def case_forward(
    *,
    actor: User,
    case: Case,
    opinion: str,
    documents: Iterable[CaseDocument] = (),
    coverage_confirmed: bool = False,
) -> Case:
    """Approve at the actor's level: forward, pass the comparison, or confirm.

    Which of the workflow's decisions this is follows from the case's state
    (grassroots_forward, county_forward, comparison_pass, notice_complete,
    notice_confirm, city_confirm).
    """
    # The decision the actor made is the one of the state they saw; `take_transition`
    # refuses it if the case has moved on since.
    decisions = [
        t for t in transitions_for(workflow_of(case)) if t.decision and t.source == case.status
    ]
    if not decisions:
        raise ValidationError(f"当前环节（{case.get_status_display()}）没有可审批的操作。")
    return take_transition(
        actor=actor,
        case=case,
        action=decisions[0].action,
        opinion=opinion,
        documents=documents,
        coverage_confirmed=coverage_confirmed,
    )


@transaction.atomic
def case_reject(
    *,
    actor: User,
    case: Case,
    opinion: str,
    reasons: Iterable[str],
    documents: Iterable[CaseDocument] = (),
) -> Case:
    reasons = list(reasons)
    if not reasons:
        raise ValidationError({"reasons": "请选择不予帮扶的理由。"})
    known = {code for code, _ in refusal_reason_choices(_lock(case))}
    if not set(reasons) <= known:
        raise ValidationError({"reasons": "理由不在可选范围内。"})
    return take_transition(
        actor=actor,
        case=case,
        action="reject",
        opinion=opinion,
        reasons=reasons,
        documents=documents,
    )


@transaction.atomic
def case_return(*, actor: User, case: Case, opinion: str) -> Case:
    """Return for more material (退回补充): the caseworker corrects and resubmits."""
    return take_transition(actor=actor, case=case, action="return", opinion=opinion)


@transaction.atomic
def notice_objection(*, actor: User, case: Case, raised_by: str, content: str) -> NoticeObjection:
    """An objection during the notice sends the case back to county review (WH-M §10(四))."""
    if not raised_by.strip() or not content.strip():
        raise ValidationError("请填写异议人和异议内容。")
    case = take_transition(
        actor=actor,
        case=case,
        action="objection",
        opinion=f"{raised_by.strip()}：{content.strip()}",
    )
    objection = NoticeObjection(
        case=case, raised_by=raised_by.strip(), content=content.strip(), recorded_by=actor
    )
    return save_tracked(objection, actor=actor, reason="登记公示异议")


# --- Review records: visits, doubt, comparison, assignment -----------------------------


def _require_holder(actor: User, case: Case, roles: tuple[str, ...], what: str) -> None:
    if not actor.has_role(*roles):
        raise PermissionDenied(f"{what}须由{'、'.join(Role(r).label for r in roles)}办理。")
    if not in_scope(actor, case):
        raise PermissionDenied("该申请不在您的管理范围内。")


@transaction.atomic
def visit_record(
    *,
    actor: User,
    case: Case,
    visit_date: datetime.date,
    staff: list[User],
    findings: str,
    survey: UploadedFile | None = None,
    survey_signature: str = "",
    survey_note: str = "",
    verified: dict | None = None,
) -> HomeVisit:
    """Record a home visit by two or more staff, with its survey (the scan, or entered with
    the worker's signature; WH-M §10(二)); verified figures re-run the assessment."""
    case = _lock(case)
    joint = invited_to_visit(actor, case)
    if not joint:
        _require_holder(actor, case, (Role.CASEWORKER, Role.REVIEWER), "登记走访")
    if case.status not in VISIT_STATES:
        raise ValidationError(f"当前环节（{case.get_status_display()}）不能登记走访。")
    if visit_date > timezone.localdate():
        raise ValidationError({"visit_date": "走访日期不能晚于今天。"})
    staff = distinct_staff(staff)
    if problem := visit_staff_problem(staff):
        raise ValidationError({"staff": problem})
    visiting = actor.organisation
    for user in staff:
        if not user.is_active:
            raise ValidationError({"staff": f"{user} 的账户已停用。"})
        if user.organisation_id != visiting.pk and not invited_to_visit(user, case):
            raise ValidationError(
                {"staff": f"{user} 不是{visiting.name}的工作人员，也未受邀参加联合走访。"}
            )
    if not findings.strip():
        raise ValidationError({"findings": "请填写走访情况。"})
    survey_signature, survey_note = check_visit_survey(
        survey=survey, signature=survey_signature, note=survey_note, clause=INTAKE_SURVEY_CLAUSE
    )
    verified = {k: v for k, v in (verified or {}).items() if v is not None and v != ""}
    if verified and (case.status not in VERIFY_STATES or not _holds(actor, case)):
        raise ValidationError(
            {"verified": "核实数据只能由当前办理的基层或县级工会在初审、县级审核环节登记。"}
        )
    unknown = set(verified) - set(VERIFIABLE_FIELDS)
    if unknown:
        raise ValidationError(f"不能核实的项目：{'、'.join(sorted(unknown))}")
    visit = HomeVisit(
        case=case,
        organisation=visiting,
        level=visiting.level,
        visit_date=visit_date,
        findings=findings.strip(),
        survey_signature=survey_signature,
        survey_note=survey_note,
        recorded_by=actor,
        assessment_before=case.assessment,
        verified={k: str(v) for k, v in verified.items()},
    )
    if survey is not None:
        visit.survey = store_document(
            actor=actor, case=case, doc_type=CaseDocument.Type.VISIT_SURVEY, upload=survey
        )
    changed = {k: v for k, v in verified.items() if getattr(case, k) != v}
    if changed:
        for name, value in changed.items():
            setattr(case, name, value)
        fields = store_assessment(case, reassess_under_stored_policy(case, member_inputs(case)))
        save_tracked(
            case,
            actor=actor,
            reason="入户走访核实数据，重新评估",
            update_fields=[*changed, *fields, "updated_at"],
        )
    # The assessment after the visit: the re-run one, or the same when no figure changed
    # (the field may not be blank, so a visit without changed figures could not be saved).
    visit.assessment_after = case.assessment
    save_tracked(visit, actor=actor, reason="登记入户走访")
    for user in staff:
        save_tracked(HomeVisitStaff(visit=visit, user=user), actor=actor, reason="走访人员")
    return visit


@transaction.atomic
def case_flag_doubtful(*, actor: User, case: Case, reason: str) -> Case:
    """The county marks a case doubtful (建档存疑): it cannot pass without a county visit."""
    case = _lock(case)
    if refused := can_flag_doubtful(actor, case):
        raise PermissionDenied(refused)
    if case.status != S.COUNTY_REVIEW:
        raise ValidationError("只有待县级审核的申请可以标记存疑。")
    if not reason.strip():
        raise ValidationError({"reason": "请说明存疑原因。"})
    case.doubtful, case.doubtful_reason = True, reason.strip()
    return save_tracked(
        case,
        actor=actor,
        reason="标记建档存疑",
        update_fields=["doubtful", "doubtful_reason", "updated_at"],
    )


@transaction.atomic
def comparison_record(
    *, actor: User, case: Case, result: str, report: UploadedFile, note: str = ""
) -> InformationComparison:
    """Record the information comparison (信息比对) with its report (WH-M §10(四))."""
    case = _lock(case)
    if refused := can_record_comparison(actor, case):
        raise PermissionDenied(refused)
    if case.status != S.COMPARISON:
        raise ValidationError("只有待信息比对的申请可以登记比对结果。")
    if result not in InformationComparison.Result.values:
        raise ValidationError({"result": "请选择比对结果。"})
    document = store_document(
        actor=actor, case=case, doc_type=CaseDocument.Type.COMPARISON_REPORT, upload=report
    )
    comparison = InformationComparison(
        case=case,
        result=result,
        report=document,
        note=note.strip(),
        recorded_by=actor,
        stage_entry=stage_entry(case),
    )
    return save_tracked(comparison, actor=actor, reason="登记信息比对结果")


@transaction.atomic
def case_assign_reviewer(*, actor: User, case: Case, reviewer: User) -> Case:
    """Assign the case at its current level to a named reviewer of the holding union."""
    case = _lock(case)
    if refused := can_assign_reviewer(actor, case):
        raise PermissionDenied(refused)
    holder = holder_now(case)
    if not reviewer.has_role(Role.REVIEWER) or reviewer.organisation_id != holder.pk:
        raise ValidationError({"reviewer": f"请选择{holder.name}的审核人。"})
    with acting_as(actor):
        _clear_assignment(actor, case)
        CaseUserObjectPermission.objects.assign_perm("review_case", reviewer, case)
    return save_tracked(
        case, actor=actor, reason=f"指派审核人：{reviewer}", update_fields=["updated_at"]
    )


@transaction.atomic
def case_share_for_visit(*, actor: User, case: Case, user: User) -> Case:
    """Invite a user of another union to a joint home visit of this case."""
    case = _lock(case)
    if refused := can_invite_to_visit(actor, case):
        raise PermissionDenied(refused)
    if case.status not in VISIT_STATES:
        raise ValidationError(f"当前环节（{case.get_status_display()}）不能邀请联合走访。")
    if user.organisation is None or user.organisation.city_id != case.city_id:
        raise ValidationError({"user": "只能邀请本市工会的工作人员。"})
    if not user.is_active or not user.has_role(Role.CASEWORKER, Role.REVIEWER):
        raise ValidationError({"user": "只能邀请在岗的经办人或审核人。"})
    if user.organisation_id == actor.organisation_id:
        raise ValidationError({"user": "本单位人员无需邀请，可直接作为走访人员。"})
    with acting_as(actor):
        CaseUserObjectPermission.objects.assign_perm("visit_case", user, case)
    return save_tracked(
        case, actor=actor, reason=f"邀请联合走访：{user}", update_fields=["updated_at"]
    )


def _holds(actor: User, case: Case) -> bool:
    """Whether the actor's organisation holds the case at its current decision."""
    holder = _holder_now(case)
    return holder is not None and actor.organisation_id == holder.pk


def _holder_now(case: Case):
    """The organisation that acts on the case in its current state, if any."""
    return holder_now(case)


__all__ = [
    "case_assign_reviewer",
    "case_flag_doubtful",
    "case_forward",
    "case_reject",
    "case_return",
    "case_share_for_visit",
    "comparison_record",
    "notice_objection",
    "visit_record",
]
