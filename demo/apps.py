from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demonstration data (`manage.py seed_demo`): a city, its unions, users of every role
    and households at every step, built through the product's services. Apart from the
    product, which never imports it."""

    name = "demo"
    verbose_name = "演示数据"
