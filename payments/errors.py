"""Error codes of payments, as the JSON `code` field and the storefront's messages carry them."""

from enum import StrEnum


class LedgerErrorCode(StrEnum):
    UNBALANCED = "unbalanced"
    TOO_MANY_DECIMALS = "too_many_decimals"
    UNKNOWN_CURRENCY = "unknown_currency"
    CURRENCY_MISMATCH = "currency_mismatch"
    INVALID_AMOUNT = "invalid_amount"
    ALREADY_POSTED = "already_posted"
    ALREADY_REVERSED = "already_reversed"
    UNKNOWN_ACCOUNT = "unknown_account"


class SettlementErrorCode(StrEnum):
    NOT_LIVE = "partnership_not_live"
    PERIOD_NOT_OVER = "period_not_over"
    NO_RATE = "no_rate"
    STATEMENT_CONFLICT = "statement_conflict"
    INVALID_STATEMENT = "invalid_statement"
    INVALID_STATE = "invalid_state"


class MerchantMoneyErrorCode(StrEnum):
    INVALID_COMMISSION = "invalid_commission_rate"
    INVALID_BANK_DETAILS = "invalid_bank_details"
    NO_BANK_DETAILS = "no_bank_details"
    OPEN_TO_RETURNS = "sales_open_to_returns"
    BELOW_MINIMUM = "below_payout_minimum"
    NOTHING_TO_PAY = "nothing_to_pay"


class PaymentErrorCode(StrEnum):
    UNKNOWN_PROVIDER = "unknown_provider"
    PAYMENT_NOT_FOUND = "payment_not_found"
    INVALID_CHECKOUT = "invalid_checkout_reference"
    INVALID_AMOUNT = "invalid_amount"
    TOO_MANY_DECIMALS = "too_many_decimals"
    UNKNOWN_CURRENCY = "unknown_currency"
    ILLEGAL_TRANSITION = "illegal_transition"
    REFUND_EXCEEDS_CAPTURED = "refund_exceeds_captured"
    OPERATION_IN_FLIGHT = "operation_in_flight"
    PROVIDER_DECLINED = "provider_declined"
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    PAYMENT_NOT_COMPLETED = "payment_not_completed"
    SIGNATURE_MISSING = "signature_missing"
    SIGNATURE_MALFORMED = "signature_malformed"
    SIGNATURE_STALE = "signature_stale"
    SIGNATURE_FROM_FUTURE = "signature_from_future"
    SIGNATURE_INVALID = "signature_invalid"
    INVALID_PAYLOAD = "invalid_payload"
    WEBHOOK_AMOUNT_MISMATCH = "webhook_amount_mismatch"


class CheckoutErrorCode(StrEnum):
    INVALID = "invalid"
    INVALID_QUANTITY = "invalid_quantity"
    NOT_ORDERABLE = "not_orderable"
    EMPTY_CART = "empty_cart"
    INSUFFICIENT_STOCK = "insufficient_stock"
    INVALID_ADDRESS = "invalid_address"
    REAL_NAME_REQUIRED = "real_name_required"
    INVALID_ID_NUMBER = "invalid_id_number"
    TRANSACTION_LIMIT = "transaction_limit"
    ANNUAL_LIMIT = "annual_limit"
    NO_PRICE = "no_price"
    QUOTE_EXPIRED = "quote_expired"
    TOTAL_MISMATCH = "total_mismatch"
    CHECKOUT_CLOSED = "checkout_closed"
    ORDER_STATE = "order_state"
    PAYMENT_MISMATCH = "payment_mismatch"
    UNKNOWN_ORDER = "unknown_order"
    TOO_MANY_UNPAID_ORDERS = "too_many_unpaid_orders"
    TOO_MANY_UNPAID_UNITS = "too_many_unpaid_units"
    PARTNERSHIP_SUSPENDED = "partnership_suspended"


class FulfilmentErrorCode(StrEnum):
    """A merchant's pick, pack or ship of a line of its goods refused."""

    UNKNOWN_LINE = "unknown_line"
    UNKNOWN_STEP = "unknown_step"
    NOT_YOURS_TO_SHIP = "not_yours_to_ship"
    NOT_READY = "not_ready"
    ALREADY_SHIPPED = "already_shipped"
    CANCELLED = "cancelled"
    INVALID_TRACKING = "invalid_tracking_number"
    UNKNOWN_CARRIER = "unknown_carrier"
