"""Every case URL, tried by users who must not reach it: not found (or forbidden), nothing changed.

The case under attack belongs to union_a1 (county A). Its applicant also stands in an open
case of union_b1 (county B), so that a duplicate clearance is a real, valid request; each URL
is first shown to work for the right user with the very same request.
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from accounts.roles import Role
from assistance.models import (
    Case,
    CaseDocument,
    DuplicateClearance,
    HouseholdMember,
    PersonalDataAccess,
)
from assistance.services import document_upload
from core.crypto import keyed_hash
from tests.factories.accounts import make_user
from tests.factories.assistance import (
    edit_post,
    id_number,
    member_input,
    minimum_living_standards,
    new_case,
)
from tests.factories.core import PDF_BYTES, upload_file


@dataclass
class World:
    case: Case  # union_a1, a draft with three members and one document
    document: CaseDocument
    other: Case  # union_b1, naming case's applicant as a member
    sibling: Case  # union_a1 too: another case the same caseworker may see
    sibling_document: CaseDocument


@pytest.fixture
def world(tree) -> World:
    minimum_living_standards(tree.admin, tree.county_a, tree.county_b)
    case = new_case(tree.caseworker_a1, tree.union_a1)
    document = document_upload(
        actor=tree.caseworker_a1, case=case, doc_type="id_card", upload=upload_file("身份证.pdf")
    )
    other = new_case(
        tree.caseworker_b1,
        tree.union_b1,
        id_number=id_number(61, birth="19790505"),
        applicant_name="王芳",
        members=[member_input("张建国", 11, birth="19800101")],
    )
    sibling = new_case(
        tree.caseworker_a1,
        tree.union_a1,
        id_number=id_number(71, birth="19880808"),
        applicant_name="周强",
        members=[],
    )
    sibling_document = document_upload(
        actor=tree.caseworker_a1, case=sibling, doc_type="id_card", upload=upload_file()
    )
    return World(case, document, other, sibling, sibling_document)


def snapshot(world: World, private_media) -> dict:
    case = Case.objects.get(pk=world.case.pk)
    return {
        "cases": Case.objects.count(),
        "case_history": Case.history.count(),
        "members": HouseholdMember.objects.count(),
        "member_history": HouseholdMember.history.count(),
        "documents": CaseDocument.objects.count(),
        "document_history": CaseDocument.history.count(),
        "removed": list(CaseDocument.objects.filter(removed=True).values_list("pk", flat=True)),
        "clearances": DuplicateClearance.objects.count(),
        "clearance_history": DuplicateClearance.history.count(),
        "accesses": PersonalDataAccess.objects.count(),
        "access_history": PersonalDataAccess.history.count(),
        "case": (case.status, case.phone, case.applicant_name, case.updated_at),
        "files": sorted(str(p) for p in private_media.rglob("*") if p.is_file()),
    }


# Every URL that names a case: (name, method, extra arguments, POST body).
def request_for(world: World, name: str, method: str):
    case, document = world.case, world.document
    args = {
        "case_detail": [case.pk],
        "case_edit": [case.pk],
        "case_reveal": [case.pk],
        "case_submit": [case.pk],
        "document_upload": [case.pk],
        "document_download": [case.pk, document.pk],
        "document_remove": [case.pk, document.pk],
        "duplicate_clear": [case.pk],
    }[name]
    data = None
    if method == "post":
        if name == "case_edit":
            data = edit_post(case)
            data["phone"] = "13800000000"
        elif name == "document_upload":
            data = {"doc_type": "household_register", "file": upload_file("户口本.pdf")}
        elif name == "duplicate_clear":
            data = {
                "id_hash": keyed_hash(id_number(11)),
                "other_case": world.other.pk,
                "reason": "两户各自独立生活",
            }
        else:
            data = {}
    return reverse(f"assistance:{name}", args=args), data


def send(client, world: World, name: str, method: str):
    url, data = request_for(world, name, method)
    if method == "get":
        return client.get(url)
    return client.post(url, data)


CASE_URLS = [
    ("case_detail", "get"),
    ("case_edit", "get"),
    ("case_edit", "post"),
    ("case_reveal", "post"),
    ("case_submit", "get"),
    ("case_submit", "post"),
    ("document_upload", "post"),
    ("document_download", "get"),
    ("document_remove", "post"),
    ("duplicate_clear", "post"),
]
URL_IDS = [f"{name}-{method}" for name, method in CASE_URLS]

# Users with no business with a case of union_a1: the sibling union's caseworker, and the
# other county's reviewer and caseworker. A caseworker is refused duplicate_clear for the role
# before the case is looked up (403); everything else is "not found".
OUTSIDERS = {
    "caseworker_a2": {"duplicate_clear-post": 403},
    "county_b_reviewer": {},
    "caseworker_b1": {"duplicate_clear-post": 403},
}


@pytest.mark.parametrize(("name", "method"), CASE_URLS, ids=URL_IDS)
@pytest.mark.parametrize("outsider", list(OUTSIDERS))
def test_outsiders_get_not_found_and_change_nothing(
    client, tree, world, private_media, outsider, name, method
):
    client.force_login(getattr(tree, outsider))
    before = snapshot(world, private_media)

    response = send(client, world, name, method)

    expected = OUTSIDERS[outsider].get(f"{name}-{method}", 404)
    assert response.status_code == expected
    assert snapshot(world, private_media) == before
    assert world.case.applicant_name.encode() not in response.content


# In-scope users whose role does not allow the action.
WRONG_ROLE = [
    ("county_a_reviewer", "case_edit", "get"),
    ("county_a_reviewer", "case_edit", "post"),
    ("county_a_reviewer", "case_submit", "get"),
    ("county_a_reviewer", "case_submit", "post"),
    ("county_a_reviewer", "document_upload", "post"),
    ("county_a_reviewer", "document_remove", "post"),
    ("city_reviewer", "case_edit", "post"),
    ("city_reviewer", "document_remove", "post"),
    ("caseworker_a1", "duplicate_clear", "post"),
    ("county_auditor", "case_edit", "post"),
    ("county_auditor", "case_submit", "post"),
    ("county_auditor", "document_upload", "post"),
    ("county_auditor", "duplicate_clear", "post"),
]


@pytest.mark.parametrize(
    ("user", "name", "method"),
    WRONG_ROLE,
    ids=[f"{user}-{name}-{method}" for user, name, method in WRONG_ROLE],
)
def test_the_wrong_role_is_forbidden_and_changes_nothing(
    client, tree, world, private_media, user, name, method
):
    actor = (
        make_user(tree.county_a, Role.AUDITOR) if user == "county_auditor" else getattr(tree, user)
    )
    client.force_login(actor)
    before = snapshot(world, private_media)

    response = send(client, world, name, method)

    assert response.status_code == 403
    assert snapshot(world, private_media) == before


@pytest.mark.parametrize(("name", "method"), CASE_URLS, ids=URL_IDS)
def test_anonymous_users_change_nothing(client, world, private_media, name, method):
    before = snapshot(world, private_media)

    response = send(client, world, name, method)

    if name == "duplicate_clear":
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert snapshot(world, private_media) == before


# The same requests succeed for the right user: the refusals above are about who asks.
ALLOWED = [
    ("caseworker_a1", "case_detail", "get", 200),
    ("caseworker_a1", "case_edit", "get", 200),
    ("caseworker_a1", "case_edit", "post", 302),
    ("county_a_reviewer", "case_reveal", "post", 200),
    ("caseworker_a1", "case_submit", "get", 200),
    ("caseworker_a1", "case_submit", "post", 302),
    ("caseworker_a1", "document_upload", "post", 302),
    ("city_reviewer", "document_download", "get", 200),
    ("caseworker_a1", "document_remove", "post", 302),
    ("county_a_reviewer", "duplicate_clear", "post", 302),
]


@pytest.mark.parametrize(
    ("user", "name", "method", "status"),
    ALLOWED,
    ids=[f"{user}-{name}-{method}" for user, name, method, _ in ALLOWED],
)
def test_the_same_requests_work_for_the_right_user(
    client, tree, world, private_media, user, name, method, status
):
    client.force_login(getattr(tree, user))
    before = snapshot(world, private_media)

    response = send(client, world, name, method)

    assert response.status_code == status
    after = snapshot(world, private_media)
    if name == "case_edit" and method == "post":
        assert after["case"][1] == "13800000000"
    elif name == "case_reveal":
        assert after["accesses"] == before["accesses"] + 1
    elif name == "document_upload":
        assert after["documents"] == before["documents"] + 1
    elif name == "document_remove":
        assert after["removed"] == [world.document.pk]
    elif name == "duplicate_clear":
        assert after["clearances"] == before["clearances"] + 1
    elif name == "document_download":
        assert b"".join(response.streaming_content) == PDF_BYTES
    elif name == "case_submit" and method == "post":
        # Blocked (documents missing, duplicate not cleared): told why, still a draft.
        assert after["case"][0] == Case.Status.DRAFT
    else:
        assert after == before


def test_a_county_caseworker_reaches_cases_of_unions_below_it(client, tree, world, private_media):
    client.force_login(make_user(tree.county_a, Role.CASEWORKER))

    assert send(client, world, "case_edit", "get").status_code == 200
    assert send(client, world, "case_edit", "post").status_code == 302
    assert Case.objects.get(pk=world.case.pk).phone == "13800000000"
    assert send(client, world, "document_download", "get").status_code == 200


def test_a_county_caseworker_cannot_reach_the_other_county(client, tree, world, private_media):
    client.force_login(make_user(tree.county_b, Role.CASEWORKER))
    before = snapshot(world, private_media)

    for name, method in CASE_URLS:
        expected = 403 if name == "duplicate_clear" else 404
        assert send(client, world, name, method).status_code == expected, name

    assert snapshot(world, private_media) == before


# --- a document reached through another case's URL ---------------------------------------


def test_a_document_of_one_case_is_not_found_through_another_case(
    client, tree, world, private_media
):
    client.force_login(tree.caseworker_a1)
    before = snapshot(world, private_media)
    # The caseworker may see both cases of union_a1, but not mix them.
    mixed = [world.sibling.pk, world.document.pk]

    download = client.get(reverse("assistance:document_download", args=mixed))
    remove = client.post(reverse("assistance:document_remove", args=mixed))

    assert (download.status_code, remove.status_code) == (404, 404)
    # Nor through a case of the other county, for that county's caseworker.
    client.force_login(tree.caseworker_b1)
    through_other = [world.other.pk, world.document.pk]
    assert (
        client.get(reverse("assistance:document_download", args=through_other)).status_code == 404
    )
    assert client.post(reverse("assistance:document_remove", args=through_other)).status_code == 404
    assert snapshot(world, private_media) == before
    # The right pairing works.
    client.force_login(tree.caseworker_a1)
    pair = [world.sibling.pk, world.sibling_document.pk]
    assert client.get(reverse("assistance:document_download", args=pair)).status_code == 200


def test_a_case_cannot_be_entered_for_a_union_out_of_scope(client, tree, world, private_media):
    client.force_login(tree.caseworker_a2)
    before = snapshot(world, private_media)
    data = edit_post(world.case)

    response = client.post(reverse("assistance:case_create"), data)

    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert snapshot(world, private_media) == before


def test_only_caseworkers_reach_the_form(client, tree, world, private_media):
    for user in (tree.county_a_reviewer, make_user(tree.county_a, Role.AUDITOR)):
        client.force_login(user)
        assert client.get(reverse("assistance:case_create")).status_code == 403
        assert client.post(reverse("assistance:case_preview"), {}).status_code == 403


def test_a_clearance_for_another_counties_case_is_refused(client, tree, world, private_media):
    """county_a_reviewer may clear case (county A) but not the other case (county B)."""
    client.force_login(tree.county_a_reviewer)
    before = snapshot(world, private_media)

    response = client.post(
        reverse("assistance:duplicate_clear", args=[world.other.pk]),
        {
            "id_hash": keyed_hash(id_number(11)),
            "other_case": world.case.pk,
            "reason": "两户各自独立生活",
        },
    )

    assert response.status_code == 404
    assert snapshot(world, private_media) == before


def test_an_edit_naming_another_case_member_leaves_that_member_alone(
    client, tree, world, private_media
):
    """A tampered member row (`pk` of another county's member) adds a member here, no more."""
    foreign = world.other.members.get()
    foreign_history = HouseholdMember.history.filter(id=foreign.pk).count()
    client.force_login(tree.caseworker_a1)
    data = edit_post(world.case)
    data["members-0-pk"] = str(foreign.pk)
    data["members-0-name"] = "改名"

    response = client.post(reverse("assistance:case_edit", args=[world.case.pk]), data)

    assert response.status_code == 302
    foreign.refresh_from_db()
    assert foreign.name == "张建国" and foreign.case == world.other
    assert HouseholdMember.history.filter(id=foreign.pk).count() == foreign_history
    assert world.case.members.filter(name="改名").exists()
    assert world.case.members.count() == 3
