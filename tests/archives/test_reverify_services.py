"""Re-verification on schedule and category changes as a reviewed step (WH-M §17); a deep
household leaves the deep archive only through 脱困 and its phase-out (WH-M §13)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from archives.models import Archive, ArchiveEvent, ArchiveVisit, CategoryChange
from archives.rules import DEEP_LEAVES_BY_PHASE_OUT
from archives.selectors.figures import current_figures
from archives.services.lifecycle import close_archive, lock_archive
from archives.services.reverify import (
    category_change_decide,
    category_change_propose,
    reverification_record,
)
from core.dates import add_months
from core.history import save_tracked
from tests.factories.archives import RELATIVE_WAGES as EXIT_RELATIVE_WAGES
from tests.factories.archives import conclude, exiting_archive, open_archive, phase_out_archive
from tests.factories.assistance import HIGH_WAGES
from tests.factories.core import refusal_text

# A wage that puts the standard household between 1 and 2 × 低保 (760): relative hardship.
RELATIVE_WAGES = Decimal("80000")
DEEP_WAGES = Decimal("40000")


def relative_archive(world, person: int = 1) -> Archive:
    return open_archive(world, person=person, income_wages=RELATIVE_WAGES)


def figures(archive: Archive, **changes) -> dict:
    values = current_figures(archive)
    values.update({name: str(value) for name, value in changes.items()})
    return values


def reverify(world, archive: Archive, *, on: datetime.date, actor=None, staff=None, **changes):
    world.clock.set(on)
    w = world.wuhu
    actor = actor or w.caseworker
    return reverification_record(
        actor=actor,
        archive=archive,
        visit_date=on,
        staff=staff or [actor, w.grassroots_reviewer],
        findings="入户查看，核实工资单和就医票据。",
        figures=figures(archive, **changes),
        survey_signature="signed",
    )


def fresh(archive: Archive) -> Archive:
    return Archive.objects.get(pk=archive.pk)


# --- The schedule ----------------------------------------------------------------------------


def test_a_deep_household_is_due_in_a_year_and_a_relative_one_in_six_months(archive, world):
    relative = relative_archive(world)
    assert archive.category == "deep" and relative.category == "relative"
    assert archive.verification_due == add_months(archive.verified_on, 12)
    assert relative.verification_due == add_months(relative.verified_on, 6)


def test_a_re_verification_moves_the_schedule_and_the_basis(archive, world):
    day = add_months(archive.verified_on, 11)
    visit = reverify(world, archive, on=day, income_wages="36000")
    archive = fresh(archive)
    assert visit.purpose == ArchiveVisit.Purpose.REVERIFY and visit.category == "deep"
    assert archive.verified_on == day
    assert archive.verification_due == add_months(day, 12)
    # The basis is the visit's assessment now: (36000 + 7400 − 18000) ÷ 12 ÷ 4.
    assert archive.per_capita_income == visit.per_capita_income == Decimal("529.17")
    assert archive.assessment == visit.assessment
    assert archive.policy == visit.policy and archive.household_size == 4
    assert archive.category == "deep"
    event = archive.events.get(kind=ArchiveEvent.Kind.REVERIFIED)
    assert "仍符合深度困难建档标准" in event.note and "529.17" in event.note
    assert event.actor == world.wuhu.caseworker
    latest = archive.history.first()
    assert latest.history_user == world.wuhu.caseworker
    assert latest.history_change_reason == f"定期核查（走访记录 {visit.pk}）"
    assert not archive.category_changes.exists()


def test_a_re_verification_deducts_the_necessary_employment_costs(archive, world):
    """WH-M §5(二): employment costs come off the income, but are no rigid expense."""
    assert current_figures(archive)["employment_costs"] == "0.00"
    day = add_months(archive.verified_on, 11)
    visit = reverify(world, archive, on=day, income_wages="36000", employment_costs="2400")

    assert visit.figures["employment_costs"] == "2400.00"
    # (36000 + 7400 − 18000 − 2400) ÷ 12 ÷ 4 = 479.17; the rigid expenses stay 18000.
    assert visit.per_capita_income == fresh(archive).per_capita_income == Decimal("479.17")
    assert visit.assessment["rigid_expenses_total"] == "18000.00"
    assert current_figures(fresh(archive))["employment_costs"] == "2400.00"


@pytest.mark.parametrize(
    ("typed", "message"),
    [("36000.005", "金额最多两位小数"), ("NaN", "不是数字"), ("Infinity", "不是数字")],
)
def test_a_visit_figure_is_taken_exactly_or_refused(archive, world, typed, message):
    """A visit's amount is never rounded or guessed: three decimals or not a number refused."""
    day = add_months(archive.verified_on, 11)
    with pytest.raises(ValidationError) as info:
        reverify(world, archive, on=day, income_wages=typed)
    assert message in str(info.value)
    assert not fresh(archive).visits.filter(visit_date=day).exists()


def test_a_re_verification_counts_rent_only_without_a_home(archive, world):
    """WH-M §6(二)(4): the standard household owns a home; rent found on the visit is named
    and not counted."""
    day = add_months(archive.verified_on, 11)
    visit = reverify(world, archive, on=day, expense_housing="9600")

    assert visit.assessment["rigid_expenses_total"] == "18000.00"
    assert visit.assessment["reasons"][0] == "housing_not_counted"
    assert visit.per_capita_income == Decimal("612.50")
    renting = reverify(world, archive, on=day, expense_housing="9600", urban_homes="0")
    assert renting.assessment["rigid_expenses_total"] == "27600.00"
    assert renting.per_capita_income == Decimal("412.50")  # (47400 − 27600) ÷ 48


def test_a_visit_recorded_before_employment_costs_were_asked_counts_them_as_nothing(archive, world):
    day = add_months(archive.verified_on, 11)
    visit = reverify(world, archive, on=day)
    # A visit stored before the figure existed: its figures have no employment costs.
    legacy = ArchiveVisit.objects.get(pk=visit.pk)
    legacy.pk = legacy.id = None
    legacy.figures = {k: v for k, v in visit.figures.items() if k != "employment_costs"}
    save_tracked(legacy, actor=world.wuhu.caseworker, reason="登记定期核查")

    assert current_figures(archive)["employment_costs"] == "0.00"
    later = reverify(world, archive, on=day, employment_costs="1200")
    assert later.per_capita_income == Decimal("587.50")  # (29400 − 1200) ÷ 48


def test_a_relative_household_is_due_again_six_months_after_its_visit(world):
    relative = relative_archive(world)
    day = add_months(relative.verified_on, 6)
    reverify(world, relative, on=day)
    assert fresh(relative).verification_due == add_months(day, 6)


# --- A different category is a proposal, not an edit --------------------------------------------


def relative_into_deep(world, *, actor=None, staff=None, **changes) -> ArchiveVisit:
    """A relative household (person 1) re-verified when due at the deep figures: new hospital
    bills, or wages back down to the standard household's 40,000 (612.50 ≤ 低保 760)."""
    relative = relative_archive(world)
    changes.setdefault("income_wages", DEEP_WAGES)
    return reverify(
        world,
        relative,
        on=add_months(relative.verified_on, 6),
        actor=actor,
        staff=staff,
        **changes,
    )


def test_a_different_category_opens_a_pending_change_and_leaves_the_archive_alone(world):
    visit = relative_into_deep(world)
    archive = fresh(visit.archive)
    assert visit.category == "deep" and visit.per_capita_income == Decimal("612.50")
    assert archive.category == "relative"
    # The schedule follows the archive's own category until a reviewer decides.
    assert archive.verification_due == add_months(visit.visit_date, 6)
    change = archive.category_changes.get()
    assert change.status == CategoryChange.Status.PENDING
    assert (change.from_category, change.to_category) == ("relative", "deep")
    assert change.visit == visit and change.proposed_by == world.wuhu.caseworker
    assert "深度困难" in change.reason and "612.50" in change.reason
    kinds = list(archive.events.values_list("kind", flat=True))
    assert kinds[-2:] == [ArchiveEvent.Kind.REVERIFIED, ArchiveEvent.Kind.CATEGORY_PROPOSED]
    note = archive.events.get(kind=ArchiveEvent.Kind.REVERIFIED).note
    assert "符合深度困难建档标准" in note and "已提出类别变更" in note
    assert DEEP_LEAVES_BY_PHASE_OUT not in note


def test_another_reviewer_approves_the_change_and_the_cycle_follows(world):
    w = world.wuhu
    visit = relative_into_deep(world)
    archive = visit.archive
    change = archive.category_changes.get()
    decided = category_change_decide(
        actor=w.county_reviewer, change=change, approve=True, opinion="核查属实，同意变更。"
    )
    archive = fresh(archive)
    assert decided.status == CategoryChange.Status.APPROVED
    assert decided.decided_by == w.county_reviewer and decided.decided_at is not None
    assert archive.category == "deep"
    assert archive.verification_due == add_months(visit.visit_date, 12)
    event = archive.events.get(kind=ArchiveEvent.Kind.CATEGORY_DECIDED)
    assert "同意类别变更（相对困难 → 深度困难）" in event.note and "核查属实" in event.note
    assert event.actor == w.county_reviewer
    assert archive.history.first().history_user == w.county_reviewer


def test_a_rejected_change_leaves_the_category(world):
    archive = relative_into_deep(world).archive
    due = fresh(archive).verification_due
    change = category_change_decide(
        actor=world.wuhu.city_reviewer,
        change=archive.category_changes.get(),
        approve=False,
        opinion="住院费用已由大病保险报销，维持相对困难。",
    )
    assert change.status == CategoryChange.Status.REJECTED
    archive = fresh(archive)
    assert archive.category == "relative" and archive.verification_due == due
    assert "不同意" in archive.events.get(kind=ArchiveEvent.Kind.CATEGORY_DECIDED).note


def test_the_recorder_of_the_visit_and_the_proposer_may_not_decide(world):
    w = world.wuhu
    archive = relative_into_deep(
        world, actor=w.county_reviewer, staff=[w.county_reviewer, w.county_caseworker]
    ).archive
    change = archive.category_changes.get()
    with pytest.raises(PermissionDenied) as info:
        category_change_decide(actor=w.county_reviewer, change=change, approve=True, opinion="同意")
    assert "职责分离" in refusal_text(info)
    assert fresh(archive).category == "relative"

    relative = relative_archive(world, person=2)
    proposal = category_change_propose(
        actor=w.county_reviewer_2,
        archive=relative,
        to_category="deep",
        reason="新发生大额住院费用，人均收入低于低保。",
    )
    assert fresh(relative).events.filter(kind=ArchiveEvent.Kind.CATEGORY_PROPOSED).exists()
    with pytest.raises(PermissionDenied) as info:
        category_change_decide(
            actor=w.county_reviewer_2, change=proposal, approve=True, opinion="同意"
        )
    assert "您提出了该类别变更" in refusal_text(info)
    assert CategoryChange.objects.get(pk=proposal.pk).status == CategoryChange.Status.PENDING
    assert fresh(relative).category == "relative"


def test_a_reviewer_who_was_on_the_visit_may_not_decide_another_may(world):
    """The caseworker recorded the visit; the county reviewer went along: not the decider."""
    w = world.wuhu
    visit = relative_into_deep(world, staff=[w.caseworker, w.county_reviewer])
    assert visit.recorded_by == w.caseworker
    change = visit.archive.category_changes.get()
    with pytest.raises(PermissionDenied) as info:
        category_change_decide(actor=w.county_reviewer, change=change, approve=True, opinion="同意")
    assert "您参加或登记了该类别变更所依据的走访核查" in refusal_text(info)
    change = CategoryChange.objects.get(pk=change.pk)
    assert change.status == CategoryChange.Status.PENDING and change.decided_by is None
    assert fresh(visit.archive).category == "relative"

    category_change_decide(actor=w.county_reviewer_2, change=change, approve=True, opinion="同意")
    assert fresh(visit.archive).category == "deep"


@pytest.mark.parametrize(
    "who",
    ["grassroots_reviewer", "county_caseworker", "county_b_reviewer", "caseworker"],
)
def test_only_a_reviewer_of_the_county_or_city_decides(world, who):
    archive = relative_into_deep(world).archive
    change = archive.category_changes.get()
    with pytest.raises(PermissionDenied):
        category_change_decide(
            actor=getattr(world.wuhu, who), change=change, approve=True, opinion="同意"
        )
    assert fresh(archive).category == "relative"
    assert not archive.events.filter(kind=ArchiveEvent.Kind.CATEGORY_DECIDED).exists()


def test_a_decision_needs_an_opinion_and_is_taken_once(world):
    w = world.wuhu
    archive = relative_into_deep(world).archive
    change = archive.category_changes.get()
    with pytest.raises(ValidationError) as info:
        category_change_decide(actor=w.county_reviewer, change=change, approve=True, opinion=" ")
    assert "审核意见" in refusal_text(info)
    category_change_decide(actor=w.county_reviewer, change=change, approve=True, opinion="同意")
    with pytest.raises(ValidationError) as info:
        category_change_decide(
            actor=w.county_reviewer_2, change=change, approve=False, opinion="否"
        )
    assert "已审核" in refusal_text(info)
    assert fresh(archive).category == "deep"


def test_a_proposal_to_the_same_category_or_beside_a_pending_one_is_refused(world):
    w = world.wuhu
    archive = relative_archive(world)
    with pytest.raises(ValidationError) as info:
        category_change_propose(
            actor=w.caseworker, archive=archive, to_category="relative", reason="x"
        )
    assert "无需变更" in refusal_text(info)
    with pytest.raises(ValidationError):
        category_change_propose(actor=w.caseworker, archive=archive, to_category="poor", reason="x")
    with pytest.raises(ValidationError):
        category_change_propose(
            actor=w.caseworker, archive=archive, to_category="deep", reason="  "
        )
    category_change_propose(
        actor=w.caseworker, archive=archive, to_category="deep", reason="新发生大额住院费用"
    )
    with pytest.raises(ValidationError) as info:
        category_change_propose(
            actor=w.caseworker, archive=archive, to_category="accident", reason="车祸"
        )
    assert "待审核" in refusal_text(info)
    assert archive.category_changes.count() == 1


def test_a_visit_beside_a_pending_change_leaves_it_and_says_so(world):
    w = world.wuhu
    archive = relative_archive(world)
    category_change_propose(
        actor=w.caseworker, archive=archive, to_category="accident", reason="家中遭遇火灾"
    )
    visit = reverify(world, archive, on=add_months(archive.verified_on, 6), income_wages=DEEP_WAGES)
    assert visit.category == "deep"
    change = archive.category_changes.get()
    assert change.to_category == "accident" and change.visit is None
    note = archive.events.get(kind=ArchiveEvent.Kind.REVERIFIED).note
    assert "已有待审核的类别变更" in note and "本次不另行提出" in note


def test_a_household_that_no_longer_qualifies_is_pointed_to_the_exit_procedure(archive, world):
    visit = reverify(
        world, archive, on=add_months(archive.verified_on, 12), income_wages=HIGH_WAGES
    )
    archive = fresh(archive)
    assert visit.category is None
    assert archive.status == Archive.Status.OPEN and archive.category == "deep"
    assert not archive.category_changes.exists()
    note = archive.events.get(kind=ArchiveEvent.Kind.REVERIFIED).note
    assert "不再符合建档标准，请按退档程序办理" in note


# --- A deep household leaves the deep archive only through 脱困 and its phase-out (WH-M §13) ------


def test_a_deep_household_re_verified_at_relative_figures_stays_deep(archive, world):
    day = add_months(archive.verified_on, 12)
    visit = reverify(world, archive, on=day, income_wages=RELATIVE_WAGES)
    archive = fresh(archive)
    assert visit.category == "relative" and visit.per_capita_income == Decimal("1445.83")
    assert archive.category == "deep"
    assert not CategoryChange.objects.filter(archive=archive).exists()
    assert not archive.events.filter(kind=ArchiveEvent.Kind.CATEGORY_PROPOSED).exists()
    # The visit is still the archive's basis, on the deep cycle.
    assert archive.verified_on == day and archive.per_capita_income == Decimal("1445.83")
    assert archive.verification_due == add_months(day, 12)
    note = archive.events.get(kind=ArchiveEvent.Kind.REVERIFIED).note
    assert "符合相对困难建档标准，与档案现类别深度困难不同" in note
    assert DEEP_LEAVES_BY_PHASE_OUT in note
    assert "已提出类别变更" not in note


@pytest.mark.parametrize("to_category", ["relative", "accident"])
def test_a_deep_household_may_not_be_proposed_into_another_category(archive, world, to_category):
    with pytest.raises(ValidationError) as info:
        category_change_propose(
            actor=world.wuhu.caseworker,
            archive=archive,
            to_category=to_category,
            reason="工资上涨，人均收入超过低保标准。",
        )
    assert info.value.message_dict == {"to_category": [DEEP_LEAVES_BY_PHASE_OUT]}
    assert not archive.category_changes.exists()
    assert not archive.events.filter(kind=ArchiveEvent.Kind.CATEGORY_PROPOSED).exists()
    assert fresh(archive).category == "deep"


def test_a_deep_to_relative_change_not_from_a_phase_out_end_is_not_approved(archive, world):
    """A pending change from before the rule (deep → relative on a re-verification) may be
    rejected, not approved."""
    w = world.wuhu
    visit = reverify(
        world, archive, on=add_months(archive.verified_on, 12), income_wages=RELATIVE_WAGES
    )
    change = save_tracked(
        CategoryChange(
            archive=archive,
            visit=visit,
            from_category="deep",
            to_category="relative",
            reason="定期核查评估为相对困难。",
            proposed_by=w.caseworker,
        ),
        actor=w.caseworker,
        reason="测试：规则修正前提出的类别变更",
    )
    with pytest.raises(ValidationError) as info:
        category_change_decide(actor=w.county_reviewer, change=change, approve=True, opinion="同意")
    assert DEEP_LEAVES_BY_PHASE_OUT in refusal_text(info)
    assert CategoryChange.objects.get(pk=change.pk).status == CategoryChange.Status.PENDING
    assert fresh(archive).category == "deep"
    rejected = category_change_decide(
        actor=w.county_reviewer, change=change, approve=False, opinion="须经脱困程序。"
    )
    assert rejected.status == CategoryChange.Status.REJECTED
    assert fresh(archive).category == "deep"


def test_the_phase_out_end_change_into_relative_is_approved(archive, world):
    """脱困, six months of phase-out, then a visit finding relative hardship: that change may
    be approved, by a reviewer who was not on its visit."""
    w = world.wuhu
    phase_out_archive(world, archive)
    world.clock.set(datetime.date(2026, 11, 9))
    conclude(world, archive, EXIT_RELATIVE_WAGES)
    change = archive.category_changes.get()
    assert (change.from_category, change.to_category) == ("deep", "relative")
    assert change.visit.purpose == ArchiveVisit.Purpose.PHASE_OUT_END
    with pytest.raises(PermissionDenied):  # on the phase-out-end visit's staff
        category_change_decide(actor=w.county_reviewer, change=change, approve=True, opinion="同意")
    category_change_decide(
        actor=w.county_reviewer_2, change=change, approve=True, opinion="渐退期满核查属实，同意。"
    )
    archive = fresh(archive)
    assert (archive.status, archive.category) == (Archive.Status.OPEN, "relative")
    assert archive.verification_due == add_months(change.visit.visit_date, 6)


def test_a_deep_household_above_the_line_for_six_months_is_told_of_the_phase_out(archive, world):
    world.clock.set(add_months(archive.verified_on, 12))
    w = world.wuhu
    reverification_record(
        actor=w.caseworker,
        archive=archive,
        visit_date=add_months(archive.verified_on, 12),
        staff=[w.caseworker, w.grassroots_reviewer],
        findings="工资上涨。",
        figures=figures(archive, income_wages=RELATIVE_WAGES),
        months_above_line=6,
        months_reason="单位工资证明",
        survey_signature="signed",
    )
    note = archive.events.get(kind=ArchiveEvent.Kind.REVERIFIED).note
    assert "家庭人均收入已连续6个月超过低保标准" in note
    assert "请按退档（脱困）程序办理" in note
    assert fresh(archive).category == "deep" and not archive.category_changes.exists()


def test_approving_a_relative_household_into_deep_moves_it_to_the_yearly_cycle(world):
    w = world.wuhu
    relative = relative_archive(world)
    change = category_change_propose(
        actor=w.caseworker, archive=relative, to_category="deep", reason="新发生大额医疗费用"
    )
    category_change_decide(actor=w.county_reviewer, change=change, approve=True, opinion="同意")
    relative = fresh(relative)
    assert relative.category == "deep"
    assert relative.verification_due == add_months(relative.verified_on, 12)


# --- Refusals ------------------------------------------------------------------------------------


def test_a_worker_of_the_other_county_cannot_re_verify(archive, world):
    w = world.wuhu
    world.clock.set(add_months(archive.verified_on, 12))
    with pytest.raises(PermissionDenied):
        reverification_record(
            actor=w.caseworker_b,
            archive=archive,
            visit_date=world.clock.today(),
            staff=[w.caseworker_b, w.union_b_reviewer],
            findings="走访",
            figures=current_figures(archive),
        )
    assert not archive.visits.exists()
    assert fresh(archive).verified_on == archive.verified_on


@pytest.mark.parametrize(
    "who", ["caseworker_b", "county_b_reviewer", "admin"], ids=["other", "other-rev", "admin"]
)
def test_only_staff_in_scope_propose(world, who):
    archive = relative_archive(world)
    with pytest.raises(PermissionDenied):
        category_change_propose(
            actor=getattr(world.wuhu, who), archive=archive, to_category="deep", reason="x"
        )
    assert not archive.category_changes.exists()


def test_a_visit_needs_two_staff_and_a_date_after_the_last_verification(archive, world):
    w = world.wuhu
    world.clock.set(add_months(archive.verified_on, 12))
    with pytest.raises(ValidationError) as info:
        reverification_record(
            actor=w.caseworker,
            archive=archive,
            visit_date=world.clock.today(),
            staff=[w.caseworker],
            findings="走访",
            figures=current_figures(archive),
        )
    assert "两名以上" in refusal_text(info)
    # The same words as at intake (assistance.rules.visit_staff_problem).
    assert refusal_text(info) == "入户走访须有两名以上工作人员。"
    with pytest.raises(ValidationError) as info:
        reverification_record(
            actor=w.caseworker,
            archive=archive,
            visit_date=archive.verified_on - datetime.timedelta(days=1),
            staff=[w.caseworker, w.grassroots_reviewer],
            findings="走访",
            figures=current_figures(archive),
        )
    assert "早于最近一次核查" in refusal_text(info)
    assert not ArchiveVisit.objects.filter(archive=archive).exists()


def test_a_closed_archive_is_not_re_verified_and_its_change_not_decided(world):
    w = world.wuhu
    archive = relative_archive(world)
    change = category_change_propose(
        actor=w.caseworker, archive=archive, to_category="deep", reason="新发生大额住院费用"
    )
    with transaction.atomic():
        close_archive(
            actor=w.county_reviewer,
            archive=lock_archive(archive),
            reason=Archive.CloseReason.REQUEST,
            note="本人申请退档",
            on=world.clock.today(),
        )
    with pytest.raises(ValidationError):
        reverify(world, archive, on=add_months(archive.verified_on, 6))
    with pytest.raises(ValidationError):
        category_change_decide(
            actor=w.county_reviewer_2, change=change, approve=True, opinion="同意"
        )
    assert fresh(archive).category == "relative"


@pytest.mark.parametrize("state", ["phase_out", "exiting"])
def test_a_phase_out_or_exiting_archive_is_not_re_verified(archive, world, state):
    """Only open archives are on the cycle: a phase-out ends in its own visit, an exit in its
    objection month is re-checked."""
    if state == "phase_out":
        phase_out_archive(world, archive)
        label = "脱困渐退期"
    else:
        archive, _ = exiting_archive(world)
        label = "退档告知期"
    before = fresh(archive)
    assert before.status == state
    with pytest.raises(ValidationError) as info:
        reverify(world, archive, on=world.clock.today() + datetime.timedelta(days=10))
    assert f"档案{label}，不进行定期核查" in refusal_text(info)
    assert not archive.visits.filter(purpose=ArchiveVisit.Purpose.REVERIFY).exists()
    after = fresh(archive)
    assert (after.status, after.verified_on, after.verification_due) == (
        before.status,
        before.verified_on,
        before.verification_due,
    )
    assert not archive.events.filter(kind=ArchiveEvent.Kind.REVERIFIED).exists()
