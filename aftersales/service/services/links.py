"""The provider's page link: a signed token naming the provider and its link version, valid for
settings.SERVICE_TICKETS["PROVIDER_LINK_DAYS"]. Nothing secret is stored: the signature (the
project's secret key) proves the link; ops revoke every earlier link by issuing a new one, which
moves the version."""

import uuid

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from crossborder.errors import DomainError

from ...errors import ServiceErrorCode as Code
from ...models import ServiceProvider

SALT = "aftersales.service.provider-link"
MAX_TOKEN_CHARS = 300


def link_token(provider):
    """A link token for the provider's current link version."""
    return signing.dumps({"p": str(provider.reference), "v": provider.link_version}, salt=SALT, compress=True)


def _bad_link():
    return DomainError(
        Code.BAD_LINK, _("This link is not valid: ask the platform for a new one."), field="token", status=404
    )


def provider_for_token(token):
    """The active provider a link token names, or a DomainError: a bad or revoked link (404), an
    expired one (403, saying so)."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        raise _bad_link()
    max_age = settings.SERVICE_TICKETS["PROVIDER_LINK_DAYS"] * 86400
    try:
        claims = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise DomainError(
            Code.LINK_EXPIRED,
            _("This link has expired: ask the platform for a new one."),
            field="token",
            status=403,
        ) from None
    except signing.BadSignature:
        raise _bad_link() from None
    try:
        reference, version = uuid.UUID(str(claims["p"])), int(claims["v"])
    except (TypeError, KeyError, ValueError):
        raise _bad_link() from None
    provider = ServiceProvider.objects.filter(reference=reference, link_version=version, is_active=True).first()
    if provider is None:
        raise _bad_link()
    return provider


def issue_new_link(*, provider):
    """Revoke the provider's earlier links and return a new token."""
    with transaction.atomic():
        ServiceProvider.objects.filter(pk=provider.pk).update(
            link_version=F("link_version") + 1, link_issued_at=timezone.now()
        )
        provider.refresh_from_db(fields=["link_version", "link_issued_at"])
    return link_token(provider)
