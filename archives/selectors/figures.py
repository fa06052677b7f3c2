"""The household's figures as the archive knows them now."""

from archives.models import Archive, ArchiveVisit
from assistance.models import CASE_MONEY_FIELDS

# What a re-verification or exit visit enters afresh (WH-M §17: 根据核查结果动态管理).
VISIT_FIGURES = (*CASE_MONEY_FIELDS, "urban_homes", "vehicles", "household_size", "students")


def current_figures(archive: Archive) -> dict:
    """The latest visit's figures, or the approved case's when none was made yet.

    A money figure missing from an older visit's record (necessary employment costs, asked
    for since WH-M §5(二) is read in full) was not entered then and counts as 0.
    """
    visit = ArchiveVisit.objects.filter(archive=archive).order_by("-visit_date", "-id").first()
    if visit is not None:
        return {**dict.fromkeys(CASE_MONEY_FIELDS, "0.00"), **visit.figures}
    case = archive.case
    return {name: str(getattr(case, name)) for name in VISIT_FIGURES}
