"""Archives, opened the way the product opens them (by approving a case), and the visits,
findings and exits the archives' tests build on them."""

import datetime

from archives.models import Archive, ArchiveExit, ExitObjection
from archives.selectors.figures import VISIT_FIGURES, current_figures
from archives.services.exits import (
    exit_finding_record,
    exit_objection_decide,
    exit_objection_record,
    phase_out_conclude,
)
from core.notify import SmsError
from tests.factories.assistance import World, wuhu_approved

LOW_WAGES = "20000"  # per capita 195.83: deep, and still deep after a year's living aid
DEEP_WAGES = "40000"  # per capita 612.50 < 低保 760: deep
RELATIVE_WAGES = "60000"  # 1029.17: relative
CLEAR_WAGES = "150000"  # 2904.17: qualifies for no archive
VISIT_DAY = datetime.date(2026, 5, 6)


def open_archive(world: World, *, person: int, **fields) -> Archive:
    """The archive of an approved case (its own ID numbers per `person`; person 0 is the
    standard household of union_a1: the `archive` fixture, a deep archive)."""
    return Archive.objects.get(case=wuhu_approved(world, person=person, **fields))


def relative_archive(world, person: int = 1) -> Archive:
    archive = open_archive(world, person=person, income_wages=RELATIVE_WAGES)
    assert archive.category == "relative"
    return archive


def accident_archive(world, person: int = 2, costs: str = "40000") -> Archive:
    archive = open_archive(
        world, person=person, income_wages=CLEAR_WAGES, accident_costs=costs, main_cause="accident"
    )
    assert archive.category == "accident"
    return archive


def low_income_archive(world, person: int = 3) -> Archive:
    archive = open_archive(world, person=person, income_wages=LOW_WAGES)
    assert archive.category == "deep"
    return archive


# --- Visits and exits --------------------------------------------------------------------


class FailingGateway:
    """An SMS gateway that times out (settings.SMS_BACKEND)."""

    def send(self, phone: str, text: str) -> None:
        raise SmsError("网关超时")


def figures(archive: Archive, wages: str) -> dict:
    return {**current_figures(archive), "income_wages": wages}


def form_data(archive: Archive, world, **changes) -> dict:
    """The POST body of the re-verification visit form: today's visit by the union's two."""
    w = world.wuhu
    data = {
        "visit_date": world.clock.today().isoformat(),
        "staff": [w.caseworker.pk, w.grassroots_reviewer.pk],
        "findings": "入户查看，核实工资单和就医票据。",
        "months_above_line": "0",
        "survey_signature": "signed",
        "confirm": "on",
    }
    figures = current_figures(archive)
    data.update({f"figure_{name}": figures[name] for name in VISIT_FIGURES})
    data.update({f"figure_{name}": str(value) for name, value in changes.items()})
    return data


def finding(world, archive: Archive, *, wages: str = CLEAR_WAGES, actor=None, **overrides):
    """An exit finding by the union's caseworker and reviewer on today's visit."""
    w = world.wuhu
    today = world.clock.today()
    arguments = {
        "actor": actor or w.caseworker,
        "archive": archive,
        "visit_date": today,
        "staff": [w.caseworker, w.grassroots_reviewer],
        "findings": "入户核实：配偶再就业，家庭收入稳定增长。",
        "figures": figures(archive, wages),
        "months_above_line": 0,
        "survey_signature": "signed",
        "situation": "家庭人均收入已超过建档标准，致困因素消除。",
        "signature": ArchiveExit.Signature.SIGNED,
        "investigators_note": "",
        "notified_on": today,
        **overrides,
    }
    if arguments["months_above_line"]:
        # No earlier visit records the months: they are typed with their evidence (WH-M §13).
        arguments.setdefault("months_reason", "单位工资证明和银行流水")
    return exit_finding_record(**arguments)


def objection(world, exit: ArchiveExit, **overrides) -> ExitObjection:
    arguments = {
        "actor": world.wuhu.caseworker,
        "exit": exit,
        "received_on": world.clock.today(),
        "content": "家中老人住院，收入不稳定，申请复核。",
        **overrides,
    }
    return exit_objection_record(**arguments)


def decide(world, o: ExitObjection, result: str, *, channel="sms", actor=None):
    return exit_objection_decide(
        actor=actor or world.wuhu.county_reviewer,
        objection=o,
        result=result,
        note="经复核，家庭收入情况属实。",
        channel=channel,
    )


def exiting_archive(world) -> tuple[Archive, ArchiveExit]:
    """A relative household found on 2026-05-06 to qualify no more, told that day."""
    archive = relative_archive(world)
    world.clock.set(VISIT_DAY)
    return archive, finding(world, archive)


def phase_out_archive(world, archive: Archive) -> ArchiveExit:
    """The deep household found on 2026-05-06 to have 脱困 (six months above 低保)."""
    world.clock.set(VISIT_DAY)
    return finding(world, archive, wages=RELATIVE_WAGES, months_above_line=6)


def conclude(world, archive: Archive, wages: str):
    """The phase-out's end: the county's visit of today."""
    w = world.wuhu
    return phase_out_conclude(
        actor=w.county_caseworker,
        archive=archive,
        visit_date=world.clock.today(),
        staff=[w.county_caseworker, w.county_reviewer],
        findings="渐退期满入户核查。",
        figures=figures(archive, wages),
        survey_signature="signed",
    )
