"""Checking a partner's feed items and preparing a page of them: each entry checked and turned into
a listing (texts, variants, images, the home-language title), its local stock looked up and its
landed price computed, all outside any transaction (prepare_page), for the writer to write under
lock."""

import datetime as dt
import logging
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django_countries import countries
from djmoney.money import Money

from catalog import search
from catalog import texts as per_language
from catalog.models import Category
from crossborder import money
from crossborder.display_text import without_format_controls
from partner_zone.models import PartnerListing
from partner_zone.services import pricing

from .stock import local_stock_of, sellable_by_sku, ships_from

logger = logging.getLogger(__name__)

HS_CODE = re.compile(r"^[0-9]{6}$")
MAX_ATTRIBUTE_CHARS = 120


class ItemRejected(Exception):
    """One feed item is unusable; the reason goes to the run's report."""


@dataclass
class PageResult:
    changed_ids: list = field(default_factory=list)
    items_changed: int = 0
    tombstones: int = 0
    unchanged: int = 0
    rejections: list = field(default_factory=list)
    seen: set = field(default_factory=set)
    unpriced_ids: list = field(default_factory=list)  # for pricing to catch up with after the commit


def home_title(texts, original_language):
    """(title, language): the home platform's language (LANGUAGE_CODE or its primary language,
    zh-hans on cn), else the original language's text, else the first there is."""
    home = settings.LANGUAGE_CODE.lower()
    primary = home.split("-")[0]
    by_language = {language.lower(): language for language in texts}
    candidates = [home, primary, *(lower for lower in by_language if lower.split("-")[0] == primary)]
    candidates += [(original_language or "").lower(), *by_language]
    for lower in candidates:
        language = by_language.get(lower)
        if language is not None and texts[language].get("title"):
            return texts[language]["title"], language
    raise ItemRejected(_("no title in any language"))


def _text(item, key, *, max_length, required=True):
    value = without_format_controls(item.get(key))
    if not isinstance(value, str) or (required and not value.strip()):
        raise ItemRejected(_("%(field)s is missing or not text") % {"field": key})
    if len(value) > max_length:
        raise ItemRejected(_("%(field)s is longer than %(max)d characters") % {"field": key, "max": max_length})
    return value


def _whole_number(item, key, *, minimum):
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ItemRejected(_("%(field)s must be a whole number of at least %(min)d") % {"field": key, "min": minimum})
    return value


def _export_price(item, currencies):
    price = item.get("export_price")
    if not isinstance(price, dict):
        raise ItemRejected(_("export_price is missing"))
    try:
        amount = Decimal(str(price.get("amount")))
    except (InvalidOperation, ValueError):
        raise ItemRejected(_("export_price amount is not a decimal number")) from None
    if not amount.is_finite() or amount <= 0:
        raise ItemRejected(_("export_price must be more than zero, not %(amount)s") % {"amount": price.get("amount")})
    currency = price.get("currency")
    if currency not in currencies:
        raise ItemRejected(
            _("export_price currency %(currency)s is not one the agreement names (%(allowed)s)")
            % {"currency": currency, "allowed": ", ".join(sorted(currencies))}
        )
    try:  # as many decimals as the currency has (JPY 0, USD 2, KWD 3), within the column
        return Money(money.parse_amount(amount, currency, field="export_price", column=money.MONEY_COLUMN), currency)
    except money.MoneyError as refused:
        raise ItemRejected(refused.detail) from None


def _texts(item):
    texts = item.get("texts")
    if not isinstance(texts, dict) or not texts:
        raise ItemRejected(_("texts are missing"))
    cleaned = {}
    for language, text in texts.items():
        title = without_format_controls(text.get("title")) if isinstance(text, dict) else None
        if not isinstance(title, str) or not title.strip():
            raise ItemRejected(_("the %(language)s text has no title") % {"language": language})
        description = text.get("description", "")
        if not isinstance(description, str) or len(language) > 16:
            raise ItemRejected(_("the %(language)s text is malformed") % {"language": language})
        cleaned[language] = {"title": title.strip(), "description": without_format_controls(description)}
    return cleaned


def _variants(item, original_language):
    variants = item.get("variants", [])
    if not isinstance(variants, list) or not all(
        isinstance(v, dict) and isinstance(v.get("sku"), str) and v["sku"] for v in variants
    ):
        raise ItemRejected(_("variants must be a list of objects with a sku"))
    return [_variant(v, original_language) for v in variants]


def _variant(variant, original_language):
    kept = {
        "sku": variant["sku"],
        "attributes": _attributes(variant.get("attributes") or {}, original_language),
        "is_active": variant.get("is_active", True) is not False,
    }
    weight = variant.get("weight_grams")
    if weight is not None:
        if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
            raise ItemRejected(_("variant %(sku)s: weight_grams must be a whole number of at least 1") % variant)
        kept["weight_grams"] = weight
    if isinstance(variant.get("dimensions_mm"), dict):
        kept["dimensions_mm"] = variant["dimensions_mm"]
    return kept


def _attributes(attributes, original_language):
    """A variant's size, colour and the like as {name: {language: value}}, cleaned as the title is.
    The former shape {name: value} (accepted until the next release) is read as written in the
    item's original language."""
    if not isinstance(attributes, dict):
        raise ItemRejected(_("variant attributes must be an object"))
    cleaned = {}
    for name, value in attributes.items():
        if not isinstance(value, (str, dict)):
            raise ItemRejected(_("attribute %(name)s must be text per language") % {"name": name})
        values = per_language.coerce(value, (original_language or "").lower())
        if any(len(text) > MAX_ATTRIBUTE_CHARS for text in values.values()):
            raise ItemRejected(
                _("attribute %(name)s is longer than %(max)d characters") % {"name": name, "max": MAX_ATTRIBUTE_CHARS}
            )
        if values:
            cleaned[without_format_controls(str(name))[:40]] = values
    return cleaned


def _merchant_names(merchant, original_language):
    """The shop's names {language: name}; a former plain string is the name in the original language."""
    names = per_language.coerce(merchant.get("name"), (original_language or "").lower())
    if any(len(name) > 200 for name in names.values()):
        raise ItemRejected(_("merchant name is longer than %(max)d characters") % {"max": 200})
    return names


def _images(item):
    images = item.get("images", [])
    if not isinstance(images, list) or not all(
        isinstance(url, str) and url.startswith(("https://", "http://")) for url in images
    ):
        raise ItemRejected(_("images must be a list of absolute http(s) URLs"))
    return images


def listing_values(item, *, categories, currencies):
    """The listing fields of a live feed item, or ItemRejected with the reason. `categories`
    maps the known taxonomy ids of the page to their names (name_en, name_zh_hans, name_ja) in our
    own taxonomy: the feed names a category by its shared taxonomy id only, never by name."""
    changed_at = parse_datetime(item["changed_at"]) if isinstance(item.get("changed_at"), str) else None
    if changed_at is None or changed_at.tzinfo is None:
        raise ItemRejected(_("changed_at is not a timestamp with its UTC offset"))
    category = item.get("category")
    taxonomy_id = category.get("taxonomy_id") if isinstance(category, dict) else None
    if isinstance(taxonomy_id, bool) or not isinstance(taxonomy_id, int):
        raise ItemRejected(_("category.taxonomy_id is missing"))
    if taxonomy_id not in categories:
        raise ItemRejected(_("unknown taxonomy id %(id)s") % {"id": taxonomy_id})
    merchant = item.get("merchant")
    if not isinstance(merchant, dict):
        raise ItemRejected(_("merchant is missing"))
    hs_code = item.get("hs_code")
    if not isinstance(hs_code, str) or not HS_CODE.match(hs_code):
        raise ItemRejected(_("hs_code must be six digits, not %(value)r") % {"value": hs_code})
    origin = item.get("country_of_origin")
    if not isinstance(origin, str) or origin.upper() not in countries:
        raise ItemRejected(_("country_of_origin %(value)r is not an ISO 3166 country code") % {"value": origin})
    dimensions = item.get("dimensions_mm") or {}
    if not isinstance(dimensions, dict):
        raise ItemRejected(_("dimensions_mm must be an object"))
    texts = _texts(item)
    original_language = _text(item, "original_language", max_length=16)
    title, title_language = home_title(texts, original_language)
    brand = _text(item, "brand", max_length=120, required=False) if item.get("brand") else ""
    merchant_names = _merchant_names(merchant, original_language)
    return {
        "changed_at": changed_at,
        "merchant_code": _text(merchant, "code", max_length=80, required=False) if merchant.get("code") else "",
        "merchant_name": per_language.pick(merchant_names, settings.LANGUAGE_CODE, original_language=original_language)[
            0
        ],
        "merchant_names": merchant_names,
        "category_id": taxonomy_id,
        "brand": brand,
        "original_language": original_language,
        "texts": texts,
        "title": title[:300],
        "title_language": title_language,
        "hs_code": hs_code,
        "needs_installation": item.get("needs_installation") is True,
        "weight_grams": _whole_number(item, "weight_grams", minimum=1),
        "dimensions_mm": dimensions,
        "country_of_origin": origin.upper(),
        "export_price": _export_price(item, currencies),
        "direct_stock": _whole_number(item, "direct_stock", minimum=0),
        "variants": _variants(item, original_language),
        "images": _images(item),
        "search_document": search.document(
            brand, *categories[taxonomy_id], titles=[t["title"] for t in texts.values()]
        ),
    }


def _identity(item):
    """(reference, version) of a feed entry, or ItemRejected."""
    if not isinstance(item, dict):
        raise ItemRejected(_("the entry is not an object"))
    try:
        reference = uuid.UUID(str(item.get("id")))
    except ValueError:
        raise ItemRejected(_("id is not a UUID")) from None
    version = item.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ItemRejected(_("version must be a whole number"))
    return reference, version


def _reject(result, item, reason):
    entry_id = item.get("id") if isinstance(item, dict) else None
    result.rejections.append({"id": str(entry_id) if entry_id is not None else None, "reason": str(reason)})


@dataclass
class PreparedPage:
    """A feed page checked, translated and priced outside any transaction (prepare_page), for
    apply_page to write under lock. What changed in between is caught there."""

    result: PageResult
    entries: dict  # reference -> (version, item): the highest version of each reference
    built: dict  # reference -> PartnerListing, priced, for live entries newer than what we held
    rejected: dict  # reference -> reason, for unusable live entries newer than what we held
    held: dict  # reference -> (pk, version) of what we held when preparing (read without a lock)
    categories: dict
    sellable: dict
    priced: bool
    at: dt.datetime


def prepare_page(partnership, items):
    """The part of applying a page that needs no lock, done before its transaction (the sync runs
    it for the next page while the previous one is written): each entry checked and translated
    to a listing, its local stock looked up and its landed price computed, for the entries newer
    than the listings held (as read now, without a lock: apply_page checks again)."""
    partner = partnership.partner
    currencies = {partner.currency, partnership.settlement_currency}
    result = PageResult()
    entries = {}
    for item in items:
        try:
            reference, version = _identity(item)
        except ItemRejected as rejected:
            _reject(result, item, rejected)
            continue
        if reference not in entries or entries[reference][0] < version:
            if reference in entries:
                result.unchanged += 1
            entries[reference] = (version, item)
        else:
            result.unchanged += 1
    taxonomy_ids = {
        item["category"].get("taxonomy_id")
        for _version, item in entries.values()
        if isinstance(item.get("category"), dict) and isinstance(item["category"].get("taxonomy_id"), int)
    }
    skus = {
        v["sku"]
        for _version, item in entries.values()
        if isinstance(item.get("variants"), list)
        for v in item["variants"]
        if isinstance(v, dict) and isinstance(v.get("sku"), str)
    }
    now = timezone.now()
    categories = {
        pk: names
        for pk, *names in Category.objects.filter(pk__in=taxonomy_ids).values_list(
            "pk", "name_en", "name_zh_hans", "name_ja"
        )
    }
    sellable = sellable_by_sku(partner, skus)
    held = {
        reference: (pk, version)
        for reference, pk, version in PartnerListing.objects.filter(
            partnership=partnership, reference__in=list(entries)
        ).values_list("reference", "pk", "version")
    }
    built, rejected = {}, {}
    for reference, (version, item) in entries.items():
        pk, held_version = held.get(reference, (None, 0))
        if (pk is not None and held_version >= version) or item.get("deleted") is True:
            continue
        try:
            built[reference] = _build(
                partnership, reference, version, item, pk=pk, categories=categories, sellable=sellable,
                currencies=currencies, at=now,
            )  # fmt: skip
        except ItemRejected as reason:
            rejected[reference] = reason
    priced = _price(partnership, list(built.values()), at=now)
    return PreparedPage(result, entries, built, rejected, held, categories, sellable, priced, now)


def _build(partnership, reference, version, item, *, pk, categories, sellable, currencies, at):
    values = listing_values(item, categories=categories, currencies=currencies)
    values["local_stock"] = local_stock_of(values["variants"], sellable)
    values["ships_from"] = ships_from(values["local_stock"])
    values.update(version=version, is_active=True, updated_at=at)
    return PartnerListing(pk=pk, partnership=partnership, reference=reference, **values)


def _price(partnership, listings, *, at):
    """Price the page's new and changed listings in place, before they are written (a listing
    without a price gets the reason, as pricing always does). False when pricing itself broke (a
    bug, not a listing that has no price): the listings are written unpriced and pricing catches
    up after the commit, which logs the failure where ops look."""
    if not listings:
        return True
    try:
        context = pricing.PricingContext.load(
            [listing.pk for listing in listings if listing.pk],
            at=at,
            currencies={listing.export_price.currency.code for listing in listings},
        )
        for listing in listings:
            pricing.price_in_place(listing, context)
    except Exception:
        logger.exception("pricing %d listings of %s during the sync failed", len(listings), partnership.partner.code)
        for listing in listings:
            listing.price = listing.list_price = listing.priced_at = None
            listing.price_breakdown, listing.pricing_problem = {}, ""
        return False
    return True
