from django.apps import AppConfig


class AftersalesConfig(AppConfig):
    name = "aftersales"

    def ready(self):
        # Partner message receivers (crossborder.messages) register on import.
        from . import handlers  # noqa: F401
