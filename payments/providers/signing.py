"""HMAC-SHA256 webhook signatures with a timestamp, the way local payment providers sign theirs:
the header `t=<unix seconds>,v1=<hex>` signs `"<t>." + raw body` with the shared secret. A signature
older or newer than the tolerance is refused, so a captured webhook cannot be replayed later."""

import hashlib
import hmac
import time

from ..errors import PaymentErrorCode as Code
from .base import WebhookRejected

SIGNATURE_HEADER = "Payment-Signature"


def compute(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """The signature header value for `body`."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={timestamp},v1={compute(secret, timestamp, body)}"


def _parse(header):
    timestamp, signatures = None, []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise WebhookRejected(
                Code.SIGNATURE_MALFORMED, f"Signature part {part.strip()!r} is not key=value.", status=400
            )
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise WebhookRejected(
                    Code.SIGNATURE_MALFORMED, "The signature timestamp t is not a number.", status=400
                )
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        raise WebhookRejected(
            Code.SIGNATURE_MALFORMED, "The signature needs a timestamp t and a v1 signature.", status=400
        )
    return timestamp, signatures


def verify(secret: str, header: str | None, body: bytes, *, tolerance: int, now: float | None = None) -> int:
    """Check `header` signs `body` within `tolerance` seconds of `now`; return its timestamp or
    raise WebhookRejected naming what is wrong."""
    if not secret:  # an empty key would let anyone sign (production refuses to start so: crossborder.E021)
        raise WebhookRejected(Code.SIGNATURE_INVALID, "No webhook secret is configured for this provider.")
    if not header:
        raise WebhookRejected(Code.SIGNATURE_MISSING, f"The {SIGNATURE_HEADER} header is missing.", status=400)
    timestamp, signatures = _parse(header)
    now = time.time() if now is None else now
    if timestamp < now - tolerance:
        raise WebhookRejected(
            Code.SIGNATURE_STALE, f"The signature is {int(now - timestamp)} s old; at most {tolerance} s is accepted."
        )
    if timestamp > now + tolerance:
        raise WebhookRejected(
            Code.SIGNATURE_FROM_FUTURE, f"The signature is dated {int(timestamp - now)} s in the future."
        )
    expected = compute(secret, timestamp, body)
    # Every candidate is compared in constant time, and all of them, so timing tells nothing.
    matched = False
    for candidate in signatures:
        matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise WebhookRejected(Code.SIGNATURE_INVALID, "The signature does not match the body.")
    return timestamp
