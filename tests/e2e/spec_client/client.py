"""A partner platform's client of another platform's partner API (docs/partner-protocol.md):
proposes the partnership with an invitation, signs every call, verifies and checks the binding of
every reply, numbers its messages per partnership, pages the catalog feed, rotates its key."""

import dataclasses
import datetime as dt
import json
import uuid
from urllib.parse import quote, urlsplit

import requests

from . import signing

API = "/partner-api/v1/"


class Refused(Exception):
    """A signed 4xx refusal: {"code", "detail", "field"}."""

    def __init__(self, status, body):
        super().__init__(f"{status} {body}")
        self.status = status
        self.code = body.get("code")
        self.body = body


@dataclasses.dataclass
class Reply:
    status: int
    headers: dict
    body: dict


class PartnerClient:
    def __init__(self, base_url, *, platform, key, version=signing.VERSION):
        self.base_url = base_url.rstrip("/")
        self.platform = platform
        self.keys = [key]  # published, newest last
        self.signing_key = key
        self.version = version  # None: a 1.0 partner, which sends no Partner-Protocol
        self.partner_keys = {}  # their key id -> public base64
        self.partnership = None
        self.proposal = None
        self.seq = 0
        self.session = requests.Session()

    # --- transport -------------------------------------------------------------------------------

    def call(self, method, path, *, body=None, query="", idempotency_key=None, key=None):
        """One signed call; returns the verified Reply or raises Refused (verified too)."""
        raw = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        url = urlsplit(self.base_url)
        headers = {"Content-Type": "application/json", "Content-Digest": signing.content_digest(raw)}
        if self.version:
            headers["Partner-Protocol"] = self.version
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        request = {"method": method, "authority": url.netloc, "path": API + path, "query": query, "headers": headers}
        signing.sign(request, key or self.signing_key, signing.request_components(headers))
        response = self.session.request(
            method,
            self.base_url + API + path + (f"?{query}" if query else ""),
            data=raw,
            headers=headers,
            timeout=30,
        )
        return self._verified(response, request)

    def _verified(self, response, request):
        reply = {"status": response.status_code, "headers": dict(response.headers), "body": response.content}
        keys = self.partner_keys or self._bootstrap_keys(response)
        required = signing.BOUND + ('"@status"', '"content-digest"', '"content-type"')
        if response.status_code >= 300:
            required = ('"@status"', '"content-digest"', '"content-type"')
        signing.verify(reply, keys, request=request, required=required)
        body = response.json()
        if response.status_code >= 400:
            raise Refused(response.status_code, body)
        return Reply(response.status_code, dict(response.headers), body)

    def _bootstrap_keys(self, response):
        """Before we hold the partner's keys (the proposal's reply), its reply carries them."""
        try:
            return {key["key_id"]: key["public_key"] for key in response.json().get("keys", [])}
        except (ValueError, AttributeError):
            return {}

    # --- linking ---------------------------------------------------------------------------------

    def propose(self, invitation, terms):
        """POST partnerships/ with our keys and the invitation; keeps the partner's keys."""
        self.partnership = str(uuid.uuid4())
        body = {
            "reference": self.partnership,
            "invitation": invitation,
            "platform": self.platform,
            "keys": [key.published() for key in self.keys],
            "terms": terms,
        }
        self.proposal = body
        reply = self.call("POST", "partnerships/", body=body, idempotency_key=f"proposal-{self.partnership}")
        self.partner_keys = {key["key_id"]: key["public_key"] for key in reply.body["keys"]}
        return reply

    # --- messages --------------------------------------------------------------------------------

    def envelope(self, type_, payload, *, seq=None):
        if seq is None:
            self.seq += 1
            seq = self.seq
        return {
            "type": type_,
            "seq": seq,
            "partnership": self.partnership,
            "sent_at": dt.datetime.now(dt.UTC).isoformat(),
            "payload": payload,
        }

    def send(self, type_, payload, *, envelope=None, idempotency_key=None):
        envelope = envelope or self.envelope(type_, payload)
        key = idempotency_key or f"msg-{self.partnership}-{envelope['seq']}"
        reply = self.call("POST", "messages/", body=envelope, idempotency_key=key)
        assert reply.body["type"] in (type_, envelope["type"]), reply.body
        assert reply.body["seq"] == envelope["seq"], reply.body
        return reply

    def send_batch(self, messages):
        """Several messages in one request (protocol 1.2, section 3 "Batches"): [(type, payload)]."""
        items = []
        for type_, payload in messages:
            envelope = self.envelope(type_, payload)
            items.append({"idempotency_key": f"msg-{self.partnership}-{envelope['seq']}", "message": envelope})
        body = {"partnership": self.partnership, "messages": items}
        return self.call("POST", "messages/batch/", body=body, idempotency_key=f"batch-{uuid.uuid4()}")

    def health(self):
        return self.call("GET", "health/").body

    # --- the catalog feed --------------------------------------------------------------------------

    def catalog(self, *, updated_since=None, limit=None):
        """Every entry of one fetch, paged with the cursors; (entries, watermark)."""
        entries, cursor = [], None
        while True:
            params = []
            if updated_since:
                params.append(f"updated_since={quote(updated_since, safe='')}")
            if cursor:
                params.append(f"cursor={quote(cursor, safe='')}")
            if limit:
                params.append(f"limit={limit}")
            page = self.call("GET", "catalog/", query="&".join(params)).body
            entries += page["items"]
            if not page["has_more"]:
                return entries, page["watermark"]
            cursor = page["next_cursor"]

    # --- key rotation --------------------------------------------------------------------------------

    def rotate(self, new_key_id):
        """Publish a new key next to the old one, sign with it once acknowledged, then retire the
        old one by publishing the set without it (section 1)."""
        old = self.signing_key
        new = signing.Key.generate(new_key_id)
        self.keys.append(new)
        self.send("partner.keys_updated", {"keys": [key.published() for key in self.keys], "reason": "rotation"})
        self.signing_key = new  # acknowledged: the 2xx above
        self.keys.remove(old)
        self.send("partner.keys_updated", {"keys": [key.published() for key in self.keys], "reason": "retired"})
        return old, new
