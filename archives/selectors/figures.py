"""The household's figures as the archive knows them now."""

from archives.models import Archive, ArchiveVisit
from assistance.models import CASE_MONEY_FIELDS

# What a re-verification or exit visit enters afresh (WH-M §17: 根据核查结果动态管理).
VISIT_FIGURES = (*CASE_MONEY_FIELDS, "urban_homes", "vehicles", "household_size", "students")


def current_figures(archive: Archive) -> dict:
    """The latest visit's figures, or the approved case's when none was made yet."""
    visit = ArchiveVisit.objects.filter(archive=archive).order_by("-visit_date", "-id").first()
    if visit is not None:
        return dict(visit.figures)
    case = archive.case
    return {name: str(getattr(case, name)) for name in VISIT_FIGURES}
