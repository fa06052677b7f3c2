"""Assistance grants through the services (DOMAIN.md §6, WH-M §9, WH-F §9): the standard of
each item for each category with exact amounts, one item a year for relative households,
one help for accident households, a deep household's further item re-assessed with the
earlier aid counted as income, the provincial and national approval limits, approval by a
second person, cancellation, and who may do what."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from archives.models import Archive
from archives.services.lifecycle import close_archive, lock_archive
from assistance.models import Policy
from assistance.services.policy import policy_create
from core.lifecycle import move
from core.models import StatusEvent
from funds.lifecycles import GRANTS
from funds.models import Grant
from funds.selectors.grants import grant_standard
from funds.services.grants import grant_cancel, grant_decide, grant_pay
from tests.factories.accounts import make_user
from tests.factories.archives import (
    accident_archive,
    low_income_archive,
    relative_archive,
)
from tests.factories.core import refusal_text
from tests.factories.funds import YEAR, approve, propose


def standard(archive: Archive, item: str, **inputs):
    return grant_standard(
        archive=archive, item=item, year=YEAR, inputs=inputs, on=datetime.date(2026, 4, 9)
    )


# --- Standards -----------------------------------------------------------------------------


def test_deep_living_is_twelve_months_of_the_minimum_living_standard(world, archive, accounts):
    grant = propose(world, archive)
    assert (grant.amount, grant.standard_amount) == (Decimal("9120.00"), Decimal("9120.00"))
    assert grant.status == Grant.Status.PROPOSED
    assert grant.account == accounts.county_a
    assert (grant.organisation, grant.county, grant.city) == (
        archive.organisation,
        archive.county,
        archive.city,
    )
    assert grant.category == "deep"
    assert "12 个月 × 城市低保标准 760.00 元" in grant.basis
    assert "2026-04-09 执行的城市低保标准" in grant.basis
    assert grant.inputs["policy"] == "wuhu-2020"
    assert grant.inputs["minimum_living_standard"] == "760.00"
    row = grant.history.latest()
    assert (row.history_user, row.history_change_reason) == (
        world.wuhu.caseworker,
        "提出帮扶救助：2026年生活救助 9120.00 元",
    )


def test_deep_education_is_ten_months_per_student(world, archive, accounts):
    assert standard(archive, "education").amount == Decimal("7600.00")  # the archive's 1 pupil
    grant = propose(world, archive, "education", inputs={"students": "2"})
    assert grant.amount == Decimal("15200.00")
    assert grant.inputs["students"] == 2
    assert "每生每年 10 个月 × 城市低保标准 760.00 元 × 2 名在校学生" in grant.basis


@pytest.mark.parametrize(
    ("spent", "amount"),
    [
        ("5000", "4000.00"),
        ("10000", "4000.00"),
        ("10000.01", "9000.00"),
        ("15000", "9000.00"),
        ("20000", "9000.00"),
        ("20000.01", "15000.00"),
        ("30000", "15000.00"),
        ("30000.01", "20000.00"),
        ("200000", "20000.00"),
    ],
)
def test_deep_medical_bands(world, archive, accounts, spent, amount):
    assert standard(archive, "medical", medical_out_of_pocket=spent).amount == Decimal(amount)


def test_medical_below_the_floor_is_refused(world, archive, accounts):
    with pytest.raises(ValidationError) as exc:
        propose(world, archive, "medical", inputs={"medical_out_of_pocket": "4999.99"})
    assert "不满 5000.00 元，不予医疗救助" in refusal_text(exc)
    assert not Grant.objects.exists()


def test_medical_aid_never_exceeds_what_the_household_paid(world, archive, accounts):
    """WH-M §8(二): 补助不超过个人承担部分, even with the provincial approval."""
    arguments = {
        "inputs": {"medical_out_of_pocket": "12000"},
        "basis": "重病长期治疗",
        "provincial_approval": "皖工〔2026〕11号",
    }
    with pytest.raises(ValidationError) as exc:
        propose(world, archive, "medical", amount="12000.01", **arguments)
    assert "医疗救助不超过个人承担部分：医保内个人实际负担医疗费 12000.00 元" in refusal_text(exc)
    assert propose(world, archive, "medical", amount="12000", **arguments).amount == Decimal(
        "12000.00"
    )


def test_medical_defaults_to_the_archives_out_of_pocket_figure(world, archive, accounts):
    grant = propose(world, archive, "medical")
    assert grant.amount == Decimal("9000.00")  # 15,000 in-policy out of pocket
    assert grant.inputs["medical_out_of_pocket"] == "15000.00"


def test_relative_standards(world, accounts):
    archive = relative_archive(world)
    assert standard(archive, "living").amount == Decimal("6840.00")
    assert standard(archive, "education").amount == Decimal("6080.00")
    bands = {
        "5000": "3000.00",
        "10000": "3000.00",
        "15000": "7000.00",
        "30000": "12000.00",
        "30000.01": "16000.00",
        "90000": "16000.00",
    }
    for spent, amount in bands.items():
        assert standard(archive, "medical", medical_out_of_pocket=spent).amount == Decimal(amount)


def test_relative_household_gets_one_item_a_year(world, accounts):
    archive = relative_archive(world)
    first = propose(world, archive)
    assert first.amount == Decimal("6840.00")
    with pytest.raises(ValidationError) as exc:
        propose(world, archive, "medical")
    assert "相对困难职工家庭只予单一项目救助" in refusal_text(exc)
    assert "生活救助 6840.00 元（待审批）" in refusal_text(exc)
    # Another year is another year.
    world.clock.set(datetime.date(2027, 1, 5))
    assert propose(world, archive, "medical", year=2027).amount == Decimal("7000.00")


def test_a_rejected_or_cancelled_item_does_not_count(world, accounts):
    archive = relative_archive(world)
    first = propose(world, archive)
    grant_decide(actor=world.wuhu.county_reviewer, grant=first, approve=False, opinion="资料不全")
    second = propose(world, archive, "medical")
    grant_cancel(actor=world.wuhu.caseworker, grant=second, reason="职工放弃")
    assert propose(world, archive, "education").amount == Decimal("6080.00")


def test_accident_is_fifteen_percent_capped_and_booked_under_living(world, accounts):
    archive = accident_archive(world)
    assert standard(archive, "living", accident_costs="80000").amount == Decimal("10000.00")
    assert standard(archive, "living", accident_costs="66666.67").amount == Decimal("10000.00")
    assert standard(archive, "living", accident_costs="66666").amount == Decimal("9999.90")
    grant = propose(world, archive)
    assert grant.amount == Decimal("6000.00")  # 15 % of the archive's 40,000
    assert grant.item == "living" and grant.category == "accident"
    assert grant.basis.startswith(
        "意外致困一次性救助（记入生活救助）：年度致困费用 40000.00 元 × 15%"
    )
    assert grant.history.latest().history_change_reason == (
        "提出帮扶救助：2026年意外致困一次性救助（记入生活救助） 6000.00 元"
    )


def test_accident_standard_booked_under_medical_aid_for_a_major_illness(world, accounts):
    """WH-M §9(三): the one standard (15 %, at most 10,000) under the item its cause fits;
    the medical floor and tiers are not its standard."""
    archive = accident_archive(world)
    assert standard(archive, "medical").amount == Decimal("6000.00")
    grant = propose(world, archive, "medical", inputs={"accident_costs": "80000"})
    assert (grant.item, grant.category, grant.amount) == (
        "medical",
        "accident",
        Decimal("10000.00"),
    )
    assert grant.standard_amount == Decimal("10000.00")
    assert grant.basis.startswith("意外致困一次性救助（记入医疗救助）：年度致困费用 80000.00 元")
    # One amount for the event: nothing more under living aid, nor under medical aid again.
    for item in ("living", "medical"):
        with pytest.raises(ValidationError) as exc:
            propose(world, archive, item, inputs={"accident_costs": "80000"})
        assert "意外致困职工家庭给予一次性救助：2026年已有 医疗救助 10000.00 元" in refusal_text(
            exc
        )


def test_accident_household_gets_one_help_and_no_other_item(world, accounts):
    archive = accident_archive(world)
    for item in ("education", "training", "legal_aid"):
        with pytest.raises(ValidationError) as exc:
            propose(world, archive, item, amount="100", basis="x")
        assert "意外致困职工家庭只给予意外致困一次性救助" in refusal_text(exc)
        assert "芜湖实施办法第九条第三项" in refusal_text(exc)
    propose(world, archive, inputs={"accident_costs": "80000"})
    with pytest.raises(ValidationError) as exc:
        propose(world, archive)
    assert "意外致困职工家庭给予一次性救助" in refusal_text(exc)
    assert Grant.objects.filter(archive=archive).count() == 1


def test_education_without_a_student_is_refused(world, archive, accounts):
    with pytest.raises(ValidationError) as exc:
        propose(world, archive, "education", inputs={"students": "0"})
    assert "没有在校学生" in refusal_text(exc)


@pytest.mark.parametrize(
    ("inputs", "words"),
    [
        ({"students": "abc"}, "不是数字"),
        ({"students": "1.5"}, "须为整数"),
        ({"students": "9"}, "不能超过共同生活人口（4 人）"),
        ({"medical_out_of_pocket": "-1"}, "不能为负数"),
        ({"medical_out_of_pocket": "NaN"}, "不能为负数"),
        ({"salary": "1"}, "不能用于计算救助标准的数据"),
    ],
)
def test_bad_inputs_are_refused_in_chinese(world, archive, accounts, inputs, words):
    with pytest.raises(ValidationError) as exc:
        propose(world, archive, "education", inputs=inputs)
    assert words in refusal_text(exc)


# --- Several items for a deep household ---------------------------------------------------


def test_deep_further_item_refused_when_earlier_aid_lifts_income_above_the_line(
    world, archive, accounts
):
    propose(world, archive)
    with pytest.raises(ValidationError) as exc:
        propose(world, archive, "medical")
    text = refusal_text(exc)
    # (47,400 + 9,120 − 18,000) ÷ 12 ÷ 4 = 802.50 > 760
    assert "2026年已给予救助 9120.00 元" in text
    assert "家庭人均月收入为 802.50 元（城市低保标准 760.00 元）" in text
    assert "不再符合深度困难建档标准" in text
    assert Grant.objects.filter(archive=archive).count() == 1


def test_deep_further_item_given_when_still_eligible_with_its_assessment(world, accounts):
    archive = low_income_archive(world)
    first = propose(world, archive)
    assert first.assessment is None
    second = propose(world, archive, "medical")
    assert second.amount == Decimal("9000.00")
    # (27,400 + 9,120 − 18,000) ÷ 12 ÷ 4 = 385.83 ≤ 760
    assert second.assessment["per_capita_monthly_income"] == "385.83"
    assert second.assessment["qualifies"]["deep"] is True
    assert "仍符合深度困难建档标准" in second.basis
    third = propose(world, archive, "education")
    # 27,400 + 9,120 + 9,000 − 18,000 = 27,520 → 573.33
    assert third.assessment["per_capita_monthly_income"] == "573.33"


def test_the_same_item_twice_a_year_is_limited_to_the_yearly_standard(world, accounts):
    archive = low_income_archive(world)
    propose(world, archive, amount="5000", basis="上半年先发放一半")
    second = propose(world, archive)
    assert second.amount == Decimal("4120.00")  # what is left of 9,120
    with pytest.raises(ValidationError) as exc:
        propose(world, archive)
    assert "已给予 9120.00 元，达到标准 9120.00 元" in refusal_text(exc)


# --- Amounts and approvals ------------------------------------------------------------------


def test_a_different_amount_needs_a_reason(world, archive, accounts):
    with pytest.raises(ValidationError) as exc:
        propose(world, archive, amount="8000")
    assert exc.value.error_dict.keys() == {"basis"}
    grant = propose(world, archive, amount="8000", basis="本年度资金有限，按方案发放")
    assert grant.amount == Decimal("8000.00") and grant.standard_amount == Decimal("9120.00")
    assert "说明：本年度资金有限，按方案发放" in grant.basis


def test_only_deep_medical_aid_may_exceed_its_standard(world, archive, accounts):
    """WH-M §9(一)5: above the standard only a deep household's medical aid, as a 特殊情况
    with the provincial approval; a deep household's living aid stays at its standard even
    with a document number."""
    with pytest.raises(ValidationError) as exc:
        propose(
            world,
            archive,
            amount="9120.01",
            basis="家庭突发变故",
            provincial_approval="皖工〔2026〕8号",
        )
    assert exc.value.error_dict.keys() == {"amount"}
    assert "救助金额 9120.01 元高于标准 9120.00 元：深度困难职工家庭生活救助按标准救助" in (
        refusal_text(exc)
    )
    assert "芜湖实施办法第九条第一项第5目" in refusal_text(exc)
    inputs = {"medical_out_of_pocket": "15000"}  # standard 9,000
    with pytest.raises(ValidationError) as exc:
        propose(world, archive, "medical", amount="9000.01", basis="重病", inputs=inputs)
    assert exc.value.error_dict.keys() == {"provincial_approval"}
    assert "深度困难职工家庭医疗救助特殊情况高于标准的，须报送省总工会审批" in refusal_text(exc)
    grant = propose(
        world,
        archive,
        "medical",
        amount="9000.01",
        basis="重病",
        inputs=inputs,
        provincial_approval="皖工〔2026〕8号",
    )
    assert grant.provincial_approval == "皖工〔2026〕8号"
    assert Grant.objects.count() == 1


def test_relative_medical_aid_is_at_most_sixteen_thousand_whatever_the_approval(world, accounts):
    """WH-M §9(二): 最高不超过1.6万元 — 16,000.00 is given, 16,000.01 (or the 18,000 an
    approval number once let through) is refused even with both document numbers."""
    archive = relative_archive(world)
    documents = {"provincial_approval": "皖工〔2026〕8号", "national_approval": "总工办〔2026〕3号"}
    inputs = {"medical_out_of_pocket": "90000"}  # the top band: 16,000
    for amount in ("16000.01", "18000"):
        with pytest.raises(ValidationError) as exc:
            propose(
                world, archive, "medical", amount=amount, basis="重病", inputs=inputs, **documents
            )
        assert exc.value.error_dict.keys() == {"amount"}
        assert (
            "相对困难职工家庭医疗救助最高不超过1.6万元（芜湖实施办法第九条第二项），"
            f"审批文号不能突破此上限：2026年该户医疗救助合计 {Decimal(amount):.2f} 元"
        ) in refusal_text(exc)
    with pytest.raises(ValidationError) as exc:
        propose(world, archive, "medical", amount="18000", inputs=inputs, **documents)
    assert exc.value.error_dict.keys() == {"amount", "basis"}  # both said at once
    assert not Grant.objects.exists()
    grant = propose(world, archive, "medical", amount="16000.00", inputs=inputs)
    assert grant.amount == Decimal("16000.00") and grant.provincial_approval == ""


def test_relative_medical_aid_stays_at_its_band(world, accounts):
    """Below the 16,000 cap a relative household's medical aid is still its band's amount:
    only deep households' medical aid may exceed its standard."""
    archive = relative_archive(world)
    with pytest.raises(ValidationError) as exc:
        propose(
            world,
            archive,
            "medical",
            amount="12000.01",
            basis="重病",
            inputs={"medical_out_of_pocket": "30000"},  # band 12,000
            provincial_approval="皖工〔2026〕8号",
        )
    assert "救助金额 12000.01 元高于标准 12000.00 元：相对困难职工家庭医疗救助按标准救助" in (
        refusal_text(exc)
    )


@pytest.mark.parametrize(
    ("costs", "ok", "refused", "words"),
    [
        ("40000", "6000.00", "6000.01", "致困费用 40000.00 元的 15% 为 6000.00 元"),
        ("80000", "10000.00", "10000.01", "最高不超过1万元（芜湖实施办法第九条第三项）"),
        ("80000", "10000.00", "12000", "最高不超过1万元（芜湖实施办法第九条第三项）"),
    ],
)
def test_accident_aid_is_fifteen_percent_and_at_most_ten_thousand_whatever_the_approval(
    world, accounts, costs, ok, refused, words
):
    archive = accident_archive(world)
    arguments = {
        "inputs": {"accident_costs": costs},
        "basis": "家庭突发变故",
        "provincial_approval": "皖工〔2026〕8号",
    }
    with pytest.raises(ValidationError) as exc:
        propose(world, archive, "medical", amount=refused, **arguments)
    assert exc.value.error_dict.keys() == {"amount"}
    assert words in refusal_text(exc)
    assert "审批文号不能突破" in refusal_text(exc)
    assert propose(world, archive, "medical", amount=ok, **arguments).amount == Decimal(ok)


@pytest.mark.parametrize("bad", ["0", "-5", "abc", "1.005", "Infinity"])
def test_bad_amounts_are_refused(world, archive, accounts, bad):
    with pytest.raises(ValidationError) as exc:
        propose(world, archive, "training", amount=bad, basis="技能培训费")
    assert "amount" in exc.value.error_dict


def test_provincial_approval_from_twenty_thousand_inclusive(world, archive, accounts):
    """WH-M §9(一)5 2万元以上 (the stricter reading of wuhu-2020): 19,999.99 needs no
    approval, exactly 20,000.00 needs the provincial federation's."""
    grant = propose(world, archive, "training", amount="19999.99", basis="电工培训学费")
    assert grant.standard_amount == Decimal("0.00")
    assert "没有定额标准" in grant.basis
    other = low_income_archive(world)
    with pytest.raises(ValidationError) as exc:
        propose(world, other, "training", amount="20000.00", basis="电工培训学费")
    assert exc.value.error_dict.keys() == {"provincial_approval"}
    assert (
        "2026年该户职业培训和职业介绍合计 20000.00 元，达到2万元（2万元以上，含本数），"
        "须经省总工会审批（芜湖实施办法第九条第一项第5目“以上”含本数，对芜湖细则第九条各项目从严适用）：请填写审批文号。"
    ) in refusal_text(exc)
    grant = propose(
        world,
        other,
        "training",
        amount="20000.00",
        basis="电工培训学费",
        provincial_approval="皖工〔2026〕9号",
    )
    assert grant.provincial_approval == "皖工〔2026〕9号"


def test_deep_medical_at_its_top_band_of_twenty_thousand_needs_the_provincial_approval(
    world, archive, accounts
):
    inputs = {"medical_out_of_pocket": "35000"}  # band 20,000
    with pytest.raises(ValidationError) as exc:
        propose(world, archive, "medical", inputs=inputs)
    assert "2026年该户医疗救助合计 20000.00 元，达到2万元" in refusal_text(exc)
    grant = propose(world, archive, "medical", inputs=inputs, provincial_approval="皖工〔2026〕9号")
    assert grant.amount == Decimal("20000.00")


def test_the_yearly_total_of_an_item_counts_towards_the_limits(world, accounts):
    archive = low_income_archive(world)
    propose(world, archive, "training", amount="15000", basis="培训学费（上）")
    with pytest.raises(ValidationError) as exc:
        propose(world, archive, "training", amount="5000", basis="培训学费（下）")
    assert "2026年该户职业培训和职业介绍合计 20000.00 元" in refusal_text(exc)
    grant = propose(
        world,
        archive,
        "training",
        amount="5000",
        basis="培训学费（下）",
        provincial_approval="皖工〔2026〕9号",
    )
    assert grant.amount == Decimal("5000.00")


def test_national_approval_from_fifty_thousand_inclusive(world, archive, accounts):
    arguments = {"basis": "重大疾病长期治疗", "provincial_approval": "皖工〔2026〕10号"}
    grant = propose(world, archive, "training", amount="49999.99", **arguments)
    assert grant.national_approval == ""
    other = low_income_archive(world)
    with pytest.raises(ValidationError) as exc:
        propose(world, other, "training", amount="50000.00", **arguments)
    assert exc.value.error_dict.keys() == {"national_approval"}
    assert "合计 50000.00 元，达到5万元（5万元以上，含本数），须报全国总工会同意" in (
        refusal_text(exc)
    )
    grant = propose(
        world,
        other,
        "training",
        amount="50000.00",
        national_approval="总工办〔2026〕3号",
        **arguments,
    )
    assert grant.national_approval == "总工办〔2026〕3号"


def test_without_either_document_both_are_asked_for(world, archive, accounts):
    with pytest.raises(ValidationError) as exc:
        propose(world, archive, "training", amount="50000", basis="培训")
    assert exc.value.error_dict.keys() == {"provincial_approval", "national_approval"}


def test_deep_medical_special_case_above_fifty_thousand_needs_the_national_approval(
    world, archive, accounts
):
    """WH-M §9(一)5: 特殊情况 above the band with the provincial approval, 5万元以上 the
    national one too; never more than the household paid (§8(二))."""
    arguments = {
        "inputs": {"medical_out_of_pocket": "80000"},
        "basis": "重大疾病特殊情况",
        "provincial_approval": "皖工〔2026〕10号",
    }
    with pytest.raises(ValidationError) as exc:
        propose(world, archive, "medical", amount="50000", **arguments)
    assert exc.value.error_dict.keys() == {"national_approval"}
    grant = propose(
        world,
        archive,
        "medical",
        amount="50000",
        national_approval="总工办〔2026〕3号",
        **arguments,
    )
    assert (grant.amount, grant.standard_amount) == (Decimal("50000.00"), Decimal("20000.00"))


def exclusive_policy(world) -> Policy:
    """A policy version reading the thresholds as WH-F §9 does (超过, not inclusive)."""
    base = Policy.objects.get(code="wuhu-2020")
    values = {
        f.name: getattr(base, f.name)
        for f in Policy._meta.concrete_fields
        if f.name not in {"id", "created_at", "updated_at", "effective_to"}
    }
    values.update(
        code="wuhu-2026",
        name="芜湖（2026版）",
        effective_from=datetime.date(2026, 4, 1),
        approval_threshold_reading="exclusive",
    )
    return policy_create(actor=world.wuhu.admin, confirm_backdated=True, **values)


def test_an_exclusive_policy_needs_approval_only_over_its_thresholds(world, archive, accounts):
    """超过 (WH-F §9): exactly 20,000.00 and 50,000.00 need nothing more, one fen over does."""
    assert Policy.objects.get(code="wuhu-2020").approval_inclusive
    assert not exclusive_policy(world).approval_inclusive
    grant = propose(world, archive, "training", amount="20000.00", basis="培训")
    assert (grant.provincial_approval, grant.inputs["policy"]) == ("", "wuhu-2026")
    other = low_income_archive(world)
    with pytest.raises(ValidationError) as exc:
        propose(world, other, "training", amount="20000.01", basis="培训")
    assert (
        "合计 20000.01 元，超过2万元，须经省总工会审批（芜湖细则第九条）：请填写审批文号。"
    ) in refusal_text(exc)
    arguments = {"basis": "培训", "provincial_approval": "皖工〔2026〕10号"}
    assert propose(world, other, "training", amount="50000.00", **arguments).national_approval == ""
    third = low_income_archive(world, person=4)
    with pytest.raises(ValidationError) as exc:
        propose(world, third, "training", amount="50000.01", **arguments)
    assert exc.value.error_dict.keys() == {"national_approval"}
    assert "超过5万元，须报全国总工会同意" in refusal_text(exc)


def test_training_without_an_amount_is_refused(world, archive, accounts):
    with pytest.raises(ValidationError) as exc:
        propose(world, archive, "legal_aid")
    assert "法律援助没有定额标准，请填写救助金额" in refusal_text(exc)


# --- Open archive, policy, account ----------------------------------------------------------


def test_no_grant_without_an_open_archive(world, archive, accounts):
    with transaction.atomic():
        close_archive(
            actor=world.wuhu.caseworker,
            archive=lock_archive(archive),
            reason=Archive.CloseReason.REQUEST,
            note="本人申请退档",
            on=world.clock.today(),
        )
    with pytest.raises(ValidationError) as exc:
        propose(world, archive)
    assert "档案已退档，不能提出帮扶救助：先建档、后帮扶" in refusal_text(exc)


def test_an_item_the_policy_in_force_does_not_fund_is_refused(world, archive, accounts):
    """A policy version of 2026-04-01 funding only living, medical and education (as
    Tai'an's, TA-A §14): the grant is judged under the policy in force on its date."""
    base = Policy.objects.get(code="wuhu-2020")
    values = {
        f.name: getattr(base, f.name)
        for f in Policy._meta.concrete_fields
        if f.name not in {"id", "created_at", "updated_at", "effective_to"}
    }
    values.update(
        code="wuhu-2026",
        name="芜湖（2026版）",
        effective_from=datetime.date(2026, 4, 1),
        items_funded=["living", "medical", "education"],
    )
    policy_create(actor=world.wuhu.admin, confirm_backdated=True, **values)
    with pytest.raises(ValidationError) as exc:
        propose(world, archive, "training", amount="3000", basis="培训")
    assert "不资助职业培训和职业介绍（资助项目：生活救助、医疗救助、助学救助）" in refusal_text(exc)
    assert propose(world, archive).inputs["policy"] == "wuhu-2026"


def test_refused_when_the_county_has_no_account(world, archive):
    with pytest.raises(ValidationError) as exc:
        propose(world, archive)
    assert "镜湖区总工会尚未开设帮扶资金专户" in refusal_text(exc)


@pytest.mark.parametrize("year", [2025, 2027])
def test_year_outside_the_archive_is_refused(world, archive, accounts, year):
    with pytest.raises(ValidationError) as exc:
        propose(world, archive, year=year)
    assert "year" in exc.value.error_dict


def test_bad_source_refused(world, archive, accounts):
    with pytest.raises(ValidationError) as exc:
        propose(world, archive, source="lottery")
    assert "请选择资金来源" in refusal_text(exc)


# --- Who may propose ------------------------------------------------------------------------


def test_county_caseworker_may_propose(world, archive, accounts):
    grant = propose(world, archive, actor=world.wuhu.county_caseworker)
    assert grant.proposed_by == world.wuhu.county_caseworker


def test_who_may_not_propose(world, archive, accounts, world_finance):
    w = world.wuhu
    for actor, words in (
        (w.caseworker_b, "不在您的管理范围内"),
        (w.caseworker_sibling, "不在您的管理范围内"),
        (w.city_reviewer, "由档案所在的基层工会或县级工会提出"),
        (world_finance.county_a, "须由经办人、审核人办理"),
        (world_finance.county_a_auditor, "须由经办人、审核人办理"),
    ):
        with pytest.raises(PermissionDenied) as exc:
            propose(world, archive, actor=actor)
        assert words in str(exc.value)
    assert not Grant.objects.exists()


# --- Decision and cancellation --------------------------------------------------------------


def test_county_reviewer_approves(world, archive, accounts):
    grant = approve(world, propose(world, archive))
    assert grant.status == Grant.Status.APPROVED
    assert grant.decided_by == world.wuhu.county_reviewer
    assert grant.decided_at is not None
    assert grant.history.latest().history_change_reason == "批准帮扶救助"


def test_city_reviewer_may_decide(world, archive, accounts):
    grant = approve(world, propose(world, archive), actor=world.wuhu.city_reviewer)
    assert grant.status == Grant.Status.APPROVED


def test_proposer_cannot_approve(world, archive, accounts):
    grant = propose(world, archive, actor=world.wuhu.county_reviewer)
    with pytest.raises(PermissionDenied) as exc:
        approve(world, grant, actor=world.wuhu.county_reviewer)
    assert "职责分离" in str(exc.value)
    assert approve(world, grant, actor=world.wuhu.county_reviewer_2).status == "approved"


def test_who_may_not_decide(world, archive, accounts, world_finance):
    w = world.wuhu
    grant = propose(world, archive)
    for actor in (
        w.grassroots_reviewer,
        w.county_b_reviewer,
        w.county_caseworker,
        world_finance.county_a,
        world_finance.city_auditor,
    ):
        with pytest.raises(PermissionDenied):
            approve(world, grant, actor=actor)
    assert Grant.objects.get(pk=grant.pk).status == Grant.Status.PROPOSED


def test_rejection_needs_an_opinion_and_is_final(world, archive, accounts):
    grant = propose(world, archive)
    with pytest.raises(ValidationError) as exc:
        grant_decide(actor=world.wuhu.county_reviewer, grant=grant, approve=False, opinion=" ")
    assert "不予批准须填写审批意见" in refusal_text(exc)
    rejected = grant_decide(
        actor=world.wuhu.county_reviewer, grant=grant, approve=False, opinion="重复申请"
    )
    assert (rejected.status, rejected.opinion) == (Grant.Status.REJECTED, "重复申请")
    with pytest.raises(ValidationError) as exc:
        approve(world, grant, actor=world.wuhu.county_reviewer_2)
    assert "该帮扶救助不予批准，不能再审批" in refusal_text(exc)


def test_approval_refused_once_the_archive_is_closed(world, archive, accounts):
    grant = propose(world, archive)
    with transaction.atomic():
        close_archive(
            actor=world.wuhu.caseworker,
            archive=lock_archive(archive),
            reason=Archive.CloseReason.REQUEST,
            note="本人申请退档",
            on=world.clock.today(),
        )
    with pytest.raises(ValidationError) as exc:
        approve(world, grant)
    assert "档案已退档，不能批准帮扶救助" in refusal_text(exc)


def test_cancel_by_the_proposers_union(world, archive, accounts):
    w = world.wuhu
    grant = approve(world, propose(world, archive))
    for actor in (w.caseworker_sibling, w.county_caseworker):
        with pytest.raises(PermissionDenied):
            grant_cancel(actor=actor, grant=grant, reason="职工放弃")
    with pytest.raises(ValidationError):
        grant_cancel(actor=w.grassroots_reviewer, grant=grant, reason="  ")
    cancelled = grant_cancel(actor=w.grassroots_reviewer, grant=grant, reason="职工放弃")
    assert cancelled.status == Grant.Status.CANCELLED
    assert cancelled.history.latest().history_change_reason == "撤销帮扶救助：职工放弃"
    with pytest.raises(ValidationError):
        grant_cancel(actor=w.caseworker, grant=grant, reason="再次撤销")


def test_the_table_says_who_may_decide_and_each_move_leaves_an_event(world, archive, accounts):
    w = world.wuhu
    grant = propose(world, archive, actor=w.county_reviewer)
    proposer = move(GRANTS, grant, w.county_reviewer, "approve")
    assert not proposer.allowed and proposer.why_not.startswith("职责分离")
    assert move(GRANTS, grant, w.county_reviewer_2, "approve").allowed
    assert move(GRANTS, grant, w.county_reviewer_2, "pay") is None  # not from 待审批
    approve(world, grant, actor=w.county_reviewer_2)
    event = StatusEvent.objects.get(object_id=grant.pk, content_type__model="grant")
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "approve",
        Grant.Status.PROPOSED,
        Grant.Status.APPROVED,
        w.county_reviewer_2,
    )


def test_paying_is_the_accounts_finance_move_from_approved(world, archive, accounts, world_finance):
    grant = propose(world, archive)
    paid_on = datetime.date(2026, 4, 1)
    with pytest.raises(ValidationError, match="不能办理该操作"):
        grant_pay(actor=world_finance.county_a, grant=grant, paid_on=paid_on, batch_number="B1")
    grant = approve(world, grant)
    with pytest.raises(PermissionDenied, match="须由财务人员办理"):
        grant_pay(actor=world.wuhu.caseworker, grant=grant, paid_on=paid_on, batch_number="B1")
    with pytest.raises(PermissionDenied, match="只能办理本级工会"):
        grant_pay(actor=world_finance.county_b, grant=grant, paid_on=paid_on, batch_number="B1")
    paid = grant_pay(actor=world_finance.county_a, grant=grant, paid_on=paid_on, batch_number="B1")
    assert (paid.status, paid.paid_on) == (Grant.Status.PAID, paid_on)
    assert paid.history.latest().history_change_reason == "发放到账：批次 B1"


def test_other_union_staff_cannot_see_or_touch(world, archive, accounts):
    """The grassroots reviewer of another county cannot cancel or decide."""
    grant = propose(world, archive)
    other = make_user(world.wuhu.union_b, "caseworker", username="cw_b_extra")
    with pytest.raises(PermissionDenied):
        grant_cancel(actor=other, grant=grant, reason="x")
    with pytest.raises(PermissionDenied):
        approve(world, grant, actor=world.wuhu.union_b_reviewer)
