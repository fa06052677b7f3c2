"""The printed forms of an archive: 困难职工救助审批表 and 困难职工联系卡 (A4, filled from the
record)."""

import re

from django.urls import reverse

from accounts.roles import Role
from accounts.services.users import user_update
from archives.models import Archive
from archives.services.lifecycle import archive_merge
from tests.factories.accounts import make_user
from tests.factories.archives import open_archive
from tests.factories.assistance import household


def url(name: str, archive: Archive) -> str:
    return reverse(f"archives:{name}", args=[archive.pk])


def printed(client, name: str, archive: Archive) -> str:
    response = client.get(url(name, archive))
    assert response.status_code == 200
    body = response.content.decode()
    assert "@media print" in body and "size: A4" in body
    assert "data-print" in body
    return body


def block(body: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">(.*?)</table>', body, re.S)
    assert match, testid
    return match.group(1)


def test_the_approval_form_is_filled_from_the_case(client, world, archive):
    case = archive.case
    client.force_login(world.wuhu.county_reviewer)
    body = printed(client, "print_approval", archive)

    assert "困难职工救助审批表" in body and archive.number in body and case.number in body
    applicant = block(body, "applicant")
    for value in (
        "张建国",
        case.get_sex_display(),
        f"{case.birth_date:%Y-%m-%d}",
        case.applicant_id_masked,
        "13912345678",
        "芜湖造船厂",
        case.get_employment_display(),
        world.wuhu.union.name,
        world.wuhu.county.name,
    ):
        assert value in applicant, value

    members = block(body, "members")
    for name in ("李秀英", "张小明", "张小红"):
        assert name in members
    assert "配偶" in members and "子女" in members and "初中" in members
    assert members.count("<tr>") == 1 + 3

    figures = block(body, "figures")
    assert "工资性收入" in figures and "40000.00" in figures and "7400.00" in figures
    assert "47400.00" in figures  # the income total
    assert "18000.00" in figures  # medical 15000 + education 3000

    assessment = block(body, "assessment")
    assert f"{case.per_capita_income} 元" in assessment
    assert f"{case.minimum_living_standard} 元/月" in assessment
    assert "计入评估的刚性支出</th><td>18000.00 元" in assessment
    assert "必要就业成本（从收入中扣除）</th><td>0.00 元" in assessment
    assert "深度困难" in assessment and "因病" in assessment

    # Nowhere the full number of anyone in the household.
    numbers = [household(0)["id_number"], *(m.id_number for m in household(0)["members"])]
    assert not any(n in body for n in numbers)


def test_the_approval_form_has_each_levels_opinion_and_seal(client, world, archive):
    w = world.wuhu
    client.force_login(w.caseworker)
    opinions = block(printed(client, "print_approval", archive), "opinions")
    levels = re.findall(r'<tr data-testid="level">(.*?)</tr>', opinions, re.S)
    assert len(levels) == 2
    grassroots, county = levels
    assert "基层工会意见" in grassroots and w.union.name in grassroots
    assert "初审属实，报县级。" in grassroots and "初审通过，报县级审核" in grassroots
    assert f"{w.union.name}（盖章）" in grassroots
    assert "县级工会意见" in county and f"{w.county.name}（盖章）" in county
    for opinion in ("审核通过，转比对。", "比对符合，公示。", "公示无异议。"):
        assert opinion in county
    steps = archive.case.transitions.filter(action="notice_confirm").select_related("actor")
    assert f"审核人：{steps.get().actor}" in county
    assert grassroots.index("初审属实") < grassroots.index("（盖章）")


def test_the_contact_card(client, world, archive):
    w = world.wuhu
    user_update(
        actor=w.admin,
        user=w.caseworker,
        full_name="周经办",
        phone="0553-1234567",
        organisation=w.union,
        roles=[Role.CASEWORKER],
        is_active=True,
    )
    second = make_user(w.union, Role.CASEWORKER, username="cw_a1_second")
    gone = make_user(w.union, Role.CASEWORKER, username="cw_a1_gone")
    user_update(
        actor=w.admin,
        user=gone,
        full_name="离职人员",
        phone="13000000000",
        organisation=w.union,
        roles=[Role.CASEWORKER],
        is_active=False,
    )
    client.force_login(w.county_reviewer)
    body = printed(client, "print_card", archive)

    card = body[body.index('data-testid="contact-card"') :]
    for value in (
        "困难职工联系卡",
        archive.number,
        archive.person_name,
        "深度困难",
        w.union.name,
        w.county.name,
        f"{archive.verification_due:%Y年%-m月%-d日}",
        "如家庭经济状况发生变化，请及时告知工会",
    ):
        assert value in card, value
    contacts = re.search(r'data-testid="contacts">(.*?)</td>', card, re.S).group(1)
    assert "周经办" in contacts and "0553-1234567" in contacts
    assert str(second) in contacts
    assert "离职人员" not in contacts
    # The active caseworkers only: not the one who left, not the union's reviewers.
    assert contacts.count("<div>") == 2
    assert archive.phone not in card and archive.id_masked not in card


def test_a_merged_archive_has_no_contact_card(client, world, archive):
    duplicate = open_archive(world, person=1)
    archive_merge(actor=world.wuhu.admin, keep=archive, duplicate=duplicate, reason="重复建档")
    client.force_login(world.wuhu.county_reviewer)
    response = client.get(url("print_card", duplicate), follow=True)
    assert response.redirect_chain[-1][0] == reverse("archives:detail", args=[duplicate.pk])
    assert "不再出具困难职工联系卡" in response.content.decode()
    # The approval form stays printable: it is part of the kept record.
    printed(client, "print_approval", duplicate)


def test_the_print_forms_are_not_found_for_another_county(client, world, archive):
    for user in (world.wuhu.county_b_reviewer, world.wuhu.caseworker_b):
        client.force_login(user)
        for name in ("print_approval", "print_card"):
            assert client.get(url(name, archive)).status_code == 404, (user.username, name)
    client.logout()
    assert client.get(url("print_card", archive)).status_code == 302
