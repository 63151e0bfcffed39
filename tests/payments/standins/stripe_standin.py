"""A stand-in for Stripe's API (the parts the adapter uses), after Stripe's API reference:

- POST /v1/checkout/sessions, GET /v1/checkout/sessions/{id} (with `expand[]=payment_intent`),
  POST /v1/checkout/sessions/{id}/expire;
- GET /v1/payment_intents/{id}, POST /v1/payment_intents/{id}/capture (`amount_to_capture`),
  POST /v1/payment_intents/{id}/cancel; POST /v1/refunds (`payment_intent`, `amount`, `metadata`),
  which sends charge.refunded and refund.created.

Requests are form-encoded with Stripe's bracket notation and authenticated with the secret key as a
bearer token; answers are Stripe's JSON objects, errors `{"error": {"type", "code", "message"}}`.
A POST with an `Idempotency-Key` already seen is answered with the first answer
(`Idempotent-Replayed: true`) and not done again; the same key with other parameters is an
idempotency_error. The hosted payment page is GET /pay/{session}?outcome=approve|decline: the shopper
passes (or fails) 3-D Secure. Every change queues the event Stripe would send, signed as Stripe signs:
`Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(endpoint secret, "<t>.<payload>")>`."""

import hashlib
import hmac
import itertools
import json
import re
import time
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

from .base import StandIn

_ids = itertools.count(1)


def new_id(prefix):
    return f"{prefix}_test_{next(_ids):06d}"


def decode_form(pairs):
    """Stripe's bracket notation (`a[b][0][c]=v`) into nested dicts and lists."""
    root = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+|\[\]", key)
        node = root
        for part, following in zip(parts, [*parts[1:], None], strict=True):
            if following is None:
                if isinstance(node, list):
                    node.append(value)
                else:
                    node[part] = value
                break
            child = node.get(part) if isinstance(node, dict) else None
            if child is None:
                child = {}
                node[part] = child
            node = child
    return _lists(root)


def _lists(node):
    if not isinstance(node, dict):
        return node
    if node and all(key.isdigit() for key in node):
        return [_lists(node[key]) for key in sorted(node, key=int)]
    return {key: _lists(value) for key, value in node.items()}


def stripe_signature(secret, payload: bytes, timestamp=None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


class StripeError(Exception):
    def __init__(self, status, kind, message, code=None):
        super().__init__(message)
        self.status, self.kind, self.message, self.code = status, kind, message, code


class StripeStandIn(StandIn):
    def __init__(self, *, secret_key, webhook_secret):
        super().__init__()
        self.secret_key = secret_key
        self.webhook_secret = webhook_secret
        self.sessions, self.intents, self.charges, self.refunds = {}, {}, {}, {}
        self.idempotent = {}  # key -> (method, path, params, answer)
        self.done = Counter()  # operations carried out (replays not counted)
        self.events = []  # (payload bytes, event type), in the order Stripe would send them
        # Whether a charge in an event lists its refunds (API versions before 2022-11-15; newer ones
        # leave them out, and refund.created names the refund).
        self.charge_lists_refunds = True

    # --- the API ---------------------------------------------------------------------------------

    def answer(self, method, path, headers, body):
        url = urlsplit(path)
        params = decode_form(parse_qsl(url.query if method == "GET" else body.decode(), keep_blank_values=True))
        if url.path.startswith("/pay/"):
            return self._hosted_page(url.path.removeprefix("/pay/"), params)
        if headers.get("Authorization") != f"Bearer {self.secret_key}":
            return self._json(401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key."}})
        key = headers.get("Idempotency-Key")
        if method == "POST" and key and key in self.idempotent:
            first = self.idempotent[key]
            if (first[0], first[1], first[2]) != (method, url.path, params):
                return self._json(
                    400,
                    {
                        "error": {
                            "type": "idempotency_error",
                            "message": "Keys for idempotent requests can only be used with the same parameters.",
                        }
                    },
                )
            status, payload = first[3]
            return status, {"Content-Type": "application/json", "Idempotent-Replayed": "true"}, payload
        try:
            status, obj = 200, self._route(method, url.path, params)
        except StripeError as error:
            status = error.status
            obj = {"error": {"type": error.kind, "message": error.message, "code": error.code}}
        payload = json.dumps(obj).encode()
        if method == "POST" and key and status < 500:
            self.idempotent[key] = (method, url.path, params, (status, payload))
        return status, {"Content-Type": "application/json"}, payload

    def _route(self, method, path, params):
        routes = [
            ("POST", r"/v1/checkout/sessions", self._create_session),
            ("GET", r"/v1/checkout/sessions/(cs_\w+)", self._get_session),
            ("POST", r"/v1/checkout/sessions/(cs_\w+)/expire", self._expire_session),
            ("GET", r"/v1/payment_intents/(pi_\w+)", self._get_intent),
            ("POST", r"/v1/payment_intents/(pi_\w+)/capture", self._capture),
            ("POST", r"/v1/payment_intents/(pi_\w+)/cancel", self._cancel),
            ("POST", r"/v1/refunds", self._refund),
        ]
        for verb, pattern, view in routes:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                return view(params, *match.groups())
        raise StripeError(404, "invalid_request_error", f"Unrecognized request URL ({method}: {path}).")

    def _find(self, table, object_id, kind):
        if object_id not in table:
            raise StripeError(404, "invalid_request_error", f"No such {kind}: '{object_id}'", "resource_missing")
        return table[object_id]

    def _create_session(self, params):
        item = params["line_items"][0]
        price = item["price_data"]
        session_id = new_id("cs")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": params.get("mode", "payment"),
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": int(price["unit_amount"]) * int(item.get("quantity", 1)),
            "currency": price["currency"],
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata", {}),
            "payment_intent": None,
            "success_url": params["success_url"],
            "cancel_url": params.get("cancel_url"),
            "expires_at": int(params["expires_at"]),
            "url": f"{self.base_url}/pay/{session_id}",
            "livemode": False,
        }
        self.sessions[session_id] = {"session": session, "intent_data": params.get("payment_intent_data", {})}
        self.done["create_session"] += 1
        return session

    def _session_view(self, session, expand):
        view = dict(session)
        if "payment_intent" in expand and session["payment_intent"]:
            view["payment_intent"] = self.intents[session["payment_intent"]]
        return view

    def _get_session(self, params, session_id):
        return self._session_view(self._find(self.sessions, session_id, "checkout.session")["session"],
                                  params.get("expand", []))  # fmt: skip

    def _expire_session(self, params, session_id):
        session = self._find(self.sessions, session_id, "checkout.session")["session"]
        if session["status"] != "open":
            raise StripeError(400, "invalid_request_error", f"This Checkout Session is {session['status']}.")
        session["status"] = "expired"
        self.done["expire"] += 1
        self._event("checkout.session.expired", session)
        return session

    def _get_intent(self, params, intent_id):
        return self._find(self.intents, intent_id, "payment_intent")

    def _capture(self, params, intent_id):
        intent = self._find(self.intents, intent_id, "payment_intent")
        if intent["status"] != "requires_capture":
            raise StripeError(
                400,
                "invalid_request_error",
                f"This PaymentIntent could not be captured because it has a status of {intent['status']}.",
                "payment_intent_unexpected_state",
            )
        amount = int(params.get("amount_to_capture", intent["amount_capturable"]))
        if amount > intent["amount_capturable"]:
            raise StripeError(400, "invalid_request_error", "amount_to_capture exceeds the capturable amount.")
        intent.update(status="succeeded", amount_received=amount, amount_capturable=0)
        charge = self.charges[intent["latest_charge"]]
        charge.update(captured=True, amount_captured=amount)
        self.done["capture"] += 1
        self._event("payment_intent.succeeded", intent)
        return intent

    def _cancel(self, params, intent_id):
        intent = self._find(self.intents, intent_id, "payment_intent")
        if intent["status"] in ("succeeded", "canceled"):
            raise StripeError(
                400,
                "invalid_request_error",
                f"You cannot cancel this PaymentIntent because it has a status of {intent['status']}.",
                "payment_intent_unexpected_state",
            )
        intent.update(status="canceled", amount_capturable=0, cancellation_reason="requested_by_customer")
        self.done["cancel"] += 1
        self._event("payment_intent.canceled", intent)
        return intent

    def _refund(self, params, *_):
        intent = self._find(self.intents, params.get("payment_intent", ""), "payment_intent")
        charge = self.charges[intent["latest_charge"]]
        amount = int(params.get("amount", charge["amount_captured"] - charge["amount_refunded"]))
        if intent["status"] != "succeeded":
            raise StripeError(400, "invalid_request_error", "This PaymentIntent has no captured charge to refund.")
        if amount <= 0 or amount > charge["amount_captured"] - charge["amount_refunded"]:
            raise StripeError(
                400,
                "invalid_request_error",
                f"Refund amount ({amount}) is greater than unrefunded amount on charge.",
                "amount_too_large",
            )
        refund = {
            "id": new_id("re"),
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "charge": charge["id"],
            "payment_intent": intent["id"],
            "status": "succeeded",
            "metadata": params.get("metadata", {}),
            "created": int(time.time()) * 1000 + next(_ids),  # ordered, even within one second
        }
        self.refunds[refund["id"]] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount_captured"]
        charge["refunds"]["data"].insert(0, refund)
        self.done["refund"] += 1
        shown = charge if self.charge_lists_refunds else {k: v for k, v in charge.items() if k != "refunds"}
        self._event("charge.refunded", shown)
        self._event("refund.created", refund)
        return refund

    # --- the shopper on Stripe's hosted page -----------------------------------------------------

    def _hosted_page(self, session_id, params):
        with self.lock:
            entry = self.sessions.get(session_id)
            if entry is None or entry["session"]["status"] != "open":
                return 404, {"Content-Type": "text/plain"}, b"No open Checkout Session."
            session, intent_data = entry["session"], entry["intent_data"]
            intent = self.intents.get(session["payment_intent"]) if session["payment_intent"] else None
            if intent is None:
                intent = self._new_intent(session, intent_data)
            if params.get("outcome") == "decline":  # 3-D Secure failed: the shopper may try again
                intent.update(
                    status="requires_payment_method",
                    last_payment_error={"code": "payment_intent_authentication_failure", "type": "card_error"},
                )
                self._event("payment_intent.payment_failed", intent)
                return 200, {"Content-Type": "text/plain"}, b"Your card was not authenticated."
            intent.update(status="requires_capture", amount_capturable=intent["amount"], last_payment_error=None)
            session.update(status="complete")
            self._event("payment_intent.amount_capturable_updated", intent)
            self._event("checkout.session.completed", session)
            return 303, {"Location": session["success_url"]}, b""

    def _new_intent(self, session, intent_data):
        intent_id, charge_id = new_id("pi"), new_id("ch")
        metadata = intent_data.get("metadata", {})
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": session["amount_total"],
            "amount_capturable": 0,
            "amount_received": 0,
            "currency": session["currency"],
            "capture_method": intent_data.get("capture_method", "automatic"),
            "status": "requires_payment_method",
            "metadata": metadata,
            "latest_charge": charge_id,
            "last_payment_error": None,
            "livemode": False,
        }
        self.charges[charge_id] = {
            "id": charge_id,
            "object": "charge",
            "amount": session["amount_total"],
            "amount_captured": 0,
            "amount_refunded": 0,
            "captured": False,
            "refunded": False,
            "currency": session["currency"],
            "payment_intent": intent_id,
            "metadata": metadata,
            "refunds": {"object": "list", "data": []},
        }
        self.intents[intent_id] = intent
        session["payment_intent"] = intent_id
        return intent

    # --- events ----------------------------------------------------------------------------------

    def _event(self, kind, obj):
        event = {
            "id": new_id("evt"),
            "object": "event",
            "type": kind,
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "data": {"object": json.loads(json.dumps(obj))},
        }
        self.events.append((json.dumps(event).encode(), kind))

    def take_events(self):
        """The queued events, signed now, as (payload, headers, type); the queue is emptied."""
        with self.lock:
            events, self.events = self.events, []
        return [(payload, {"Stripe-Signature": stripe_signature(self.webhook_secret, payload)}, kind)
                for payload, kind in events]  # fmt: skip

    # --- helpers ---------------------------------------------------------------------------------

    @staticmethod
    def _json(status, obj):
        return status, {"Content-Type": "application/json"}, json.dumps(obj).encode()
