"""The rule data the partner zone ships with, read from the files in partner_zone/rules_data/:
duties and import taxes of China (cross-border e-commerce retail import and general trade), of
the United States and of Japan (duties.json), the rounding of shown prices in CNY, USD and JPY
(rounding.csv), and the festival calendar of the three countries (festivals.json). Migration 0003_load_rules loads it, and
`manage.py load_rules` again at any time (e.g. the festival dates of later years); ops edit the
rows in the admin afterwards (loading again never overwrites their edits).

China, CBEC retail import (Ministry of Finance announcement 2018 No. 49): within the transaction
and annual limits, tariff 0 and import VAT plus consumption tax at 70 % of the statutory amounts.
Above either limit the goods are taxed as general trade: MFN duty by HS code plus full VAT and
consumption tax (high-end cosmetics and perfume, headings 3303 and 3304). United States: duty by
HS chapter, no federal VAT; de minimis (19 U.S.C. 1321) was suspended for all countries in 2025
(executive orders of 2025; for all origins from 29 August 2025), so it ships switched off on the
regime's catch-all rule: ops can switch it on (and change the value) in the admin. Japan (general
trade): duty by HS code plus the import consumption tax of 10 % (charged like a VAT on value plus
duty); no duty or tax at or below a customs value of JPY 10,000 (the small-value exemption of the
Customs Tariff Act), on the regime's catch-all rule.

The tariff rates are a DEMO SUBSET for the demo's goods (baby bottles, strollers, cosmetics, tents,
cookware, lamps, apparel, footwear): plausible current MFN rates, to be verified against the
official tariff schedules (China: the Customs Tariff Commission's annual schedule; United States:
the Harmonized Tariff Schedule, hts.usitc.gov) before production use.

Festival dates are computed for any year: each festival is a span of days around an anchor, a
fixed day of the year (06-18, 11-11, 12-25) or a public holiday of a country's calendar by its
name (the `holidays` package: the lunar Spring Festival, US Thanksgiving). A festival may list the
dates the government published for some years (`known_dates`, e.g. the State Council's Spring
Festival weeks), which win over the rule."""

import csv
import datetime as dt
import json
from decimal import Decimal
from functools import cache
from pathlib import Path

import holidays

DATA_DIR = Path(__file__).resolve().parent / "rules_data"
# The years the first migration loaded festival dates for; `load_rules` adds later ones.
YEARS = (2025, 2026, 2027, 2028)


def _read_json(name):
    with open(DATA_DIR / name, encoding="utf-8") as data:
        return json.load(data)


# --- Duties and taxes ------------------------------------------------------------------------------

_CBEC = _read_json("duties.json")["CN"]["cbec"]
# China's CBEC limits (CNY) where the database has no catch-all CBEC rule (payments' China rules).
CN_TRANSACTION_LIMIT = Decimal(_CBEC["transaction_limit"])
CN_ANNUAL_LIMIT = Decimal(_CBEC["annual_limit"])


def duty_rules():
    """The shipped DutyRule rows as dicts of field values (Money fields as amount + currency)."""
    cn, us = (data := _read_json("duties.json"))["CN"], data["US"]
    vat, cbec = Decimal(cn["vat_rate"]), cn["cbec"]
    consumption_tax = {prefix: Decimal(tax["rate"]) for prefix, tax in cn["consumption_tax"].items()}
    rows = []
    cbec_taxes = {"": "all goods"} | {prefix: tax["description"] for prefix, tax in cn["consumption_tax"].items()}
    for prefix, description in cbec_taxes.items():
        rows.append(
            {
                "country": "CN",
                "regime": "cn_cbec",
                "hs_prefix": prefix,
                "description": f"CBEC retail import: {description}",
                "duty_rate": Decimal("0"),
                "vat_rate": vat,
                "consumption_tax_rate": consumption_tax.get(prefix, Decimal("0")),
                "cbec_tax_share": Decimal(cbec["tax_share"]),
                "transaction_limit": Decimal(cbec["transaction_limit"]),
                "transaction_limit_currency": cbec["currency"],
                "annual_limit": Decimal(cbec["annual_limit"]),
                "annual_limit_currency": cbec["currency"],
            }
        )
    for prefix, duty in cn["general_duty"].items():
        rows.append(
            {
                "country": "CN",
                "regime": "general",
                "hs_prefix": prefix,
                "description": f"General trade: {duty['description']}",
                "duty_rate": Decimal(duty["rate"]),
                "vat_rate": vat,
                "consumption_tax_rate": consumption_tax.get(prefix, Decimal("0")),
            }
        )
    de_minimis = us["de_minimis"]
    for prefix, duty in us["duty"].items():
        description = duty["description"]
        row = {
            "country": "US",
            "regime": "us",
            "hs_prefix": prefix,
            "description": f"HTS chapter {prefix}: {description}" if prefix else f"HTS: {description}",
            "duty_rate": Decimal(duty["rate"]),
        }
        if not prefix:  # the regime's de minimis lives on its catch-all rule: one switch for ops
            row.update(
                de_minimis=Decimal(de_minimis["value"]),
                de_minimis_currency=de_minimis["currency"],
                de_minimis_applies=de_minimis["applies"],
            )
        rows.append(row)
    jp = data["JP"]
    jp_tax, jp_de_minimis = Decimal(jp["consumption_tax_rate"]), jp["de_minimis"]
    for prefix, duty in jp["duty"].items():
        description = duty["description"]
        row = {
            "country": "JP",
            "regime": "general",
            "hs_prefix": prefix,
            "description": f"Japan tariff {prefix}: {description}" if prefix else f"Japan tariff: {description}",
            "duty_rate": Decimal(duty["rate"]),
            # Japan's import consumption tax (national and local, 10 %) is charged like a VAT.
            "vat_rate": jp_tax,
        }
        if not prefix:
            row.update(
                de_minimis=Decimal(jp_de_minimis["value"]),
                de_minimis_currency=jp_de_minimis["currency"],
                de_minimis_applies=jp_de_minimis["applies"],
            )
        rows.append(row)
    return rows


# --- Rounding of shown prices ----------------------------------------------------------------------


def rounding_rules():
    """(currency, from, below, step, ending offset): up to the next multiple of step, minus the
    offset; `below` is None for the open top band."""
    with open(DATA_DIR / "rounding.csv", encoding="utf-8", newline="") as data:
        return [
            (
                band["currency"],
                Decimal(band["from"]),
                Decimal(band["below"]) if band["below"] else None,
                Decimal(band["step"]),
                Decimal(band["ending_offset"]),
            )
            for band in csv.DictReader(data)
        ]


# --- Festival calendar ------------------------------------------------------------------------------


@cache
def _public_holiday(country, name, year):
    """The first day a country's public calendar names `name` in a year (English names)."""
    days = holidays.country_holidays(country, years=year, language="en_US").get_named(name, lookup="exact")
    if not days:
        raise LookupError(f"no holiday named {name!r} in {country} {year}")
    return min(days)


def _anchor(anchor, year):
    if "month_day" in anchor:
        month, day = (int(part) for part in anchor["month_day"].split("-"))
        return dt.date(year, month, day)
    return _public_holiday(anchor["country"], anchor["holiday"], year)


def festival_dates(spec, year):
    """A festival's (first day, last day) in a year: the published dates when the data file has
    them, else its span of days around its anchor."""
    known = spec.get("known_dates", {}).get(str(year))
    if known:
        return tuple(dt.date.fromisoformat(day) for day in known)
    anchor = _anchor(spec["anchor"], year)
    return anchor + dt.timedelta(days=spec["from_day"]), anchor + dt.timedelta(days=spec["to_day"])


def festivals(years=YEARS):
    """The shipped festivals: key, country, names and their dates per year."""
    return [
        {
            "key": spec["key"],
            "country": spec["country"],
            "name_en": spec["name_en"],
            "name_zh_hans": spec["name_zh_hans"],
            "name_ja": spec["name_ja"],
            "dates": {year: festival_dates(spec, year) for year in years},
        }
        for spec in _read_json("festivals.json")
    ]


def fill_festival_names_ja(Festival):  # noqa: N803 (a model class, maybe historical)
    """Give the shipped festivals that have no Japanese name the shipped one; a name ops wrote is
    kept, and so is every other field. Returns the number of festivals named."""
    named = 0
    for spec in _read_json("festivals.json"):
        named += Festival.objects.filter(key=spec["key"], name_ja="").update(name_ja=spec["name_ja"])
    return named


def load(*, DutyRule, RoundingRule, Festival, FestivalDate, years=YEARS):  # noqa: N803 (model classes, maybe historical)
    """Create the shipped rows that are missing (festival dates for `years`); rows that exist
    (perhaps edited by ops) are left alone, so loading twice changes nothing. Takes the model
    classes so that a migration can pass its historical models. Returns the number of rows created."""
    created = 0
    for row in duty_rules():
        key = {name: row[name] for name in ("country", "regime", "hs_prefix")}
        _, new = DutyRule.objects.get_or_create(**key, valid_from=None, defaults=row)
        created += new
    for currency, low, high, step, offset in rounding_rules():
        _, new = RoundingRule.objects.get_or_create(
            currency=currency, min_amount=low, defaults={"max_amount": high, "step": step, "ending_offset": offset}
        )
        created += new
    has_name_ja = any(field.name == "name_ja" for field in Festival._meta.get_fields())
    for spec in festivals(years):
        names = ("name_en", "name_zh_hans", "name_ja") if has_name_ja else ("name_en", "name_zh_hans")
        festival, new = Festival.objects.get_or_create(
            key=spec["key"], defaults={"country": spec["country"], **{name: spec[name] for name in names}}
        )
        created += new
        for year, (starts_on, ends_on) in spec["dates"].items():
            _, new = FestivalDate.objects.get_or_create(
                festival=festival, year=year, defaults={"starts_on": starts_on, "ends_on": ends_on}
            )
            created += new
    return created
