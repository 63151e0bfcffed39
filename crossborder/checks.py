"""System checks on settings whose combinations matter (run by `manage.py check` and at start-up)."""

from django.conf import settings
from django.core import checks

# A send can take the request timeout once to connect and once to read.


@checks.register(checks.Tags.compatibility)
def check_outbox_lease(app_configs, **kwargs):
    lease = settings.OUTBOX["LEASE_SECONDS"]
    needed = 2 * settings.PARTNER_API["REQUEST_TIMEOUT"]
    if lease < needed:
        return [
            checks.Error(
                f"CROSSBORDER_OUTBOX_LEASE_SECONDS is {lease}, shorter than twice "
                f"CROSSBORDER_PARTNER_TIMEOUT ({needed:g} s): a relay's lease "
                "could lapse while it still waits for a partner, and a second relay would send the same "
                "messages at the same time.",
                id="crossborder.E001",
            )
        ]
    return []
