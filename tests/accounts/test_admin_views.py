import pytest
from django.urls import reverse

from accounts.models import Organisation, User
from accounts.roles import Role
from tests.factories.accounts import PASSWORD, make_city, make_user


@pytest.fixture
def admin_client(client, tree):
    client.force_login(tree.admin)
    return client


def test_organisation_list_shows_the_tree(admin_client, tree):
    page = admin_client.get(reverse("accounts:organisation_list")).content.decode()
    for org in (tree.city, tree.county_a, tree.union_b1):
        assert org.name in page


def test_organisation_list_search(admin_client, tree):
    page = admin_client.get(reverse("accounts:organisation_list"), {"q": "丙化工"}).content.decode()
    assert tree.union_b1.name in page
    assert tree.union_a1.name not in page


def test_create_organisation_in_the_browser(admin_client, tree):
    response = admin_client.post(
        reverse("accounts:organisation_create"),
        {"parent": tree.county_a.pk, "code": "JH-99", "name": "戊电子厂工会", "kind": "enterprise"},
    )
    assert response.status_code == 302
    created = Organisation.objects.get(code="JH-99")
    assert created.county == tree.county_a
    assert created.history.get().history_user == tree.admin


def test_bad_organisation_input_is_kept_and_explained(admin_client, tree):
    response = admin_client.post(
        reverse("accounts:organisation_create"),
        {"parent": tree.city.pk, "code": "bad code!", "name": "戊电子厂工会", "kind": "enterprise"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "编码只能包含字母、数字和连字符" in page
    assert 'value="戊电子厂工会"' in page


def test_wrong_level_from_the_service_lands_on_the_form(admin_client, tree):
    response = admin_client.post(
        reverse("accounts:organisation_create"),
        {"parent": tree.city.pk, "code": "X-1", "name": "某厂工会", "kind": "enterprise"},
    )
    assert "该类型的组织不能设在所选上级之下" in response.content.decode()
    assert not Organisation.objects.filter(code="X-1").exists()


def test_create_user_with_roles(admin_client, tree):
    response = admin_client.post(
        reverse("accounts:user_create"),
        {
            "username": "new_reviewer",
            "full_name": "钱审核",
            "phone": "13800000000",
            "organisation": tree.county_b.pk,
            "roles": [Role.REVIEWER, Role.AUDITOR],
            "password1": "Str0ng-pass-1",
            "password2": "Str0ng-pass-1",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="new_reviewer")
    assert user.roles == {Role.REVIEWER, Role.AUDITOR}
    assert user.check_password("Str0ng-pass-1")


def test_weak_password_rejected_in_chinese(admin_client, tree):
    response = admin_client.post(
        reverse("accounts:user_create"),
        {
            "username": "weak",
            "full_name": "弱密码",
            "organisation": tree.county_b.pk,
            "roles": [Role.REVIEWER],
            "password1": "12345678",
            "password2": "12345678",
        },
    )
    assert response.status_code == 200
    assert "密码" in response.content.decode()
    assert not User.objects.filter(username="weak").exists()


def test_edit_user_roles_leaves_history(admin_client, tree):
    target = tree.caseworker_b1
    response = admin_client.post(
        reverse("accounts:user_edit", args=[target.pk]),
        {
            "full_name": "孙经办",
            "phone": "",
            "organisation": tree.union_b1.pk,
            "roles": [Role.CASEWORKER, Role.REVIEWER],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    target = User.objects.get(pk=target.pk)
    assert target.roles == {Role.CASEWORKER, Role.REVIEWER}
    page = admin_client.get(reverse("accounts:user_edit", args=[target.pk])).content.decode()
    assert "授予角色：审核人" in page


def test_reset_password(admin_client, tree):
    target = tree.caseworker_a2
    admin_client.post(
        reverse("accounts:user_reset_password", args=[target.pk]),
        {"password1": "Reset-pass-77", "password2": "Reset-pass-77"},
    )
    target.refresh_from_db()
    assert target.check_password("Reset-pass-77")


@pytest.mark.parametrize(
    "name, needs_pk",
    [
        ("accounts:organisation_list", False),
        ("accounts:organisation_create", False),
        ("accounts:user_list", False),
        ("accounts:user_create", False),
        ("accounts:organisation_edit", True),
        ("accounts:user_edit", True),
        ("accounts:user_reset_password", True),
    ],
)
def test_non_admins_are_refused(client, tree, name, needs_pk):
    client.force_login(tree.county_a_reviewer)
    args = [tree.county_a_reviewer.pk if "user" in name else tree.union_a1.pk] if needs_pk else []
    assert client.get(reverse(name, args=args)).status_code == 403
    assert client.post(reverse(name, args=args), {}).status_code == 403


def test_another_citys_admin_gets_404_and_changes_nothing(client, tree):
    other_city = make_city("马鞍山市总工会", region="maanshan")
    other_admin = make_user(other_city, Role.ADMIN)
    client.force_login(other_admin)
    url = reverse("accounts:organisation_edit", args=[tree.union_a1.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "被改名", "is_active": "on"}).status_code == 404
    tree.union_a1.refresh_from_db()
    assert tree.union_a1.name == "甲机械厂工会"
    assert (
        client.get(reverse("accounts:user_edit", args=[tree.caseworker_a1.pk])).status_code == 404
    )
    listing = client.get(reverse("accounts:user_list")).content.decode()
    assert "cw_a1" not in listing


def test_user_list_uses_a_fixed_number_of_queries(admin_client, tree, django_assert_num_queries):
    url = reverse("accounts:user_list")
    admin_client.get(url)
    with django_assert_num_queries(7) as first:
        admin_client.get(url)
    for index in range(10):
        make_user(tree.union_a2, Role.CASEWORKER, username=f"extra{index}")
    with django_assert_num_queries(len(first.captured_queries)):
        admin_client.get(url)


def test_login_then_admin_pages(client, tree):
    client.post(reverse("accounts:login"), {"username": "admin1", "password": PASSWORD})
    assert client.get(reverse("accounts:user_list")).status_code == 200
