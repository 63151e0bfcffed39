"""The partner simulator used by every app's partner-API tests: a remote partner platform with its own
Ed25519 keys, signing requests the way a real partner instance does, and reading our signed replies."""

import datetime as dt
import json
import secrets
import types
import uuid

import pytest
import requests
from django.apps import apps
from django.test import Client
from http_message_signatures import HTTPMessageSigner, algorithms

from crossborder import signing
from crossborder.client import canonical_json
from crossborder.models import Partner, PartnerKey, Partnership, SigningKey

MESSAGES_PATH = "/partner-api/v1/messages/"


def table_counts():
    """Row counts of every table: a refusal must leave all of them unchanged."""
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


class RemotePartner:
    def __init__(self, partner, partnership, host="testserver"):
        self.partner = partner
        self.partnership = partnership
        self.host = host
        self.keys = {}
        self.current = None
        self.seq = 0

    def add_key(self, *, register=True, not_after=None):
        pem, public = signing.generate_keypair()
        key_id = f"{self.partner.code}-{secrets.token_hex(4)}"
        self.keys[key_id] = (signing.load_private(pem), public)
        if register:
            PartnerKey.objects.create(partner=self.partner, key_id=key_id, public_key=public, not_after=not_after)
        self.current = self.current or key_id
        return key_id

    def published(self, *key_ids):
        return [{"key_id": k, "algorithm": "ed25519", "public_key": self.keys[k][1]} for k in key_ids]

    def envelope(self, message_type, payload, *, seq=None, reference=None):
        if seq is None:
            self.seq += 1
            seq = self.seq
        return {
            "type": message_type,
            "seq": seq,
            "partnership": str(reference or self.partnership.reference),
            "sent_at": dt.datetime.now(dt.UTC).isoformat(),
            "payload": payload,
        }

    def sign(
        self,
        method,
        path,
        body=b"",
        *,
        key_id=None,
        private_key=None,
        created=None,
        expires_in=300,
        nonce=None,
        components=signing.REQUEST_COMPONENTS,
        tag=signing.TAG,
        idempotency_key=None,
        content_type=signing.JSON,
        headers=None,
    ):
        """A prepared, signed request exactly as the partner would send it (`headers`: more of them,
        e.g. the protocol version, which `components` may then cover)."""
        key_id = key_id or self.current
        private_key = private_key or self.keys[key_id][0]
        headers = dict(headers or {})
        if content_type:
            headers["Content-Type"] = content_type
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        prepared = requests.Request(method, f"http://{self.host}{path}", data=body, headers=headers).prepare()
        if content_type is None:
            prepared.headers.pop("Content-Type", None)
        created = created or dt.datetime.now(dt.UTC)
        HTTPMessageSigner(
            signature_algorithm=algorithms.ED25519,
            key_resolver=signing._Keys(private={key_id: private_key}),
        ).sign(
            prepared,
            key_id=key_id,
            created=created,
            expires=created + dt.timedelta(seconds=expires_in),
            nonce=nonce or secrets.token_urlsafe(16),
            label=signing.LABEL,
            tag=tag,
            covered_component_ids=components,
            # The library adds the digest to whatever is covered when given the body.
            body=body if "content-digest" in components else None,
        )
        return prepared

    def send(self, client, prepared, *, body=None):
        """Replay a prepared request through Django's test client (or any body override)."""
        extra = {}
        for name, value in prepared.headers.items():
            lowered = name.lower()
            if lowered in ("content-length",):
                continue
            if lowered == "content-type":
                continue
            extra["HTTP_" + name.upper().replace("-", "_")] = value
        path = prepared.path_url
        data = prepared.body if body is None else body
        if "Content-Type" in prepared.headers:
            # Django's test client drops the content type of an empty body; a real client sends it.
            extra["CONTENT_TYPE"] = prepared.headers["Content-Type"]
        response = client.generic(
            prepared.method,
            path,
            data=data or b"",
            content_type=prepared.headers.get("Content-Type", ""),
            **extra,
        )
        response.prepared = prepared
        return response

    def post_message(self, client, message_type, payload, *, idempotency_key=None, **sign_kwargs):
        body = canonical_json(self.envelope(message_type, payload))
        prepared = self.sign(
            "POST", MESSAGES_PATH, body, idempotency_key=idempotency_key or str(uuid.uuid4()), **sign_kwargs
        )
        return self.send(client, prepared)


def verify_reply(response, our_public_keys=None):
    """Check our signed reply the way the partner does."""
    if our_public_keys is None:
        our_public_keys = {
            k.key_id: signing.load_public(k.public_key) for k in SigningKey.objects.exclude(status="retired")
        }
    shim = types.SimpleNamespace(
        status_code=response.status_code,
        headers=requests.structures.CaseInsensitiveDict(dict(response.headers.items())),
        content=response.content,
        request=response.prepared,
    )
    return signing.verify_response(shim, public_keys=our_public_keys)


def body_json(response):
    return json.loads(response.content)


@pytest.fixture
def own_key(db, settings, tmp_path):
    from crossborder import services

    settings.SIGNING_KEY_FILE = tmp_path / "signing-key.pem"
    return services.ensure_signing_key()


@pytest.fixture
def remote(db, own_key):
    partner = Partner.objects.create(
        code="us",
        name="Trailhead Goods",
        country="US",
        currency="USD",
        languages=["en"],
        base_url="http://partner.invalid",
        # What its requests (signed without Partner-Protocol) say: recording a change costs a write.
        protocol_version="1.0",
    )
    partnership = Partnership.objects.create(
        partner=partner,
        status=Partnership.Status.ACTIVE,
        initiated_by=Partnership.Initiator.US,
        settlement_currency="USD",
        commission_rate="0.0800",
        settlement_cutoff=dt.time(23, 0),
    )
    remote = RemotePartner(partner, partnership)
    remote.add_key()
    return remote


@pytest.fixture
def api():
    return Client()
