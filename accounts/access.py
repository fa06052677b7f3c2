"""The only way a view gets an organisation or a user: scoped, or not found."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Organisation, User
from accounts.roles import Level, Role
from accounts.selectors import is_system_user, scope_queryset


def require_role(user, *roles: str) -> None:
    if not user.is_authenticated or not user.has_role(*roles):
        raise PermissionDenied("您没有执行此操作的权限。")


def role_required(*roles: str):
    """View decorator: logged in, and holding one of `roles`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            require_role(request.user, *roles)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def access_organisation(user, pk: int) -> Organisation:
    organisation = scope_queryset(Organisation.objects.all(), user).filter(pk=pk).first()
    if organisation is None:
        raise Http404("没有找到该组织，或您无权查看。")
    return organisation


def access_user(user, pk: int) -> User:
    target = scope_queryset(User.objects.all(), user).filter(pk=pk).first()
    if target is None:
        raise Http404("没有找到该用户，或您无权查看。")
    return target


def require_admin_over(actor: User, organisation: Organisation | None) -> None:
    """Administrators act on their own organisation and those below; the system account anywhere."""
    if is_system_user(actor):
        return
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("只有系统管理员可以管理组织和用户。")
    if organisation is None:
        if actor.organisation is not None and actor.organisation.level == Level.CITY:
            return
        raise PermissionDenied("只有市总工会的系统管理员可以创建市级组织。")
    if not scope_queryset(Organisation.objects.all(), actor).filter(pk=organisation.pk).exists():
        raise PermissionDenied("该组织不在您的管理范围内。")
