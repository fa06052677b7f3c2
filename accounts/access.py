"""The only way a view gets an organisation or a user: scoped, or not found."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Organisation, User
from accounts.selectors import scope_queryset


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
