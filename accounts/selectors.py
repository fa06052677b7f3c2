"""Reads of the organisation tree, and the one rule of what a user may see."""

from django.db.models import Q, QuerySet

from accounts.models import Organisation, RoleGrant, User
from core.migration_utils import SYSTEM_USERNAME


def system_user() -> User:
    """The inactive `system` account created by the first data migration: the actor of
    management commands and background jobs (they run inside `core.history.acting_as`)."""
    return User.objects.get(username=SYSTEM_USERNAME)


def is_system_user(user) -> bool:
    """Whether `user` is that account (inactive, so nobody can log in as it)."""
    return user.username == SYSTEM_USERNAME and not user.is_active


def scope_queryset(queryset: QuerySet, user) -> QuerySet:
    """Rows of the user's organisation and of those below it; never a sibling's.

    Every scoped model names, per level, the indexed foreign key of its organisation path
    (`SCOPE_FIELDS`); a user sees the rows whose path passes through its organisation.
    A user without an organisation sees nothing, nor does a user of a level the model has
    no path for (a grassroots union and the funds accounts of the city and counties).
    """
    organisation = getattr(user, "organisation", None)
    if not getattr(user, "is_authenticated", False) or organisation is None:
        return queryset.none()
    field = queryset.model.SCOPE_FIELDS.get(organisation.level)
    if field is None:
        return queryset.none()
    return queryset.filter(**{field: organisation.pk})


def in_scope(user, obj) -> bool:
    """Whether the user's organisation holds `obj` (a case, an archive) or is above it,
    read from the object's own organisation path (no query)."""
    organisation = getattr(user, "organisation", None)
    if organisation is None:
        return False
    field = type(obj).SCOPE_FIELDS.get(organisation.level)
    return field is not None and getattr(obj, f"{field}_id") == organisation.pk


def organisation_list_for_user(
    user, *, search: str = "", level: int | None = None, include_inactive: bool = True
) -> QuerySet[Organisation]:
    qs = scope_queryset(Organisation.objects.all(), user).select_related("parent")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search))
    if level:
        qs = qs.filter(level=level)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("code")


def organisation_choices_for_user(user, *, levels: tuple[int, ...] | None = None):
    qs = organisation_list_for_user(user, include_inactive=False)
    if levels:
        qs = qs.filter(level__in=levels)
    return qs


def user_list_for_user(
    user, *, search: str = "", role: str = "", organisation: Organisation | None = None
) -> QuerySet[User]:
    qs = (
        scope_queryset(User.objects.all(), user)
        .select_related("organisation")
        .prefetch_related("role_grants")
    )
    if search:
        qs = qs.filter(Q(username__icontains=search) | Q(full_name__icontains=search))
    if role:
        qs = qs.filter(role_grants__role=role)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.order_by("organisation__code", "username")


def user_history(user: User, *, limit: int = 20):
    """The latest changes to a user and to its roles, newest first."""
    changes = list(user.history.select_related("history_user").order_by("-history_date")[:limit])
    grants = RoleGrant.history.filter(user_id=user.pk).select_related("history_user")
    changes += list(grants.order_by("-history_date")[:limit])
    return sorted(changes, key=lambda row: row.history_date, reverse=True)[:limit]
