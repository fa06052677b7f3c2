import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.factories.accounts import PASSWORD


def login(client, username, password, address="10.0.0.8", **headers):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def via_proxy(client, username, password, forwarded_for):
    """A log-in through the one reverse proxy (nginx on the same host)."""
    return login(client, username, password, "127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


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


def test_the_lockout_is_per_user_and_address(tree):
    """Five failures lock that user at that address only: the same user elsewhere and
    another user at the same address (a colleague in the same office) still log in."""
    attacker = Client()
    for _ in range(5):
        login(attacker, "cw_a1", "wrong-password", "10.0.0.8")
    assert login(attacker, "cw_a1", PASSWORD, "10.0.0.8").status_code == 429

    elsewhere = Client()
    assert login(elsewhere, "cw_a1", PASSWORD, "10.0.0.9").status_code == 302
    assert logged_in(elsewhere)

    colleague = Client()
    assert login(colleague, "admin1", PASSWORD, "10.0.0.8").status_code == 302
    assert logged_in(colleague)

    # The lock still holds where it was set.
    assert login(Client(), "cw_a1", PASSWORD, "10.0.0.8").status_code == 429


def test_behind_the_proxy_the_lockout_is_per_client_address(tree, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = Client()
    for _ in range(5):
        via_proxy(attacker, "cw_a1", "wrong-password", "203.0.113.9")
    assert via_proxy(attacker, "cw_a1", PASSWORD, "203.0.113.9").status_code == 429
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address) == ("cw_a1", "203.0.113.9")

    # Everyone comes from the proxy's 127.0.0.1, yet the user logs in from another client.
    user = Client()
    assert via_proxy(user, "cw_a1", PASSWORD, "198.51.100.7").status_code == 302
    assert logged_in(user)
    # A forged header left of what the proxy appended changes nothing.
    assert via_proxy(Client(), "cw_a1", PASSWORD, "198.51.100.7, 203.0.113.9").status_code == 429


def test_without_a_trusted_proxy_a_forged_header_does_not_escape_the_lock(tree, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    attacker = Client()
    for number in range(5):
        login(attacker, "cw_a1", "wrong-password", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
    response = login(attacker, "cw_a1", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429
    assert AccessAttempt.objects.get().ip_address == "10.0.0.8"
    assert not logged_in(attacker)


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
