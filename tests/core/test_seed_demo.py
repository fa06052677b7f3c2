from io import StringIO

from django.core.management import call_command

from accounts.models import Organisation, User
from accounts.roles import Level, Role
from assistance.models import MinimumLivingStandard


def test_seed_demo_builds_the_tree_and_prints_logins(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert Organisation.objects.filter(level=Level.COUNTY).count() == 3
    assert Organisation.objects.filter(level=Level.GRASSROOTS).count() == 12
    assert MinimumLivingStandard.objects.count() == 6
    for role in Role.values:
        assert User.objects.filter(role_grants__role=role).exists(), role
    text = out.getvalue()
    assert "city_admin" in text and "Demo-2026!" in text
    admin = User.objects.get(username="city_admin")
    assert admin.history.earliest("history_date").history_user.username == "system"


def test_seed_demo_twice_changes_nothing(db):
    call_command("seed_demo", stdout=StringIO())
    count = User.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert User.objects.count() == count
