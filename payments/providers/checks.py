"""System checks on the payment providers: in production every configured provider takes real
money, with secrets of its own (crossborder.E020-E025). Registered by PaymentsConfig.ready; run by
`manage.py check`, `check --deploy`, `runserver`, `migrate`, and before the web server and Celery
start in production (crossborder.checks.refuse_to_start_on_errors)."""

import re

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from crossborder.checks import is_development_secret

from .registry import provider_class, sandbox_provider_codes

# The secrets the sandboxes fall back to outside production (crossborder/settings.py): public.
SANDBOX_DEVELOPMENT_SECRETS = frozenset({"dev-sandbox-wallet-webhook-secret", "dev-sandbox-card-webhook-secret"})
# Option names that hold a secret (a webhook secret, an API secret key, a private key, a token).
SECRET_OPTION = re.compile(r"SECRET|PRIVATE|PASSWORD|TOKEN|API_KEY", re.IGNORECASE)


def _secret_errors(code, options):
    errors = []
    for name, value in options.items():
        if not SECRET_OPTION.search(name):
            continue
        if not str(value or "").strip():
            errors.append(
                checks.Error(
                    f"PAYMENT_PROVIDERS[{code!r}][{name!r}] is empty: its webhooks could be signed by anyone.",
                    hint="Set it from the environment to the value the provider gave you.",
                    id="crossborder.E021",
                )
            )
        elif value in SANDBOX_DEVELOPMENT_SECRETS or is_development_secret(value):
            errors.append(
                checks.Error(
                    f"PAYMENT_PROVIDERS[{code!r}][{name!r}] is a development default, public in the source.",
                    hint="Set it from the environment to the value the provider gave you.",
                    id="crossborder.E022",
                )
            )
    return errors


def _loadable(code):
    try:
        provider_class(code)
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="crossborder.E025")]
    return []


@checks.register(checks.Tags.security)
def check_payment_providers(app_configs, **kwargs):
    if not settings.PRODUCTION:
        return []
    providers = settings.PAYMENT_PROVIDERS
    if not providers:
        return [
            checks.Error(
                "No payment provider is configured: shoppers could not pay.",
                hint="Register a real provider in PAYMENT_PROVIDERS (README: Local payment methods).",
                id="crossborder.E024",
            )
        ]
    errors = []
    for code, options in providers.items():
        errors += _loadable(code) + _secret_errors(code, options)
    if errors and any(error.id == "crossborder.E025" for error in errors):
        return errors  # which are sandboxes cannot be told
    sandboxes = sandbox_provider_codes()
    if sandboxes and not getattr(settings, "SANDBOX_PAYMENTS", False):
        errors.append(
            checks.Error(
                f"Sandbox payment providers are configured in production: {', '.join(sandboxes)}. They take "
                "no money, and anyone can approve their own charge on the sandbox pages.",
                hint="Remove them; a staging deployment may set CROSSBORDER_STAGING_SANDBOX_PAYMENTS=true.",
                id="crossborder.E020",
            )
        )
    elif sandboxes:
        errors.append(
            checks.Warning(
                f"CROSSBORDER_STAGING_SANDBOX_PAYMENTS is on: {', '.join(sandboxes)} take no money. "
                "Only for a staging deployment.",
                id="crossborder.W020",
            )
        )
    default = settings.PAYMENT_OPTIONS["DEFAULT_PROVIDER"]
    if default not in providers:
        errors.append(
            checks.Error(
                f"The default payment provider {default!r} (CROSSBORDER_PAYMENT_PROVIDER) is not configured; "
                f"configured: {', '.join(providers)}.",
                id="crossborder.E023",
            )
        )
    return errors
