"""The rule data the partner zone ships with: duties and import taxes of China (cross-border
e-commerce retail import and general trade) and of the United States, the rounding of shown prices
in CNY and USD, and the festival calendar of both countries. Migration 0003_load_rules loads it;
ops edit the rows in the admin afterwards (loading again never overwrites their edits).

The tariff rates are a DEMO SUBSET for the demo's goods (baby bottles, strollers, cosmetics, tents,
cookware, lamps, apparel, footwear): plausible current MFN rates, to be verified against the
official tariff schedules (China: the Customs Tariff Commission's annual schedule; United States:
the Harmonized Tariff Schedule, hts.usitc.gov) before production use."""

import datetime as dt
from decimal import Decimal

D = Decimal

# --- China ------------------------------------------------------------------------------------------
# Cross-border e-commerce (CBEC) retail import (Ministry of Finance announcement 2018 No. 49): within
# 5,000 CNY per transaction and 26,000 CNY per shopper and year, tariff 0 and import VAT plus
# consumption tax at 70 % of the statutory amounts. Above either limit the goods are taxed as
# general trade: MFN duty by HS code plus full VAT (13 %) and consumption tax.
CN_VAT = D("0.13")
CN_CBEC_SHARE = D("0.70")
CN_TRANSACTION_LIMIT = D("5000")
CN_ANNUAL_LIMIT = D("26000")
# Consumption tax on high-end cosmetics and perfume (chapter 33 headings 3303 and 3304) is 15 %.
CN_CONSUMPTION_TAX = {"3303": ("perfume", D("0.15")), "3304": ("cosmetics and make-up", D("0.15"))}
# General trade MFN duty by HS prefix (demo subset; verify against the official tariff).
CN_GENERAL_DUTY = {
    "": ("other goods (demo default)", D("0.10")),
    "3303": ("perfume and toilet waters", D("0.03")),
    "3304": ("beauty and make-up preparations", D("0.03")),
    "3924": ("plastic tableware and household articles (baby bottles)", D("0.06")),
    "6306": ("tents and camping goods", D("0.10")),
    "6402": ("footwear, rubber or plastics", D("0.10")),
    "6403": ("footwear, leather uppers", D("0.10")),
    "7323": ("household articles of iron or steel (cookware)", D("0.10")),
    "8715": ("baby carriages (strollers)", D("0.06")),
    "9405": ("lamps and lighting fittings", D("0.10")),
}

# --- United States ---------------------------------------------------------------------------------
# Duty by HS chapter (demo subset of MFN general rates; verify against the HTSUS). No federal VAT.
# De minimis (19 U.S.C. 1321, 800 USD) was suspended for all countries in 2025 (executive orders of
# 2025; for all origins from 29 August 2025), so duty applies to every parcel: it ships with
# `de_minimis_applies` off. Ops can switch it on (and change the value) in the admin.
US_DE_MINIMIS = D("800")
US_DUTY = {
    "": ("other goods (demo default)", D("0.04")),
    "33": ("essential oils, perfumery, cosmetics", D("0")),
    "39": ("plastics and articles thereof", D("0.053")),
    "61": ("apparel, knitted", D("0.16")),
    "62": ("apparel, not knitted", D("0.16")),
    "63": ("other made-up textile articles (tents)", D("0.07")),
    "64": ("footwear", D("0.10")),
    "73": ("articles of iron or steel", D("0.034")),
    "87": ("vehicles other than railway (strollers)", D("0.044")),
    "94": ("furniture, lamps and lighting", D("0.039")),
}


def duty_rules():
    """The shipped DutyRule rows as dicts of field values (Money fields as amount + currency)."""
    rows = []
    for prefix, (description, ct_rate) in {"": ("all goods", D("0")), **CN_CONSUMPTION_TAX}.items():
        rows.append(
            {
                "country": "CN",
                "regime": "cn_cbec",
                "hs_prefix": prefix,
                "description": f"CBEC retail import: {description}",
                "duty_rate": D("0"),
                "vat_rate": CN_VAT,
                "consumption_tax_rate": ct_rate,
                "cbec_tax_share": CN_CBEC_SHARE,
                "transaction_limit": CN_TRANSACTION_LIMIT,
                "transaction_limit_currency": "CNY",
                "annual_limit": CN_ANNUAL_LIMIT,
                "annual_limit_currency": "CNY",
            }
        )
    for prefix, (description, duty) in CN_GENERAL_DUTY.items():
        rows.append(
            {
                "country": "CN",
                "regime": "general",
                "hs_prefix": prefix,
                "description": f"General trade: {description}",
                "duty_rate": duty,
                "vat_rate": CN_VAT,
                "consumption_tax_rate": CN_CONSUMPTION_TAX.get(prefix, ("", D("0")))[1],
            }
        )
    for prefix, (description, duty) in US_DUTY.items():
        row = {
            "country": "US",
            "regime": "us",
            "hs_prefix": prefix,
            "description": f"HTS chapter {prefix}: {description}" if prefix else f"HTS: {description}",
            "duty_rate": duty,
        }
        if not prefix:  # the regime's de minimis lives on its catch-all rule: one switch for ops
            row.update(de_minimis=US_DE_MINIMIS, de_minimis_currency="USD", de_minimis_applies=False)
        rows.append(row)
    return rows


# --- Rounding of shown prices ----------------------------------------------------------------------
# (currency, from, below, step, ending offset): up to the next multiple of step, minus the offset.
ROUNDING_RULES = [
    ("CNY", D("0"), D("100"), D("1"), D("0.1")),  # 23.4 -> 23.9
    ("CNY", D("100"), D("1000"), D("10"), D("0.1")),  # 123.4 -> 129.9
    ("CNY", D("1000"), None, D("100"), D("1")),  # 1234 -> 1299
    ("USD", D("0"), D("100"), D("1"), D("0.01")),  # 23.40 -> 23.99
    ("USD", D("100"), None, D("5"), D("0.01")),  # 123.40 -> 124.99
]


# --- Festival calendar ------------------------------------------------------------------------------
def _thanksgiving(year):
    """The fourth Thursday of November."""
    first = dt.date(year, 11, 1)
    return first + dt.timedelta(days=(3 - first.weekday()) % 7 + 21)


# The Spring Festival public holiday around the Lunar New Year (State Council calendar; 2027 and
# 2028 are the expected holiday weeks until the State Council publishes them).
SPRING_FESTIVAL = {
    2025: (dt.date(2025, 1, 28), dt.date(2025, 2, 4)),
    2026: (dt.date(2026, 2, 15), dt.date(2026, 2, 23)),
    2027: (dt.date(2027, 2, 5), dt.date(2027, 2, 11)),
    2028: (dt.date(2028, 1, 25), dt.date(2028, 1, 31)),
}
YEARS = tuple(SPRING_FESTIVAL)


def festivals():
    """The shipped festivals: key, country, names and their dates per year."""
    return [
        {
            "key": "spring-festival",
            "country": "CN",
            "name_en": "Spring Festival",
            "name_zh_hans": "春节",
            "dates": SPRING_FESTIVAL,
        },
        {
            "key": "618",
            "country": "CN",
            "name_en": "618 Shopping Festival",
            "name_zh_hans": "618购物节",
            "dates": {year: (dt.date(year, 6, 1), dt.date(year, 6, 18)) for year in YEARS},
        },
        {
            "key": "singles-day",
            "country": "CN",
            "name_en": "Singles' Day (11.11)",
            "name_zh_hans": "双十一",
            "dates": {year: (dt.date(year, 11, 1), dt.date(year, 11, 11)) for year in YEARS},
        },
        {
            "key": "thanksgiving",
            "country": "US",
            "name_en": "Thanksgiving",
            "name_zh_hans": "感恩节",
            "dates": {year: (_thanksgiving(year), _thanksgiving(year)) for year in YEARS},
        },
        {
            "key": "black-friday",
            "country": "US",
            "name_en": "Black Friday to Cyber Monday",
            "name_zh_hans": "黑色星期五",
            "dates": {
                year: (_thanksgiving(year) + dt.timedelta(days=1), _thanksgiving(year) + dt.timedelta(days=4))
                for year in YEARS
            },
        },
        {
            "key": "christmas",
            "country": "US",
            "name_en": "Christmas",
            "name_zh_hans": "圣诞节",
            "dates": {year: (dt.date(year, 12, 1), dt.date(year, 12, 25)) for year in YEARS},
        },
    ]


def load(*, DutyRule, RoundingRule, Festival, FestivalDate):  # noqa: N803 (model classes, maybe historical)
    """Create the shipped rows that are missing; rows that exist (perhaps edited by ops) are left
    alone, so loading twice changes nothing. Takes the model classes so that a migration can pass
    its historical models. Returns the number of rows created."""
    created = 0
    for row in duty_rules():
        key = {name: row[name] for name in ("country", "regime", "hs_prefix")}
        _, new = DutyRule.objects.get_or_create(**key, valid_from=None, defaults=row)
        created += new
    for currency, low, high, step, offset in ROUNDING_RULES:
        _, new = RoundingRule.objects.get_or_create(
            currency=currency, min_amount=low, defaults={"max_amount": high, "step": step, "ending_offset": offset}
        )
        created += new
    for spec in festivals():
        festival, new = Festival.objects.get_or_create(
            key=spec["key"],
            defaults={"country": spec["country"], "name_en": spec["name_en"], "name_zh_hans": spec["name_zh_hans"]},
        )
        created += new
        for year, (starts_on, ends_on) in spec["dates"].items():
            _, new = FestivalDate.objects.get_or_create(
                festival=festival, year=year, defaults={"starts_on": starts_on, "ends_on": ends_on}
            )
            created += new
    return created
