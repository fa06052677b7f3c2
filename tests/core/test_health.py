import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse

from core import health
from core.health import HealthCheckFailed, run_checks

pytestmark = pytest.mark.django_db


def test_health_is_ok_without_login_and_names_each_check(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": {"status": "ok"},
            "storage": {"status": "ok"},
            "migrations": {"status": "ok"},
        },
    }
    assert "no-cache" in response["Cache-Control"]


def test_health_answers_head_and_refuses_post(client):
    assert client.head(reverse("health")).status_code == 200
    assert client.post(reverse("health")).status_code == 405


def test_storage_probe_leaves_no_file(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    health.storage()
    assert list((tmp_path / health.PROBE_DIR).iterdir()) == []


def test_an_unapplied_migration_fails_the_check_and_the_endpoint(client):
    applied = MigrationRecorder.Migration.objects.filter(app="core").order_by("-id").first()
    MigrationRecorder.Migration.objects.filter(pk=applied.pk).delete()

    with pytest.raises(HealthCheckFailed, match="1 unapplied migration"):
        health.migrations()

    response = client.get(reverse("health"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["migrations"] == {
        "status": "error",
        "reason": "1 unapplied migration(s)",
    }
    assert body["checks"]["database"] == {"status": "ok"}


def test_unreadable_storage_fails_with_the_class_name_only(client, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocker

    response = client.get(reverse("health"))

    assert response.status_code == 503
    storage = response.json()["checks"]["storage"]
    assert storage["status"] == "error"
    assert storage["reason"] in {"FileExistsError", "NotADirectoryError"}
    assert str(tmp_path) not in response.content.decode()


def test_a_check_added_to_the_setting_is_run(settings):
    settings.HEALTH_CHECKS = [*settings.HEALTH_CHECKS, "core.health.database"]
    assert [result.name for result in run_checks()] == [
        "database",
        "storage",
        "migrations",
        "database",
    ]
    assert connection.is_usable()


def test_health_is_not_behind_the_login_lockout(client, tree):
    for _ in range(6):
        refused = client.post(
            reverse("accounts:login"),
            {"username": tree.caseworker_a1.username, "password": "wrong"},
            REMOTE_ADDR="10.0.0.9",
        )
    assert refused.status_code == 429
    assert client.get(reverse("health"), REMOTE_ADDR="10.0.0.9").status_code == 200
