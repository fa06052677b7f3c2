from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = "帮扶申请与审核"

    def ready(self) -> None:
        from assistance.services.review import recompute_notice_ends
        from core.deadlines import register

        register("公示截止", recompute_notice_ends)
