"""What a caseworker enters, as plain values for the engine and the services."""

from dataclasses import dataclass

# What is entered for a household member besides the ID number (which is kept encrypted).
MEMBER_DETAIL_FIELDS = ("name", "relation", "health", "disability", "school", "employment")


@dataclass(frozen=True)
class MemberInput:
    """A household member as entered; `pk` names an existing member being edited."""

    name: str
    id_number: str
    relation: str
    health: str
    disability: str
    school: str
    employment: str
    pk: int | None = None
