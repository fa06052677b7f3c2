"""The intake screens through the test client, as a caseworker, a reviewer and an auditor use them."""

import datetime
import hashlib
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from assistance.models import (
    Case,
    CaseDocument,
    DuplicateClearance,
    HouseholdMember,
    PersonalDataAccess,
)
from assistance.services import case_submit, document_upload
from core.crypto import decrypt
from core.service_forms import NOT_DONE
from tests.factories.accounts import make_user
from tests.factories.assistance import (
    applicant_fields,
    edit_post,
    form_post,
    id_number,
    member,
    member_input,
    minimum_living_standards,
    new_case,
    upload_all_documents,
)
from tests.factories.core import JPEG_BYTES, PDF_BYTES, PNG_BYTES, upload_file

APPLICANT_ID = id_number(11)
BANK_CARD = "6222021234567890123"
SPOUSE_ID = id_number(21, birth="19820202")


def standard_members() -> list[dict]:
    return [
        member("李秀英", 21),
        member("张小明", 31, relation="child", school="junior", birth="20120505"),
        member("张小红", 41, relation="child", birth="20150505"),
    ]


def field_errors(html: str, name: str) -> list[str]:
    """The errors shown in the same field block (form field or member cell) as input `name`."""
    blocks = [b for b in re.split(r'<div class="field|<td', html) if f'name="{name}"' in b]
    assert len(blocks) == 1, f"no single field block for {name}"
    return re.findall(r'<div class="error">(.*?)</div>', blocks[0], re.S)


def input_value(html: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert match, f"no input {name}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else None


def page(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- the form ---------------------------------------------------------------------------


def test_create_through_the_form_saves_a_draft_and_shows_it(client, tree, mls):
    client.force_login(tree.caseworker_a1)
    assert client.get(reverse("assistance:case_create")).status_code == 200

    response = client.post(
        reverse("assistance:case_create"),
        form_post(applicant_fields(), standard_members(), tree.union_a1.pk),
        follow=True,
    )

    case = Case.objects.get()
    assert response.redirect_chain == [(reverse("assistance:case_detail", args=[case.pk]), 302)]
    assert f"已保存申请 {case.number}（草稿）。" in messages_of(response)
    assert (case.household_size, case.students, case.category) == (4, 1, "deep")
    assert case.entered_by == tree.caseworker_a1
    html = page(response)
    assert "深度困难" in html and "612.50" in html
    assert "共 4 人，含申请人；在校学生 1 人" in html


def test_the_form_offers_only_the_unions_in_scope(client, tree, mls):
    client.force_login(tree.caseworker_a2)

    response = client.post(
        reverse("assistance:case_create"),
        form_post(applicant_fields(), [], tree.union_a1.pk),
    )

    assert response.status_code == 200
    assert field_errors(page(response), "organisation")
    assert Case.objects.count() == 0


def bad(serial: int) -> str:
    good = id_number(serial)
    return good[:-1] + ("1" if good[-1] == "0" else "0")


TOMORROW = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("overrides", "members", "field", "typed", "message"),
    [
        pytest.param(
            {"id_number": bad(11)},
            None,
            "id_number",
            bad(11),
            "身份证号校验位不正确，请核对。",
            id="id-check-digit",
        ),
        pytest.param(
            {"id_number": "34020219800101011"},
            None,
            "id_number",
            "34020219800101011",
            "身份证号应为 18 位。",
            id="id-length",
        ),
        pytest.param(
            {},
            [member("李秀英", 21), member("李秀英", 21)],
            "members-1-id_number",
            SPOUSE_ID,
            "与第 1 位成员的身份证号重复。",
            id="member-twice",
        ),
        pytest.param(
            {},
            [member("张建国", 11, birth="19800101")],
            "members-0-id_number",
            APPLICANT_ID,
            "与申请人的身份证号相同：申请人不必再列为家庭成员。",
            id="applicant-as-member",
        ),
        pytest.param(
            {},
            [{**member("李秀英", 21), "id_number": bad(21)}],
            "members-0-id_number",
            bad(21),
            "身份证号校验位不正确，请核对。",
            id="member-id-check-digit",
        ),
        pytest.param(
            {"income_wages": "-100"},
            None,
            "income_wages",
            "-100",
            "金额不能为负数。",
            id="negative-money",
        ),
        pytest.param(
            {"expense_medical": "一万五"},
            None,
            "expense_medical",
            "一万五",
            "请输入金额数字，例如 1234.56；不接受“2万”“1e5”等写法。",
            id="non-numeric-money",
        ),
        pytest.param(
            {"income_wages": "2万"},
            None,
            "income_wages",
            "2万",
            "金额请直接写数字，不接受“万”：如指 2万元，请输入 20000.00。",
            id="money-in-wan",
        ),
        pytest.param(
            {"expense_medical": "1e5"},
            None,
            "expense_medical",
            "1e5",
            "请输入金额数字，例如 1234.56；不接受“2万”“1e5”等写法。",
            id="money-with-exponent",
        ),
        pytest.param(
            {"income_transfer": "12.345"},
            None,
            "income_transfer",
            "12.345",
            "金额最多两位小数（不会四舍五入），请核对。",
            id="money-fractions",
        ),
        pytest.param(
            {"application_date": TOMORROW},
            None,
            "application_date",
            TOMORROW,
            "申请日期不能晚于今天。",
            id="future-date",
        ),
        pytest.param(
            {"bank_card": "6222-0212-3456"},
            None,
            "bank_card",
            "6222-0212-3456",
            "银行卡号应为 12–19 位数字（可用空格分隔）。",
            id="bank-card",
        ),
        pytest.param(
            {"phone": "12345"},
            None,
            "phone",
            "12345",
            "请输入 11 位手机号或带区号的固定电话。",
            id="phone",
        ),
        pytest.param(
            {"urban_homes": "-1"},
            None,
            "urban_homes",
            "-1",
            "不能为负数。",
            id="negative-count",
        ),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_what_was_typed_is_kept(
    client, tree, mls, overrides, members, field, typed, message
):
    client.force_login(tree.caseworker_a1)
    fields = applicant_fields(work_unit="芜湖造船厂二车间", **overrides)
    members = standard_members() if members is None else members

    response = client.post(
        reverse("assistance:case_create"), form_post(fields, members, tree.union_a1.pk)
    )

    assert response.status_code == 200
    html = page(response)
    assert field_errors(html, field) == [message]
    assert input_value(html, field) == typed
    # Everything else typed is still there.
    assert input_value(html, "work_unit") == "芜湖造船厂二车间"
    assert input_value(html, "applicant_name") == "张建国"
    assert input_value(html, "members-0-name") == members[0]["name"]
    assert NOT_DONE in messages_of(response)
    assert Case.objects.count() == 0 and HouseholdMember.objects.count() == 0


def test_edit_keeps_unsaved_changes_on_a_validation_error(client, tree, case):
    client.force_login(tree.caseworker_a1)
    before = case.history.count()
    data = edit_post(case)
    data.update(phone="13800000000", applicant_name="张建军", income_other="-5")

    response = client.post(reverse("assistance:case_edit", args=[case.pk]), data)

    assert response.status_code == 200
    html = page(response)
    assert input_value(html, "phone") == "13800000000"
    assert input_value(html, "applicant_name") == "张建军"
    assert field_errors(html, "income_other") == ["金额不能为负数。"]
    case.refresh_from_db()
    assert (case.phone, case.applicant_name) == ("13912345678", "张建国")
    assert case.history.count() == before


def test_edit_through_the_form_saves_members_and_reassesses(client, tree, case):
    client.force_login(tree.caseworker_a1)
    data = edit_post(case)
    # Drop the pupil (row 1), add a grandmother.
    data["members-1-DELETE"] = "on"
    data["members-TOTAL_FORMS"] = "4"
    for key, value in member("张奶奶", 51, relation="grandparent", birth="19500303").items():
        data[f"members-3-{key}"] = value

    response = client.post(reverse("assistance:case_edit", args=[case.pk]), data)

    assert response.status_code == 302
    case.refresh_from_db()
    assert sorted(case.members.values_list("name", flat=True)) == ["张奶奶", "张小红", "李秀英"]
    assert (case.household_size, case.students) == (4, 0)
    assert case.history.latest("history_date").history_change_reason == "修改申请（草稿）"


def test_employment_costs_are_entered_deducted_and_shown(client, tree, mls):
    client.force_login(tree.caseworker_a1)
    assert 'name="employment_costs"' in page(client.get(reverse("assistance:case_create")))
    fields = applicant_fields(employment_costs="2400", expense_housing="9600", urban_homes=1)

    response = client.post(
        reverse("assistance:case_create"),
        form_post(fields, standard_members(), tree.union_a1.pk),
        follow=True,
    )

    case = Case.objects.get()
    assert case.employment_costs == Decimal("2400.00")
    # (47400 − 18000 − 2400) / 12 / 4 = 562.50; the rent of a household with a home is not
    # a rigid expense, nor are the employment costs.
    assert case.per_capita_income == Decimal("562.50")
    assert case.assessment["rigid_expenses_total"] == "18000.00"
    assert case.assessment["reasons"][0] == "housing_not_counted"
    html = page(response)
    assert "必要就业成本（从收入中扣除）</dt><dd>2400.00 元" in html
    assert "住房费用仅指在当地无房而租住的费用（第六条第二项第4目）" in html


def test_negative_employment_costs_are_refused_and_kept(client, tree, mls):
    client.force_login(tree.caseworker_a1)
    fields = applicant_fields(employment_costs="-1")

    response = client.post(
        reverse("assistance:case_create"), form_post(fields, standard_members(), tree.union_a1.pk)
    )

    html = page(response)
    assert field_errors(html, "employment_costs") == ["金额不能为负数。"]
    assert input_value(html, "employment_costs") == "-1"
    assert Case.objects.count() == 0


def test_edit_changes_the_employment_costs_and_reassesses(client, tree, case):
    client.force_login(tree.caseworker_a1)
    data = edit_post(case)
    data["employment_costs"] = "4800"

    response = client.post(reverse("assistance:case_edit", args=[case.pk]), data)

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.employment_costs == Decimal("4800.00")
    assert case.per_capita_income == Decimal("512.50")  # (29400 − 4800) / 48


# --- the live assessment ----------------------------------------------------------------


def test_preview_returns_the_assessment_fragment(client, tree, mls):
    client.force_login(tree.caseworker_a1)

    response = client.post(
        reverse("assistance:case_preview"),
        form_post(applicant_fields(), standard_members(), tree.union_a1.pk),
    )

    assert response.status_code == 200
    html = page(response)
    assert html.lstrip().startswith('<div id="assessment-panel"')
    assert "<html" not in html
    assert re.search(r'data-testid="category">深度困难<', html)
    assert re.search(r'data-testid="per-capita">612\.50 元<', html)
    assert "4 人 / 1 人" in html
    assert "760.00 元/月（政策 wuhu-2020）" in html
    assert "生活 9120.00 元；助学 7600.00 元" in html
    assert Case.objects.count() == 0  # a preview saves nothing


def test_preview_deducts_employment_costs_and_names_rent_not_counted(client, tree, mls):
    client.force_login(tree.caseworker_a1)
    fields = applicant_fields(employment_costs="2400", expense_housing="9600", urban_homes=1)

    response = client.post(
        reverse("assistance:case_preview"),
        form_post(fields, standard_members(), tree.union_a1.pk),
    )

    html = page(response)
    assert re.search(r'data-testid="per-capita">562\.50 元<', html)
    assert "<dt>刚性支出合计</dt><dd>18000.00 元</dd>" in html
    assert "家庭在当地有住房，所报房租不计入刚性支出" in html


def test_preview_explains_a_refusal_in_chinese(client, tree, mls):
    client.force_login(tree.caseworker_a1)

    response = client.post(
        reverse("assistance:case_preview"),
        form_post(applicant_fields(retired=True), [], tree.union_a1.pk),
    )

    html = page(response)
    assert re.search(r'data-testid="category">不符合建档条件<', html)
    assert "离退休人员不纳入建档范围（芜湖实施办法第七条第六项）" in html


def test_preview_names_what_must_be_corrected_first(client, tree, mls):
    client.force_login(tree.caseworker_a1)

    response = client.post(
        reverse("assistance:case_preview"),
        form_post(applicant_fields(income_wages="abc"), [], tree.union_a1.pk),
    )

    assert "请先填写或更正：工资性收入。" in page(response)


def test_preview_without_a_standard_says_so(client, tree):
    client.force_login(tree.caseworker_a1)

    response = client.post(
        reverse("assistance:case_preview"),
        form_post(applicant_fields(), [], tree.union_a1.pk),
    )

    assert "没有已录入的城市低保标准" in page(response)


def test_preview_uses_the_standard_of_the_household_county(client, tree):
    minimum_living_standards(tree.admin, tree.county_a, amount="760")
    minimum_living_standards(tree.admin, tree.county_b, amount="900")
    client.force_login(tree.caseworker_b1)

    response = client.post(
        reverse("assistance:case_preview"),
        form_post(applicant_fields(), standard_members(), tree.union_b1.pk),
    )

    html = page(response)
    assert "900.00 元/月" in html and "760.00" not in html


def test_preview_flags_a_duplicate_with_a_link_when_the_other_case_is_visible(client, tree, mls):
    other = new_case(tree.caseworker_a1, tree.union_a1, members=[])
    client.force_login(tree.caseworker_a1)
    members = [member("张建国", 11, birth="19800101")]

    response = client.post(
        reverse("assistance:case_preview"),
        form_post(applicant_fields(id_number=id_number(61, "19790505")), members, tree.union_a1.pk),
    )

    html = page(response)
    [flag] = re.findall(r'<p class="notice" data-testid="duplicate">(.*?)</p>', html, re.S)
    assert "张建国 已在其他在办申请中" in flag
    assert f'href="{reverse("assistance:case_detail", args=[other.pk])}"' in flag
    assert other.number in flag and "甲机械厂工会" in flag


def test_preview_flags_a_duplicate_by_union_name_when_the_other_case_is_not_visible(
    client, tree, mls
):
    other = new_case(tree.caseworker_a2, tree.union_a2, members=[])
    client.force_login(tree.caseworker_a1)

    response = client.post(
        reverse("assistance:case_preview"),
        form_post(applicant_fields(), [], tree.union_a1.pk),
    )

    html = page(response)
    [flag] = re.findall(r'<p class="notice" data-testid="duplicate">(.*?)</p>', html, re.S)
    assert "由 乙纺织厂工会 受理" in flag
    assert "href" not in flag and other.number not in flag


def test_preview_of_a_case_being_edited_does_not_flag_itself(client, tree, case):
    client.force_login(tree.caseworker_a1)

    response = client.post(reverse("assistance:case_preview"), edit_post(case))

    assert 'data-testid="category">深度困难<' in page(response)
    assert 'data-testid="duplicate"' not in page(response)


def test_preview_is_for_caseworkers_and_posts_only(client, tree, mls):
    client.force_login(tree.county_a_reviewer)
    data = form_post(applicant_fields(), [], tree.union_a1.pk)
    assert client.post(reverse("assistance:case_preview"), data).status_code == 403
    client.force_login(tree.caseworker_a1)
    assert client.get(reverse("assistance:case_preview")).status_code == 405


# --- submission -------------------------------------------------------------------------


def test_submit_confirmation_lists_what_is_missing(client, tree, case):
    client.force_login(tree.caseworker_a1)

    response = client.get(reverse("assistance:case_submit", args=[case.pk]))

    html = page(response)
    assert "尚不能提交" in html
    assert "缺少申请材料：帮扶救助申请书、身份证、户口本" in html
    assert "确认提交" not in html

    response = client.post(reverse("assistance:case_submit", args=[case.pk]), follow=True)

    assert any(m.startswith("未办理：缺少申请材料") for m in messages_of(response))
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT


def test_submit_then_the_applicant_data_is_locked(client, tree, case):
    upload_all_documents(tree.caseworker_a1, case)
    client.force_login(tree.caseworker_a1)

    confirm = client.get(reverse("assistance:case_submit", args=[case.pk]))
    assert "确认提交" in page(confirm) and "尚不能提交" not in page(confirm)

    response = client.post(reverse("assistance:case_submit", args=[case.pk]), follow=True)

    assert f"申请 {case.number} 已提交，申请人信息已锁定。" in messages_of(response)
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED and case.submitted_at is not None
    html = page(response)
    assert reverse("assistance:case_edit", args=[case.pk]) not in html
    assert f'action="{reverse("assistance:document_upload", args=[case.pk])}"' not in html
    assert "撤下</button>" not in html

    before = (case.history.count(), CaseDocument.objects.count())
    edit_url = reverse("assistance:case_edit", args=[case.pk])
    assert client.get(edit_url).status_code == 403
    data = edit_post(case)
    data["phone"] = "13800000000"
    assert client.post(edit_url, data).status_code == 403
    assert client.post(reverse("assistance:case_submit", args=[case.pk])).status_code == 403
    upload = client.post(
        reverse("assistance:document_upload", args=[case.pk]),
        {"doc_type": "id_card", "file": upload_file()},
    )
    assert upload.status_code == 403
    document = case.documents.first()
    remove = client.post(reverse("assistance:document_remove", args=[case.pk, document.pk]))
    assert remove.status_code == 403
    case.refresh_from_db()
    assert case.phone == "13912345678"
    assert (case.history.count(), CaseDocument.objects.count()) == before
    assert not CaseDocument.objects.filter(removed=True).exists()


# --- the case list ----------------------------------------------------------------------


def x_id_number() -> str:
    """A valid number whose check digit is X."""
    return next(n for n in (id_number(s, birth="19760606") for s in range(1, 200)) if n[-1] == "X")


@pytest.fixture
def listed(tree, mls):
    """Cases in both unions of county A and in county B, of each category and two statuses."""
    deep = new_case(
        tree.caseworker_a1,
        tree.union_a1,
        application_date=datetime.date(2026, 3, 10),
    )
    relative = new_case(
        tree.caseworker_a1,
        tree.union_a1,
        members=[member_input("陈桂兰", 71, birth="19810303")],
        applicant_name="王立新",
        id_number=x_id_number(),
        application_date=datetime.date(2026, 2, 10),
    )
    none = new_case(
        tree.caseworker_a2,
        tree.union_a2,
        members=[],
        applicant_name="赵明",
        id_number=id_number(81, birth="19700101"),
        application_date=datetime.date(2026, 1, 10),
    )
    other_county = new_case(
        tree.caseworker_b1,
        tree.union_b1,
        members=[],
        applicant_name="孙丽",
        id_number=id_number(91, birth="19720202"),
        application_date=datetime.date(2026, 3, 1),
    )
    upload_all_documents(tree.caseworker_a1, deep)
    case_submit(actor=tree.caseworker_a1, case=deep)
    cases = {"deep": deep, "relative": relative, "none": none, "other_county": other_county}
    for case in cases.values():
        case.refresh_from_db()
    assert (deep.category, relative.category, none.category) == ("deep", "relative", None)
    return cases


def listed_pks(client, **params) -> list[int]:
    response = client.get(reverse("assistance:case_list"), params)
    assert response.status_code == 200
    return [c.pk for c in response.context["page_obj"]]


def test_list_is_scoped_to_the_user(client, tree, listed):
    client.force_login(tree.caseworker_a1)
    assert set(listed_pks(client)) == {listed["deep"].pk, listed["relative"].pk}
    client.force_login(tree.county_a_reviewer)
    assert set(listed_pks(client)) == {listed["deep"].pk, listed["relative"].pk, listed["none"].pk}
    client.force_login(tree.city_reviewer)
    assert len(listed_pks(client)) == 4


def test_list_search_by_name_id_number_member_or_case_number(client, tree, listed):
    client.force_login(tree.county_a_reviewer)
    deep, relative = listed["deep"], listed["relative"]

    assert listed_pks(client, q="建国") == [deep.pk]
    assert listed_pks(client, q=APPLICANT_ID) == [deep.pk]
    assert listed_pks(client, q=f"  {APPLICANT_ID} ") == [deep.pk]
    assert listed_pks(client, q=x_id_number().lower()) == [relative.pk]
    assert listed_pks(client, q=SPOUSE_ID) == [deep.pk]  # a member's number
    assert listed_pks(client, q=relative.number) == [relative.pk]
    # Exact only: part of a number finds nothing, nor does another county's applicant.
    assert listed_pks(client, q=APPLICANT_ID[:14]) == []
    assert listed_pks(client, q=id_number(91, birth="19720202")) == []
    assert listed_pks(client, q="孙丽") == []


def test_list_filters(client, tree, listed):
    client.force_login(tree.county_a_reviewer)
    deep, relative, none = listed["deep"], listed["relative"], listed["none"]

    assert listed_pks(client, status="submitted") == [deep.pk]
    assert set(listed_pks(client, status="draft")) == {relative.pk, none.pk}
    assert listed_pks(client, category="deep") == [deep.pk]
    assert listed_pks(client, category="relative") == [relative.pk]
    assert listed_pks(client, category="none") == [none.pk]
    assert listed_pks(client, organisation=tree.union_a2.pk) == [none.pk]
    assert listed_pks(client, organisation=tree.union_b1.pk) == []
    assert listed_pks(client, date_from="2026-02-01", date_to="2026-02-28") == [relative.pk]
    assert listed_pks(client, date_from="2026-02-11") == [deep.pk]
    assert listed_pks(client, date_to="2026-01-31") == [none.pk]
    assert listed_pks(client, status="draft", category="relative", q="王") == [relative.pk]

    response = client.get(reverse("assistance:case_list"), {"date_from": "2026-13-01"})
    assert "日期“2026-13-01”格式不正确，已忽略。" in page(response)
    assert len(response.context["page_obj"]) == 3


def test_list_sorts(client, tree, listed):
    client.force_login(tree.county_a_reviewer)
    deep, relative, none = listed["deep"], listed["relative"], listed["none"]

    assert listed_pks(client) == [deep.pk, relative.pk, none.pk]
    assert listed_pks(client, order="application_date") == [none.pk, relative.pk, deep.pk]
    assert listed_pks(client, order="per_capita_income") == [deep.pk, relative.pk, none.pk]
    assert listed_pks(client, order="-per_capita_income") == [none.pk, relative.pk, deep.pk]
    # An unknown order is ignored, never passed to the database.
    assert listed_pks(client, order="applicant_id_hash") == [deep.pk, relative.pk, none.pk]


def test_list_paginates(client, tree, mls):
    for serial in range(27):
        new_case(
            tree.caseworker_a1,
            tree.union_a1,
            members=[],
            id_number=id_number(100 + serial, birth="19750505"),
            application_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=serial),
        )
    client.force_login(tree.caseworker_a1)

    first = client.get(reverse("assistance:case_list"))
    second = client.get(reverse("assistance:case_list"), {"page": 2})

    assert len(first.context["page_obj"]) == 25
    assert len(second.context["page_obj"]) == 2
    assert "共 27 条，第 2 / 2 页" in page(second)
    pks = [c.pk for c in first.context["page_obj"]] + [c.pk for c in second.context["page_obj"]]
    assert len(set(pks)) == 27
    assert client.get(reverse("assistance:case_list"), {"page": "x"}).status_code == 200


def add_cases(tree, count: int, *, start: int) -> None:
    for index in range(count):
        serial = start + index
        union, worker = (
            (tree.union_a1, tree.caseworker_a1)
            if index % 2
            else (tree.union_a2, tree.caseworker_a2)
        )
        case = new_case(
            worker,
            union,
            members=[
                member_input("成员甲", serial + 300, birth="19850505"),
                member_input(
                    "成员乙", serial + 600, relation="child", school="primary", birth="20160606"
                ),
            ],
            applicant_name=f"申请人{serial}",
            id_number=id_number(serial, birth="19780808"),
        )
        document_upload(actor=worker, case=case, doc_type="id_card", upload=upload_file())


@pytest.mark.parametrize(
    ("user", "params"),
    [
        ("county_a_reviewer", {}),
        ("city_reviewer", {"order": "-per_capita_income"}),
        ("caseworker_a1", {"status": "draft", "category": "relative"}),
        ("county_a_reviewer", {"q": "申请人"}),
    ],
)
def test_list_query_count_does_not_grow_with_the_cases(
    client, tree, mls, django_assert_num_queries, user, params
):
    client.force_login(getattr(tree, user))
    add_cases(tree, 4, start=1)
    url = reverse("assistance:case_list")
    with CaptureQueriesContext(connection) as first:
        response = client.get(url, params)
    assert len(response.context["page_obj"]) >= 2

    add_cases(tree, 15, start=101)

    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url, params)
    assert len(response.context["page_obj"]) >= 9


# --- documents --------------------------------------------------------------------------


def test_upload_and_download_a_document(client, tree, case, private_media):
    client.force_login(tree.caseworker_a1)

    response = client.post(
        reverse("assistance:document_upload", args=[case.pk]),
        {"doc_type": "id_card", "file": upload_file("身份证 正反面.jpg", JPEG_BYTES)},
        follow=True,
    )

    document = CaseDocument.objects.get()
    assert "已上传：身份证：身份证 正反面.jpg" in messages_of(response)
    assert (document.doc_type, document.content_type) == ("id_card", "image/jpeg")
    assert document.sha256 == hashlib.sha256(JPEG_BYTES).hexdigest()
    stored = private_media / document.file.name
    assert stored.read_bytes() == JPEG_BYTES
    html = page(response)
    assert "✓ 身份证" in html and "✗ 缺 户口本" in html

    for user in (tree.caseworker_a1, tree.county_a_reviewer, tree.city_reviewer):
        client.force_login(user)
        download = client.get(reverse("assistance:document_download", args=[case.pk, document.pk]))
        assert download.status_code == 200
        assert download["Content-Type"] == "image/jpeg"
        assert download["Content-Disposition"].startswith("attachment;")
        assert "filename*=utf-8''%E8%BA%AB%E4%BB%BD%E8%AF%81" in download["Content-Disposition"]
        assert download["X-Content-Type-Options"] == "nosniff"
        assert b"".join(download.streaming_content) == JPEG_BYTES


def test_documents_are_stored_outside_the_web_root(client, tree, case):
    from config.settings import base

    document = document_upload(
        actor=tree.caseworker_a1, case=case, doc_type="id_card", upload=upload_file()
    )
    client.force_login(tree.caseworker_a1)
    for path in (
        document.file.name,
        f"media/{document.file.name}",
        f"private/{document.file.name}",
    ):
        assert client.get(f"/{path}").status_code == 404, path

    media = base.MEDIA_ROOT.resolve()
    assert media.name == "private"
    for static in [base.STATIC_ROOT, *base.STATICFILES_DIRS]:
        assert not media.is_relative_to(static.resolve())
        assert not static.resolve().is_relative_to(media)
    assert not getattr(base, "MEDIA_URL", "")


def test_the_checklist_and_removal(client, tree, case):
    documents = upload_all_documents(tree.caseworker_a1, case)
    client.force_login(tree.caseworker_a1)
    html = page(client.get(reverse("assistance:case_detail", args=[case.pk])))
    assert "✗ 缺" not in html and "提交前还需" not in html

    response = client.post(
        reverse("assistance:document_remove", args=[case.pk, documents[2].pk]), follow=True
    )

    assert "已撤下：户口本：household_register.pdf" in messages_of(response)
    html = page(response)
    assert "✗ 缺 户口本" in html
    assert "缺少申请材料：户口本" in html
    documents[2].refresh_from_db()
    assert documents[2].removed is True


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param(
            "申请书.pdf",
            PNG_BYTES,
            "未上传：文件内容是 image/png，与扩展名“.pdf”不符。",
            id="png-named-pdf",
        ),
        pytest.param(
            "申请书.png",
            PDF_BYTES,
            "未上传：文件内容是 application/pdf，与扩展名“.png”不符。",
            id="pdf-named-png",
        ),
        pytest.param(
            "申请书.txt",
            "帮扶救助申请书".encode(),
            "未上传：只接受 PDF、JPG、PNG 文件；该文件的内容不是这几种格式之一。",
            id="text",
        ),
        pytest.param(
            "申请书.pdf",
            b"<html><script>alert(1)</script></html>",
            "未上传：只接受 PDF、JPG、PNG 文件；该文件的内容不是这几种格式之一。",
            id="html-named-pdf",
        ),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused(
    client, tree, case, private_media, name, content, message
):
    client.force_login(tree.caseworker_a1)

    response = client.post(
        reverse("assistance:document_upload", args=[case.pk]),
        {"doc_type": "application_form", "file": upload_file(name, content)},
        follow=True,
    )

    assert messages_of(response) == [message]
    assert CaseDocument.objects.count() == 0
    assert not private_media.exists() or not any(p.is_file() for p in private_media.rglob("*"))


def test_an_oversized_file_is_refused(client, tree, case, settings, private_media):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    content = PDF_BYTES + b"\x00" * (1024 * 1024)

    client.force_login(tree.caseworker_a1)

    response = client.post(
        reverse("assistance:document_upload", args=[case.pk]),
        {"doc_type": "application_form", "file": upload_file("大.pdf", content)},
        follow=True,
    )

    assert messages_of(response) == ["未上传：文件超过 1.0 MB，请压缩或拆分后上传。"]
    assert CaseDocument.objects.count() == 0
    assert not private_media.exists() or not any(p.is_file() for p in private_media.rglob("*"))


def test_a_request_declaring_a_body_over_the_limit_is_refused_unread(
    client, tree, case, settings, private_media
):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    client.force_login(tree.caseworker_a1)
    url = reverse("assistance:document_upload", args=[case.pk])

    # A small, valid PDF whose request claims to be 200 MB: refused on the header alone.
    response = client.post(
        url,
        {"doc_type": "application_form", "file": upload_file("申请书.pdf")},
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )
    assert response.status_code == 302
    # A body really over the limit (and its margin for the form fields).
    client.post(
        url,
        {
            "doc_type": "application_form",
            "file": upload_file("大.pdf", PDF_BYTES + b"\x00" * (1200 * 1024)),
        },
    )

    follow = client.get(reverse("assistance:case_detail", args=[case.pk]))
    assert messages_of(follow) == ["文件超过 1.0 MB，未保存，请压缩或拆分后重新上传。"] * 2
    assert CaseDocument.objects.count() == 0 and CaseDocument.history.count() == 0
    assert not private_media.exists() or not any(p.is_file() for p in private_media.rglob("*"))

    # The same small file, honestly declared, is accepted.
    client.post(url, {"doc_type": "application_form", "file": upload_file("申请书.pdf")})
    assert CaseDocument.objects.count() == 1


# --- personal data ----------------------------------------------------------------------


def test_lists_and_the_case_page_show_numbers_masked(client, tree, case):
    client.force_login(tree.county_a_reviewer)
    masked_id = APPLICANT_ID[:6] + "********" + APPLICANT_ID[-4:]

    listing = page(client.get(reverse("assistance:case_list")))
    detail = page(client.get(reverse("assistance:case_detail", args=[case.pk])))

    assert masked_id in listing and masked_id in detail
    assert "6222***********0123" in detail
    assert SPOUSE_ID[:6] + "********" + SPOUSE_ID[-4:] in detail
    for html in (listing, detail):
        assert APPLICANT_ID not in html and BANK_CARD not in html and SPOUSE_ID not in html
    assert PersonalDataAccess.objects.count() == 0


def test_reveal_shows_full_numbers_and_is_logged(client, tree, case):
    client.force_login(tree.county_a_reviewer)
    url = reverse("assistance:case_reveal", args=[case.pk])
    assert client.get(url).status_code == 405
    assert PersonalDataAccess.objects.count() == 0

    response = client.post(url)

    assert response.status_code == 200
    html = page(response)
    assert re.search(rf'data-testid="applicant-id">{APPLICANT_ID}<', html)
    assert BANK_CARD in html and SPOUSE_ID in html
    assert "完整号码已显示，本次查看已记录" in html
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.case, access.ip_address) == (
        tree.county_a_reviewer,
        case,
        "127.0.0.1",
    )
    assert abs(timezone.now() - access.created_at) < datetime.timedelta(minutes=1)
    # The page shown afterwards is masked again.
    after = page(client.get(reverse("assistance:case_detail", args=[case.pk])))
    assert APPLICANT_ID not in after


@pytest.mark.parametrize(
    "proxies, recorded",
    # Reached directly, a forged header is not believed; behind the one trusted proxy the
    # client is what the proxy appended, not the proxy's own address.
    [(0, "127.0.0.1"), (1, "198.51.100.7")],
)
def test_the_reveal_records_the_client_address(client, tree, case, settings, proxies, recorded):
    settings.TRUSTED_PROXY_COUNT = proxies
    client.force_login(tree.county_a_reviewer)
    response = client.post(
        reverse("assistance:case_reveal", args=[case.pk]),
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7",
    )
    assert response.status_code == 200
    assert PersonalDataAccess.objects.get().ip_address == recorded
    client.force_login(make_user(tree.county_a, Role.AUDITOR))
    log = page(client.get(reverse("assistance:access_log")))
    assert f"<td>{recorded}</td>" in log and "203.0.113.9" not in log


def test_the_edit_form_does_not_disclose_full_numbers_unlogged(client, tree, case):
    client.force_login(tree.caseworker_a1)

    html = page(client.get(reverse("assistance:case_edit", args=[case.pk])))

    disclosed = APPLICANT_ID in html or BANK_CARD in html or SPOUSE_ID in html
    assert not disclosed or PersonalDataAccess.objects.filter(case=case).exists()


def test_access_log_is_for_auditors_in_scope(client, tree, case, mls):
    other = new_case(
        tree.caseworker_b1,
        tree.union_b1,
        members=[],
        applicant_name="孙丽",
        id_number=id_number(91, birth="19720202"),
    )
    client.force_login(tree.county_a_reviewer)
    client.post(reverse("assistance:case_reveal", args=[case.pk]))
    client.force_login(tree.caseworker_b1)
    client.post(reverse("assistance:case_reveal", args=[other.pk]))
    assert PersonalDataAccess.objects.count() == 2

    county_a_auditor = make_user(tree.county_a, Role.AUDITOR)
    county_b_auditor = make_user(tree.county_b, Role.AUDITOR)
    city_auditor = make_user(tree.city, Role.AUDITOR)
    url = reverse("assistance:access_log")

    client.force_login(county_a_auditor)
    html = page(client.get(url))
    assert f"{case.number} 张建国" in html and tree.county_a_reviewer.username in html
    assert "申请人身份证号、银行卡号" in html and "127.0.0.1" in html
    assert other.number not in html

    client.force_login(county_b_auditor)
    html = page(client.get(url))
    assert other.number in html and case.number not in html

    client.force_login(city_auditor)
    html = page(client.get(url))
    assert other.number in html and case.number in html

    for user in (tree.caseworker_a1, tree.county_a_reviewer):
        client.force_login(user)
        assert client.get(url).status_code == 403


# --- history and duplicates on the case page -------------------------------------------


def test_history_shows_who_changed_which_field(client, tree, case):
    client.force_login(tree.caseworker_a1)
    data = edit_post(case)
    data["phone"] = "13800000000"
    data["members-0-name"] = "李秀兰"
    assert client.post(reverse("assistance:case_edit", args=[case.pk]), data).status_code == 302
    document_upload(actor=tree.caseworker_a1, case=case, doc_type="id_card", upload=upload_file())

    html = page(client.get(reverse("assistance:case_detail", args=[case.pk])))

    history = html.split("<h2>变更记录</h2>", 1)[1]
    rows = re.findall(r"<tr><td>(.*?)</tr>", history, re.S)
    phone_row = next(r for r in rows if "联系电话：13912345678 → 13800000000" in r)
    assert "测试用户" in phone_row and "修改申请（草稿）" in phone_row
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", phone_row)
    assert any("姓名：李秀英 → 李秀兰" in r and "修改家庭成员" in r for r in rows)
    assert any("新建申请（草稿）" in r for r in rows)
    assert any("上传材料：身份证" in r for r in rows)
    assert decrypt(case.applicant_id_cipher) not in history
    assert "cipher" not in history and "hash" not in history


def test_case_page_duplicate_flag_and_reviewer_clearance(client, tree, mls):
    first = new_case(tree.caseworker_a1, tree.union_a1, members=[])
    second = new_case(
        tree.caseworker_b1,
        tree.union_b1,
        id_number=id_number(61, birth="19790505"),
        applicant_name="王芳",
        members=[member_input("张建国", 11, birth="19800101")],
    )
    url = reverse("assistance:case_detail", args=[second.pk])

    client.force_login(tree.caseworker_b1)
    html = page(client.get(url))
    [flag] = re.findall(r'data-testid="duplicate">(.*?)</div>', html, re.S)
    assert "张建国 也在" in flag and "甲机械厂工会 受理的申请" in flag
    assert "href" not in flag and "<form" not in flag
    assert "须由审核人登记说明后才能提交" in flag

    client.force_login(tree.city_reviewer)
    html = page(client.get(url))
    [flag] = re.findall(r'data-testid="duplicate">(.*?)</div>', html, re.S)
    assert f'href="{reverse("assistance:case_detail", args=[first.pk])}"' in flag
    assert 'name="reason"' in flag

    client.force_login(tree.county_b_reviewer)
    id_hash = re.search(r'name="id_hash" value="([0-9a-f]{64})"', html).group(1)
    response = client.post(
        reverse("assistance:duplicate_clear", args=[second.pk]),
        {"id_hash": id_hash, "other_case": first.pk, "reason": "  "},
        follow=True,
    )
    assert messages_of(response) == ["请填写说明。"]
    assert DuplicateClearance.objects.count() == 0

    response = client.post(
        reverse("assistance:duplicate_clear", args=[second.pk]),
        {"id_hash": id_hash, "other_case": first.pk, "reason": "已离婚，分属两户"},
        follow=True,
    )

    assert messages_of(response) == ["已登记说明。"]
    clearance = DuplicateClearance.objects.get()
    assert (clearance.case, clearance.other_case, clearance.cleared_by) == (
        second,
        first,
        tree.county_b_reviewer,
    )
    assert clearance.reason == "已离婚，分属两户"
    [flag] = re.findall(r'data-testid="duplicate">(.*?)</div>', page(response), re.S)
    assert "已登记说明" in flag
