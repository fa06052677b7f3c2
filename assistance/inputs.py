"""What a caseworker enters, as plain values for the engine and the services."""

from dataclasses import dataclass


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
