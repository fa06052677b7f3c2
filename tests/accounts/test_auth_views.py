import pytest
from django.urls import reverse

from tests.factories.accounts import PASSWORD


def login(client, username, password):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR="10.0.0.8",
    )


def test_login_page_is_chinese(client, db):
    response = client.get(reverse("accounts:login"))
    assert "登录" in response.content.decode()


def test_login_and_home(client, tree):
    response = login(client, "cw_a1", PASSWORD)
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert "甲机械厂工会" in home.content.decode()


def test_wrong_password_message_in_chinese(client, tree):
    response = login(client, "cw_a1", "wrong-password")
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_repeated_failures_lock_the_account_out(client, tree):
    for _ in range(5):
        login(client, "cw_a1", "wrong-password")
    response = login(client, "cw_a1", PASSWORD)
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_change(client, tree):
    client.force_login(tree.caseworker_a1)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Ne5w-pass-x9",
            "new_password2": "Ne5w-pass-x9",
        },
    )
    assert response.status_code == 302
    tree.caseworker_a1.refresh_from_db()
    assert tree.caseworker_a1.check_password("Ne5w-pass-x9")


def test_password_change_mismatch_shows_chinese_error(client, tree):
    client.force_login(tree.caseworker_a1)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Ne5w-pass-x9", "new_password2": "other-x9"},
    )
    assert response.status_code == 200
    assert "输入的两个密码不一致" in response.content.decode()


@pytest.mark.parametrize("name", ["home", "accounts:password_change"])
def test_anonymous_is_sent_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_logout(client, tree):
    client.force_login(tree.caseworker_a1)
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session
