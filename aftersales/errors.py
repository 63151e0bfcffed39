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
    UNKNOWN_LINE = "unknown_order_line"
    NOTHING_CHOSEN = "nothing_to_return"
    INVALID_REASON = "invalid_return_reason"
    INVALID_TEXT = "invalid_text"
    NO_PAYMENT = "no_payment_to_refund"
    REFUND_BELOW_POLICY = "deduction_not_allowed"
    NO_WAREHOUSE = "no_return_warehouse"
    INVALID_COUNT = "invalid_count"


class ReviewErrorCode(StrEnum):
    NOT_BUYER = "not_the_buyer"
    NOT_DELIVERED = "line_not_delivered"
    ALREADY_REVIEWED = "line_already_reviewed"
    INVALID_RATING = "invalid_rating"
    INVALID = "invalid_review"
    EDIT_CLOSED = "review_edit_closed"
    NEVER_OFFERED = "product_never_offered"
    UNKNOWN_LISTING = "listing_unknown"
    INVALID_STATE = "invalid_review_state"


class DemandErrorCode(StrEnum):
    NOT_LIVE = "partnership_not_live"


class DispositionErrorCode(StrEnum):
    """Deciding what becomes of a returned unit (aftersales.returns.services.disposition); a disposition
    the country or the agreement does not allow is ReturnErrorCode.NOT_ALLOWED_HERE."""

    NOT_GRADED = "unit_not_graded"
    ALREADY_DECIDED = "disposition_already_decided"
    REASON_REQUIRED = "disposition_reason_required"
    UNKNOWN_DISPOSITION = "unknown_disposition"
    CANNOT_UNDO = "disposition_cannot_be_undone"


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
