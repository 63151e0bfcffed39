from django.apps import AppConfig


class AftersalesConfig(AppConfig):
    name = "aftersales"

    def ready(self):
        from . import handlers  # noqa: F401  partner message types and hook subscriptions
