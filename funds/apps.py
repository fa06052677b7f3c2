from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = "帮扶资金"

    def ready(self) -> None:
        from assistance.selectors import POLICY_IMPACT_READERS
        from funds.selectors.grants import open_grant_impacts

        if open_grant_impacts not in POLICY_IMPACT_READERS:
            POLICY_IMPACT_READERS.append(open_grant_impacts)
