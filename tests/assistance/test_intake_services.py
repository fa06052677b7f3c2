"""Intake services: what each write stores, what it records, and whom it refuses."""

import datetime
import hashlib
import re
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from accounts.roles import Role
from assistance.models import (
    Case,
    CaseDocument,
    DuplicateClearance,
    HouseholdMember,
    PersonalDataAccess,
    Policy,
)
from assistance.selectors import case_duplicates, case_list_for_user
from assistance.services import (
    case_create,
    case_submit,
    case_update,
    document_remove,
    document_upload,
    duplicate_clear,
    personal_data_reveal,
    policy_create,
)
from assistance.services.cases import submission_problems
from core.crypto import decrypt, keyed_hash
from tests.factories.accounts import make_user
from tests.factories.assistance import (
    applicant_fields,
    case_fields,
    id_number,
    member_input,
    minimum_living_standards,
    new_case,
    standard_members,
    upload_all_documents,
)
from tests.factories.core import PDF_BYTES, PNG_BYTES, upload_file

APPLICANT_ID = id_number(11)  # born 1980-01-01, sequence 011: odd, a man
BANK_CARD = "6222021234567890123"
ID_MASK = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")


def history_reasons(queryset) -> list[str]:
    return list(
        queryset.order_by("history_date", "history_id").values_list(
            "history_change_reason", flat=True
        )
    )


def raw_rows(table: str, pk: int) -> list[dict]:
    """The rows of `table` with this `id`, read with SQL, past the ORM and its fields."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} WHERE id = %s", [pk])
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def later_policy(tree, *, code: str, effective_from: datetime.date, **changes) -> Policy:
    base = Policy.objects.get(code="wuhu-2020")
    skip = {"id", "created_at", "updated_at", "effective_to"}
    fields = {
        field.name: getattr(base, field.name)
        for field in Policy._meta.concrete_fields
        if field.name not in skip
    }
    fields.update(code=code, effective_from=effective_from, **changes)
    return policy_create(actor=tree.admin, confirm_backdated=True, **fields)


# --- case_create -----------------------------------------------------------------------


def test_case_create_stores_a_draft_with_its_assessment_and_history(tree, mls):
    outcome = case_create(
        actor=tree.caseworker_a1,
        organisation=tree.union_a1,
        fields=applicant_fields(),
        members=standard_members(),
    )

    case = Case.objects.get()
    assert outcome.case == case and outcome.warning == ""
    assert case.status == Case.Status.DRAFT
    assert case.number == f"2026{case.pk:06d}"
    assert (case.organisation, case.county, case.city) == (
        tree.union_a1,
        tree.county_a,
        tree.city,
    )
    assert case.entered_by == tree.caseworker_a1
    assert case.household_size == 4 and case.students == 1
    assert case.policy.code == "wuhu-2020"
    assert case.minimum_living_standard == Decimal("760.00")
    assert case.category == "deep"
    assert case.per_capita_income == Decimal("612.50")
    assert case.assessment["per_capita_monthly_income"] == "612.50"
    assert case.assessment["policy"] == "wuhu-2020"
    assert case.assessed_at is not None
    assert [m.name for m in case.members.all()] == ["李秀英", "张小明", "张小红"]

    history = case.history.order_by("history_date", "history_id")
    assert history_reasons(case.history) == ["新建申请（草稿）", "分配申请编号", "评估"]
    assert {row.history_user for row in history} == {tree.caseworker_a1}
    members = HouseholdMember.history.filter(case_id=case.pk)
    assert history_reasons(members) == ["新增家庭成员"] * 3
    assert {row.history_user for row in members} == {tree.caseworker_a1}


@pytest.mark.parametrize(
    ("serial", "birth", "sex"),
    [(11, "19800101", "M"), (12, "19751231", "F"), (19, "20000229", "M"), (20, "19990909", "F")],
)
def test_birth_date_and_sex_are_read_from_the_id_number(tree, mls, serial, birth, sex):
    number = id_number(serial, birth=birth)

    case = new_case(tree.caseworker_a1, tree.union_a1, id_number=number)

    assert case.birth_date == datetime.date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    assert case.sex == sex
    assert ID_MASK.match(case.applicant_id_masked)
    assert case.applicant_id_masked == number[:6] + "*" * 8 + number[-4:]


def test_an_id_number_typed_with_a_small_x_is_stored_and_found_as_x(tree, mls):
    number = next(
        n for n in (id_number(s, birth="19760606") for s in range(1, 200)) if n.endswith("X")
    )

    case = new_case(tree.caseworker_a1, tree.union_a1, id_number=number.lower())

    assert decrypt(case.applicant_id_cipher) == number
    assert case.applicant_id_hash == keyed_hash(number) == keyed_hash(number.lower())
    assert case.applicant_id_masked.endswith("X")
    assert list(case_list_for_user(tree.caseworker_a1, search=number.lower())) == [case]


def test_case_without_a_standard_is_saved_unassessed_with_a_warning(tree):
    outcome = case_create(
        actor=tree.caseworker_a1,
        organisation=tree.union_a1,
        fields=applicant_fields(),
        members=standard_members(),
    )

    case = outcome.case
    assert "未能评估" in outcome.warning and "低保" in outcome.warning
    assert case.assessment is None and case.policy is None and case.category is None
    assert case.household_size == 4 and case.students == 1
    assert "尚未完成资格评估（缺少政策或低保标准）。" in submission_problems(case)


@pytest.mark.parametrize(
    ("members", "message"),
    [
        pytest.param(
            [member_input("李秀英", 21), member_input("李秀英", 21)],
            "第 2 位家庭成员（李秀英）与申请人或其他成员身份证号重复。",
            id="member-twice",
        ),
        pytest.param(
            [member_input("张建国", 11, birth="19800101")],
            "第 1 位家庭成员（张建国）与申请人或其他成员身份证号重复。",
            id="applicant-as-member",
        ),
    ],
)
def test_case_create_refuses_a_person_listed_twice(tree, mls, members, message):
    with pytest.raises(ValidationError) as info:
        case_create(
            actor=tree.caseworker_a1,
            organisation=tree.union_a1,
            fields=applicant_fields(),
            members=members,
        )

    assert info.value.message_dict == {"members": [message]}
    assert Case.objects.count() == 0 and HouseholdMember.objects.count() == 0


def test_case_create_refuses_a_bad_check_digit(tree, mls):
    good = id_number(11)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")

    with pytest.raises(ValidationError) as info:
        case_create(
            actor=tree.caseworker_a1,
            organisation=tree.union_a1,
            fields=applicant_fields(id_number=bad),
            members=[],
        )

    assert info.value.messages == ["身份证号校验位不正确，请核对。"]
    assert Case.objects.count() == 0


def test_only_a_caseworker_may_enter_a_case(tree, mls):
    with pytest.raises(PermissionDenied):
        new_case(tree.county_a_reviewer, tree.union_a1)
    assert Case.objects.count() == 0 and Case.history.count() == 0


@pytest.mark.parametrize(
    ("actor", "union"),
    [
        ("caseworker_a2", "union_a1"),  # sibling union
        ("caseworker_b1", "union_a1"),  # other county
        ("caseworker_a1", "union_b1"),
    ],
)
def test_a_caseworker_cannot_enter_for_a_union_outside_their_scope(tree, mls, actor, union):
    with pytest.raises(PermissionDenied):
        new_case(getattr(tree, actor), getattr(tree, union))
    assert Case.objects.count() == 0 and Case.history.count() == 0


def test_a_county_caseworker_may_enter_for_a_union_below_it(tree, mls):
    county_worker = make_user(tree.county_a, Role.CASEWORKER)

    case = new_case(county_worker, tree.union_a2)

    assert case.organisation == tree.union_a2 and case.county == tree.county_a
    assert case.entered_by == county_worker
    with pytest.raises(PermissionDenied):
        new_case(county_worker, tree.union_b1, id_number=id_number(12))
    with pytest.raises(ValidationError) as info:
        new_case(county_worker, tree.county_a, id_number=id_number(13))
    assert info.value.message_dict == {"organisation": ["请选择受理申请的基层工会。"]}
    assert Case.objects.count() == 1


# --- personal data at rest --------------------------------------------------------------


def test_id_and_bank_card_are_encrypted_at_rest_and_found_by_keyed_hash(tree, mls, settings):
    case = new_case(tree.caseworker_a1, tree.union_a1)
    spouse_id = id_number(21, birth="19820202")

    [row] = raw_rows("assistance_case", case.pk)
    for column, value in row.items():
        assert APPLICANT_ID not in str(value), column
        assert BANK_CARD not in str(value), column
    assert row["applicant_id_masked"] == APPLICANT_ID[:6] + "********" + APPLICANT_ID[-4:]
    assert row["bank_card_masked"] == BANK_CARD[:4] + "*" * 11 + BANK_CARD[-4:]
    assert decrypt(row["applicant_id_cipher"]) == APPLICANT_ID
    assert decrypt(row["bank_card_cipher"]) == BANK_CARD

    case_history = raw_rows("assistance_historicalcase", case.pk)
    assert len(case_history) == 3
    for history in case_history:
        assert APPLICANT_ID not in " ".join(map(str, history.values()))
        assert BANK_CARD not in " ".join(map(str, history.values()))
    spouse = case.members.get(name="李秀英")
    [member_row] = raw_rows("assistance_householdmember", spouse.pk)
    [member_history] = raw_rows("assistance_historicalhouseholdmember", spouse.pk)
    for stored in (member_row, member_history):
        assert spouse_id not in " ".join(map(str, stored.values()))
        assert decrypt(stored["id_cipher"]) == spouse_id

    # The hash is keyed (not a bare SHA-256 of the number) and finds the row exactly.
    assert row["applicant_id_hash"] != hashlib.sha256(APPLICANT_ID.encode()).hexdigest()
    assert Case.objects.get(applicant_id_hash=keyed_hash(APPLICANT_ID)) == case
    assert HouseholdMember.objects.get(id_hash=keyed_hash(spouse_id)) == spouse
    assert not Case.objects.filter(applicant_id_hash=keyed_hash(id_number(99))).exists()
    assert list(case_list_for_user(tree.caseworker_a1, search=APPLICANT_ID)) == [case]
    assert list(case_list_for_user(tree.caseworker_a1, search=spouse_id)) == [case]
    assert list(case_list_for_user(tree.caseworker_a1, search=APPLICANT_ID[:17])) == []

    # The keys are not SECRET_KEY: changing it neither breaks decryption nor the hash.
    settings.SECRET_KEY = "a-completely-different-secret-key"
    assert decrypt(row["applicant_id_cipher"]) == APPLICANT_ID
    assert keyed_hash(APPLICANT_ID) == row["applicant_id_hash"]
    settings.PII_HASH_KEY = "another-hash-key"
    assert keyed_hash(APPLICANT_ID) != row["applicant_id_hash"]


# --- the stored assessment --------------------------------------------------------------


def assessment_of(case: Case) -> tuple:
    case.refresh_from_db()
    return (
        case.policy_id,
        case.minimum_living_standard,
        case.assessment,
        case.category,
        case.per_capita_income,
        case.assessed_at,
    )


def test_a_later_standard_never_changes_a_saved_assessment(tree, mls):
    case = new_case(tree.caseworker_a1, tree.union_a1)
    stored = assessment_of(case)
    upload_all_documents(tree.caseworker_a1, case)

    # A higher 低保 from after the application date, and one entered later but backdated.
    minimum_living_standards(
        tree.admin, tree.county_a, amount="900", effective_from=datetime.date(2026, 4, 1)
    )
    minimum_living_standards(
        tree.admin, tree.county_a, amount="1200", effective_from=datetime.date(2026, 3, 1)
    )
    assert assessment_of(case) == stored

    case_submit(actor=tree.caseworker_a1, case=case)

    assert assessment_of(case) == stored
    assert case.minimum_living_standard == Decimal("760.00")
    assert case.status == Case.Status.SUBMITTED


def test_a_later_policy_version_never_changes_a_saved_assessment(tree, mls):
    case = new_case(tree.caseworker_a1, tree.union_a1)
    stored = assessment_of(case)
    upload_all_documents(tree.caseworker_a1, case)

    # In force from before the application date, but created after the case was saved.
    later_policy(
        tree,
        code="wuhu-2026",
        effective_from=datetime.date(2026, 2, 1),
        deep_living_months=24,
    )
    assert assessment_of(case) == stored

    case_submit(actor=tree.caseworker_a1, case=case)

    assert assessment_of(case) == stored
    assert case.policy.code == "wuhu-2020"
    assert case.assessment["standards"]["living"] == "9120.00"


def test_saving_a_draft_again_assesses_under_the_policy_then_in_force(tree, mls):
    case = new_case(tree.caseworker_a1, tree.union_a1)
    later_policy(
        tree,
        code="wuhu-2026",
        effective_from=datetime.date(2026, 2, 1),
        deep_living_months=24,
    )

    case = case_update(
        actor=tree.caseworker_a1, case=case, fields=case_fields(case), members=standard_members()
    ).case

    case.refresh_from_db()
    assert case.policy.code == "wuhu-2026"
    assert case.assessment["policy"] == "wuhu-2026"
    assert case.assessment["standards"]["living"] == "18240.00"


def test_submit_assesses_a_case_saved_before_its_standard_was_on_file(tree):
    case = new_case(tree.caseworker_a1, tree.union_a1)
    upload_all_documents(tree.caseworker_a1, case)
    assert case.assessment is None
    minimum_living_standards(tree.admin, tree.county_a)

    case_submit(actor=tree.caseworker_a1, case=case)

    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    assert case.policy.code == "wuhu-2020" and case.category == "deep"
    assert case.minimum_living_standard == Decimal("760.00")
    assert history_reasons(case.history)[-2:] == ["提交前评估", "提交申请"]


# --- case_update ------------------------------------------------------------------------


def test_case_update_changes_fields_and_records_who_changed_what(tree, case):
    case_update(
        actor=tree.caseworker_a1,
        case=case,
        fields=case_fields(case, phone="13800000000", income_wages=Decimal("60000")),
        members=[
            member_input("李秀英", 21),
            member_input("张小明", 31, relation="child", school="junior", birth="20120505"),
            member_input("张小红", 41, relation="child", birth="20150505"),
        ],
    )

    case.refresh_from_db()
    assert case.phone == "13800000000"
    assert case.income_wages == Decimal("60000.00")
    assert case.per_capita_income == Decimal("1029.17")
    last = case.history.latest("history_date")
    assert last.history_user == tree.caseworker_a1
    assert last.history_change_reason == "修改申请（草稿）"
    delta = last.diff_against(last.prev_record)
    assert {"phone", "income_wages"} <= set(delta.changed_fields)
    assert last.prev_record.phone == "13912345678"


def test_case_update_syncs_members_edit_delete_add_with_history(tree, case):
    spouse, pupil, child = case.members.all()
    members = [
        replace(member_input("李秀英", 21, school="college"), pk=spouse.pk),  # now a student
        replace(member_input("张小红", 41, relation="child", birth="20150505"), pk=child.pk),
        member_input("张奶奶", 51, relation="grandparent", birth="19500303"),
    ]

    case_update(
        actor=tree.caseworker_a1,
        case=case,
        fields=case_fields(case),
        members=members,
    )

    case.refresh_from_db()
    assert sorted(case.members.values_list("name", flat=True)) == ["张奶奶", "张小红", "李秀英"]
    assert case.members.get(pk=spouse.pk).school == "college"
    assert case.members.filter(pk=child.pk).exists()
    assert not HouseholdMember.objects.filter(pk=pupil.pk).exists()
    assert case.household_size == 4 and case.students == 1

    def reasons(pk):
        return history_reasons(HouseholdMember.history.filter(id=pk))

    assert reasons(spouse.pk) == ["新增家庭成员", "修改家庭成员"]
    assert reasons(pupil.pk) == ["新增家庭成员", "删除家庭成员"]
    grandma = case.members.get(name="张奶奶")
    assert reasons(grandma.pk) == ["新增家庭成员"]
    deleted = HouseholdMember.history.get(id=pupil.pk, history_type="-")
    assert deleted.history_user == tree.caseworker_a1
    changed = HouseholdMember.history.filter(id=spouse.pk).latest("history_date")
    assert changed.history_user == tree.caseworker_a1
    changes = changed.diff_against(changed.prev_record).changed_fields
    assert sorted(changes) == ["employment", "school"]


def test_case_update_counts_the_household_even_when_it_cannot_be_assessed(tree):
    # No 低保 is on file for 2025: the case is saved unassessed, but its members count.
    case = new_case(
        tree.caseworker_a1,
        tree.union_a1,
        members=[member_input("李秀英", 21)],
        application_date=datetime.date(2025, 6, 1),
    )
    assert case.assessment is None and case.household_size == 2

    outcome = case_update(
        actor=tree.caseworker_a1,
        case=case,
        fields=case_fields(case),
        members=[
            member_input("李秀英", 21),
            member_input("张小明", 31, relation="child", school="junior", birth="20120505"),
        ],
    )

    assert outcome.warning
    case.refresh_from_db()
    assert case.household_size == 3 and case.students == 1


def test_case_update_with_a_new_id_number_rereads_birth_date_and_sex(tree, case):
    new_number = id_number(22, birth="19850707")

    case_update(
        actor=tree.caseworker_a1,
        case=case,
        fields=case_fields(case, id_number=new_number),
        members=standard_members(),
    )

    case.refresh_from_db()
    assert case.birth_date == datetime.date(1985, 7, 7) and case.sex == Case.Sex.FEMALE
    assert decrypt(case.applicant_id_cipher) == new_number
    assert case.applicant_id_hash == keyed_hash(new_number)
    assert case.applicant_id_masked.endswith(new_number[-4:])


@pytest.mark.parametrize("actor", ["county_a_reviewer", "caseworker_a2", "caseworker_b1"])
def test_case_update_is_refused_to_others(tree, case, actor):
    before = (case.history.count(), HouseholdMember.history.count())

    with pytest.raises(PermissionDenied):
        case_update(
            actor=getattr(tree, actor),
            case=case,
            fields=case_fields(case, phone="13800000000"),
            members=[],
        )

    case.refresh_from_db()
    assert case.phone == "13912345678" and case.members.count() == 3
    assert (case.history.count(), HouseholdMember.history.count()) == before


def test_a_county_caseworker_may_edit_a_case_of_a_union_below_it(tree, case):
    county_worker = make_user(tree.county_a, Role.CASEWORKER)

    case_update(
        actor=county_worker,
        case=case,
        fields=case_fields(case, phone="13800000000"),
        members=standard_members(),
    )

    case.refresh_from_db()
    assert case.phone == "13800000000"
    assert case.history.latest("history_date").history_user == county_worker


# --- case_submit ------------------------------------------------------------------------


def test_submission_is_blocked_while_documents_are_missing(tree, case):
    document_upload(
        actor=tree.caseworker_a1, case=case, doc_type="id_card", upload=upload_file("id.pdf")
    )

    with pytest.raises(ValidationError) as info:
        case_submit(actor=tree.caseworker_a1, case=case)

    assert info.value.messages == [
        "缺少申请材料：帮扶救助申请书、户口本、家庭财产收入证明、家庭困难证明材料、"
        "家庭经济状况核对承诺授权书"
    ]
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT and case.submitted_at is None


def test_submit_locks_the_applicant_data(tree, case):
    documents = upload_all_documents(tree.caseworker_a1, case)

    submitted = case_submit(actor=tree.caseworker_a1, case=case)

    assert submitted.status == Case.Status.SUBMITTED and submitted.submitted_at is not None
    last = case.history.latest("history_date")
    assert last.history_change_reason == "提交申请"
    assert last.history_user == tree.caseworker_a1
    assert last.status == Case.Status.SUBMITTED

    before = case.history.count()
    with pytest.raises(ValidationError, match="已锁定"):
        case_update(
            actor=tree.caseworker_a1,
            case=case,
            fields=case_fields(case, phone="13800000000"),
            members=standard_members(),
        )
    with pytest.raises(ValidationError, match="已提交"):
        document_upload(
            actor=tree.caseworker_a1, case=case, doc_type="id_card", upload=upload_file()
        )
    with pytest.raises(ValidationError, match="已提交"):
        document_remove(actor=tree.caseworker_a1, document=documents[0])
    with pytest.raises(ValidationError, match="已锁定"):
        case_submit(actor=tree.caseworker_a1, case=case)

    case.refresh_from_db()
    assert case.phone == "13912345678" and case.history.count() == before
    assert CaseDocument.objects.filter(case=case, removed=False).count() == 6


@pytest.mark.parametrize("actor", ["county_a_reviewer", "caseworker_a2", "caseworker_b1"])
def test_case_submit_is_refused_to_others(tree, case, actor):
    upload_all_documents(tree.caseworker_a1, case)
    before = case.history.count()

    with pytest.raises(PermissionDenied):
        case_submit(actor=getattr(tree, actor), case=case)

    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT and case.history.count() == before


# --- documents --------------------------------------------------------------------------


def test_document_upload_stores_the_file_privately_with_its_checksum(tree, case, private_media):
    document = document_upload(
        actor=tree.caseworker_a1, case=case, doc_type="id_card", upload=upload_file("身份证.PDF")
    )

    document.refresh_from_db()
    assert document.original_name == "身份证.PDF"
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF_BYTES)
    assert document.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert document.uploaded_by == tree.caseworker_a1
    path = private_media / document.file.name
    assert path.read_bytes() == PDF_BYTES
    assert document.file.name.startswith(f"cases/{case.pk}/")
    assert document.file.name.endswith(".pdf")
    assert "身份证" not in document.file.name  # stored under a random name
    history = CaseDocument.history.get(id=document.pk)
    assert history.history_change_reason == "上传材料：身份证"
    assert history.history_user == tree.caseworker_a1
    assert "缺少申请材料" in submission_problems(case)[0]
    assert "身份证、" not in submission_problems(case)[0]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param(
            "申请书.pdf", PNG_BYTES, "文件内容是 image/png，与扩展名“.pdf”不符。", id="png-as-pdf"
        ),
        pytest.param(
            "说明.txt",
            "这是一段文字".encode(),
            "只接受 PDF、JPG、PNG 文件；该文件的内容不是这几种格式之一。",
            id="text",
        ),
        pytest.param(
            "申请书.pdf",
            b"MZ\x90\x00" + b"\x00" * 60,
            "只接受 PDF、JPG、PNG 文件；该文件的内容不是这几种格式之一。",
            id="exe-as-pdf",
        ),
        pytest.param("申请书.pdf", b"", "文件是空的。", id="empty"),
    ],
)
def test_document_upload_refuses_a_file_that_is_not_what_it_claims(
    tree, case, private_media, name, content, message
):
    with pytest.raises(ValidationError) as info:
        document_upload(
            actor=tree.caseworker_a1,
            case=case,
            doc_type="id_card",
            upload=upload_file(name, content),
        )

    assert info.value.message_dict == {"file": [message]}
    assert CaseDocument.objects.count() == 0 and CaseDocument.history.count() == 0
    assert not private_media.exists() or not any(private_media.rglob("*.*"))


def test_document_upload_refuses_an_oversized_file_before_storing_it(
    tree, case, private_media, settings
):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    content = PDF_BYTES + b"\x00" * (1024 * 1024)

    with pytest.raises(ValidationError) as info:
        document_upload(
            actor=tree.caseworker_a1,
            case=case,
            doc_type="id_card",
            upload=upload_file("大文件.pdf", content),
        )

    assert info.value.message_dict == {"file": ["文件超过 1.0 MB，请压缩或拆分后上传。"]}
    assert CaseDocument.objects.count() == 0
    assert not private_media.exists() or not any(private_media.rglob("*.*"))


def test_document_remove_keeps_the_file_and_puts_the_type_back_on_the_checklist(
    tree, case, private_media
):
    documents = upload_all_documents(tree.caseworker_a1, case)
    assert not any("缺少申请材料" in p for p in submission_problems(case))
    document = documents[1]

    document_remove(actor=tree.caseworker_a1, document=document)

    document.refresh_from_db()
    assert document.removed is True
    assert (private_media / document.file.name).read_bytes() == PDF_BYTES
    last = CaseDocument.history.filter(id=document.pk).latest("history_date")
    assert last.history_change_reason == f"撤下材料：{document.get_doc_type_display()}"
    assert last.history_user == tree.caseworker_a1
    assert submission_problems(case)[0] == f"缺少申请材料：{document.get_doc_type_display()}"
    with pytest.raises(ValidationError):
        case_submit(actor=tree.caseworker_a1, case=case)


@pytest.mark.parametrize("actor", ["county_a_reviewer", "caseworker_a2", "caseworker_b1"])
def test_documents_are_refused_to_others(tree, case, private_media, actor):
    document = document_upload(
        actor=tree.caseworker_a1, case=case, doc_type="id_card", upload=upload_file()
    )
    before = CaseDocument.history.count()

    with pytest.raises(PermissionDenied):
        document_upload(
            actor=getattr(tree, actor),
            case=case,
            doc_type="household_register",
            upload=upload_file(),
        )
    with pytest.raises(PermissionDenied):
        document_remove(actor=getattr(tree, actor), document=document)

    document.refresh_from_db()
    assert document.removed is False
    assert CaseDocument.objects.count() == 1 and CaseDocument.history.count() == before
    assert len(list(private_media.rglob("*.pdf"))) == 1


# --- one household, one file ------------------------------------------------------------


@pytest.fixture
def duplicate_pair(tree, mls):
    """A case of union_a1 whose applicant is a member of an open case of union_b1."""
    first = new_case(tree.caseworker_a1, tree.union_a1, members=[])
    second = new_case(
        tree.caseworker_b1,
        tree.union_b1,
        id_number=id_number(61, birth="19790505"),
        applicant_name="王芳",
        members=[member_input("张建国", 11, birth="19800101")],
    )
    return first, second


def test_a_person_in_another_open_application_blocks_submission(tree, duplicate_pair):
    first, second = duplicate_pair
    upload_all_documents(tree.caseworker_b1, second)

    [match] = case_duplicates(second)
    assert (match.person_name, match.other_case, match.cleared) == ("张建国", first, False)
    assert match.id_hash == keyed_hash(APPLICANT_ID)
    [back] = case_duplicates(first)
    assert back.other_case == second

    with pytest.raises(ValidationError) as info:
        case_submit(actor=tree.caseworker_b1, case=second)
    assert info.value.messages == ["张建国 已在其他在办申请中，须由审核人登记说明后才能提交。"]

    clearance = duplicate_clear(
        actor=tree.county_b_reviewer,
        case=second,
        id_hash=match.id_hash,
        other_case_id=first.pk,
        reason="  夫妻已离婚，分属两户  ",
    )

    assert clearance.reason == "夫妻已离婚，分属两户"
    assert clearance.cleared_by == tree.county_b_reviewer
    assert (clearance.person_name, clearance.other_case) == ("张建国", first)
    history = DuplicateClearance.history.get(id=clearance.pk)
    assert history.history_change_reason == "登记重复申请说明"
    assert history.history_user == tree.county_b_reviewer
    assert case_duplicates(second)[0].cleared is True
    assert case_duplicates(first)[0].cleared is False  # each case is cleared on its own

    submitted = case_submit(actor=tree.caseworker_b1, case=second)
    assert submitted.status == Case.Status.SUBMITTED
    # A submitted application is still open: the first case stays flagged.
    assert [d.other_case for d in case_duplicates(first)] == [second]


def test_duplicate_clear_refusals(tree, duplicate_pair):
    first, second = duplicate_pair
    digest = keyed_hash(APPLICANT_ID)

    with pytest.raises(PermissionDenied):
        duplicate_clear(
            actor=tree.caseworker_b1,
            case=second,
            id_hash=digest,
            other_case_id=first.pk,
            reason="x",
        )
    with pytest.raises(PermissionDenied):
        duplicate_clear(
            actor=tree.county_a_reviewer,
            case=second,
            id_hash=digest,
            other_case_id=first.pk,
            reason="x",
        )
    with pytest.raises(ValidationError) as info:
        duplicate_clear(
            actor=tree.county_b_reviewer,
            case=second,
            id_hash=digest,
            other_case_id=first.pk,
            reason="   ",
        )
    assert info.value.message_dict == {"reason": ["请说明两份申请为何可以同时存在。"]}
    with pytest.raises(ValidationError, match="没有重复的在办申请"):
        duplicate_clear(
            actor=tree.county_b_reviewer,
            case=second,
            id_hash=keyed_hash(id_number(99)),
            other_case_id=first.pk,
            reason="说明",
        )
    with pytest.raises(ValidationError, match="没有重复的在办申请"):
        duplicate_clear(
            actor=tree.county_b_reviewer,
            case=second,
            id_hash=digest,
            other_case_id=second.pk,
            reason="说明",
        )
    assert DuplicateClearance.objects.count() == 0
    assert DuplicateClearance.history.count() == 0

    duplicate_clear(
        actor=tree.city_reviewer, case=second, id_hash=digest, other_case_id=first.pk, reason="说明"
    )
    with pytest.raises(ValidationError):
        duplicate_clear(
            actor=tree.city_reviewer,
            case=second,
            id_hash=digest,
            other_case_id=first.pk,
            reason="再说明一次",
        )
    assert DuplicateClearance.objects.count() == 1


# --- personal_data_reveal ---------------------------------------------------------------


def test_reveal_returns_the_numbers_and_logs_the_access(tree, case):
    revealed = personal_data_reveal(actor=tree.county_a_reviewer, case=case, ip_address="10.0.0.8")

    assert revealed.applicant_id == APPLICANT_ID
    assert revealed.bank_card == BANK_CARD
    spouse = case.members.get(name="李秀英")
    assert revealed.members[spouse.pk] == id_number(21, birth="19820202")
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.case, access.ip_address) == (
        tree.county_a_reviewer,
        case,
        "10.0.0.8",
    )
    assert access.fields[:2] == ["申请人身份证号", "银行卡号"]
    assert "李秀英身份证号" in access.fields
    assert access.created_at is not None
    history = PersonalDataAccess.history.get()
    assert history.history_change_reason == "查看完整个人信息"
    assert history.history_user == tree.county_a_reviewer

    personal_data_reveal(actor=tree.caseworker_a1, case=case, ip_address="10.0.0.9")
    assert PersonalDataAccess.objects.count() == 2


@pytest.mark.parametrize("ip_address", [None, ""])
def test_reveal_without_a_client_address_is_still_logged(tree, case, ip_address):
    revealed = personal_data_reveal(actor=tree.caseworker_a1, case=case, ip_address=ip_address)

    assert revealed.applicant_id == APPLICANT_ID
    access = PersonalDataAccess.objects.get()
    assert access.user == tree.caseworker_a1 and access.ip_address is None


@pytest.mark.parametrize("actor", ["caseworker_a2", "caseworker_b1", "county_b_reviewer"])
def test_reveal_is_refused_out_of_scope_and_logs_nothing(tree, case, actor):
    with pytest.raises(PermissionDenied):
        personal_data_reveal(actor=getattr(tree, actor), case=case, ip_address="10.0.0.9")

    assert PersonalDataAccess.objects.count() == 0
    assert PersonalDataAccess.history.count() == 0
