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


@checks.register(checks.Tags.security)
def check_field_encryption_key(app_configs, **kwargs):
    from .fields import check_keys

    if not settings.FIELD_ENCRYPTION_KEYS:
        return [
            checks.Error(
                "CROSSBORDER_FIELD_ENCRYPTION_KEY is not set: resident ID numbers and signing keys cannot be "
                "encrypted at rest. Set it to one or more comma-separated Fernet keys (the first encrypts).",
                id="crossborder.E010",
            )
        ]
    problem = check_keys(settings.FIELD_ENCRYPTION_KEYS)
    if problem:
        return [checks.Error(problem, id="crossborder.E011")]
    return []
