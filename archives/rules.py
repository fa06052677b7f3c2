"""The archives' rules: pure decisions on a clause of the policy (values in, values out, no
writes). Each names the clause it implements; the numbers come from `Policy`."""

import datetime
import re

from django.core.exceptions import ValidationError

from archives.models import Archive, ArchiveExit, ArchiveVisit
from assistance.eligibility import Category
from assistance.models import Policy
from core.dates import add_months, add_years
from core.workdays import WorkdayResult, add_working_days

NO_LONGER_QUALIFIES = "不再符合建档标准，请按退档程序办理"

DEEP_LEAVES_BY_PHASE_OUT = (
    "深度困难职工须经脱困程序（家庭人均收入连续超过低保标准、告知、6个月渐退期）方可转入"
    "相对困难或意外致困档案（芜湖实施办法第十三条），不直接变更类别。"
)


def day_text(value: datetime.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


# --- Re-verification (WH-M §17) -----------------------------------------------------------


def cycle_months(policy: Policy, category: str) -> int:
    """Months between re-verifications of a category (WH-M §17): policy data."""
    return {
        Category.DEEP: policy.reverify_months_deep,
        Category.RELATIVE: policy.reverify_months_relative,
        Category.ACCIDENT: policy.reverify_months_accident,
    }[Category(category)]


def next_verification(policy: Policy, category: str, verified_on: datetime.date) -> datetime.date:
    """The next re-verification: one cycle of the category after the last (WH-M §17)."""
    return add_months(verified_on, cycle_months(policy, category))


def reverify_reason(visit: ArchiveVisit) -> str:
    """The history reason of the archive row a re-verification saved: names its visit, so
    that the result page finds the archive as it was just before and just after."""
    return f"定期核查（走访记录 {visit.pk}）"


def leaves_deep(from_category: str, to_category: str | None) -> bool:
    """A deep household leaves the deep archive only through 脱困 and its phase-out (WH-M §13)."""
    return from_category == Category.DEEP and to_category != Category.DEEP


# --- 脱困 and exits (WH-M §13–§14) -------------------------------------------------------------


def left_hardship(visit: ArchiveVisit) -> bool:
    """脱困 (WH-M §13): per-capita income above the 低保 on the visit, for at least the
    policy's number of consecutive months."""
    return (
        visit.months_above_line >= visit.policy.exit_months_above_line
        and visit.per_capita_income > visit.minimum_living_standard
    )


def deep_exit_refusal(visit: ArchiveVisit) -> str:
    """Why a deep household found on a visit has not 脱困, or "" when it has (WH-M §13:
    解困 is not an exit)."""
    if left_hardship(visit):
        return ""
    months_needed = visit.policy.exit_months_above_line
    return (
        f"深度困难职工须家庭人均收入连续{months_needed}个月超过当地低保标准"
        f"（{visit.minimum_living_standard}元）才属脱困：本次核查人均月收入"
        f"{visit.per_capita_income}元，连续超过低保标准{visit.months_above_line}个月"
        f"（按走访核查记录{visit.months_from_records}个月）。"
        "致困因素难以消除、经帮扶生活水平达到低保标准的属解困，"
        "应继续保留在深度困难职工档案中实施常态化帮扶，不予退档（芜湖实施办法第十三条）。"
    )


def phase_out_end(notified_on: datetime.date, policy: Policy) -> datetime.date:
    """The last day of the phase-out after 脱困: `phase_out_months` from the notice (WH-M §13)."""
    return add_months(notified_on, policy.phase_out_months)


def objection_window_end(notified_on: datetime.date, policy: Policy) -> datetime.date:
    """The last day the worker may object: one calendar month after being told (WH-M §14)."""
    return add_months(notified_on, policy.exit_objection_months)


def exit_policy(exit: ArchiveExit) -> Policy:
    """The policy an exit's windows are counted under: the finding visit's, else the archive's."""
    return exit.visit.policy if exit.visit_id else exit.archive.policy


def recheck_deadline(received_on: datetime.date, policy: Policy) -> WorkdayResult[datetime.date]:
    """The last day of the re-check: `exit_recheck_working_days` working days after receipt
    (相关工会在接到申请复核之日起15个工作日内完成复核, WH-M §14)."""
    return add_working_days(received_on, policy.exit_recheck_working_days)


def objection_refusal(exit: ArchiveExit, on: datetime.date | None) -> str:
    """Why the worker's objection to `exit` is not received (on `on`, if given), or ""
    (WH-M §14: a finding in force, once, within one month of the notice)."""
    if exit.kind == ArchiveExit.Kind.REQUEST:
        return "本人书面申请退档的，不适用退档复核。"
    if exit.status == ArchiveExit.Status.REVOKED:
        return "该退档已经复核撤销。"
    if getattr(exit, "objection", None) is not None:
        return "该退档已登记过复核申请，每次退档只复核一次。"
    return objection_window_refusal(exit, on) if on is not None else ""


def objection_window_refusal(exit: ArchiveExit, on: datetime.date) -> str:
    """The objection month is over on `on` (WH-M §14: 自告知之日起1个月)."""
    if on > exit.objection_until:
        return (
            f"异议期已于{day_text(exit.objection_until)}届满"
            f"（自{day_text(exit.notified_on)}告知之日起1个月），不再受理复核申请。"
        )
    return ""


def finalise_refusal(exit: ArchiveExit | None, today: datetime.date) -> str:
    """Why an EXITING archive cannot be closed today, or "" when it can (WH-M §14: the
    objection month over with no objection, or the re-check upheld the exit)."""
    if exit is None or exit.outcome != ArchiveExit.Outcome.EXIT:
        return "没有有效的退档登记。"
    objection = getattr(exit, "objection", None)
    if objection is not None:
        if objection.decided_on is None:
            return (
                f"职工已申请复核，须于{day_text(objection.decide_by)}前作出复核结论后才能办结退档。"
            )
        return ""  # upheld: a revoked exit is no longer in force
    if today <= exit.objection_until:
        return f"异议期至{day_text(exit.objection_until)}，期满且无复核申请后才能办结退档。"
    return ""


def phase_out_refusal(archive: Archive, today: datetime.date) -> str:
    """Why the phase-out cannot be concluded today, or "" (WH-M §13: at its end)."""
    if archive.phase_out_until is not None and today <= archive.phase_out_until:
        return f"渐退期至{day_text(archive.phase_out_until)}，期满后才能登记渐退期满核查。"
    return ""


# --- Retention (WH-M §16) --------------------------------------------------------------------


def retention_end(closed_on: datetime.date, policy: Policy) -> datetime.date:
    """Original records are kept `retention_years` (30) from closure (WH-M §16)."""
    return add_years(closed_on, policy.retention_years)


# --- The worker's phone and bank card --------------------------------------------------------

CARD_DIGITS = (12, 19)
PHONE_CHARS = (7, 20)
# The reason is written on the timeline and in the history with the two masked cards.
REASON_MAX = 200
_PHONE = re.compile(r"\+?[0-9]+")


def without_spaces(value: str) -> str:
    return value.replace(" ", "").replace("\u3000", "")


def clean_phone(value: str) -> str:
    """The phone without its spaces: ASCII digits, a leading "+" allowed, 7–20 characters."""
    phone = without_spaces(value)
    if not phone:
        raise ValidationError("请填写联系电话。")
    low, high = PHONE_CHARS
    if not (_PHONE.fullmatch(phone) and low <= len(phone) <= high):
        raise ValidationError(f"联系电话应为 {low}–{high} 位数字（可以“+”开头，不含“-”等符号）。")
    return phone


def clean_bank_card(value: str) -> str:
    """The new card without its spaces: 12–19 ASCII digits, or "" to keep the stored card."""
    # Imported here: the review engine (assistance.services) opens archives through this app.
    from assistance.services.cases import bank_card_digits

    card = bank_card_digits(value)
    low, high = CARD_DIGITS
    if card and not low <= len(card) <= high:
        raise ValidationError(f"银行卡号应为 {low}–{high} 位数字。")
    return card
