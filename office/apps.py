from django.apps import AppConfig


class OfficeConfig(AppConfig):
    """The union office's own pages: each user's home (工作台), composed of every app's
    dashboard, and the administration of the holiday calendar the deadlines are counted on."""

    name = "office"
    verbose_name = "工作台与工作日历"
