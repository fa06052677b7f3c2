"""The client's address (`core.client_ip`): `REMOTE_ADDR` when no proxy is trusted, the
right-most address no trusted proxy vouches for otherwise; and it is the only reader of
the request's address in the product."""

import ast
from pathlib import Path

import pytest
from django.test import RequestFactory

from config.env import env_int
from core.client_ip import client_ip

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("core", "accounts", "assistance", "archives", "funds", "office", "demo", "config")


def request(remote_addr="127.0.0.1", forwarded_for=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    "forwarded_for",
    [None, "203.0.113.9", "203.0.113.9, 198.51.100.7", "8.8.8.8", ""],
)
def test_without_a_trusted_proxy_the_header_is_ignored(settings, forwarded_for):
    """A client reaching the server directly could write anything into X-Forwarded-For."""
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request("192.0.2.40", forwarded_for)) == "192.0.2.40"


def test_the_default_trusts_no_proxy(settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
    assert client_ip(request("10.1.2.3", "203.0.113.9")) == "10.1.2.3"


@pytest.mark.parametrize(
    "forwarded_for, client",
    [
        # nginx appends the address it received the request from.
        ("198.51.100.7", "198.51.100.7"),
        # Whatever the client sent stands left of it and is not taken.
        ("203.0.113.9, 198.51.100.7", "198.51.100.7"),
        ("1.1.1.1, 8.8.8.8, 10.20.30.40", "10.20.30.40"),
        # An office's private address is the client's as much as a public one.
        ("192.168.5.17", "192.168.5.17"),
        # A forged entry that is no address shifts nothing.
        ("not-an-address, 198.51.100.7", "198.51.100.7"),
        ("2001:db8::7", "2001:db8::7"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
    ],
)
def test_one_trusted_proxy_takes_the_right_most_address(settings, forwarded_for, client):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request("127.0.0.1", forwarded_for)) == client


def test_one_trusted_proxy_on_a_public_address_is_never_the_client(settings):
    """The proxy's own address (`REMOTE_ADDR`) is not taken for being routable."""
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request("198.51.100.1", "192.168.5.17")) == "192.168.5.17"


@pytest.mark.parametrize("forwarded_for", [None, "", "  ", "not-an-address"])
def test_without_a_usable_header_the_peer_is_the_client(settings, forwarded_for):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request("192.0.2.40", forwarded_for)) == "192.0.2.40"


@pytest.mark.parametrize(
    "forwarded_for, client",
    [
        # A CDN, then nginx: the CDN wrote the client, nginx wrote the CDN.
        ("203.0.113.9, 198.51.100.7, 100.64.0.2", "198.51.100.7"),
        ("198.51.100.7, 100.64.0.2", "198.51.100.7"),
        # A request that reached nginx without the CDN: one entry, written by nginx.
        ("198.51.100.7", "198.51.100.7"),
    ],
)
def test_two_trusted_proxies(settings, forwarded_for, client):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request("127.0.0.1", forwarded_for)) == client


def test_no_address_at_all_is_none(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    empty = RequestFactory().get("/")
    del empty.META["REMOTE_ADDR"]
    assert client_ip(empty) is None


@pytest.mark.parametrize("value, number", [(None, 0), ("", 0), ("0", 0), ("1", 1), (" 2 ", 2)])
def test_the_setting_is_read_from_the_environment(monkeypatch, value, number):
    if value is None:
        monkeypatch.delenv("DJANGO_TRUSTED_PROXIES", raising=False)
    else:
        monkeypatch.setenv("DJANGO_TRUSTED_PROXIES", value)
    assert env_int("DJANGO_TRUSTED_PROXIES", 0) == number


@pytest.mark.parametrize("value", ["-1", "one", "1.5"])
def test_a_wrong_setting_stops_the_start(monkeypatch, value):
    monkeypatch.setenv("DJANGO_TRUSTED_PROXIES", value)
    with pytest.raises(RuntimeError, match="DJANGO_TRUSTED_PROXIES"):
        env_int("DJANGO_TRUSTED_PROXIES", 0)


def test_axes_counts_by_the_same_address(settings):
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXY_COUNT = 1
    assert get_client_ip_address(request("127.0.0.1", "203.0.113.9, 198.51.100.7")) == (
        "198.51.100.7"
    )


ADDRESS_KEYS = {"REMOTE_ADDR", "HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED"}


def readers_of_the_address() -> list[str]:
    found = []
    for app in PRODUCT:
        for path in sorted((ROOT / app).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and node.value in ADDRESS_KEYS:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value}")
    return found


def test_only_the_helper_reads_the_address_of_a_request():
    """Every address recorded (access logs, the lockout) comes from `client_ip`."""
    assert [line for line in readers_of_the_address() if "core/client_ip.py" not in line] == []
    assert any("core/client_ip.py" in line for line in readers_of_the_address())
