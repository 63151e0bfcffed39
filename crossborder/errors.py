"""Error codes of the platform core and the partner API, as the JSON `code` field carries them."""

from enum import StrEnum


class PartnerAPIErrorCode(StrEnum):
    SIGNATURE_MISSING = "signature_missing"
    SESSION_NOT_ACCEPTED = "session_not_accepted"
    SIGNATURE_MALFORMED = "signature_malformed"
    SIGNATURE_INVALID = "signature_invalid"
    COMPONENT_MISSING = "component_missing"
    WRONG_TAG = "wrong_tag"
    WRONG_ALGORITHM = "wrong_algorithm"
    SIGNATURE_STALE = "signature_stale"
    SIGNATURE_FROM_FUTURE = "signature_from_future"
    SIGNATURE_EXPIRED = "signature_expired"
    KEY_UNKNOWN = "key_unknown"
    KEY_EXPIRED = "key_expired"
    KEY_REVOKED = "key_revoked"
    PARTNER_INACTIVE = "partner_inactive"
    NONCE_REPLAYED = "nonce_replayed"
    DIGEST_MISMATCH = "digest_mismatch"
    IDEMPOTENCY_KEY_MISSING = "idempotency_key_missing"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    REQUEST_IN_FLIGHT = "request_in_flight"
    SEQ_REUSED = "seq_reused"
    SEQ_OUT_OF_ORDER = "seq_out_of_order"
    UNKNOWN_MESSAGE_TYPE = "unknown_message_type"
    INVALID_PAYLOAD = "invalid_payload"
    INVITATION_INVALID = "invitation_invalid"
    PARTNERSHIP_CONFLICT = "partnership_conflict"
    INVALID_STATE = "invalid_state"
    UNSUPPORTED_PROTOCOL_VERSION = "unsupported_protocol_version"


class PartnershipErrorCode(StrEnum):
    INVALID_TERMS = "invalid_terms"
    INVALID_STATE = "invalid_state"
    PARTNER_UNREACHABLE = "partner_unreachable"
    PARTNER_REFUSED = "partner_refused"
    ALREADY_PARTNERED = "already_partnered"


class ImageErrorCode(StrEnum):
    NOT_AN_IMAGE = "not_an_image"
    UPLOAD_TOO_LARGE = "upload_too_large"
    TOO_MANY_PIXELS = "image_too_many_pixels"


class MoneyErrorCode(StrEnum):
    INVALID_AMOUNT = "invalid_amount"
    TOO_MANY_DECIMALS = "too_many_decimals"
    UNKNOWN_CURRENCY = "unknown_currency"
    NO_EXCHANGE_RATE = "no_exchange_rate"


class DomainError(Exception):
    """A business rule said no. `code` is machine-readable, `detail` says what to fix."""

    status = 400

    def __init__(self, code, detail, *, field=None, status=None):
        super().__init__(detail)
        self.code = str(code)
        self.detail = detail
        self.field = field
        if status is not None:
            self.status = status

    def as_dict(self):
        return {"code": self.code, "detail": str(self.detail), "field": self.field}
