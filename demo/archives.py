"""The demo's archives: last year's households, approved in 2025, and what became of them.

Each household of `ARCHIVE_HOUSEHOLDS` (demo.cases) is entered, visited, reviewed,
compared and posted on the notice board at the moment it happened (`demo.clock`);
the county's third reviewer confirms it after the notice, which opens its archive. Then
its year follows `DEMO_LIVES`: a re-verification on time, one overdue, one due soon, one
that finds a relative household now in deep hardship (a category change waiting for a
county reviewer), a deep household out of hardship in its phase-out (脱困渐退期), a
relative household found above the line whose worker asked for a re-check (waiting,
with its 15-working-day deadline), and a household that asked to leave.

Every step goes through the services, by the member of staff who would take it.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Organisation, User
from archives.models import Archive, ArchiveExit
from archives.selectors.figures import current_figures
from archives.services.exits import (
    exit_finding_record,
    exit_objection_record,
    exit_request_record,
)
from archives.services.reverify import reverification_record
from assistance.models import Case, SurveySignature
from assistance.services import case_create, case_forward, case_submit
from demo.cases import PDF, _upload, demo_case_plan
from demo.clock import demo_day
from demo.review import (
    CONSISTENT,
    COUNTY_FORWARD,
    FORWARD,
    PASS,
    VISIT,
    DemoReview,
    _Staff,
    _take,
)

REVERIFY = "reverify"  # the union's two caseworkers re-verify the household
EXIT_FINDING = "exit_finding"  # … find it out of hardship and fill the 脱困登记表
OBJECTION = "objection"  # the worker asks for a re-check of the exit
REQUEST = "request"  # the worker's own written request to leave


@dataclass(frozen=True)
class LifeStep:
    kind: str
    date: str  # ISO date
    figures: dict = field(default_factory=dict)  # changed figures, the rest as before
    months_above_line: int | None = None  # None: counted from the archive's visits
    months_reason: str = ""  # the evidence for months the visits do not cover
    text: str = ""


@dataclass(frozen=True)
class DemoLife:
    union: str
    date: str  # the 2025 application date, "MM-DD"
    steps: tuple[LifeStep, ...] = ()


# fmt: off
DEMO_LIVES: tuple[DemoLife, ...] = (
    # Re-verified on time this spring: due again next spring.
    DemoLife("JH-02", "02-17", (
        LifeStep(REVERIFY, "2026-03-12", text="入户核查：妻子仍在化疗，儿子读高三，家庭收支与上年基本一致。"),
    )),
    # Deep, opened April 2025, never re-verified: overdue since April.
    DemoLife("JH-03", "03-10"),
    # Relative; the husband's illness got worse: now deep — a category change to decide.
    DemoLife("YJ-02", "04-08", (
        LifeStep(REVERIFY, "2025-11-20", text="半年核查：家庭情况与建档时一致。"),
        LifeStep(REVERIFY, "2026-05-18", {"expense_medical": "45000", "medical_out_of_pocket": "38000"},
                 text="半年核查：申请人妻子今年两次住院，医疗支出大幅增加，家庭人均收入已低于低保标准。"),
        LifeStep(REVERIFY, "2026-11-16", {"expense_medical": "45000", "medical_out_of_pocket": "38000"},
                 text="半年核查：妻子仍在治疗，情况与五月核查一致。"),
    )),
    # Deep; both now work, income above 低保 for eight months: 脱困, in its phase-out.
    DemoLife("JH-04", "05-12", (
        LifeStep(EXIT_FINDING, "2026-08-20", {"income_wages": "68000", "expense_disability": "6000"},
                 months_above_line=8, months_reason="单位出具的2026年1月至8月工资证明和银行流水",
                 text="申请人康复后回到装卸队上班，妻子在超市做收银员，家庭收入已连续八个月超过低保标准。"),
    )),
    # Accident, re-verified in January: overdue since July.
    DemoLife("JJ-03", "06-16", (
        LifeStep(REVERIFY, "2026-01-14", text="半年核查：申请人工伤后仍在康复，家庭收入未恢复。"),
    )),
    # Relative; the husband recovered, income well above the line: exit, and an objection.
    DemoLife("YJ-03", "07-07", (
        LifeStep(REVERIFY, "2026-01-22", text="半年核查：丈夫病情稳定，家庭收支与建档时一致。"),
        LifeStep(EXIT_FINDING, "2026-11-05", {"income_wages": "128000", "expense_medical": "4000",
                                              "medical_out_of_pocket": "3000"},
                 text="丈夫病愈后在外地承包工程，家庭年收入约12.8万元，已超过相对困难标准。"),
        LifeStep(OBJECTION, "2026-11-16",
                 text="丈夫承包工程的收入只有上半年，下半年工程已结束，本人申请复核。"),
    )),
    # Relative; the worker asked to leave after finding a better job.
    DemoLife("JJ-02", "03-24", (
        LifeStep(REQUEST, "2026-09-01", text="本人已调入市属国企工作，收入稳定，自愿申请退出困难职工档案。"),
    )),
    # Deep, opened December 2025: re-verification due next month.
    DemoLife("JJ-04", "11-03"),
)
# fmt: on


def _figures(archive: Archive, changes: dict) -> dict:
    return {**current_figures(archive), **changes}


def _approve(planned, unions: dict, users: dict, city: Organisation) -> Case:
    """The household's 2025 application, from intake to approval, each step on its day."""
    spec = planned.spec
    staff = _Staff(users, spec.union)
    applied = planned.fields["application_date"]
    with demo_day(applied):
        case = case_create(
            actor=staff.caseworkers[0],
            organisation=unions[f"{city.code}-{spec.union}"],
            fields=planned.fields,
            members=planned.members,
        ).case
        for doc_type in planned.documents:
            _upload(staff.caseworkers[0], case, doc_type)
        case = case_submit(actor=staff.caseworkers[0], case=case)
    plan = DemoReview(spec.union, spec.date, (), Case.Status.APPROVED)
    for days, steps in ((3, (VISIT, FORWARD)), (10, (COUNTY_FORWARD,)), (15, (CONSISTENT, PASS))):
        with demo_day(applied + datetime.timedelta(days=days)):
            for step in steps:
                case = _take(step, case, plan, staff)
    with demo_day(case.notice_end + datetime.timedelta(days=1)):
        return case_forward(
            actor=staff.county_reviewers[2],
            case=case,
            opinion="公示期满无异议，确认建档。",
            # The demo counties visit few of their new files; the reviewer confirms that
            # knowingly, as the confirmation asks below 50 % (WH-M §10(三)).
            coverage_confirmed=True,
        )


def _live(step: LifeStep, archive: Archive, staff: _Staff) -> None:
    day = datetime.date.fromisoformat(step.date)
    caseworker = staff.caseworkers[0]
    with demo_day(day):
        if step.kind == REVERIFY:
            reverification_record(
                actor=caseworker,
                archive=archive,
                visit_date=day,
                staff=staff.caseworkers,
                findings=step.text,
                figures=_figures(archive, step.figures),
                months_above_line=step.months_above_line,
                months_reason=step.months_reason,
                survey_signature=SurveySignature.SIGNED,
            )
        elif step.kind == EXIT_FINDING:
            exit_finding_record(
                actor=caseworker,
                archive=archive,
                visit_date=day,
                staff=staff.caseworkers,
                findings=step.text,
                figures=_figures(archive, step.figures),
                months_above_line=step.months_above_line,
                months_reason=step.months_reason,
                survey_signature=SurveySignature.SIGNED,
                situation=step.text,
                signature=ArchiveExit.Signature.SIGNED,
                investigators_note="",
                notified_on=day,
            )
        elif step.kind == OBJECTION:
            exit_objection_record(
                actor=caseworker,
                exit=archive.exits.order_by("-id").first(),
                received_on=day,
                content=step.text,
            )
        elif step.kind == REQUEST:
            exit_request_record(
                actor=caseworker,
                archive=archive,
                request_date=day,
                request_document=SimpleUploadedFile(
                    f"{archive.person_name}-退档申请书.pdf", PDF, content_type="application/pdf"
                ),
                note=step.text,
            )
        else:  # pragma: no cover - a typo in the plan
            raise ValueError(step.kind)


def demo_archives_seed(*, city: Organisation) -> dict[str, int]:
    """Last year's households approved and archived, then their year; archives per state."""
    unions = {org.code: org for org in Organisation.objects.filter(city=city)}
    users = {user.username: user for user in User.objects.filter(organisation__city=city)}
    lives = {(life.union, life.date): life for life in DEMO_LIVES}
    for planned in demo_case_plan():
        spec = planned.spec
        if spec.year != 2025:
            continue
        case = _approve(planned, unions, users, city)
        staff = _Staff(users, spec.union)
        for step in lives[(spec.union, spec.date)].steps:
            _live(step, Archive.objects.get(case=case), staff)
    return dict(Counter(Archive.objects.filter(city=city).values_list("status", flat=True)))


def demo_archives_summary(*, city_code: str) -> str:
    status = Counter(Archive.objects.filter(city__code=city_code).values_list("status", flat=True))
    states = "，".join(f"{s.label} {status[s.value]}" for s in Archive.Status if status[s.value])
    return f"困难职工档案：{states}"
