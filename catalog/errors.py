"""Error codes of the catalog, as the JSON `code` field and the merchant area's messages carry them."""

from enum import StrEnum


class CatalogErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_YOUR_PRODUCT = "not_your_product"
    UNKNOWN_CATEGORY = "unknown_category"
    UNKNOWN_LANGUAGE = "unknown_language"
    UNKNOWN_CURRENCY = "unknown_currency"
    WRONG_CURRENCY = "wrong_currency"
    PRICE_NOT_POSITIVE = "price_not_positive"
    HS_CODE_MALFORMED = "hs_code_malformed"
    SKU_TAKEN = "sku_taken"
    TITLE_MISSING = "title_missing"
    NO_VARIANTS = "no_variants"
    NOT_AN_IMAGE = "not_an_image"
    UPLOAD_TOO_LARGE = "upload_too_large"
    PARTNERSHIP_NOT_LIVE = "partnership_not_live"
    IMPORT_FILE_INVALID = "import_file_invalid"
    IMPORT_ROWS_INVALID = "import_rows_invalid"
    INVALID_CURSOR = "invalid_cursor"
