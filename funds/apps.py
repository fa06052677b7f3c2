from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = "帮扶资金"

    def ready(self) -> None:
        from assistance.selectors import POLICY_IMPACT_READERS
        from core.deadlines import register
        from funds.selectors.grants import open_grant_impacts
        from funds.services.payments import recompute_entry_dues
        from funds.services.receipts import recompute_allocation_dues

        if open_grant_impacts not in POLICY_IMPACT_READERS:
            POLICY_IMPACT_READERS.append(open_grant_impacts)
        register("资金下达截止", recompute_allocation_dues)
        register("发放结果录入截止", recompute_entry_dues)
