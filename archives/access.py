"""Who may see and do what with an archive.

`access_archive` is the only way a view gets an archive: scoped to the user's organisation,
or not found. The `can_*` predicates say why a user may not do something ("" = may); the
`require_*` gates raise the same reasons in the services. The status moves themselves are
decided by the tables in `archives.lifecycles`.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.models import User
from accounts.roles import Level, Role
from accounts.selectors import in_scope, scope_queryset
from archives.models import Archive, ArchiveExit, CategoryChange
from archives.rules import DEEP_LEAVES_BY_PHASE_OUT
from assistance.eligibility import Category
from core.migration_utils import SYSTEM_USERNAME

# Who works on an archive: caseworkers and reviewers of its union, its county or its city.
STAFF_ROLES = (Role.CASEWORKER, Role.REVIEWER)
NOT_IN_SCOPE = "该档案不在您的管理范围内。"


def access_archive(user, pk: int) -> Archive:
    archives = Archive.objects.select_related(
        "organisation", "county", "city", "policy", "case", "merged_into"
    )
    archive = scope_queryset(archives, user).filter(pk=pk).first()
    if archive is None:
        raise Http404("没有找到该档案，或您无权查看。")
    return archive


def is_system(actor: User) -> bool:
    """The (inactive) system account the daily command acts as."""
    return actor.username == SYSTEM_USERNAME and not actor.is_active


# --- Predicates: the reason, or "" -----------------------------------------------------------


def can_act_on(user: User, archive: Archive, roles: tuple[str, ...], what: str) -> str:
    """The user holds one of `roles` in the archive's union, its county or its city."""
    if not user.is_authenticated or not user.has_role(*roles):
        return f"{what}须由{'、'.join(Role(r).label for r in roles)}办理。"
    if not in_scope(user, archive):
        return NOT_IN_SCOPE
    return ""


def can_staff(user: User, archive: Archive) -> bool:
    """A caseworker or reviewer in the archive's scope (the panels' buttons)."""
    return not can_act_on(user, archive, STAFF_ROLES, "")


def active_refusal(archive: Archive, what: str) -> str:
    if not archive.is_active:
        return f"档案{archive.get_status_display()}，不能{what}。"
    return ""


def can_record_reverification(user: User, archive: Archive) -> str:
    """Open archives are re-verified on the cycle (WH-M §17), by staff in scope."""
    if not archive.on_schedule:
        return f"档案{archive.get_status_display()}，不进行定期核查；请按退档（脱困）程序办理。"
    if not can_staff(user, archive):
        return "定期核查须由档案所在基层工会、县级工会或市总工会的经办人、审核人登记。"
    return ""


def can_propose_category(user: User, archive: Archive, pending: CategoryChange | None) -> str:
    """A category change is proposed on an open archive by staff in scope, one at a time;
    a deep household leaves its category only through the phase-out."""
    refusal = can_record_reverification(user, archive)
    if refusal:
        return refusal
    if pending is not None:
        return "该档案已有待审核的类别变更，请审核后再提出。"
    if archive.category == Category.DEEP:
        return DEEP_LEAVES_BY_PHASE_OUT
    return ""


def category_decider_refusal(user: User, change: CategoryChange, archive: Archive) -> str:
    """A reviewer of the archive's county or city, who neither proposed the change nor
    recorded or went on the visit it stands on (职责分离)."""
    if not user.is_authenticated or not user.has_role(Role.REVIEWER):
        return "类别变更须由审核人审核。"
    organisation = user.organisation
    if organisation is None or organisation.level > Level.COUNTY or not in_scope(user, archive):
        return "类别变更须由档案所在县级工会或市总工会的审核人审核。"
    if change.proposed_by_id == user.pk:
        return "职责分离：您提出了该类别变更，须由其他审核人审核。"
    if change.visit is not None and (
        change.visit.recorded_by_id == user.pk or change.visit.staff.filter(user=user).exists()
    ):
        return "职责分离：您参加或登记了该类别变更所依据的走访核查，须由其他审核人审核。"
    return ""


def took_part_in_exit(user: User, exit: ArchiveExit) -> bool:
    """Whether the user recorded the exit or was among the investigators of its visit."""
    if exit.recorded_by_id == user.pk:
        return True
    return exit.visit_id is not None and exit.visit.staff.filter(user=user).exists()


def can_update_contact(user: User, archive: Archive) -> str:
    """Why `user` cannot update this archive's phone and card, or "" (no query).

    A caseworker or reviewer of the archive's own union or county, while it is active.
    """
    if not user.has_role(*STAFF_ROLES) or getattr(user, "organisation_id", None) not in (
        archive.organisation_id,
        archive.county_id,
    ):
        return "只有该档案所在基层工会或县级工会的经办人、审核人可以更新联系电话、银行卡。"
    return active_refusal(archive, "更新联系电话、银行卡")


# --- Gates for the services: the same reasons, raised ------------------------------------------


def require_staff_in_scope(
    actor: User, archive: Archive, roles: tuple[str, ...], what: str
) -> None:
    """The actor holds one of `roles` in the archive's union, its county or its city."""
    refusal = can_act_on(actor, archive, roles, what)
    if refusal:
        raise PermissionDenied(refusal)


def require_active(archive: Archive, what: str) -> None:
    refusal = active_refusal(archive, what)
    if refusal:
        raise ValidationError(refusal)
