"""An agreement's fee schedule read as money terms: a fee per unit and its currency."""

import logging
from decimal import Decimal, InvalidOperation

logger = logging.getLogger(__name__)


def per_unit_terms(partnership, rate_key, currency_key):
    """(rate, currency) of fee_schedule[rate_key], in fee_schedule[currency_key] or the settlement
    currency; None when the agreement charges nothing (absent, empty or 0). A value that is not a
    rate is logged for ops and charges nothing: what it would have been charged on goes on."""
    schedule = partnership.fee_schedule or {}
    raw = schedule.get(rate_key)
    if raw in (None, ""):
        return None
    try:
        rate = Decimal(str(raw))
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or rate < 0:
        logger.error("partnership %s: %s %r is not a rate; nothing charged", partnership.pk, rate_key, raw)
        return None
    if rate == 0:
        return None
    return rate, (schedule.get(currency_key) or partnership.settlement_currency).upper()
