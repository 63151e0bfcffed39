"""The landed price is a typed value (partner_zone.landed_price.LandedPrice): pricing produces it,
checkout reads its attributes, and a listing stores it as the JSON its rows have always held."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from partner_zone.landed_price import CampaignDiscount, LandedPrice, MarkdownDiscount

# A breakdown as an earlier release stored it on a listing (amounts as strings).
STORED = {
    "currency": "CNY",
    "goods": "108.50",
    "shipping": "20.00",
    "fees": "5.00",
    "duties": "0.00",
    "vat": "11.30",
    "consumption_tax": "0.00",
    "taxes_total": "11.30",
    "duties_included": True,
    "rounding": "0.70",
    "list_price": "145.50",
    "fx_rate": "7.20000000",
    "fx_margin": "0.02",
    "export_price": {"amount": "14.78", "currency": "USD"},
    "regime": "cn_cbec",
    "tax_explanation": "Cross-border e-commerce: 70% of VAT",
    "ships_from": "local",
    "delivery_days": "1-3",
    "campaign": {
        "reference": "9b7f8a52-3c52-4c2b-9a43-0a1f5e0b7c11",
        "title": "Double 11",
        "banner_text": "",
        "discount_percent": "10.00",
        "partner_share_percent": "50.00",
        "ends_on": "2026-11-12",
        "saving": "14.60",
    },
    "price": "130.90",
}


def test_a_stored_breakdown_reads_back_as_decimals_and_writes_the_same_json():
    landed = LandedPrice.from_dict(STORED)

    assert landed.goods == Decimal("108.50") and landed.shipping == Decimal("20.00")
    assert landed.price == Decimal("130.90") and landed.duties_included is True
    assert landed.fx_rate == Decimal("7.20000000") and landed.export_currency == "USD"
    assert landed.campaign.ends_on == dt.date(2026, 11, 12) and landed.markdown is None
    assert landed.as_dict() == STORED


def test_a_markdown_round_trips_and_an_unpriced_listing_has_no_landed_price():
    markdown = MarkdownDiscount(reference="m-1", sku="TEA-1", percent=30, units_left=4, saving=Decimal("43.70"))
    landed = dataclasses.replace(LandedPrice.from_dict(STORED), campaign=None, markdown=markdown)

    stored = landed.as_dict()

    assert "campaign" not in stored and stored["markdown"] == {
        "reference": "m-1",
        "sku": "TEA-1",
        "percent": 30,
        "units_left": 4,
        "saving": "43.70",
    }
    assert LandedPrice.from_dict(stored) == landed
    assert LandedPrice.from_dict({}) is None


def test_a_landed_price_and_its_parts_are_frozen():
    landed = LandedPrice.from_dict(STORED)

    assert isinstance(landed.campaign, CampaignDiscount)
    with pytest.raises(dataclasses.FrozenInstanceError):
        landed.campaign.saving = Decimal("0")
    with pytest.raises(dataclasses.FrozenInstanceError):
        landed.price = Decimal("1")
