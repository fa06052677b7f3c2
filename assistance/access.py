"""The only way a view gets a case or one of its documents: scoped, or not found; and what
a user may do on a case besides its table's moves (`can_*`: "" = may, else the reason).

The services refuse with the same reasons, so the panel and the refusal never disagree.
The moves of the review chain themselves are the table's (`core.lifecycle.moves` on
`assistance.workflow.CaseLifecycle`)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from guardian.core import ObjectPermissionChecker

from accounts.roles import Role
from accounts.selectors import in_scope, scope_queryset
from assistance.models import Case, CaseDocument, Policy
from assistance.workflow import VISIT_STATES, holder_now

# What a user invited to a joint home visit (guardian `visit_case`) may do with the case.
JOINT_VISIT_PERMS = ("view", "visit")


def invited_to_visit(user, case: Case) -> bool:
    """Whether `user` holds the joint-visit grant on `case` (case_share_for_visit)."""
    if not user.is_active or user.is_superuser:
        # guardian grants a superuser every permission; a grant must be individual here.
        return False
    if case.status not in VISIT_STATES:
        return False
    return ObjectPermissionChecker(user).has_perm("visit_case", case)


def access_case(user, pk: int, *, perm: str = "view") -> Case:
    """`view`: any user whose organisation holds the case or is above it, or who was invited
    to its joint home visit.
    `visit`: the same users; the service decides whether a visit can be recorded now.
    `review`: the holding organisation and those above it only (decisions, records, grants);
    the services check the role, the level and the state.
    `edit`: additionally a caseworker, while the case is still a draft."""
    cases = Case.objects.select_related("organisation", "county", "city", "policy", "entered_by")
    case = scope_queryset(cases, user).filter(pk=pk).first()
    if case is None and perm in JOINT_VISIT_PERMS:
        invited = cases.filter(pk=pk).first()
        if invited is not None and invited_to_visit(user, invited):
            case = invited
    if case is None:
        raise Http404("没有找到该申请，或您无权查看。")
    if perm == "edit":
        if not user.has_role(Role.CASEWORKER):
            raise PermissionDenied("只有经办人可以修改申请。")
        if not case.is_editable:
            raise PermissionDenied("申请已提交，申请人信息已锁定。")
    return case


def access_document(user, case_pk: int, pk: int) -> CaseDocument:
    case = access_case(user, case_pk)
    document = case.documents.filter(pk=pk).first()
    if document is None:
        raise Http404("没有找到该材料。")
    return document


def access_policy(user, code: str) -> Policy:
    """A policy of the administrator's own city (its policy region); others are not found."""
    organisation = getattr(user, "organisation", None)
    policy = Policy.objects.filter(code=code).first()
    if policy is None or organisation is None or policy.region != organisation.region:
        raise Http404("没有找到该政策，或它不属于本市。")
    return policy


def can_flag_doubtful(user, case: Case) -> str:
    """Marking a case doubtful (建档存疑) is the county reviewer's (WH-M §10(三))."""
    if not user.has_role(Role.REVIEWER) or user.organisation_id != case.county_id:
        return "只有县级审核人可以标记建档存疑。"
    return ""


def can_record_comparison(user, case: Case) -> str:
    """The information comparison is recorded by the county union (WH-M §10(四))."""
    if not user.has_role(Role.CASEWORKER, Role.REVIEWER) or user.organisation_id != case.county_id:
        return "信息比对由县级工会登记。"
    return ""


def can_assign_reviewer(user, case: Case) -> str:
    """A reviewer of the union holding the case's current decision assigns it."""
    holder = holder_now(case)
    if holder is None or not user.has_role(Role.REVIEWER) or user.organisation_id != holder.pk:
        return "只有当前办理层级的审核人可以指派。"
    return ""


def can_invite_to_visit(user, case: Case) -> str:
    """A caseworker or reviewer who may see the case invites another union to a joint visit."""
    if not user.has_role(Role.CASEWORKER, Role.REVIEWER):
        return "邀请联合走访须由经办人、审核人办理。"
    if not in_scope(user, case):
        return "该申请不在您的管理范围内。"
    return ""
