"""The HTTP client for a partner's API: signs every request, verifies every response.

Never call it inside a database transaction (DESIGN.md section 2): record the intent, commit,
call, then record the result."""

import json
from dataclasses import dataclass

import requests
from django.conf import settings

from . import signing, strict_json
from .models import PartnerKey, SigningKey

_session = requests.Session()


class PartnerUnreachable(Exception):
    """Network failure or timeout: the message may or may not have arrived; retry with the same key."""


class PartnerResponseUnverified(Exception):
    """The reply was not signed by the partner, or not bound to our request."""


@dataclass
class PartnerReply:
    status: int
    data: object
    headers: dict

    @property
    def ok(self):
        return 200 <= self.status < 300

    @property
    def code(self):
        return self.data.get("code") if isinstance(self.data, dict) else None


def canonical_json(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def current_signing_key():
    key = SigningKey.objects.filter(status=SigningKey.Status.CURRENT).first()
    if key is None:
        raise RuntimeError("this platform has no current signing key: run manage.py bootstrap_platform")
    return key


def partner_public_keys(partner):
    keys = PartnerKey.objects.filter(partner=partner, status=PartnerKey.Status.ACTIVE)
    return {k.key_id: signing.load_public(k.public_key) for k in keys}


def call(
    method,
    url,
    *,
    payload=None,
    params=None,
    idempotency_key=None,
    public_keys=None,
    keys_from_reply=None,
    signing_key=None,
    body=None,
):
    """Send one signed request and return the verified reply.

    `public_keys` are the partner's keys, or a function returning them, called once the reply is
    in; `keys_from_reply(data)` instead takes them from the reply body (only for the partnership
    proposal, which is how keys are first exchanged)."""
    key = signing_key or current_signing_key()
    if body is None:  # else the caller's canonical JSON of `payload`, written once for a size check
        body = canonical_json(payload) if payload is not None else b""
    headers = {"Content-Type": signing.JSON, "Accept": signing.JSON}
    if idempotency_key:
        headers["Idempotency-Key"] = str(idempotency_key)
    prepared = requests.Request(method.upper(), url, data=body, headers=headers, params=params).prepare()
    if prepared.body is None:
        prepared.body = b""
    signing.sign_request(prepared, key_id=key.key_id, private_key=signing.load_private(key.private_key_pem), body=body)
    try:
        response = _session.send(prepared, timeout=settings.PARTNER_API["REQUEST_TIMEOUT"], allow_redirects=False)
    except requests.RequestException as exc:
        raise PartnerUnreachable(f"{method} {url}: {exc.__class__.__name__}: {exc}") from exc
    try:
        data = strict_json.loads(response.content) if response.content else None
    except ValueError:
        data = None
    if keys_from_reply is not None:
        try:
            public_keys = keys_from_reply(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise PartnerResponseUnverified(f"the reply carries no usable keys (HTTP {response.status_code})") from exc
    if callable(public_keys):
        public_keys = public_keys()
    try:
        signing.verify_response(response, public_keys=public_keys or {})
    except signing.SignatureRefused as exc:
        raise PartnerResponseUnverified(f"HTTP {response.status_code}: {exc.code}: {exc.detail}") from exc
    return PartnerReply(response.status_code, data, dict(response.headers))


def call_partner(partner, method, path, **kwargs):
    # The partner's keys as they are when its reply is in, not when the request left: a partner
    # rotating meanwhile signs its reply with the new key as soon as we acknowledged it (our inbox
    # stored it), possibly while this request was on its way.
    return call(method, partner.base_url.rstrip("/") + path, public_keys=lambda: partner_public_keys(partner), **kwargs)
