"""Error codes of logistics, as the JSON `code` field and the staff pages' messages carry them."""

from enum import StrEnum


class LogisticsErrorCode(StrEnum):
    INVALID = "invalid"
    INVALID_QUANTITY = "invalid_quantity"
    INSUFFICIENT_STOCK = "insufficient_stock"
    UNKNOWN_WAREHOUSE = "unknown_warehouse"
    UNKNOWN_SKU = "unknown_sku"
    SKU_NOT_OFFERED = "sku_not_offered"
    UNKNOWN_RESERVATION = "unknown_reservation"
    RESERVATION_NOT_ACTIVE = "reservation_not_active"
    UNKNOWN_CONSIGNMENT = "unknown_consignment"
    CONSIGNMENT_STATE = "consignment_state"
    UNKNOWN_SHIPMENT = "unknown_shipment"
    SHIPMENT_STATE = "shipment_state"
    UNKNOWN_CARRIER = "unknown_carrier"
    PARTNERSHIP_NOT_LIVE = "partnership_not_live"
    REPORT_INVALID = "report_invalid"
    # A required hook (logistics/hooks.py) has no subscriber: the platform is misconfigured.
    NOT_WIRED = "not_wired"
