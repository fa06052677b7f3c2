from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "archives"
    verbose_name = "困难职工档案"

    def ready(self) -> None:
        from archives.services.exits import recompute_recheck_deadlines
        from core.deadlines import register

        register("退档复核期限", recompute_recheck_deadlines)
