from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo city (seed_demo). Sits above every other app: it may import any of them, and
    nothing imports it."""

    name = "demo"
    verbose_name = "演示数据"
