"""Editing a draft never shows full numbers: a blank number keeps the stored one."""

import pytest
from django.urls import reverse

from assistance.models import Case
from core.crypto import decrypt
from tests.factories.assistance import (
    applicant_fields,
    form_post,
    id_number,
    member,
    minimum_living_standards,
    new_case,
)

APPLICANT_ID = id_number(11)


@pytest.fixture
def case(tree):
    minimum_living_standards(tree.admin, tree.county_a, tree.county_b)
    return new_case(tree.caseworker_a1, tree.union_a1)


def edit_post(case: Case, members: list[dict], **overrides) -> dict:
    data = form_post(applicant_fields(**overrides), members, case.organisation_id)
    data.pop("organisation")
    data["case_id"] = str(case.pk)
    data["members-INITIAL_FORMS"] = str(sum(1 for m in members if m.get("pk")))
    return data


def stored_members(case: Case) -> list[dict]:
    """The members as the edit form shows them: IDs blank, to be kept."""
    return [
        {
            "pk": m.pk,
            "name": m.name,
            "id_number": "",
            "relation": m.relation,
            "health": m.health,
            "disability": m.disability,
            "school": m.school,
            "employment": m.employment,
        }
        for m in case.members.all()
    ]


def test_edit_page_shows_masks_not_numbers(client, tree, case):
    client.force_login(tree.caseworker_a1)
    html = client.get(reverse("assistance:case_edit", args=[case.pk])).content.decode()
    assert APPLICANT_ID not in html
    assert case.applicant_id_masked in html
    assert case.bank_card_masked in html


def test_blank_numbers_keep_the_stored_ones(client, tree, case):
    client.force_login(tree.caseworker_a1)
    before = {m.pk: m.id_hash for m in case.members.all()}
    data = edit_post(case, stored_members(case), id_number="", bank_card="", phone="13800001111")
    response = client.post(reverse("assistance:case_edit", args=[case.pk]), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.phone == "13800001111"
    assert decrypt(case.applicant_id_cipher) == APPLICANT_ID
    assert {m.pk: m.id_hash for m in case.members.all()} == before
    assert case.household_size == 4


def test_a_typed_number_replaces_the_stored_one(client, tree, case):
    client.force_login(tree.caseworker_a1)
    new_id = id_number(12, birth="19790909")
    data = edit_post(case, stored_members(case), id_number=new_id, bank_card="")
    client.post(reverse("assistance:case_edit", args=[case.pk]), data)
    case.refresh_from_db()
    assert decrypt(case.applicant_id_cipher) == new_id
    assert str(case.birth_date) == "1979-09-09"


def test_a_new_member_needs_a_number(client, tree, case):
    client.force_login(tree.caseworker_a1)
    newcomer = member("赵奶奶", 51, relation="grandparent", birth="19450101")
    newcomer["id_number"] = ""
    data = edit_post(case, [*stored_members(case), newcomer], id_number="", bank_card="")
    response = client.post(reverse("assistance:case_edit", args=[case.pk]), data)
    assert response.status_code == 200
    assert "请输入身份证号。" in response.content.decode()
    assert case.members.count() == 3


def test_the_live_assessment_works_on_an_edit(client, tree, case):
    client.force_login(tree.caseworker_a1)
    data = edit_post(case, stored_members(case), id_number="", bank_card="")
    html = client.post(reverse("assistance:case_preview"), data).content.decode()
    assert "612.50" in html


def test_bank_card_with_spaces_is_accepted(client, tree, case):
    client.force_login(tree.caseworker_a1)
    data = edit_post(case, stored_members(case), id_number="", bank_card="6222 0212 3456 7890 999")
    assert client.post(reverse("assistance:case_edit", args=[case.pk]), data).status_code == 302
    case.refresh_from_db()
    assert decrypt(case.bank_card_cipher) == "6222021234567890999"


def test_downloading_a_document_is_logged_for_the_auditors(client, tree, case, settings, tmp_path):
    from assistance.models import PersonalDataAccess
    from tests.factories.assistance import upload_all_documents

    settings.MEDIA_ROOT = tmp_path
    settings.TRUSTED_PROXY_COUNT = 1
    document = upload_all_documents(tree.caseworker_a1, case)[0]
    client.force_login(tree.county_a_reviewer)
    url = reverse("assistance:document_download", args=[case.pk, document.pk])
    response = client.get(url, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.168.5.17")
    assert response.status_code == 200
    access = PersonalDataAccess.objects.get()
    assert access.user == tree.county_a_reviewer and access.case == case
    assert access.ip_address == "192.168.5.17"  # the client behind the proxy
    assert document.original_name in access.fields[0]


def test_the_revealed_page_is_not_cached(client, tree, case):
    client.force_login(tree.caseworker_a1)
    response = client.post(reverse("assistance:case_reveal", args=[case.pk]))
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_searching_by_id_number_keeps_the_number_out_of_the_url(client, tree, case):
    client.force_login(tree.county_a_reviewer)
    response = client.post(
        reverse("assistance:case_search"), {"q": APPLICANT_ID, "status": "draft"}
    )
    assert response.status_code == 302
    location = response["Location"]
    assert APPLICANT_ID not in location and "person=" in location and "status=draft" in location
    listing = client.get(location)
    assert [c.pk for c in listing.context["page_obj"]] == [case.pk]


def test_searching_by_name_is_a_plain_redirect(client, tree, case):
    client.force_login(tree.county_a_reviewer)
    response = client.post(reverse("assistance:case_search"), {"q": "张建国"})
    listing = client.get(response["Location"])
    assert [c.pk for c in listing.context["page_obj"]] == [case.pk]
