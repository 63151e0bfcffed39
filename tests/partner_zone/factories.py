"""Factories for partner-zone tests: a partner with an active partnership, listings as a sync would
have stored them, and catalog-feed items shaped like catalog.serializers.feed_item."""

import datetime as dt
import itertools
import uuid
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from djmoney.money import Money

from catalog.search import document
from catalog.serializers import iso
from crossborder.models import Partner, Partnership
from partner_zone.models import PartnerListing

# Real taxonomy IDs shipped in catalog/data/taxonomy.tsv.
BABY_AND_TODDLER = 537
NURSING_AND_FEEDING = 561

DEFAULT_FEES = {
    "fx_margin": "0.02",
    "duties_included": "1",
    "zone_fee_per_item": "0",
    "shipping_local_per_item": "0",
    "shipping_direct_per_item": "0",
}

_counter = itertools.count(1)


def make_partnership(code="us", *, currency="USD", country="US", languages=("en",), status=None, **extra):
    """A partner and an ACTIVE partnership with it (settlement in the partner's currency)."""
    partner = Partner.objects.filter(code=code).first() or Partner.objects.create(
        code=code,
        name=extra.pop("name", f"Partner {code}"),
        country=country,
        currency=currency,
        languages=list(languages),
        base_url=extra.pop("base_url", f"http://{code}.partner.invalid"),
    )
    return Partnership.objects.create(
        partner=partner,
        status=status or Partnership.Status.ACTIVE,
        initiated_by=Partnership.Initiator.US,
        settlement_currency=extra.pop("settlement_currency", currency),
        commission_rate=extra.pop("commission_rate", "0.0800"),
        settlement_cutoff=extra.pop("settlement_cutoff", dt.time(23, 0)),
        fee_schedule=extra.pop("fee_schedule", dict(DEFAULT_FEES)),
        **extra,
    )


def _home_title(texts, original_language):
    home = settings.LANGUAGE_CODE.lower()
    primary = home.split("-")[0]
    for language in (home, primary, *(lang for lang in texts if lang.lower().split("-")[0] == primary)):
        if texts.get(language, {}).get("title"):
            return texts[language]["title"], language
    original = texts.get(original_language) or next(iter(texts.values()))
    return original["title"], original_language if original_language in texts else next(iter(texts))


def make_listing(partnership, **fields):
    """A valid active listing of `partnership` (not priced: price None, so not yet orderable; pass
    price=Money(...) for a priced one). Any field can be overridden."""
    n = next(_counter)
    texts = fields.pop("texts", None) or {
        "zh-hans": {"title": f"婴儿奶瓶 {n}", "description": "不含双酚A"},
        "en": {"title": f"Baby bottle {n}", "description": "BPA free"},
    }
    original_language = fields.pop("original_language", "en")
    title, title_language = _home_title(texts, original_language)
    category_id = fields.pop("category_id", None) or getattr(fields.pop("category", None), "pk", NURSING_AND_FEEDING)
    brand = fields.pop("brand", "Acme")
    values = {
        "partnership": partnership,
        "reference": uuid.uuid4(),
        "version": 1,
        "changed_at": timezone.now(),
        "is_active": True,
        "merchant_code": "trailhead",
        "merchant_name": "Trailhead Outfitters",
        "category_id": category_id,
        "brand": brand,
        "original_language": original_language,
        "texts": texts,
        "title": title,
        "title_language": title_language,
        "hs_code": "392410",
        "weight_grams": 250,
        "dimensions_mm": {"length": 180, "width": 70, "height": 70},
        "country_of_origin": "US",
        "export_price": Money(Decimal("20.00"), "USD"),
        "direct_stock": 50,
        "local_stock": 0,
        "variants": [{"sku": f"US-SKU-{n}", "attributes": {}, "is_active": True}],
        "images": [f"http://{partnership.partner.code}.partner.invalid/media/products/{n}.jpg"],
        "ships_from": PartnerListing.ShipsFrom.DIRECT,
        "search_document": document(brand, titles=[t["title"] for t in texts.values()]),
    }
    values.update(fields)
    return PartnerListing.objects.create(**values)


def feed_item(reference=None, *, version=1, changed_at=None, **overrides):
    """One live item of a partner's catalog feed, as catalog.serializers.feed_item renders it."""
    n = next(_counter)
    item = {
        "id": str(reference or uuid.uuid4()),
        "deleted": False,
        "version": version,
        "changed_at": iso(changed_at or timezone.now()),
        "merchant": {"code": "trailhead", "name": "Trailhead Outfitters"},
        "category": {
            "taxonomy_id": NURSING_AND_FEEDING,
            "path_en": "Baby & Toddler > Nursing & Feeding",
        },
        "brand": "Acme",
        "original_language": "en",
        "texts": {
            "en": {"title": f"Baby bottle {n}", "description": "BPA free"},
            "zh-hans": {"title": f"婴儿奶瓶 {n}", "description": "不含双酚A"},
        },
        "hs_code": "392410",
        "weight_grams": 250,
        "dimensions_mm": {"length": 180, "width": 70, "height": 70},
        "country_of_origin": "US",
        "export_price": {"amount": "20.00", "currency": "USD"},
        "direct_stock": 50,
        "variants": [{"sku": f"US-SKU-{n}", "attributes": {"size": "250ml"}, "is_active": True}],
        "images": [f"http://us.partner.invalid/media/products/{n}.jpg"],
    }
    item.update(overrides)
    return item


def feed_tombstone(reference, *, version=2, changed_at=None):
    return {
        "id": str(reference),
        "deleted": True,
        "version": version,
        "changed_at": iso(changed_at or timezone.now()),
    }
