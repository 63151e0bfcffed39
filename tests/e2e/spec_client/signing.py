"""RFC 9421 HTTP message signatures with Ed25519, as docs/partner-protocol.md section 1 asks:
one signature labelled `partner`, the tag, created/expires/nonce/keyid, Content-Digest always
(the empty body's for a GET), replies bound to their request."""

import base64
import dataclasses
import hashlib
import re
import secrets
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

LABEL = "partner"
TAG = "crossborder-partner-api-v1"
VERSION = "1.1"
REQUEST_COMPONENTS = ("@method", "@authority", "@path", "@query", "content-digest", "content-type")
# What a 2xx reply must cover (section 1): its own status, digest and type, the request's
# components and signature, and the version header.
BOUND = ('"@method";req', '"@authority";req', '"@path";req', '"@query";req', '"signature";req;key="partner"')
MAX_SKEW = 60
MAX_AGE = 300


class SignatureError(Exception):
    """A signature that does not verify, with the section 5 code it would be refused with."""

    def __init__(self, code, detail):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclasses.dataclass
class Key:
    key_id: str
    private: Ed25519PrivateKey

    @classmethod
    def generate(cls, key_id):
        return cls(key_id, Ed25519PrivateKey.generate())

    @property
    def public_b64(self):
        """The raw 32-byte public key in standard base64 with padding (section 1)."""
        raw = self.private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return base64.b64encode(raw).decode()

    def published(self):
        return {"key_id": self.key_id, "algorithm": "ed25519", "public_key": self.public_b64}


def public_key(b64):
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(b64, validate=True))


def content_digest(body: bytes):
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"


# --- structured fields (RFC 8941), only as much as the signature headers use -----------------

_TOKEN = re.compile(
    r'\s*(?:"(?P<string>(?:[^"\\]|\\.)*)"|:(?P<bytes>[A-Za-z0-9+/=]*):|(?P<number>-?\d+)|(?P<token>[A-Za-z*][\w:/.*-]*))'
)


def _item(text, pos):
    match = _TOKEN.match(text, pos)
    if not match:
        raise SignatureError("signature_malformed", f"cannot parse at {pos}: {text!r}")
    if match.group("string") is not None:
        value = re.sub(r"\\(.)", r"\1", match.group("string"))
    elif match.group("bytes") is not None:
        value = base64.b64decode(match.group("bytes"))
    elif match.group("number") is not None:
        value = int(match.group("number"))
    else:
        value = match.group("token")
    return value, match.end()


def _params(text, pos):
    params = {}
    while pos < len(text) and text[pos] == ";":
        match = re.compile(r";\s*([a-z*][a-z0-9_.*-]*)").match(text, pos)
        if not match:
            raise SignatureError("signature_malformed", "bad parameter")
        name, pos = match.group(1), match.end()
        if pos < len(text) and text[pos] == "=":
            params[name], pos = _item(text, pos + 1)
        else:
            params[name] = True
    return params, pos


def parse_dictionary(text):
    """{name: (value, params, raw member text)}; a value is an item or a list of (item, params)."""
    members, pos = {}, 0
    while pos < len(text):
        match = re.compile(r"\s*([a-z*][a-z0-9_.*-]*)=").match(text, pos)
        if not match:
            raise SignatureError("signature_malformed", f"bad dictionary member in {text!r}")
        name, start = match.group(1), match.end()
        pos = start
        if text[pos] == "(":
            pos += 1
            inner = []
            while True:
                while pos < len(text) and text[pos] == " ":
                    pos += 1
                if text[pos] == ")":
                    pos += 1
                    break
                item, pos = _item(text, pos)
                params, pos = _params(text, pos)
                inner.append((item, params))
            value = inner
        else:
            value, pos = _item(text, pos)
        params, pos = _params(text, pos)
        members[name] = (value, params, text[start:pos])
        while pos < len(text) and text[pos] in " ,":
            pos += 1
    return members


def _serialize_component(name, params):
    text = f'"{name}"'
    for key, value in params.items():
        text += f";{key}" if value is True else f';{key}="{value}"'
    return text


# --- signing -------------------------------------------------------------------------------------


def _component_value(name, params, *, message, request):
    source = request if params.get("req") else message
    if source is None:
        raise SignatureError("component_missing", f"{name};req on a request")
    if name == "@method":
        return source["method"].upper()
    if name == "@authority":
        return source["authority"].lower()
    if name == "@path":
        return source["path"]
    if name == "@query":
        return "?" + source["query"]
    if name == "@status":
        return str(source["status"])
    headers = {key.lower(): value for key, value in source["headers"].items()}
    if name == "signature" and "key" in params:
        member = parse_dictionary(headers["signature"]).get(params["key"])
        if member is None:
            raise SignatureError("signature_malformed", "no such signature member")
        return member[2].strip()
    if name not in headers:
        raise SignatureError("component_missing", f"{name} not in the message")
    return headers[name].strip()


def signature_base(components, params_text, *, message, request=None):
    lines = []
    for name, params in components:
        value = _component_value(name, params, message=message, request=request)
        lines.append(f"{_serialize_component(name, params)}: {value}")
    inner = "(" + " ".join(_serialize_component(name, params) for name, params in components) + ")"
    lines.append(f'"@signature-params": {inner}{params_text}')
    return "\n".join(lines).encode()


def sign(message, key, components, *, request=None, now=None, lifetime=MAX_AGE):
    """Add Signature-Input and Signature to message["headers"]; components are (name, params)."""
    created = int(now if now is not None else time.time())
    params_text = (
        f';created={created};expires={created + lifetime};nonce="{secrets.token_hex(16)}"'
        f';keyid="{key.key_id}";tag="{TAG}"'
    )
    base = signature_base(components, params_text, message=message, request=request)
    signature = base64.b64encode(key.private.sign(base)).decode()
    inner = "(" + " ".join(_serialize_component(name, params) for name, params in components) + ")"
    message["headers"]["Signature-Input"] = f"{LABEL}={inner}{params_text}"
    message["headers"]["Signature"] = f"{LABEL}=:{signature}:"


def request_components(headers):
    names = list(REQUEST_COMPONENTS)
    if any(key.lower() == "partner-protocol" for key in headers):
        names.append("partner-protocol")
    return [(name, {}) for name in names]


def reply_components(headers, *, bound=True):
    names = [("@status", {}), ("content-digest", {}), ("content-type", {})]
    if bound:
        names += [
            ("@method", {"req": True}),
            ("@authority", {"req": True}),
            ("@path", {"req": True}),
            ("@query", {"req": True}),
            ("signature", {"req": True, "key": LABEL}),
        ]
    if any(key.lower() == "partner-protocol" for key in headers):
        names.append(("partner-protocol", {}))
    return names


def verify(message, keys, *, request=None, required=(), nonces=None, now=None):
    """Verify the `partner` signature of message (a request, or a reply to `request`) against
    keys {key_id: public base64}; returns the key id. Raises SignatureError with the code."""
    headers = {key.lower(): value for key, value in message["headers"].items()}
    if "signature" not in headers or "signature-input" not in headers:
        raise SignatureError("signature_missing", "no signature")
    inputs, signatures = parse_dictionary(headers["signature-input"]), parse_dictionary(headers["signature"])
    if LABEL not in inputs or LABEL not in signatures:
        raise SignatureError("signature_malformed", "no partner member")
    components, params, _raw = inputs[LABEL]
    covered = [_serialize_component(name, p) for name, p in components]
    for name in required:
        if name not in covered:
            raise SignatureError("component_missing", f"{name} not covered")
    if "partner-protocol" in headers and '"partner-protocol"' not in covered:
        raise SignatureError("component_missing", "partner-protocol not covered")
    for name in ("created", "expires", "nonce", "keyid", "tag"):
        if name not in params:
            raise SignatureError("component_missing", f"parameter {name}")
    if params["tag"] != TAG:
        raise SignatureError("wrong_tag", params["tag"])
    if params.get("alg", "ed25519") != "ed25519":
        raise SignatureError("wrong_algorithm", params["alg"])
    now = int(now if now is not None else time.time())
    if params["created"] > now + MAX_SKEW:
        raise SignatureError("signature_from_future", "created ahead")
    if params["created"] < now - MAX_AGE - MAX_SKEW:
        raise SignatureError("signature_stale", "created too old")
    if params["expires"] < params["created"] or params["expires"] > params["created"] + MAX_AGE:
        raise SignatureError("signature_malformed", "impossible expires")
    if params["expires"] < now - MAX_SKEW:
        raise SignatureError("signature_expired", "expired")
    key_id = params["keyid"]
    if key_id not in keys:
        raise SignatureError("key_unknown", key_id)
    raw_params = _raw[_raw.index(")") + 1 :]
    base = signature_base(components, raw_params, message=message, request=request)
    try:
        public_key(keys[key_id]).verify(signatures[LABEL][0], base)
    except InvalidSignature as error:
        raise SignatureError("signature_invalid", "does not verify") from error
    if headers.get("content-digest") != content_digest(message.get("body", b"")):
        raise SignatureError("digest_mismatch", "body does not match")
    if nonces is not None:
        if (key_id, params["nonce"]) in nonces:
            raise SignatureError("nonce_replayed", params["nonce"])
        nonces.add((key_id, params["nonce"]))
    return key_id
