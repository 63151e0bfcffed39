"""Error codes of shopper accounts, as the storefront's messages carry them."""

from enum import StrEnum


class AccountErrorCode(StrEnum):
    INVALID_PHONE = "invalid_phone"
    PHONE_IN_USE = "phone_in_use"
    UNKNOWN_ADDRESS = "unknown_saved_address"
    INVALID_ADDRESS = "invalid_address"
    TOO_MANY_ADDRESSES = "too_many_addresses"
    CONFIRMATION_MISMATCH = "confirmation_mismatch"
