"""Withdrawing a draft, and the checks the services make for every caller."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from assistance.models import Case
from assistance.selectors import case_duplicates
from assistance.services import case_create, case_withdraw
from tests.factories.assistance import applicant_fields, id_number, member_input, new_case


def test_withdrawn_draft_stays_on_file_and_no_longer_blocks_a_duplicate(tree, mls):
    first = new_case(
        tree.caseworker_a1, tree.union_a1, members=[member_input("王芳", 77, birth="19900303")]
    )
    second = new_case(
        tree.caseworker_b1,
        tree.union_b1,
        members=[member_input("王芳", 77, birth="19900303")],
        applicant_name="刘强",
        id_number=id_number(78, birth="19850505"),
    )
    assert case_duplicates(second)

    case_withdraw(actor=tree.caseworker_a1, case=first, reason="申请人放弃申请")

    first.refresh_from_db()
    assert first.status == Case.Status.WITHDRAWN
    assert first.history.latest("history_date").history_change_reason == "撤回申请"
    step = first.transitions.get()
    assert (step.action, step.opinion, step.actor) == (
        "withdraw",
        "申请人放弃申请",
        tree.caseworker_a1,
    )
    assert case_duplicates(second) == []


def test_withdraw_needs_a_reason_and_a_caseworker_in_scope(tree, mls):
    case = new_case(tree.caseworker_a1, tree.union_a1)
    with pytest.raises(ValidationError):
        case_withdraw(actor=tree.caseworker_a1, case=case, reason="  ")
    with pytest.raises(PermissionDenied):
        case_withdraw(actor=tree.caseworker_a2, case=case, reason="误录")
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT


def test_a_withdrawn_case_cannot_be_withdrawn_or_edited_again(tree, mls):
    case = new_case(tree.caseworker_a1, tree.union_a1)
    case_withdraw(actor=tree.caseworker_a1, case=case, reason="误录")
    with pytest.raises(ValidationError):
        case_withdraw(actor=tree.caseworker_a1, case=case, reason="误录")


def test_services_refuse_a_future_application_date(tree, mls):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        case_create(
            actor=tree.caseworker_a1,
            organisation=tree.union_a1,
            fields=applicant_fields(application_date=tomorrow),
            members=[],
        )
    assert "application_date" in error.value.error_dict
    assert not Case.objects.exists()


def test_withdraw_in_the_browser_asks_for_a_reason_first(client, tree, mls):
    case = new_case(tree.caseworker_a1, tree.union_a1)
    client.force_login(tree.caseworker_a1)
    url = reverse("assistance:case_withdraw", args=[case.pk])
    assert "确认撤回" in client.get(url).content.decode()
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT
    assert client.post(url, {"reason": "重复录入"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.WITHDRAWN


def test_withdraw_by_url_from_a_sibling_union_is_404(client, tree, mls):
    case = new_case(tree.caseworker_a1, tree.union_a1)
    client.force_login(tree.caseworker_a2)
    url = reverse("assistance:case_withdraw", args=[case.pk])
    assert client.post(url, {"reason": "x"}).status_code == 404
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT
