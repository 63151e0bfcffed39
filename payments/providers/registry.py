"""Which payment providers this platform offers: settings.PAYMENT_PROVIDERS maps a code to the
class implementing the PaymentProvider interface and its options (the webhook secret)."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from crossborder.errors import DomainError

from ..errors import PaymentErrorCode
from .base import PaymentProvider


def provider_codes() -> list[str]:
    return list(settings.PAYMENT_PROVIDERS)


def default_provider_code() -> str:
    return settings.PAYMENT_OPTIONS["DEFAULT_PROVIDER"]


def provider_class(code) -> type:
    """The class configured under `code` (ImproperlyConfigured when it cannot be loaded)."""
    options = settings.PAYMENT_PROVIDERS[code]
    try:
        return import_string(options["CLASS"])
    except (ImportError, KeyError) as exc:
        raise ImproperlyConfigured(f"PAYMENT_PROVIDERS[{code!r}]: cannot load its CLASS: {exc}") from exc


def sandbox_provider_codes() -> list[str]:
    """The configured providers that are sandboxes (they take no money)."""
    from .sandbox import SandboxProvider

    return [code for code in settings.PAYMENT_PROVIDERS if issubclass(provider_class(code), SandboxProvider)]


def get_provider(code) -> PaymentProvider:
    """The provider configured under `code`, or a DomainError naming the ones there are."""
    options = settings.PAYMENT_PROVIDERS.get(code)
    if options is None:
        raise DomainError(
            PaymentErrorCode.UNKNOWN_PROVIDER,
            _("No payment provider %(code)s; this platform offers: %(known)s.")
            % {"code": code, "known": ", ".join(settings.PAYMENT_PROVIDERS) or "-"},
            field="provider",
            status=404,
        )
    return provider_class(code)(code=code, options=options)
