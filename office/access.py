"""Who may maintain the holiday calendar."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.roles import Role
from accounts.selectors import is_system_user
from core.models import Holiday

CALENDAR_ADMINS_ONLY = "只有系统管理员可以维护工作日历。"


def can_maintain_calendar(user) -> str:
    """Administrators maintain the calendar; the (inactive) system account runs the sync.
    "" when `user` may, else why not."""
    if is_system_user(user):
        return ""
    if not user.is_authenticated or not user.has_role(Role.ADMIN):
        return CALENDAR_ADMINS_ONLY
    return ""


def access_holiday(user, pk: int) -> Holiday:
    """The only way a view gets a holiday row: administrators only, or not found."""
    if not user.is_authenticated or not user.has_role(Role.ADMIN):
        raise PermissionDenied(CALENDAR_ADMINS_ONLY)
    holiday = Holiday.objects.filter(pk=pk).first()
    if holiday is None:
        raise Http404("没有找到该节假日安排。")
    return holiday
