"""A recovery's moves as data (追回, WH-M §19, TA-F §14): one table, one engine.

    recorded ──confirm (another county reviewer)──▶ confirmed ──repay (finance)──▶ repaid
        │                                              │   (stays confirmed while money
        └──cancel (county reviewer)──▶ cancelled       │    is still owed)
                                                       └──close (another reviewer)──▶ closed

`funds.services.recoveries.take_recovery_transition` takes exactly these moves: it locks
the recovery, refuses a move the table does not hold, checks the role and union of the
actor and segregation of duties (whoever recorded the finding never confirms or closes
it), and saves the new status with its history and reason.
"""

from dataclasses import dataclass

from accounts.roles import Role
from funds.models import Recovery

S = Recovery.Status


@dataclass(frozen=True)
class RecoveryTransition:
    action: str
    label: str
    source: str
    # "" = decided by what is still owed: repaid when nothing is, else unchanged.
    target: str
    roles: tuple[str, ...]
    not_by_recorder: bool = False  # segregation of duties
    needs_note: bool = False


TRANSITIONS: tuple[RecoveryTransition, ...] = (
    RecoveryTransition(
        "confirm", "确认追回", S.RECORDED, S.CONFIRMED, (Role.REVIEWER,), not_by_recorder=True
    ),
    RecoveryTransition(
        "cancel", "撤销追回登记", S.RECORDED, S.CANCELLED, (Role.REVIEWER,), needs_note=True
    ),
    RecoveryTransition("repay", "登记收回追回款", S.CONFIRMED, "", (Role.FINANCE,)),
    RecoveryTransition(
        "close",
        "终结追回",
        S.CONFIRMED,
        S.CLOSED,
        (Role.REVIEWER,),
        not_by_recorder=True,
        needs_note=True,
    ),
)


class InvalidRecoveryTransition(Exception):
    """The recovery is not in a state from which this action can be taken."""


def find_transition(action: str, status: str) -> RecoveryTransition:
    for transition in TRANSITIONS:
        if transition.action == action and transition.source == status:
            return transition
    raise InvalidRecoveryTransition(f"追回当前状态为“{S(status).label}”，不能办理该操作。")


def actions_from(status: str) -> list[RecoveryTransition]:
    return [t for t in TRANSITIONS if t.source == status]
