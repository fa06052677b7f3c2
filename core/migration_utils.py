"""Data migrations leave audit history too: the historical row is written beside the row."""

from django.utils import timezone

SYSTEM_USERNAME = "system"


def system_user_id(apps) -> int | None:
    User = apps.get_model("accounts", "User")
    return User.objects.filter(username=SYSTEM_USERNAME).values_list("pk", flat=True).first()


def create_with_history(apps, app_label: str, model_name: str, *, reason: str, **fields):
    Model = apps.get_model(app_label, model_name)
    Historical = apps.get_model(app_label, f"Historical{model_name}")
    obj = Model.objects.create(**fields)
    values = {
        f.attname: getattr(obj, f.attname)
        for f in Model._meta.concrete_fields
        if f.attname in {hf.attname for hf in Historical._meta.concrete_fields}
    }
    Historical.objects.create(
        **values,
        history_date=timezone.now(),
        history_type="+",
        history_change_reason=reason,
        history_user_id=system_user_id(apps),
    )
    return obj
