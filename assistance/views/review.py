"""Review screens: the panel on the case page, one view per review action, the refusal
notice (不予困难帮扶告知书) and the public notice (公示).

Every action is form → access → service → message → redirect. The services are the only
authority: what the panel offers is a courtesy, and whatever they refuse (a wrong state, a
race with another reviewer, a missing requirement) comes back on the form, nothing lost.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.access import access_organisation, role_required
from accounts.roles import Level, Role
from accounts.selectors import in_scope, organisation_choices_for_user
from assistance.access import (
    access_case,
    can_assign_reviewer,
    can_flag_doubtful,
    can_invite_to_visit,
    can_record_comparison,
    invited_to_visit,
)
from assistance.forms.review import (
    AssignForm,
    ComparisonForm,
    DoubtfulForm,
    ForwardForm,
    InviteForm,
    ObjectionForm,
    RejectForm,
    ReturnForm,
    ReviewForm,
    VisitForm,
)
from assistance.models import Case
from assistance.selectors.review import (
    Stage,
    available_transitions,
    case_grantees,
    case_stage,
    case_timeline,
    case_visits,
    notice_board_for,
)
from assistance.services import review
from assistance.workflow import (
    VERIFY_STATES,
    VISIT_STATES,
    Transition,
    refusal_reason_choices,
    refusal_reason_text,
    transitions_for,
    workflow_of,
)
from core.service_forms import int_or_none, run_service
from core.workdays import span_note, working_days_between

S = Case.Status


# --- What the user may do on this case now ---------------------------------------------


@dataclass(frozen=True)
class Abilities:
    """What the panel offers this user; the services check all of it again."""

    stage: Stage
    transitions: dict[str, tuple[Transition, list[str]]]  # kind → (transition, unmet)
    visit: bool
    flag: bool
    compare: bool
    assign: bool
    invite: bool


def _kind(transition: Transition) -> str:
    return "forward" if transition.decision else transition.action


def abilities_of(user, case: Case) -> Abilities:
    stage = case_stage(case)
    scoped = in_scope(user, case)
    staff = user.has_role(Role.CASEWORKER, Role.REVIEWER)
    transitions = {}
    if scoped:
        for transition, unmet in available_transitions(case, user):
            transitions.setdefault(_kind(transition), (transition, unmet))
    return Abilities(
        stage=stage,
        transitions=transitions,
        visit=case.status in VISIT_STATES and ((scoped and staff) or invited_to_visit(user, case)),
        flag=not can_flag_doubtful(user, case)
        and case.status == S.COUNTY_REVIEW
        and not case.doubtful,
        compare=not can_record_comparison(user, case) and case.status == S.COMPARISON,
        assign=not can_assign_reviewer(user, case),
        invite=not can_invite_to_visit(user, case) and case.status in VISIT_STATES,
    )


# --- The panel on the case page -----------------------------------------------------------


@dataclass(frozen=True)
class ActionCard:
    kind: str
    transition: Transition
    unmet: list[str]
    form: ReviewForm
    url: str


TRANSITION_FORMS = {
    "forward": ForwardForm,
    "reject": RejectForm,
    "return": ReturnForm,
    "objection": ObjectionForm,
}


def rejection_reason_texts(case: Case) -> list[str]:
    """The reasons of a refusal in Chinese with their rules, in the order they were offered."""
    order = [code for code, _ in refusal_reason_choices(case)]
    codes = sorted(
        case.rejection_reasons, key=lambda c: order.index(c) if c in order else len(order)
    )
    return [refusal_reason_text(code) for code in codes]


def _url(name: str, case: Case) -> str:
    return reverse(f"assistance:review_{name}", args=[case.pk])


def review_context(request, case: Case) -> dict:
    """Everything the review panel and the timeline of the case page show."""
    user = request.user
    can = abilities_of(user, case)
    form_kwargs = {"case": case, "actor": user}
    cards = [
        ActionCard(kind, transition, unmet, TRANSITION_FORMS[kind](**form_kwargs), _url(kind, case))
        for kind, (transition, unmet) in can.transitions.items()
        if kind in TRANSITION_FORMS
    ]
    assignees = case_grantees(case, "review_case")
    timeline = case_timeline(case)
    steps = [entry.transition for entry in timeline if entry.transition is not None]
    returned = next((t for t in steps if t.to_status == S.RETURNED), None)
    notice = None
    if case.notice_start and case.notice_end:
        # The posting day counts when it is a working day (rules.notice_period).
        period = working_days_between(
            case.notice_start - datetime.timedelta(days=1), case.notice_end
        )
        # An objection after the notice began interrupted it (the case went back to review).
        latest = (
            case.transitions.filter(Q(action="objection") | Q(to_status=S.NOTICE))
            .order_by("-id")
            .values_list("action", flat=True)
            .first()
        )
        notice = {
            "working_days": period.value,
            "note": period.note,
            "interrupted": latest == "objection",
        }
    return {
        "in_scope": in_scope(user, case),
        "timeline": timeline,
        "review": {
            "stage": can.stage,
            "cards": cards,
            "notice": notice,
            "returned": returned if case.status == S.RETURNED else None,
            "rejection_reasons": rejection_reason_texts(case),
            "visits": case_visits(case),
            "comparisons": list(
                case.comparisons.select_related("report", "recorded_by").order_by("created_at")
            ),
            "objections": list(case.objections.select_related("recorded_by")),
            "assignees": assignees,
            "withheld": _withheld_decision(user, case, can, assignees),
            "joint_visitors": case_grantees(case, "visit_case"),
            "visit_form": VisitForm(**form_kwargs) if can.visit else None,
            "visit_verifies": _may_verify(user, case, can.stage),
            "doubtful_form": DoubtfulForm(**form_kwargs) if can.flag else None,
            "comparison_form": ComparisonForm(**form_kwargs) if can.compare else None,
            "assign_form": AssignForm(holder=can.stage.holder, **form_kwargs)
            if can.assign
            else None,
            "invite_form": InviteForm(**form_kwargs) if can.invite else None,
            "can_resubmit": case.status == S.RETURNED and user.has_role(Role.CASEWORKER),
        },
    }


def _may_verify(user, case: Case, stage: Stage) -> bool:
    """Whether a visit this user records may carry verified figures: only the union holding
    the case at the initial or the county review (services.review.visit_record)."""
    return (
        case.status in VERIFY_STATES and stage.decides and user.organisation_id == stage.holder.pk
    )


def _withheld_decision(user, case: Case, can: Abilities, assignees) -> tuple[str, str] | None:
    """A reviewer of the holding union who may not take this step's decision: its label and
    why (the service's rules: a named reviewer, or segregation of duties), so that the panel
    says so instead of leaving the button out without a word."""
    if not (
        can.stage.decides
        and "forward" not in can.transitions
        and user.has_role(Role.REVIEWER)
        and user.organisation_id == can.stage.holder.pk
    ):
        return None
    decision = _label_at(case, "forward", case.status)
    others = [u for u in assignees if u.pk != user.pk and u.organisation_id == can.stage.holder.pk]
    if others:
        return decision, f"该申请已指派给{others[0]}审核，由其办理。"
    return decision, (
        "职责分离：您录入过该申请或在本轮审核中已审批过，这一步须由本单位其他审核人办理；"
        "您仍可退回补充材料或不予帮扶。"
    )


# --- One view per action ------------------------------------------------------------------


def _blocked(can: Abilities, kind: str) -> list[str]:
    """Why the user cannot take this action now (shown on the action's page)."""
    if kind in TRANSITION_FORMS:
        if kind not in can.transitions:
            return ["当前环节您不能办理该操作：申请不在您的办理环节，或须由其他人员办理。"]
        return can.transitions[kind][1]
    if not getattr(can, kind):
        return ["当前环节您不能办理该操作。"]
    return []


def _review_action(
    request,
    pk: int,
    *,
    kind: str,
    form_class: type[ReviewForm],
    title: Callable[[Case, Abilities], str],
    perform: Callable[[Case, dict], object],
    success: Callable[[Case, dict], str],
    perm: str = "review",
    upload: bool = False,
    form_kwargs: Callable[[Case], dict] | None = None,
):
    case = access_case(request.user, pk, perm=perm)
    extra = form_kwargs(case) if form_kwargs else {}
    bound = request.method == "POST"
    form = form_class(
        request.POST if bound else None,
        request.FILES if bound else None,
        case=case,
        actor=request.user,
        **extra,
    )
    stale = False
    if bound:
        # Checked before the service: a decision the reviewer made on a state the case has
        # left since is not theirs to take (the service refuses it too, under the lock).
        stale = form.is_valid() and not _unchanged_since_shown(form, case)
        if stale:
            messages.error(request, "未办理：该申请已由他人处理，请返回申请页面查看。")
        else:
            response = run_service(
                request,
                lambda data: _performed(perform, case, data),
                form=form,
                success=lambda done: success(done, form.cleaned_data),
                done=lambda done: redirect("assistance:case_detail", pk=done.pk),
            )
            if response is not None:
                return response
    can = abilities_of(request.user, case)
    # A decision refused because the case moved on keeps the title of the step the reviewer
    # saw; what the new step would need is not theirs to act on from this form, and sending
    # it again would only be refused again.
    seen_title = _label_at(case, kind, form.cleaned_data["seen_status"]) if stale else ""
    return render(
        request,
        "assistance/review/action.html",
        {
            "case": case,
            "title": seen_title or title(case, can),
            "stage": can.stage,
            "form": form,
            "blocked": [] if stale else _blocked(can, kind),
            "stale": stale,
            "verify": _may_verify(request.user, case, can.stage),
            "upload": upload,
            "danger": kind in ("reject", "return", "objection"),
            "max_mb": settings.DOCUMENT_MAX_BYTES // (1024 * 1024),
        },
    )


def _performed(perform: Callable[[Case, dict], object], case: Case, data: dict) -> Case:
    perform(case, data)
    case.refresh_from_db()
    return case


def _unchanged_since_shown(form: ReviewForm, case: Case) -> bool:
    """A decision applies to the state the reviewer saw; if another has moved the case since,
    it is refused here (and under the row lock by the service), never applied elsewhere."""
    seen = form.cleaned_data.get("seen_status")
    if seen is None or seen == case.status:
        return True
    form.add_error(
        None,
        f"该申请已由他人处理，当前环节为“{case.get_status_display()}”，"
        f"您看到的是“{Case.Status(seen).label}”：未办理，请返回申请页面查看后再操作。",
    )
    return False


def _label_at(case: Case, kind: str, status: str) -> str:
    """The label of the `kind` of action at `status` in the case's workflow."""
    for transition in transitions_for(workflow_of(case)):
        if transition.source == status and _kind(transition) == kind:
            return transition.label
    return ""


def _label(kind: str, default: str) -> Callable[[Case, Abilities], str]:
    def title(case: Case, can: Abilities) -> str:
        found = can.transitions.get(kind)
        return found[0].label if found else default

    return title


def _moved(case: Case, data: dict) -> str:
    return f"申请 {case.number} 已办理，当前环节：{case.get_status_display()}。"


@login_required
def review_forward(request, pk: int):
    return _review_action(
        request,
        pk,
        kind="forward",
        form_class=ForwardForm,
        title=_label("forward", "审批通过"),
        perform=lambda case, data: review.case_forward(
            actor=request.user,
            case=case,
            opinion=data["opinion"],
            documents=data["documents"],
            coverage_confirmed=data.get("coverage_confirmed", False),
        ),
        success=_moved,
    )


@login_required
def review_reject(request, pk: int):
    return _review_action(
        request,
        pk,
        kind="reject",
        form_class=RejectForm,
        title=_label("reject", "不予帮扶"),
        perform=lambda case, data: review.case_reject(
            actor=request.user, case=case, opinion=data["opinion"], reasons=data["reasons"]
        ),
        success=lambda case, data: (
            f"申请 {case.number} 不予帮扶，已办结；请打印《不予困难帮扶告知书》交申请人。"
        ),
    )


@login_required
def review_return(request, pk: int):
    return _review_action(
        request,
        pk,
        kind="return",
        form_class=ReturnForm,
        title=_label("return", "退回补充材料"),
        perform=lambda case, data: review.case_return(
            actor=request.user, case=case, opinion=data["opinion"]
        ),
        success=lambda case, data: f"申请 {case.number} 已退回基层工会补充材料。",
    )


@login_required
def review_objection(request, pk: int):
    return _review_action(
        request,
        pk,
        kind="objection",
        form_class=ObjectionForm,
        title=_label("objection", "登记公示异议"),
        perform=lambda case, data: review.notice_objection(
            actor=request.user, case=case, raised_by=data["raised_by"], content=data["content"]
        ),
        success=lambda case, data: f"已登记公示异议，申请 {case.number} 退回县级审核。",
    )


@login_required
def review_visit(request, pk: int):
    return _review_action(
        request,
        pk,
        kind="visit",
        form_class=VisitForm,
        title=lambda case, can: "登记入户走访",
        perform=lambda case, data: review.visit_record(
            actor=request.user,
            case=case,
            visit_date=data["visit_date"],
            staff=list(data["staff"]),
            findings=data["findings"],
            survey=data["survey"],
            survey_signature=data["survey_signature"],
            survey_note=data["survey_note"],
            verified=data["verified"],
        ),
        success=lambda case, data: f"已登记申请 {case.number} 的入户走访。",
        perm="visit",
        upload=True,
    )


@login_required
def review_doubtful(request, pk: int):
    return _review_action(
        request,
        pk,
        kind="flag",
        form_class=DoubtfulForm,
        title=lambda case, can: "标记建档存疑",
        perform=lambda case, data: review.case_flag_doubtful(
            actor=request.user, case=case, reason=data["reason"]
        ),
        success=lambda case, data: (
            f"申请 {case.number} 已标记建档存疑：须县级入户走访核查后才能审核通过。"
        ),
    )


@login_required
def review_comparison(request, pk: int):
    return _review_action(
        request,
        pk,
        kind="compare",
        form_class=ComparisonForm,
        title=lambda case, can: "登记信息比对结果",
        perform=lambda case, data: review.comparison_record(
            actor=request.user,
            case=case,
            result=data["result"],
            report=data["report"],
            note=data["note"],
        ),
        success=lambda case, data: f"已登记申请 {case.number} 的信息比对结果。",
        upload=True,
    )


@login_required
def review_assign(request, pk: int):
    return _review_action(
        request,
        pk,
        kind="assign",
        form_class=AssignForm,
        title=lambda case, can: "指派审核人",
        perform=lambda case, data: review.case_assign_reviewer(
            actor=request.user, case=case, reviewer=data["reviewer"]
        ),
        success=lambda case, data: f"申请 {case.number} 已指派给 {data['reviewer']} 审核。",
        form_kwargs=lambda case: {"holder": case_stage(case).holder},
    )


@login_required
def review_invite(request, pk: int):
    return _review_action(
        request,
        pk,
        kind="invite",
        form_class=InviteForm,
        title=lambda case, can: "邀请联合走访",
        perform=lambda case, data: review.case_share_for_visit(
            actor=request.user, case=case, user=data["user"]
        ),
        success=lambda case, data: f"已邀请 {data['user']} 参加申请 {case.number} 的联合走访。",
    )


# --- Printed pages ---------------------------------------------------------------------------


@login_required
def refusal_notice(request, pk: int):
    """不予困难帮扶告知书 (WH-M §10(四)): printed for the worker, with each reason and its rule."""
    case = access_case(request.user, pk, perm="review")
    if case.status != S.REJECTED:
        messages.error(request, "该申请未作出不予帮扶的决定，没有告知书。")
        return redirect("assistance:case_detail", pk=case.pk)
    decision = (
        case.transitions.filter(to_status=S.REJECTED)
        .select_related("organisation", "actor")
        .order_by("-created_at", "-id")
        .first()
    )
    return render(
        request,
        "assistance/review/refusal_notice.html",
        {
            "case": case,
            "decision": decision,
            "issuer": decision.organisation if decision else case.organisation,
            "decided_on": timezone.localdate(case.decided_at) if case.decided_at else None,
            "reasons": rejection_reason_texts(case),
        },
    )


@login_required
@role_required(Role.CASEWORKER, Role.REVIEWER, Role.AUDITOR)
def notice_board(request):
    """困难职工建档公示 of one grassroots union: the user's own, or one chosen from its scope."""
    organisation = request.user.organisation
    if organisation is None:
        raise PermissionDenied("您的账号未分配工会组织。")
    unions = None
    if organisation.level == Level.GRASSROOTS:
        union = organisation
    else:
        unions = organisation_choices_for_user(request.user, levels=(Level.GRASSROOTS,))
        chosen = int_or_none(request.GET.get("organisation"))
        union = access_organisation(request.user, chosen) if chosen is not None else None
        if union is not None and union.level != Level.GRASSROOTS:
            raise Http404("请选择一个基层工会。")
    lines = notice_board_for(union) if union else []
    return render(
        request,
        "assistance/review/notice_board.html",
        {
            "union": union,
            "unions": unions,
            "lines": lines,
            "period_start": min((line.notice_start for line in lines), default=None),
            "period_end": max((line.notice_end for line in lines), default=None),
            "note": span_note(
                min((line.notice_start for line in lines), default=None),
                max((line.notice_end for line in lines), default=None),
            ),
            "today": timezone.localdate(),
        },
    )
