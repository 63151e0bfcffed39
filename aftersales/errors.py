"""Error codes of after-sales, as the JSON `code` field and the storefront's messages carry them.
Each module adds its own enum here."""

from enum import StrEnum


class ReturnErrorCode(StrEnum):
    NOT_DELIVERED = "line_not_delivered"
    WINDOW_CLOSED = "return_window_closed"
    INVALID_QUANTITY = "invalid_quantity"
    INVALID_STATE = "invalid_return_state"
    INVALID_GRADE = "invalid_grade"
    REFUND_TOO_LARGE = "refund_too_large"
    ALREADY_REFUNDED = "already_refunded"
    NOT_ALLOWED_HERE = "disposition_not_allowed"


class ServiceErrorCode(StrEnum):
    OUT_OF_AREA = "service_out_of_area"
    UNKNOWN_SKILL = "unknown_skill"
    NOT_OFFERED = "service_not_offered"
    NOT_DELIVERED = "service_line_not_delivered"
    INVALID = "invalid_service_request"
    INVALID_STATE = "invalid_ticket_state"
    BAD_LINK = "bad_provider_link"
    LINK_EXPIRED = "provider_link_expired"
    SCHEDULE_IN_PAST = "schedule_in_past"
    INVALID_RATING = "invalid_rating"
    PROVIDER_CANNOT = "provider_cannot_serve"
