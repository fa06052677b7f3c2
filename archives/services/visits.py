"""A visit to an archived household (走访核查): two or more staff, fresh figures, a fresh
assessment under the policy and 低保 in force on the visit date (WH-M §14, §17)."""

import dataclasses
import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from accounts.models import User
from archives.access import STAFF_ROLES, require_active, require_staff_in_scope
from archives.models import Archive, ArchiveVisit, ArchiveVisitStaff
from archives.selectors.figures import VISIT_FIGURES
from assistance.assessment import assess_household, assessment_as_json, household_from_values
from assistance.models import CASE_ASSESSED_FIELDS, CASE_MONEY_FIELDS, CaseDocument
from assistance.rules import distinct_staff, visit_staff_problem
from assistance.selectors import (
    PolicyNotFound,
    member_inputs,
    minimum_living_standard_for,
    policy_in_force,
)
from assistance.services.documents import (
    ARCHIVE_SURVEY_CLAUSE,
    check_visit_survey,
    store_document,
)
from core.dates import add_months
from core.history import save_tracked
from core.money import AmountTextError, exact_yuan


def _clean_figures(figures: dict) -> dict:
    missing = [name for name in VISIT_FIGURES if figures.get(name) in (None, "")]
    if missing:
        raise ValidationError({"figures": "请填写全部核查数据。"})
    unknown = set(figures) - set(VISIT_FIGURES)
    if unknown:
        raise ValidationError({"figures": f"不能核查的项目：{'、'.join(sorted(unknown))}"})
    cleaned: dict = {}
    for name in VISIT_FIGURES:
        try:
            value = exact_yuan(str(figures[name]))
        except AmountTextError as exc:
            if exc.code == "max_decimal_places":
                raise ValidationError(
                    {"figures": "金额最多两位小数（不会四舍五入），请核对。"}
                ) from exc
            raise ValidationError({"figures": f"{name} 不是数字。"}) from exc
        if value < 0:
            raise ValidationError({"figures": "核查数据不能为负数。"})
        if name in CASE_MONEY_FIELDS:
            cleaned[name] = value
        elif value != value.to_integral_value():
            raise ValidationError({"figures": "人数、套数和辆数须为整数。"})
        else:
            cleaned[name] = int(value)
    if cleaned["household_size"] < 1:
        raise ValidationError({"figures": "共同生活人口至少为1人。"})
    if cleaned["students"] > cleaned["household_size"]:
        raise ValidationError({"figures": "在校学生人数不能超过共同生活人口。"})
    return cleaned


def _check_staff(archive: Archive, staff: list[User]) -> list[User]:
    staff = distinct_staff(staff)
    if problem := visit_staff_problem(staff):
        raise ValidationError({"staff": problem})
    chain = {archive.organisation_id, archive.county_id, archive.city_id}
    for user in staff:
        if not user.is_active or not user.has_role(*STAFF_ROLES):
            raise ValidationError({"staff": f"{user} 不是在岗的经办人或审核人。"})
        if user.organisation_id not in chain:
            raise ValidationError({"staff": f"{user} 不属于该档案的基层工会、县级或市级工会。"})
    return staff


def archive_visit_record(
    *,
    actor: User,
    archive: Archive,
    purpose: str,
    visit_date: datetime.date,
    staff: list[User],
    findings: str,
    figures: dict,
    months_above_line: int | None = None,
    months_reason: str = "",
    survey: UploadedFile | None = None,
    survey_signature: str = "",
    survey_note: str = "",
) -> ArchiveVisit:
    """Record a visit to a locked archive and assess its figures under the policy in force.

    The visit carries its survey (the scan, or entered with the worker's signature; WH-M
    §17). The months above 低保 come from the archive's records (`months_above_line_on`);
    `months_above_line` typed above them needs `months_reason` (WH-M §13).

    The caller holds the transaction and the lock (`lock_archive`) and decides what the
    result means for the archive (a re-verification, an exit, the end of a phase-out).
    """
    require_staff_in_scope(actor, archive, STAFF_ROLES, "走访核查")
    require_active(archive, "登记走访核查")
    if purpose not in ArchiveVisit.Purpose.values:
        raise ValidationError("走访目的不正确。")
    if visit_date > timezone.localdate():
        raise ValidationError({"visit_date": "走访日期不能晚于今天。"})
    if visit_date < archive.opened_on:
        raise ValidationError({"visit_date": "走访日期不能早于建档日期。"})
    staff = _check_staff(archive, staff)
    if not findings.strip():
        raise ValidationError({"findings": "请填写走访情况。"})
    if months_above_line is not None and months_above_line < 0:
        raise ValidationError({"months_above_line": "月数不能为负数。"})
    survey_signature, survey_note = check_visit_survey(
        survey=survey, signature=survey_signature, note=survey_note, clause=ARCHIVE_SURVEY_CLAUSE
    )
    cleaned = _clean_figures(figures)
    try:
        policy = policy_in_force(region=archive.organisation.region, on=visit_date)
        standard = minimum_living_standard_for(county=archive.county, on=visit_date)
    except PolicyNotFound as exc:
        raise ValidationError(str(exc)) from exc
    case = archive.case
    values = {name: getattr(case, name) for name in CASE_ASSESSED_FIELDS}
    values.update({name: cleaned[name] for name in (*CASE_MONEY_FIELDS, "urban_homes", "vehicles")})
    values["application_date"] = visit_date
    household = dataclasses.replace(
        household_from_values(values, member_inputs(case), mls=standard.monthly_amount),
        household_size=cleaned["household_size"],
        students=cleaned["students"],
    )
    assessment = assess_household(household, policy)
    months = months_above_line_on(
        archive,
        visit_date=visit_date,
        above=assessment.per_capita_monthly_income > standard.monthly_amount,
        typed=months_above_line,
        reason=months_reason,
    )
    visit = ArchiveVisit(
        archive=archive,
        purpose=purpose,
        organisation=actor.organisation,
        visit_date=visit_date,
        findings=findings.strip(),
        figures={name: str(value) for name, value in cleaned.items()},
        survey_signature=survey_signature,
        survey_note=survey_note,
        months_above_line=months.months,
        months_from_records=months.from_records,
        months_reason=months.reason,
        policy=policy,
        minimum_living_standard=standard.monthly_amount,
        assessment=assessment_as_json(assessment),
        category=assessment.category,
        per_capita_income=assessment.per_capita_monthly_income,
        recorded_by=actor,
    )
    if survey is not None:
        visit.survey = store_document(
            actor=actor, case=case, doc_type=CaseDocument.Type.VISIT_SURVEY, upload=survey
        )
    save_tracked(visit, actor=actor, reason=f"登记{visit.get_purpose_display()}")
    for user in staff:
        save_tracked(ArchiveVisitStaff(visit=visit, user=user), actor=actor, reason="走访人员")
    return visit


def whole_months(start: datetime.date, end: datetime.date) -> int:
    """The whole calendar months from `start` to `end` (0 when `end` is before a month is up)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return max(months, 0)


@dataclasses.dataclass(frozen=True)
class MonthsAboveLine:
    months: int
    from_records: int
    reason: str


def months_above_line_on(
    archive: Archive,
    *,
    visit_date: datetime.date,
    above: bool,
    typed: int | None,
    reason: str,
) -> MonthsAboveLine:
    """How many consecutive months the household's per-capita income has been above 低保 at a
    new visit (脱困, WH-M §13), from the archive's records where they exist.

    The records are the archive's recorded visits on or before the visit date (any purpose),
    each with its per-capita income and the 低保 applied on its date, and the new visit.
    - The new visit not above the line: 0 months, nothing may be typed.
    - Otherwise the run: walking back from the new visit, the recorded visits above their
      line with none at or below the line between; it starts at the earliest of them (or
      at the new visit). Months from the records = whole calendar months from that start
      to the new visit.
    - Before the run the records are silent (back to the last visit at or below the line,
      if any). Months typed above the records' count need a reason (the evidence: wage
      slips, bank statements …) and may not reach back past a visit at or below the line.
      Fewer months than the records show are refused, not kept.
    """
    reason = reason.strip()
    if not above:
        if typed:
            raise ValidationError(
                {
                    "months_above_line": "本次核查家庭人均月收入未超过低保标准，"
                    "连续超过低保标准的月数为0（芜湖实施办法第十三条）。"
                }
            )
        return MonthsAboveLine(0, 0, "")
    start, below = visit_date, None
    earlier = archive.visits.filter(visit_date__lte=visit_date).order_by("-visit_date", "-id")
    for record in earlier.only("visit_date", "per_capita_income", "minimum_living_standard"):
        if record.per_capita_income <= record.minimum_living_standard:
            below = record.visit_date
            break
        start = record.visit_date
    from_records = whole_months(start, visit_date)
    if typed is None or typed == from_records:
        return MonthsAboveLine(from_records, from_records, "")
    if typed < from_records:
        raise ValidationError(
            {
                "months_above_line": f"档案的走访核查记录显示家庭人均收入已连续{from_records}"
                "个月超过低保标准，请留空按记录计算（芜湖实施办法第十三条）。"
            }
        )
    if below is not None and typed > whole_months(below, visit_date):
        raise ValidationError(
            {
                "months_above_line": f"档案记录{below.year}年{below.month}月{below.day}日核查时"
                f"家庭人均收入未超过低保标准，连续超过低保标准最多"
                f"{whole_months(below, visit_date)}个月（芜湖实施办法第十三条）。"
            }
        )
    if not reason:
        raise ValidationError(
            {
                "months_reason": f"连续超过低保标准的月数按档案的走访核查记录计算（记录显示"
                f"{from_records}个月）；记录未覆盖的月份须写明依据，如工资单、银行流水"
                "（芜湖实施办法第十三条）。"
            }
        )
    return MonthsAboveLine(typed, from_records, reason)
