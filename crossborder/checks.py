"""System checks on settings whose combinations matter (run by `manage.py check` and at start-up).

Django runs them on `check`, `check --deploy`, `runserver` and `migrate`; in production the web
server (crossborder/wsgi.py, asgi.py) and the Celery worker and beat (crossborder/celery.py) run
them too and refuse to start while one is an error (`refuse_to_start_on_errors`)."""

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


# Values that appear in this repository, its docs and the usual placeholders: never a production secret.
DEVELOPMENT_SECRETS = frozenset(
    {
        "build-only-not-secret",  # the Dockerfile's key for collectstatic
        "change-me",
        "changeme",
        "secret",
        "password",
        "test",
        "dev",
        "development",
        "insecure",
    }
)
DEVELOPMENT_SECRET_PREFIXES = ("dev-", "django-insecure", "change-me", "changeme")


def is_development_secret(value) -> bool:
    """True for an empty value, a known development default or a placeholder."""
    text = str(value or "").strip()
    return not text or text.lower() in DEVELOPMENT_SECRETS or text.startswith(DEVELOPMENT_SECRET_PREFIXES)


@checks.register(checks.Tags.security)
def check_secret_key(app_configs, **kwargs):
    if settings.PRODUCTION and is_development_secret(settings.SECRET_KEY):
        return [
            checks.Error(
                "DJANGO_SECRET_KEY is a development default or a placeholder; production needs a random "
                "key of its own (50+ characters).",
                id="crossborder.E010",
            )
        ]
    return []


def refuse_to_start_on_errors(process):
    """Run the system checks and stop `process` (web, worker, beat) when one is an error in production.
    Django's `runserver` and `migrate` do this themselves; gunicorn and Celery do not."""
    if not settings.PRODUCTION:
        return
    errors = [message for message in checks.run_checks() if message.is_serious() and not message.is_silenced()]
    if errors:
        lines = "\n".join(f"  {message}" for message in errors)
        raise SystemExit(f"{process} refuses to start: the system checks found errors:\n{lines}")


@checks.register(checks.Tags.security)
def check_field_encryption_key(app_configs, **kwargs):
    from .fields import check_keys

    if not settings.FIELD_ENCRYPTION_KEYS:
        return [
            checks.Error(
                "CROSSBORDER_FIELD_ENCRYPTION_KEY is not set: resident ID numbers and signing keys cannot be "
                "encrypted at rest. Set it to one or more comma-separated Fernet keys (the first encrypts).",
                id="crossborder.E012",
            )
        ]
    problem = check_keys(settings.FIELD_ENCRYPTION_KEYS)
    if problem:
        return [checks.Error(problem, id="crossborder.E013")]
    return []
