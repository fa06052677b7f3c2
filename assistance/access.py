"""The only way a view gets a case or one of its documents: scoped, or not found."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.roles import Role
from accounts.selectors import scope_queryset
from assistance.models import Case, CaseDocument


def access_case(user, pk: int, *, perm: str = "view") -> Case:
    """`view`: any user whose organisation holds the case or is above it.
    `edit`: additionally a caseworker, while the case is still a draft."""
    case = (
        scope_queryset(Case.objects.all(), user)
        .select_related("organisation", "county", "city", "policy", "entered_by")
        .filter(pk=pk)
        .first()
    )
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
