import datetime

import pytest
from django.apps import apps

from accounts.models import Organisation, RoleGrant
from core.history import acting_as, history_changes, history_value, save_tracked
from core.models import HistorySkippedError, TrackedManager, TrackedQuerySet
from funds.models import PaymentLine

OUR_APPS = {"core", "accounts", "assistance", "archives", "funds"}


def our_models():
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS and not model.__name__.startswith("Historical")
    ]


def test_every_model_has_history_and_a_history_keeping_manager():
    models = our_models()
    assert models, "no models found"
    for model in models:
        assert hasattr(model, "history"), f"{model.__name__} has no audit history"
        assert isinstance(model._default_manager.all(), TrackedQuerySet), model.__name__


def test_queryset_update_is_refused(tree):
    with pytest.raises(HistorySkippedError):
        Organisation.objects.filter(pk=tree.union_a1.pk).update(name="改名")
    tree.union_a1.refresh_from_db()
    assert tree.union_a1.name == "甲机械厂工会"


def test_bulk_create_and_bulk_update_write_history(tree):
    with acting_as(tree.admin):
        grants = RoleGrant.objects.bulk_create(
            [RoleGrant(user=tree.caseworker_a2, role="reviewer")]
        )
        assert RoleGrant.history.filter(id=grants[0].pk, history_type="+").count() == 1
        tree.union_a1.name = "甲机械厂工会（新）"
        Organisation.objects.bulk_update([tree.union_a1], ["name"])
    row = tree.union_a1.history.latest("history_date")
    assert row.history_type == "~"
    assert row.name == "甲机械厂工会（新）"
    assert row.history_user == tree.admin


def test_password_is_never_in_history(tree):
    fields = {f.name for f in tree.admin.history.model._meta.fields}
    assert "password" not in fields
    assert "username" in fields


def test_manager_class():
    assert isinstance(Organisation.objects, TrackedManager)


def test_history_shows_times_in_beijing_time_and_relations_by_number():
    recorded = PaymentLine._meta.get_field("result_recorded_at")
    moment = datetime.datetime(2026, 4, 22, 2, 0, tzinfo=datetime.UTC)
    assert history_value(recorded, moment) == "2026-04-22 10:00"
    assert history_value(PaymentLine._meta.get_field("grant"), 7) == "编号 7"
    assert history_value(PaymentLine._meta.get_field("status"), "failed") == "发放失败"
    assert history_value(recorded, None) == "—"


def test_history_changes_diff_each_row_against_the_one_before(tree):
    """The one history list of every page (cases, archives, funds audit): each row with who,
    why and the fields it changed; with `skip_silent`, an update showing nothing is left out."""
    union = tree.union_a1
    start = union.history.count()
    union.name = "甲机械厂工会（新）"
    save_tracked(union, actor=tree.admin, reason="更名")
    union.save()  # changes nothing shown and gives no reason
    records = union.history.select_related("history_user").order_by("history_date", "history_id")
    hidden = {"created_at", "updated_at"}
    changes = history_changes(records, lambda r: r.name, hidden=hidden)
    assert len(changes) == start + 2
    renamed, silent = changes[-2:]
    label = str(Organisation._meta.get_field("name").verbose_name)
    assert renamed.changes == [(label, "甲机械厂工会", "甲机械厂工会（新）")]
    assert (renamed.user, renamed.reason, renamed.kind) == (tree.admin, "更名", "修改")
    assert renamed.subject == "甲机械厂工会（新）"
    assert (silent.changes, silent.reason, silent.kind) == ([], "修改", "修改")
    assert changes[0].kind == "新建" and changes[0].changes == []
    kept = history_changes(records, lambda r: r.name, hidden=hidden, skip_silent=True)
    assert kept == changes[:-1]
