from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments and settlement")

    def ready(self):
        # Payments' message types (settlement statements, forwarded orders) register with the core.
        # The providers' production checks (payments/providers/checks.py) register with Django's checks.
        from . import handlers  # noqa: F401
        from .providers import checks  # noqa: F401
