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
