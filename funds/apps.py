from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = "帮扶资金"

    def ready(self) -> None:
        from core.deadlines import register
        from funds.services.payments import recompute_entry_dues
        from funds.services.receipts import recompute_allocation_dues

        register("资金下达截止", recompute_allocation_dues)
        register("发放结果录入截止", recompute_entry_dues)
