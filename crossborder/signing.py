"""RFC 9421 HTTP Message Signatures with Ed25519 for the partner API, configured strictly.

Requests cover @method, @authority, @path, @query, content-digest and content-type with created,
expires, nonce, keyid and a fixed tag; responses cover @status, content-digest, content-type and
the request's method, authority, path, query and signature, so a signed reply proves receipt of
exactly that request. Each refusal raises SignatureRefused with a specific code.
"""

import base64
import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.conf import settings
from http_message_signatures import (
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    InvalidSignature,
    algorithms,
)
from http_message_signatures.digests import ContentDigest
from http_message_signatures.exceptions import HTTPMessageSignaturesException

from .errors import PartnerAPIErrorCode as Code

TAG = "crossborder-partner-api-v1"
LABEL = "partner"
REQUEST_COMPONENTS = ("@method", "@authority", "@path", "@query", "content-digest", "content-type")
RESPONSE_COMPONENTS = (
    "@status",
    "content-digest",
    "content-type",
    '"@method";req',
    '"@authority";req',
    '"@path";req',
    '"@query";req',
    f'"signature";req;key="{LABEL}"',
)
REQUIRED_PARAMS = ("created", "expires", "nonce", "keyid", "tag")
JSON = "application/json"

# The protocol version (docs/partner-protocol.md section 7): sent in every request and reply, and
# covered by its signature. A message without it is of the previous version, 1.0, which had no
# header; a minor version we do not know yet is read as ours (minors only add what the previous
# one may ignore); another major version is refused.
PROTOCOL_HEADER = "Partner-Protocol"
PROTOCOL_COMPONENT = "partner-protocol"
PROTOCOL_VERSION = "1.2"
PREVIOUS_VERSION = "1.1"
UNSTATED_VERSION = "1.0"  # of a request or reply without the header, and of a partner not heard yet
SUPPORTED_MAJOR = 1
_VERSION = re.compile(r"(\d{1,4})\.(\d{1,4})")


class SignatureRefused(Exception):
    def __init__(self, code, detail, status=401):
        super().__init__(detail)
        self.code = str(code)
        self.detail = detail
        self.status = status


# --- the protocol version ---------------------------------------------------------------------


def protocol_version(headers):
    """The (major, minor) version a message says it speaks: (1, 0) without the header; refused
    (400 unsupported_protocol_version) when it is not MAJOR.MINOR or of a major we do not speak."""
    value = next((v for k, v in headers.items() if k.lower() == PROTOCOL_COMPONENT), None)
    if value is None:
        return (1, 0)
    match = _VERSION.fullmatch(value.strip())
    if match is None:
        raise SignatureRefused(
            Code.UNSUPPORTED_PROTOCOL_VERSION,
            f"{PROTOCOL_HEADER} must be MAJOR.MINOR, e.g. {PROTOCOL_VERSION}.",
            status=400,
        )
    major, minor = int(match[1]), int(match[2])
    if major != SUPPORTED_MAJOR:
        raise SignatureRefused(
            Code.UNSUPPORTED_PROTOCOL_VERSION,
            f"Protocol {major}.{minor} is not spoken here; we speak {PROTOCOL_VERSION} (and every {SUPPORTED_MAJOR}.x).",
            status=400,
        )
    return (major, minor)


def with_version(components, headers):
    """`components` plus the version header when the message carries one: it is then signed."""
    if any(name.lower() == PROTOCOL_COMPONENT for name in headers):
        return (*components, PROTOCOL_COMPONENT)
    return tuple(components)


# --- keys -----------------------------------------------------------------------------------


def generate_keypair():
    """A new Ed25519 key: (private key PEM, raw public key in base64)."""
    private = ed25519.Ed25519PrivateKey.generate()
    return private_pem(private), public_b64(private.public_key())


def private_pem(private):
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_b64(public):
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def load_private(pem):
    key = serialization.load_pem_private_key(pem.encode() if isinstance(pem, str) else pem, password=None)
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise ValueError("the signing key must be an Ed25519 private key")
    return key


def load_public(b64):
    try:
        raw = base64.b64decode(b64, validate=True)
        return ed25519.Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, TypeError) as exc:
        raise ValueError("a public key must be 32 raw Ed25519 bytes in base64") from exc


def new_key_id(platform_code):
    return f"{platform_code}-{dt.date.today():%Y%m%d}-{secrets.token_hex(4)}"


class _Keys(HTTPSignatureKeyResolver):
    def __init__(self, private=None, public=None):
        self.private = private or {}
        self.public = public or {}

    def resolve_private_key(self, key_id):
        return self.private[key_id]

    def resolve_public_key(self, key_id):
        return self.public.get(key_id)


# --- message adapters -------------------------------------------------------------------------


class DjangoRequestMessage:
    """A Django request as the signature library reads a request."""

    def __init__(self, request):
        self.method = request.method.upper()
        self.url = request.build_absolute_uri()
        self.headers = request.headers


class ResponseMessage:
    """A response (Django's or any with writable `headers`) bound to the request it answers."""

    def __init__(self, status_code, headers, request):
        self.status_code = status_code
        self.headers = headers
        self.request = request


def _now():
    return dt.datetime.now(dt.UTC)


def _signer(key_id, private_key):
    return HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=_Keys(private={key_id: private_key}))


def _sign(message, *, key_id, private_key, components, body):
    """Sign `message` in place now, for the window partners accept, with a fresh nonce."""
    created = _now()
    _signer(key_id, private_key).sign(
        message,
        key_id=key_id,
        created=created,
        expires=created + dt.timedelta(seconds=settings.PARTNER_API["SIGNATURE_MAX_AGE"]),
        nonce=secrets.token_urlsafe(24),
        label=LABEL,
        tag=TAG,
        covered_component_ids=components,
        body=body,
    )


def sign_request(prepared, *, key_id, private_key, body):
    """Sign a `requests.PreparedRequest` in place."""
    prepared.headers.setdefault("Content-Type", JSON)
    prepared.headers.setdefault(PROTOCOL_HEADER, PROTOCOL_VERSION)
    components = with_version(REQUEST_COMPONENTS, prepared.headers)
    _sign(prepared, key_id=key_id, private_key=private_key, components=components, body=body)


def sign_response(response, request_message, *, key_id, private_key):
    """Sign a rendered Django response in place, bound to the request when it carried a signature."""
    response.headers.setdefault("Content-Type", JSON)
    response.headers.setdefault(PROTOCOL_HEADER, PROTOCOL_VERSION)
    message = ResponseMessage(response.status_code, response.headers, request_message)
    keys = {"key_id": key_id, "private_key": private_key, "body": response.content}
    bound = with_version(RESPONSE_COMPONENTS, response.headers)
    unbound = with_version(RESPONSE_COMPONENTS[:3], response.headers)
    try:
        _sign(message, components=bound if _bindable(request_message) else unbound, **keys)
    except HTTPMessageSignaturesException:
        # The request's own signature fields were unusable (e.g. malformed): sign without binding,
        # after dropping what the failed attempt may have added.
        for name in ("Content-Digest", "Signature", "Signature-Input"):
            if name in response.headers:
                del response.headers[name]
        _sign(message, components=unbound, **keys)


def _bindable(request_message):
    """Whether a reply can be bound to the request: both its signature fields parse as structured
    dictionaries and carry a member labelled `partner` (RFC 9421 section 2.4 covers that member)."""
    headers = request_message.headers
    if "signature" not in headers or "signature-input" not in headers:
        return False
    try:
        return all(
            LABEL in HTTPMessageVerifier._parse_signature_dictionary(headers[name])
            for name in ("signature", "signature-input")
        )
    except Exception:
        return False


# --- verification -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureInput:
    key_id: str
    nonce: str
    created: dt.datetime
    expires: dt.datetime
    covered: tuple


def _labelled_member(headers, header, noun):
    """Our labelled member of a structured-dictionary header (Signature-Input or Signature)."""
    try:
        members = HTTPMessageVerifier._parse_signature_dictionary(headers[header.lower()])
    except Exception as exc:
        raise SignatureRefused(Code.SIGNATURE_MALFORMED, f"{header} is not a structured dictionary.") from exc
    if LABEL not in members:
        raise SignatureRefused(Code.SIGNATURE_MALFORMED, f'{header} has no "{LABEL}" {noun}.')
    return members[LABEL]


def parse_signature_input(headers):
    """Read our labelled signature's parameters, refusing what is missing or malformed."""
    if "signature-input" not in headers or "signature" not in headers:
        raise SignatureRefused(Code.SIGNATURE_MISSING, "The request carries no Signature and Signature-Input.")
    node = _labelled_member(headers, "Signature-Input", "signature")
    _labelled_member(headers, "Signature", "member")
    params = dict(getattr(node, "params", {}))
    for name in REQUIRED_PARAMS:
        if name not in params:
            raise SignatureRefused(Code.COMPONENT_MISSING, f'The signature must carry the "{name}" parameter.')
    if params["tag"] != TAG:
        raise SignatureRefused(Code.WRONG_TAG, f'The signature tag must be "{TAG}".')
    if params.get("alg", "ed25519") != "ed25519":
        raise SignatureRefused(Code.WRONG_ALGORITHM, "Only ed25519 signatures are accepted.")
    try:
        covered = tuple(str(item) for item in node)
        created = dt.datetime.fromtimestamp(int(params["created"]), dt.UTC)
        expires = dt.datetime.fromtimestamp(int(params["expires"]), dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise SignatureRefused(Code.SIGNATURE_MALFORMED, "created and expires must be integer timestamps.") from exc
    if expires < created:
        raise SignatureRefused(Code.SIGNATURE_MALFORMED, "expires must not be earlier than created.")
    return SignatureInput(str(params["keyid"]), str(params["nonce"]), created, expires, covered)


def check_coverage(sig, required):
    covered = set(sig.covered)
    for component in required:
        quoted = component if component.startswith('"') else f'"{component}"'
        if quoted not in covered:
            raise SignatureRefused(
                Code.COMPONENT_MISSING,
                f"The signature must cover {component}; it covers {', '.join(sig.covered) or 'nothing'}.",
            )


def check_times(sig, now=None):
    now = now or _now()
    policy = settings.PARTNER_API
    skew = dt.timedelta(seconds=policy["CLOCK_SKEW"])
    max_age = dt.timedelta(seconds=policy["SIGNATURE_MAX_AGE"])
    if sig.created > now + skew:
        raise SignatureRefused(Code.SIGNATURE_FROM_FUTURE, "The signature's created time is in the future.")
    if sig.created < now - max_age - skew:
        raise SignatureRefused(
            Code.SIGNATURE_STALE, f"The signature is older than {policy['SIGNATURE_MAX_AGE']} seconds."
        )
    if sig.expires < now - skew:
        raise SignatureRefused(Code.SIGNATURE_EXPIRED, "The signature has expired.")
    if sig.expires - sig.created > max_age:
        raise SignatureRefused(
            Code.SIGNATURE_MALFORMED, f"A signature may be valid for at most {policy['SIGNATURE_MAX_AGE']} seconds."
        )


def check_digest(headers, body):
    if "content-digest" not in headers:
        raise SignatureRefused(Code.COMPONENT_MISSING, "The message must carry a Content-Digest.")
    try:
        ContentDigest.verify(headers["content-digest"], body)
    except Exception as exc:
        raise SignatureRefused(Code.DIGEST_MISMATCH, "Content-Digest does not match the body.") from exc


def verify_message(message, *, body, public_key, required):
    """Cryptographic check of one message against one public key; library errors become codes."""
    verifier = HTTPMessageVerifier(signature_algorithm=algorithms.ED25519, key_resolver=_Keys(public={"k": public_key}))
    verifier.max_clock_skew = dt.timedelta(seconds=settings.PARTNER_API["CLOCK_SKEW"])

    class _Resolver(HTTPSignatureKeyResolver):
        def resolve_public_key(self, key_id):
            return public_key

    verifier.key_resolver = _Resolver()
    try:
        verifier.verify(
            message,
            max_age=dt.timedelta(seconds=settings.PARTNER_API["SIGNATURE_MAX_AGE"]),
            expect_tag=TAG,
            expect_label=LABEL,
            require_components=required,
            body=body,
        )
    except (InvalidSignature, HTTPMessageSignaturesException) as exc:
        raise SignatureRefused(Code.SIGNATURE_INVALID, f"The signature does not verify: {exc}") from exc


def verify_response(response, *, public_keys):
    """Check a partner's `requests.Response`: signed by one of its keys and bound to our request."""
    headers = {k.lower(): v for k, v in response.headers.items()}
    sig = parse_signature_input(headers)
    public = public_keys.get(sig.key_id)
    if public is None:
        raise SignatureRefused(Code.KEY_UNKNOWN, f"The response is signed with an unknown key {sig.key_id!r}.")
    check_times(sig)
    check_digest(headers, response.content)
    required = RESPONSE_COMPONENTS if 200 <= response.status_code < 300 else RESPONSE_COMPONENTS[:3]
    required = with_version(required, headers)
    check_coverage(sig, required)
    verify_message(response, body=response.content, public_key=public, required=required)
    return sig


def body_hash(body):
    return hashlib.sha256(body).hexdigest()
