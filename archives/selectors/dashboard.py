"""The home page's archive work: what is overdue or waiting, in the user's scope."""

import datetime
from dataclasses import dataclass

from archives.selectors.exits import open_objections_for_user, phase_out_for_user
from archives.selectors.reverify import OVERDUE, SOON, due_archives, pending_category_changes


@dataclass(frozen=True)
class ArchiveWork:
    overdue: int
    due_soon: int
    pending_changes: int
    open_objections: int
    objections_late: int
    phase_out_ended: int

    @property
    def anything(self) -> bool:
        return any(
            (
                self.overdue,
                self.due_soon,
                self.pending_changes,
                self.open_objections,
                self.phase_out_ended,
            )
        )


def archive_work_for(user, today: datetime.date) -> ArchiveWork:
    """Six counts, six queries, whatever the number of archives."""
    objections = open_objections_for_user(user)
    return ArchiveWork(
        overdue=due_archives(user, tab=OVERDUE, today=today).count(),
        due_soon=due_archives(user, tab=SOON, today=today).count(),
        pending_changes=pending_category_changes(user).count(),
        open_objections=objections.count(),
        objections_late=objections.filter(decide_by__lt=today).count(),
        phase_out_ended=phase_out_for_user(user).filter(phase_out_until__lt=today).count(),
    )
