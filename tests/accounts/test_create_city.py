import pytest
from django.core.management import CommandError, call_command

from accounts.models import Organisation, User
from accounts.roles import Role


def test_create_city_with_its_administrator(db, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "Wh-admin-2026")
    call_command("create_city", code="WH", name="芜湖市总工会", region="wuhu", admin="wh_admin")
    city = Organisation.objects.get(code="WH")
    admin = User.objects.get(username="wh_admin")
    assert city.city == city and city.policy_region == "wuhu"
    assert admin.roles == {Role.ADMIN} and admin.check_password("Wh-admin-2026")
    assert admin.history.earliest("history_date").history_user.username == "system"


def test_weak_password_is_refused_and_nothing_created(db, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "123")
    with pytest.raises(CommandError):
        call_command("create_city", code="WH", name="芜湖市总工会", region="wuhu", admin="a")
    assert not Organisation.objects.filter(code="WH").exists()
