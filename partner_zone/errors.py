"""Error codes of the partner zone, as the JSON `code` field and ops' messages carry them."""

from enum import StrEnum


class PartnerZoneErrorCode(StrEnum):
    INVALID = "invalid"
    ITEM_REJECTED = "item_rejected"
    PARTNERSHIP_NOT_LIVE = "partnership_not_live"
    NO_EXCHANGE_RATE = "no_exchange_rate"
    NO_DUTY_RULE = "no_duty_rule"
    RATE_FILE_INVALID = "rate_file_invalid"
    UNKNOWN_CAMPAIGN = "unknown_campaign"
    CAMPAIGN_STATE = "campaign_state"
    DISCOUNT_ABOVE_SHARE = "discount_above_share"
    NOT_ORDERABLE = "not_orderable"
