"""Which return policy applies to an order line, as data: the agreement's return terms for a
partner's goods (crossborder.terms: window per category, who pays return shipping, restocking fee)
or the platform's own policy for its own goods (rules_data/own_goods_policy.json), and the consumer
law of the platform's country (rules_data/consumer_law.json), whose no-reason window wins when it
is longer. The result is a JSON snapshot kept on the return, so a later change of the agreement
never changes a return already opened."""

import datetime as dt
import json
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from crossborder.terms import Terms, TermsError

DATA_DIR = Path(__file__).resolve().parents[2] / "rules_data"  # aftersales/rules_data


def _read(name):
    with open(DATA_DIR / name, encoding="utf-8") as data:
        return json.load(data)


@cache
def consumer_law(country):
    """The consumer-law minimum of `country`: {"no_reason_days", "restocking_fee_allowed"}; a
    country without an entry mandates nothing."""
    entry = _read("consumer_law.json").get(country.upper(), {})
    return {
        "no_reason_days": int(entry.get("no_reason_days", 0)),
        "restocking_fee_allowed": bool(entry.get("restocking_fee_allowed", True)),
    }


@cache
def own_goods_terms():
    """The platform's return policy for its own goods, validated like an agreement's terms."""
    schedule = {key: value for key, value in _read("own_goods_policy.json").items() if not key.startswith("_")}
    return Terms.parse({"settlement_currency": settings.PLATFORM_CURRENCY, "fee_schedule": schedule})


def _category(line):
    if line.is_partner:
        return line.listing.category_id if line.listing_id else None
    return line.variant.product.category_id if line.variant_id else None


def _terms_of(line):
    """(terms, source) of an order line: the agreement's, or the platform's when it is our own
    goods or the agreement's return terms cannot be read (logged by the caller's admin)."""
    if line.is_partner:
        try:
            terms = line.partnership.terms
            terms.return_window_days  # noqa: B018 - a broken legacy term raises here
            return terms, "agreement"
        except TermsError:
            pass
    return own_goods_terms(), "platform"


def line_policy(line, *, delivered_at):
    """The policy of one delivered order line as a JSON-ready dict."""
    terms, source = _terms_of(line)
    law = consumer_law(settings.PLATFORM_COUNTRY)
    category = _category(line)
    agreed = terms.return_window(category)
    window = max(agreed, law["no_reason_days"])
    ends = timezone.localtime(delivered_at) + dt.timedelta(days=window)
    return {
        "line": line.line_number,
        "source": source,
        "partner": line.partnership.partner.code if line.is_partner else None,
        "category": category,
        "country": settings.PLATFORM_COUNTRY,
        "agreed_days": agreed,
        "law_days": law["no_reason_days"],
        "window_days": window,
        "delivered_at": delivered_at.isoformat(),
        "window_ends": ends.isoformat(),
        "shopper_pays_shipping_for": list(terms.return_shipping_shopper_pays),
        "return_shipping_fee": str(terms.return_shipping_fee),
        "restocking_fee_percent": str(terms.restocking_fee_percent),
        "restocking_fee_reasons": list(terms.restocking_fee_reasons),
        "restocking_fee_allowed_in_law_window": law["restocking_fee_allowed"],
    }


def window_open(policy, *, now=None):
    return (now or timezone.now()) <= dt.datetime.fromisoformat(policy["window_ends"])


def restocking_percent(policy, *, reason, opened_at):
    """The restocking percent this return may be charged (0 where the policy or the law says no):
    only for the agreed reasons, and not within a statutory no-reason window that forbids it."""
    percent = Decimal(policy["restocking_fee_percent"])
    if not percent or reason not in policy["restocking_fee_reasons"]:
        return Decimal(0)
    delivered = dt.datetime.fromisoformat(policy["delivered_at"])
    in_law_window = opened_at <= delivered + dt.timedelta(days=policy["law_days"])
    if in_law_window and policy["law_days"] and not policy["restocking_fee_allowed_in_law_window"]:
        return Decimal(0)
    return percent


def shopper_pays_shipping(policy, *, reason):
    return reason in policy["shopper_pays_shipping_for"]
