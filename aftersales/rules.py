"""The importing country's rules on returned goods, read once from aftersales/rules_data/resale.json
(data, like the partner zone's duty rules): per platform country and per kind of goods (a
partner's imported goods, our own), the channels a returned unit may be resold through and the
days after its import within which it may go back into stock or be resold. China forbids
reselling cross-border retail imports as domestic goods: a returned partner good may go back
into consignment stock, or be offered again only in the partner zone (under the same CBEC rules),
within the period; the US has no such rule."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import translation

DATA = Path(__file__).resolve().parent / "rules_data" / "resale.json"

PARTNER_ZONE = "partner_zone"  # the cross-border channel: the partner zone's listing
OWN_CATALOG = "own_catalog"  # our own catalog, as domestic goods
CHANNELS = (PARTNER_ZONE, OWN_CATALOG)


@dataclass(frozen=True)
class ResaleRule:
    """What one country allows with one kind of returned goods."""

    country: str
    resale_channels: tuple
    period_days: int | None
    rule: dict  # language -> what the admin says when this rule excludes an option (empty: it never does)

    def explanation(self):
        """The rule in the active language (the data's English when it has no text in it): the rule
        is data, so its translations are in the data file, not in the message catalog."""
        text = self.rule.get(translation.get_language() or "", "") or self.rule.get("en", "")
        return text % {"days": self.period_days} if text else ""


def _rule(country, raw):
    channels = tuple(raw["resale_channels"])
    unknown = set(channels) - set(CHANNELS)
    if unknown:
        raise ValueError(f"{DATA.name}: {country} names unknown channels {sorted(unknown)}")
    days = raw["period_days"]
    if days is not None and (type(days) is not int or days < 1):
        raise ValueError(f"{DATA.name}: {country}'s period_days must be a whole number of days or null")
    rule = raw.get("rule") or {}
    if isinstance(rule, str):
        rule = {"en": rule}
    return ResaleRule(country=country, resale_channels=channels, period_days=days, rule=rule)


@cache
def _rules():
    with open(DATA, encoding="utf-8") as data:
        raw = json.load(data)
    return {
        (country, kind): _rule(country, rules[kind])
        for country, rules in raw.items()
        if not country.startswith("_")
        for kind in ("partner_goods", "own_goods")
    }


def resale_rule(*, partner_goods, country=None):
    """The rule of `country` (default: this platform's) for a returned unit of partner goods (the
    importer's case) or of our own goods. A country the data does not name has no restriction."""
    country = (country or settings.PLATFORM_COUNTRY).upper()
    found = _rules().get((country, "partner_goods" if partner_goods else "own_goods"))
    return found or ResaleRule(country=country, resale_channels=CHANNELS, period_days=None, rule={})
