"""DRF authentication for the partner API: a valid RFC 9421 signature by an active partner key,
and nothing else (session cookies are refused, not ignored)."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication

from . import services, signing
from .api_errors import APIError
from .errors import PartnerAPIErrorCode as Code
from .models import Partner, PartnerKey, Partnership, SeenNonce


@dataclass
class PartnerCaller:
    """The authenticated partner platform behind a request (DRF's request.user)."""

    partner: Partner
    key_id: str
    is_authenticated: bool = True
    is_staff: bool = False

    @property
    def partnership(self):
        return self.partner.live_partnership()


def refuse(exc: signing.SignatureRefused):
    return APIError(exc.code, exc.detail, status_code=exc.status)


def consume_nonce(sig):
    """Remember the nonce for as long as the signature could be accepted; a second use is a replay."""
    window = dt.timedelta(seconds=settings.PARTNER_API["SIGNATURE_MAX_AGE"] + 2 * settings.PARTNER_API["CLOCK_SKEW"])
    try:
        with transaction.atomic():
            SeenNonce.objects.create(key_id=sig.key_id, nonce=sig.nonce[:120], expires_at=timezone.now() + window)
    except IntegrityError:
        raise APIError(Code.NONCE_REPLAYED, "This signature nonce was already used.", status_code=401) from None


def verify_signed_request(django_request, *, public_key):
    """All checks short of key lookup and nonce: shape, coverage, time, digest, cryptography."""
    headers = django_request.headers
    sig = signing.parse_signature_input(headers)
    required = signing.with_version(signing.REQUEST_COMPONENTS, headers)
    signing.check_coverage(sig, required)
    signing.check_times(sig)
    body = django_request.body
    signing.check_digest(headers, body)
    if public_key is not None:
        signing.verify_message(
            signing.DjangoRequestMessage(django_request),
            body=body,
            public_key=public_key,
            required=required,
        )
    return sig


class PartnerSignatureAuthentication(BaseAuthentication):
    www_authenticate = 'Signature realm="partner-api"'

    def authenticate(self, request):
        django_request = request._request
        headers = django_request.headers
        try:
            if "signature" not in headers and "signature-input" not in headers:
                if settings.SESSION_COOKIE_NAME in django_request.COOKIES:
                    raise signing.SignatureRefused(
                        Code.SESSION_NOT_ACCEPTED, "The partner API accepts signatures only, not session cookies."
                    )
                raise signing.SignatureRefused(Code.SIGNATURE_MISSING, "The request carries no signature.")
            sig = verify_signed_request(django_request, public_key=None)
            key = PartnerKey.objects.select_related("partner").filter(key_id=sig.key_id).first()
            if key is None:
                raise signing.SignatureRefused(Code.KEY_UNKNOWN, f"No partner key has the id {sig.key_id!r}.")
            if key.status == PartnerKey.Status.REVOKED:
                raise signing.SignatureRefused(Code.KEY_REVOKED, f"Key {sig.key_id!r} was revoked.")
            if key.not_after and key.not_after < timezone.now():
                raise signing.SignatureRefused(Code.KEY_EXPIRED, f"Key {sig.key_id!r} expired at {key.not_after}.")
            partner = key.partner
            signing.verify_message(
                signing.DjangoRequestMessage(django_request),
                body=django_request.body,
                public_key=signing.load_public(key.public_key),
                required=signing.with_version(signing.REQUEST_COMPONENTS, headers),
            )
        except signing.SignatureRefused as exc:
            raise refuse(exc) from None
        if partner.status != Partner.Status.ACTIVE or partner.live_partnership() is None:
            raise APIError(Code.PARTNER_INACTIVE, f"{partner.name} has no active partnership with us.", status_code=403)
        consume_nonce(sig)
        services.record_partner_version(partner, headers)
        return PartnerCaller(partner=partner, key_id=sig.key_id), sig

    def authenticate_header(self, request):
        return self.www_authenticate


def live_partnership_or_refuse(caller):
    partnership = caller.partnership
    if partnership is None:
        raise APIError(Code.PARTNER_INACTIVE, "There is no live partnership.", status_code=403)
    return partnership


__all__ = ["PartnerCaller", "PartnerSignatureAuthentication", "Partnership", "live_partnership_or_refuse"]
