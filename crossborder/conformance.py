"""The conformance kit: checks a partner's endpoint against docs/partner-protocol.md over HTTP.

Every check sends real signed requests (or deliberately broken ones) and reads the signed replies:
signatures both ways, the refusals it can provoke without changing anything on the partner's side,
idempotency and at-most-once on one real message, cursor paging of the catalog feed, the error shape,
replies signed and bound to their request. `run()` returns one Result per check; the management
command `partner_conformance` prints them as a table.

Only the message checks change anything: they send one `partner.notice` (through `deliver`, e.g. our
own outbox, so its seq is a real one of the partnership) and then that same message again."""

import base64
import datetime as dt
import json
import secrets
import types
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import requests
from cryptography.hazmat.primitives.asymmetric import ed25519
from http_message_signatures import HTTPMessageSigner, algorithms

from . import signing
from .client import canonical_json

API = "/partner-api/v1/"
ERROR_KEYS = {"code", "detail", "field"}
MAX_PAGES = 200


@dataclass
class Target:
    """The partner endpoint and what we sign and verify with."""

    base_url: str
    key_id: str
    private_key: ed25519.Ed25519PrivateKey
    partner_keys: dict  # key id -> Ed25519PublicKey
    partnership: str | None = None  # the shared reference
    # Sends one real partner.notice, with the seq before it left unused (a gap, which the protocol
    # allows), and returns (envelope, idempotency key, reply status).
    deliver: Callable | None = None
    # Sends our published keys plus `extra` (a list of key entries) as a real partner.keys_updated
    # and returns the reply status; None: the key expiry check is skipped.
    publish_keys: Callable | None = None
    timeout: float = 10.0
    max_body_bytes: int = 4 * 1024 * 1024  # the spec's limit: one byte more is too_large
    throttle_burst: int = 0  # requests sent at most to provoke 429 throttled; 0: skipped


@dataclass
class Result:
    name: str
    passed: bool | None  # None: skipped
    detail: str = ""


@dataclass
class Kit:
    target: Target
    results: list = field(default_factory=list)
    session: requests.Session = field(default_factory=requests.Session)

    # --- requests ---------------------------------------------------------------------------

    def request(
        self,
        method,
        path,
        *,
        body=b"",
        params=None,
        headers=None,
        sign=True,
        key_id=None,
        private_key=None,
        components=signing.REQUEST_COMPONENTS,
        tag=signing.TAG,
        created=None,
        expires_in=300,
        version=signing.PROTOCOL_VERSION,
        idempotency_key=None,
        after_signing=None,
    ):
        """Send one request, signed as the spec says unless told otherwise; returns the response."""
        target = self.target
        all_headers = {"Content-Type": signing.JSON, "Accept": signing.JSON, **(headers or {})}
        if version is not None:
            all_headers[signing.PROTOCOL_HEADER] = version
            components = (*components, signing.PROTOCOL_COMPONENT)
        if idempotency_key:
            all_headers["Idempotency-Key"] = idempotency_key
        url = target.base_url.rstrip("/") + path
        prepared = requests.Request(method, url, data=body, headers=all_headers, params=params).prepare()
        if prepared.body is None:
            prepared.body = b""
        if sign:
            key_id = key_id or target.key_id
            created = created or dt.datetime.now(dt.UTC)
            HTTPMessageSigner(
                signature_algorithm=algorithms.ED25519,
                key_resolver=signing._Keys(private={key_id: private_key or target.private_key}),
            ).sign(
                prepared,
                key_id=key_id,
                created=created,
                expires=created + dt.timedelta(seconds=expires_in),
                nonce=secrets.token_urlsafe(24),
                label=signing.LABEL,
                tag=tag,
                covered_component_ids=components,
                body=body if "content-digest" in components else None,
            )
        if after_signing:
            after_signing(prepared)
        return self.session.send(prepared, timeout=target.timeout, allow_redirects=False)

    def verify(self, response, *, bound=True):
        """The reply is signed by one of the partner's keys (and bound to our request): None or why not."""
        try:
            sig = signing.verify_response(response, public_keys=self.target.partner_keys)
        except signing.SignatureRefused as exc:
            return f"reply not verified: {exc.code}: {exc.detail}"
        covered = {c.split(";")[0].strip('"') for c in sig.covered}
        if bound and 200 <= response.status_code < 300 and "signature" not in covered:
            return "reply not bound to the request"
        return None

    @staticmethod
    def body(response):
        try:
            return json.loads(response.content)
        except ValueError:
            return None

    def record(self, name, passed, detail=""):
        self.results.append(Result(name, passed, detail))

    def check(self, name, fn):
        try:
            problem = fn()
        except requests.RequestException as exc:
            problem = f"{exc.__class__.__name__}: {exc}"
        except AssertionError as exc:
            problem = str(exc) or "assertion failed"
        self.record(name, problem is None, problem or "")

    def refusal(self, response, status, code):
        """A documented refusal: this status and code, the {code, detail, field} shape, signed."""
        data = self.body(response)
        if response.status_code != status or not isinstance(data, dict) or data.get("code") != code:
            got = data.get("code") if isinstance(data, dict) else response.content[:80]
            return f"expected {status} {code}, got {response.status_code} {got}"
        if not set(data) >= ERROR_KEYS:  # more keys are allowed (section 7: new fields are optional)
            return f"error body has keys {sorted(data)}, expected at least {sorted(ERROR_KEYS)}"
        return self.verify(response, bound=False)

    # --- the checks -------------------------------------------------------------------------

    def health(self, **kwargs):
        return self.request("GET", API + "health/", **kwargs)

    def signatures(self):
        def accepted():
            response = self.health()
            if response.status_code != 200:
                return f"expected 200, got {response.status_code} {response.content[:120]!r}"
            if response.headers.get(signing.PROTOCOL_HEADER) is None:
                return f"the reply carries no {signing.PROTOCOL_HEADER} header"
            return self.verify(response)

        def previous_version():
            response = self.health(version=None)
            return None if response.status_code == 200 else f"expected 200, got {response.status_code}"

        def bound_to_the_request():
            response = self.health()
            problem = self.verify(response)
            if problem:
                return problem
            other = self.health()
            swapped = types.SimpleNamespace(
                status_code=response.status_code,
                headers=response.headers,
                content=response.content,
                request=other.request,
            )
            return "the reply also verifies against another request" if self.verify(swapped) is None else None

        self.check("signed request accepted, reply signed, bound, versioned", accepted)
        self.check("request without Partner-Protocol (1.0) accepted", previous_version)
        self.check("reply bound to its own request only", bound_to_the_request)

        def tampered_signature(prepared):
            label, _, value = prepared.headers["Signature"].partition("=:")
            raw = bytearray(base64.b64decode(value.rstrip(":")))
            raw[0] ^= 0xFF
            prepared.headers["Signature"] = f"{label}=:{base64.b64encode(bytes(raw)).decode()}:"

        def tampered_version(prepared):
            prepared.headers[signing.PROTOCOL_HEADER] = signing.PREVIOUS_VERSION

        def other_body(prepared):
            prepared.body = b'{"tampered":true}'
            prepared.headers["Content-Length"] = str(len(prepared.body))

        unknown_private = ed25519.Ed25519PrivateKey.generate()
        now = dt.datetime.now(dt.UTC)
        cases = [
            ("tampered signature", 401, "signature_invalid", {"after_signing": tampered_signature}),
            ("version changed after signing", 401, "signature_invalid", {"after_signing": tampered_version}),
            ("body changed after signing", 401, "digest_mismatch", {"after_signing": other_body, "method": "POST"}),
            ("unsigned request", 401, "signature_missing", {"sign": False}),
            ("@query not covered", 401, "component_missing", {"components": signing.REQUEST_COMPONENTS[:3]}),
            ("another tag", 401, "wrong_tag", {"tag": "another-api"}),
            ("created 20 minutes ago", 401, "signature_stale", {"created": now - dt.timedelta(minutes=20)}),
            ("created 10 minutes ahead", 401, "signature_from_future", {"created": now + dt.timedelta(minutes=10)}),
            (
                "expired 2 minutes ago",
                401,
                "signature_expired",
                {"created": now - dt.timedelta(seconds=240), "expires_in": 120},
            ),
            (
                "unknown key",
                401,
                "key_unknown",
                {"key_id": f"conformance-{secrets.token_hex(4)}", "private_key": unknown_private},
            ),
            ("unknown major version 2.0", 400, "unsupported_protocol_version", {"version": "2.0"}),
        ]
        for label, status, code, kwargs in cases:
            method = kwargs.pop("method", "GET")
            path = API + ("messages/" if method == "POST" else "health/")
            body = canonical_json({}) if method == "POST" else b""
            extra = {"idempotency_key": str(uuid.uuid4())} if method == "POST" else {}

            def refused(method=method, path=path, body=body, kwargs=kwargs, extra=extra, status=status, code=code):
                return self.refusal(self.request(method, path, body=body, **kwargs, **extra), status, code)

            self.check(f"refused: {label} -> {status} {code}", refused)

        def replayed_nonce():
            first = self.health()
            if first.status_code != 200:
                return f"the first request got {first.status_code}"
            again = self.session.send(first.request, timeout=self.target.timeout)
            return self.refusal(again, 401, "nonce_replayed")

        self.check("refused: same signed request twice -> 401 nonce_replayed", replayed_nonce)
        self.check(
            "refused: no such endpoint -> 404 not_found",
            lambda: self.refusal(self.request("GET", API + "no-such-endpoint/"), 404, "not_found"),
        )
        self.check(
            "refused: wrong method -> 405 method_not_allowed",
            lambda: self.refusal(self.request("DELETE", API + "health/"), 405, "method_not_allowed"),
        )

    def envelope(self, message_type, payload, *, seq, partnership=None):
        return {
            "type": message_type,
            "seq": seq,
            "partnership": partnership or self.target.partnership,
            "sent_at": dt.datetime.now(dt.UTC).isoformat(),
            "payload": payload,
        }

    def post(self, envelope, *, idempotency_key=None, raw=None):
        body = raw if raw is not None else canonical_json(envelope)
        return self.request("POST", API + "messages/", body=body, idempotency_key=idempotency_key or str(uuid.uuid4()))

    def messages(self):
        if self.target.deliver is None or self.target.partnership is None:
            self.record("messages: idempotency and at-most-once", None, "skipped: no way to send a real message")
            return
        try:
            sent, key, status = self.target.deliver()
        except Exception as exc:  # the delivery through our outbox failed: report it, do not crash
            self.record("a real partner.notice delivered", False, f"{exc.__class__.__name__}: {exc}")
            return
        self.record("a real partner.notice delivered", status == 200, f"status {status}")
        if status != 200:
            return
        notice = {"subject": "Partner protocol conformance check", "body": ""}
        unused = sent["seq"] + 1  # refused messages leave no trace, so this seq stays unused

        def replayed(key):
            def run():
                response = self.post(sent, idempotency_key=key)
                if response.status_code != 200:
                    return f"expected 200, got {response.status_code} {response.content[:120]!r}"
                if response.headers.get("Idempotent-Replayed") != "true":
                    return "no Idempotent-Replayed: true"
                data = self.body(response)
                if not (isinstance(data, dict) and data.get("seq") == sent["seq"] and "result" in data):
                    return f"reply is not {{type, seq, result}}: {data}"
                return self.verify(response)

            return run

        self.check("same message, same Idempotency-Key -> replayed", replayed(key))
        self.check("same seq, new Idempotency-Key -> replayed (at most once)", replayed(str(uuid.uuid4())))
        cases = [
            (
                "same seq, another payload",
                422,
                "seq_reused",
                {"envelope": {**sent, "payload": {**sent["payload"], "subject": "another subject"}}},
            ),
            (
                "same Idempotency-Key, another body",
                422,
                "idempotency_key_reused",
                {"envelope": self.envelope("partner.notice", notice, seq=unused), "idempotency_key": key},
            ),
            (
                "unknown message type",
                400,
                "unknown_message_type",
                {"envelope": self.envelope("conformance.no_such_type", {}, seq=unused)},
            ),
            (
                "payload against its schema",
                400,
                "invalid_payload",
                {"envelope": self.envelope("partner.notice", {"body": "no subject"}, seq=unused)},
            ),
            (
                "another partnership",
                409,
                "partnership_conflict",
                {"envelope": self.envelope("partner.notice", notice, seq=unused, partnership=str(uuid.uuid4()))},
            ),
            ("a body that is not JSON", 400, "parse_error", {"envelope": None, "raw": b"{not json"}),
            (
                "a seq below the highest applied, never applied",
                422,
                "seq_out_of_order",
                {"envelope": self.envelope("partner.notice", notice, seq=sent["seq"] - 1)},
            ),
        ]
        for label, status, code, kwargs in cases:

            def refused(kwargs=kwargs, status=status, code=code):
                return self.refusal(self.post(kwargs.pop("envelope", None), **kwargs), status, code)

            self.check(f"refused: {label} -> {status} {code}", refused)

        def no_key():
            body = canonical_json(self.envelope("partner.notice", notice, seq=unused))
            return self.refusal(self.request("POST", API + "messages/", body=body), 400, "idempotency_key_missing")

        self.check("refused: message without Idempotency-Key -> 400 idempotency_key_missing", no_key)
        self.batches(sent, key, notice, unused)

        def not_applied():
            response = self.health()
            data = self.body(response)
            if response.status_code != 200 or not isinstance(data, dict):
                return f"health answered {response.status_code}"
            last = data.get("last_received_seq")
            if isinstance(last, int) and sent["seq"] <= last < unused:
                return None
            return f"last_received_seq is {last}, expected {sent['seq']}"

        self.check("refusals applied nothing (last_received_seq unchanged)", not_applied)

    def post_batch(self, items, partnership=None):
        body = canonical_json({"partnership": partnership or self.target.partnership, "messages": items})
        return self.request("POST", API + "messages/batch/", body=body, idempotency_key=str(uuid.uuid4()))

    def batches(self, sent, key, notice, unused):
        """Protocol 1.2's `messages/batch/`: checked when the partner says 1.2 or later."""
        try:
            version = signing.protocol_version(self.health().headers)
        except signing.SignatureRefused:
            version = (1, 0)
        if version < (1, 2):
            self.record("batch: messages/batch/ (protocol 1.2)", None, "skipped: the partner is on an earlier version")
            return

        def applied_once_then_refused_then_stopped():
            items = [
                {"idempotency_key": key, "message": sent},
                {"idempotency_key": str(uuid.uuid4()), "message": self.envelope("partner.notice", {}, seq=unused)},
                {
                    "idempotency_key": str(uuid.uuid4()),
                    "message": self.envelope("partner.notice", notice, seq=unused + 1),
                },
            ]
            response = self.post_batch(items)
            data = self.body(response)
            if response.status_code != 200 or not isinstance(data, dict):
                return f"expected 200, got {response.status_code} {response.content[:120]!r}"
            results = data.get("results")
            if not isinstance(results, list) or len(results) != 2:
                return f"expected two results (the repeat, the refusal), got {results}"
            first, second = results
            if (first.get("seq"), first.get("status"), first.get("replayed")) != (sent["seq"], 200, True):
                return f"the delivered message again is not replayed: {first}"
            if (second.get("status"), (second.get("reply") or {}).get("code")) != (400, "invalid_payload"):
                return f"the invalid message is not refused 400 invalid_payload: {second}"
            if data.get("received") != 3:
                return f"received is {data.get('received')}, expected 3"
            return self.verify(response)

        self.check(
            "batch: repeat replayed, refusal is its result, nothing after it applied",
            applied_once_then_refused_then_stopped,
        )
        self.check(
            "refused: an empty batch -> 400 invalid",
            lambda: self.refusal(self.post_batch([]), 400, "invalid"),
        )
        self.check(
            "refused: a batch for another partnership -> 409 partnership_conflict",
            lambda: self.refusal(
                self.post_batch([{"idempotency_key": key, "message": sent}], partnership=str(uuid.uuid4())),
                409,
                "partnership_conflict",
            ),
        )

    def catalog(self):
        def paging():
            seen, cursor, pages = [], None, 0
            while True:
                params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
                response = self.request("GET", API + "catalog/", params=params)
                if response.status_code != 200:
                    return f"page {pages + 1}: {response.status_code} {response.content[:120]!r}"
                problem = self.verify(response)
                if problem:
                    return f"page {pages + 1}: {problem}"
                data = self.body(response)
                missing = {"items", "next_cursor", "has_more", "watermark"} - set(data or {})
                if missing:
                    return f"page {pages + 1} lacks {sorted(missing)}"
                if len(data["items"]) > 1:
                    return f"limit=1 gave {len(data['items'])} items"
                seen += [item["id"] for item in data["items"]]
                pages += 1
                if not data["has_more"]:
                    break
                if not data["next_cursor"] or pages >= MAX_PAGES:
                    return "has_more without a next_cursor, or no end"
                cursor = data["next_cursor"]
            if len(seen) != len(set(seen)):
                return f"an entry came twice in one fetch: {seen}"
            self.results.append(Result(f"  ({len(seen)} entries in {pages} pages)", None, "info"))
            return None

        def tombstones():
            since = "2000-01-01T00:00:00+00:00"
            response = self.request("GET", API + "catalog/", params={"updated_since": since, "limit": 50})
            data = self.body(response)
            if response.status_code != 200 or not isinstance(data, dict):
                return f"expected 200, got {response.status_code}"
            wrong = [item for item in data["items"] if not isinstance(item.get("deleted"), bool)]
            return f"entries without a boolean 'deleted': {wrong[:2]}" if wrong else self.verify(response)

        self.check("catalog feed: cursor paging with limit=1 to the end", paging)
        self.check("catalog feed: incremental entries are items or tombstones", tombstones)
        self.check(
            "refused: a forged cursor -> 400 invalid_cursor",
            lambda: self.refusal(
                self.request("GET", API + "catalog/", params={"cursor": "forged-cursor"}), 400, "invalid_cursor"
            ),
        )
        self.check(
            "refused: limit=0 -> 400 invalid",
            lambda: self.refusal(self.request("GET", API + "catalog/", params={"limit": 0}), 400, "invalid"),
        )

    def limits(self):
        """A body one byte over the limit, and (when asked) requests until the partner throttles."""

        def too_large():
            envelope = self.envelope("partner.notice", {"subject": "too large", "body": ""}, seq=1)
            raw = canonical_json(envelope)
            raw = raw[:-1] + b" " * (self.target.max_body_bytes + 1 - len(raw)) + b"}"
            return self.refusal(self.post(None, raw=raw), 413, "too_large")

        self.check(f"refused: a body of {self.target.max_body_bytes + 1} bytes -> 413 too_large", too_large)
        if not self.target.throttle_burst:
            self.record("refused: too many requests -> 429 throttled", None, "skipped: no --throttle-burst")
            return

        def throttled():
            for _ in range(self.target.throttle_burst):
                response = self.health()
                if response.status_code == 429:
                    if not response.headers.get("Retry-After", "").isdigit():
                        return "429 without a Retry-After in seconds"
                    return self.refusal(response, 429, "throttled")
                if response.status_code != 200:
                    return f"expected 200 or 429, got {response.status_code}"
            return f"no 429 within {self.target.throttle_burst} requests"

        self.check("refused: too many requests -> 429 throttled, Retry-After", throttled)

    def _publish(self, extra):
        """The reply status of publishing our keys plus `extra`, or why it could not be sent."""
        try:
            return self.target.publish_keys(extra)
        except Exception as exc:  # our outbox could not deliver it: report it, do not crash
            return f"{exc.__class__.__name__}: {exc}"

    def key_expiry(self):
        """A key of ours published with a `not_after` already past signs a request: key_expired;
        our real key set is published again after, which revokes it: key_revoked."""
        if self.target.publish_keys is None:
            self.record("refused: a key past its not_after -> 401 key_expired", None, "skipped: no way to publish keys")
            return
        private = ed25519.Ed25519PrivateKey.generate()
        entry = {
            "key_id": f"conformance-expired-{secrets.token_hex(6)}",
            "algorithm": "ed25519",
            "public_key": signing.public_b64(private.public_key()),
            "not_after": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat(),
        }
        status = self._publish([entry])
        if status != 200:
            self.record("refused: a key past its not_after -> 401 key_expired", False, f"publishing: {status}")
            return
        try:
            self.check(
                "refused: a key past its not_after -> 401 key_expired",
                lambda: self.refusal(self.health(key_id=entry["key_id"], private_key=private), 401, "key_expired"),
            )
        finally:
            status = self._publish([])
        self.record("our real key set published again", status == 200, f"{status}")
        self.check(
            "refused: a key no longer published -> 401 key_revoked",
            lambda: self.refusal(self.health(key_id=entry["key_id"], private_key=private), 401, "key_revoked"),
        )


def run(target):
    kit = Kit(target)
    kit.signatures()
    kit.messages()
    kit.key_expiry()
    kit.catalog()
    kit.limits()  # last: a throttled partner answers nothing else for a while
    return kit.results
