"""Mirroring a partner's catalog feed into PartnerListing: incremental runs from the last watermark,
one transaction per page, bad items rejected and listed while the rest goes on, and a run that a
network or partner error interrupts resumed from its cursor by the next one.

Images are referenced by the partner's absolute URLs; with PARTNER_ZONE["CACHE_IMAGES"] on,
services.images keeps local copies of them (a listing whose images change loses its copies here)."""

import datetime as dt
import io
import json
import logging
import queue
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db import models as db_models
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django_countries import countries
from djmoney.models.fields import MoneyField
from djmoney.money import Money

from catalog import feed as catalog_feed
from catalog import search
from catalog.errors import CatalogErrorCode
from catalog.models import Category
from crossborder import money
from crossborder.client import PartnerResponseUnverified, PartnerUnreachable
from crossborder.display_text import without_format_controls
from crossborder.models import Partnership
from logistics.selectors import consignment_stock_by_sku

from .. import hooks
from ..errors import PartnerZoneErrorCode
from ..models import PartnerListing, SyncRun
from . import PartnerZoneError, pricing

logger = logging.getLogger(__name__)

# Errors after which the next run resumes from the cursor: the partner or the network, not us.
INTERRUPTIONS = (PartnerUnreachable, PartnerResponseUnverified, catalog_feed.PartnerFeedError)
# A RUNNING run older than this without finishing is taken to be dead (its worker stopped) and the
# partnership may be claimed again; a live run checks its claim on every page, so it stops then.
RUN_LEASE_SECONDS = 3600
HS_CODE = re.compile(r"^[0-9]{6}$")
RUN_PROGRESS = ["cursor", "pages", "items_changed", "tombstones", "unchanged", "rejected", "rejections"]
MAX_REJECTIONS = 1000  # kept on the run; the count goes on beyond it
SYNCED_FIELDS = [
    "version",
    "changed_at",
    "is_active",
    "merchant_code",
    "merchant_name",
    "category",
    "brand",
    "original_language",
    "texts",
    "title",
    "title_language",
    "hs_code",
    "weight_grams",
    "dimensions_mm",
    "country_of_origin",
    "export_price",
    "direct_stock",
    "local_stock",
    "variants",
    "images",
    "cached_images",
    "ships_from",
    "search_document",
    "updated_at",
]
# What a sync writes of a new or changed listing: the feed's fields and the landed price
# (MoneyField currencies are columns of their own).
UPSERTED_FIELDS = [
    *SYNCED_FIELDS,
    "export_price_currency",
    *pricing.PRICED_FIELDS,
    "price_currency",
    "list_price_currency",
]


class Known(NamedTuple):
    """What a page needs of a listing it already holds."""

    reference: uuid.UUID
    pk: int
    version: int
    is_active: bool
    images: list
    cached_images: list


class ItemRejected(Exception):
    """One feed item is unusable; the reason goes to the run's report."""


class SyncSuperseded(Exception):
    """This run lost its claim on the partnership (taken for dead, another run took over)."""


@dataclass
class PageResult:
    changed_ids: list = field(default_factory=list)
    items_changed: int = 0
    tombstones: int = 0
    unchanged: int = 0
    rejections: list = field(default_factory=list)
    seen: set = field(default_factory=set)
    unpriced_ids: list = field(default_factory=list)  # for pricing to catch up with after the commit


# --- the home language ------------------------------------------------------------------------


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


# --- checking one item ------------------------------------------------------------------------


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
    if amount >= Decimal("1e12") or amount != money.round_to(amount, 2):
        raise ItemRejected(_("export_price %(amount)s has more than two decimals or is too large") % {"amount": amount})
    currency = price.get("currency")
    if currency not in currencies:
        raise ItemRejected(
            _("export_price currency %(currency)s is not one the agreement names (%(allowed)s)")
            % {"currency": currency, "allowed": ", ".join(sorted(currencies))}
        )
    return Money(amount, currency)


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


def _variants(item):
    variants = item.get("variants", [])
    if not isinstance(variants, list) or not all(
        isinstance(v, dict) and isinstance(v.get("sku"), str) and v["sku"] for v in variants
    ):
        raise ItemRejected(_("variants must be a list of objects with a sku"))
    return [
        {
            "sku": v["sku"],
            "attributes": _attributes(v.get("attributes") or {}),
            "is_active": v.get("is_active", True) is not False,
        }
        for v in variants
    ]


def _attributes(attributes):
    """A variant's size, colour and the like, shown beside the title: cleaned as the title is."""
    if not isinstance(attributes, dict):
        return attributes
    return {without_format_controls(name): without_format_controls(value) for name, value in attributes.items()}


def _images(item):
    images = item.get("images", [])
    if not isinstance(images, list) or not all(
        isinstance(url, str) and url.startswith(("https://", "http://")) for url in images
    ):
        raise ItemRejected(_("images must be a list of absolute http(s) URLs"))
    return images


def listing_values(item, *, categories, currencies):
    """The listing fields of a live feed item, or ItemRejected with the reason. `categories`
    maps the known taxonomy ids of the page to (name_en, name_zh_hans)."""
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
    return {
        "changed_at": changed_at,
        "merchant_code": _text(merchant, "code", max_length=80, required=False) if merchant.get("code") else "",
        "merchant_name": _text(merchant, "name", max_length=200, required=False) if merchant.get("name") else "",
        "category_id": taxonomy_id,
        "brand": brand,
        "original_language": original_language,
        "texts": texts,
        "title": title[:300],
        "title_language": title_language,
        "hs_code": hs_code,
        "weight_grams": _whole_number(item, "weight_grams", minimum=1),
        "dimensions_mm": dimensions,
        "country_of_origin": origin.upper(),
        "export_price": _export_price(item, currencies),
        "direct_stock": _whole_number(item, "direct_stock", minimum=0),
        "variants": _variants(item),
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


# --- local stock ------------------------------------------------------------------------------


def sellable_by_sku(partner, skus):
    """Sellable consignment units (on hand less reserved) of `partner` per SKU, in one query."""
    if not skus:
        return {}
    rows = consignment_stock_by_sku(owner=partner).filter(sku__in=list(skus))
    return {row["sku"]: max(row["on_hand"] - row["reserved"], 0) for row in rows}


def local_stock_of(variants, sellable):
    return sum(sellable.get(v["sku"], 0) for v in variants if v.get("is_active", True))


def ships_from(local_stock):
    return PartnerListing.ShipsFrom.LOCAL if local_stock > 0 else PartnerListing.ShipsFrom.DIRECT


# --- applying a page --------------------------------------------------------------------------


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
        pk: (name_en, name_zh)
        for pk, name_en, name_zh in Category.objects.filter(pk__in=taxonomy_ids).values_list(
            "pk", "name_en", "name_zh_hans"
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


def apply_page(partnership, items=None, *, prepared=None, run=None, next_cursor=""):
    """Apply one feed page's entries (`items`, or a page prepare_page prepared) in one
    transaction; with `run`, record the page's counts and `next_cursor` on it in the same
    transaction (so the page is applied exactly when the cursor moves past it; the run must still
    hold its claim). Returns the PageResult.

    New and changed listings are priced before they are written, and written once: one
    INSERT ... ON CONFLICT DO UPDATE for the page (PostgreSQL computes the search vector in a
    trigger as the row is written). Writing a listing, then its vector, then its price cost three
    row versions of a wide, much-indexed row."""
    if prepared is None:
        prepared = prepare_page(partnership, items)
    result, now = prepared.result, prepared.at
    currencies = {partnership.partner.currency, partnership.settlement_currency}
    with transaction.atomic():
        if run is not None:
            _hold_claim(run)
        existing = {
            row[0]: Known(*row)
            for row in PartnerListing.objects.select_for_update(of=("self",))
            .filter(partnership=partnership, reference__in=list(prepared.entries))
            .order_by("pk")
            .values_list("reference", "pk", "version", "is_active", "images", "cached_images")
        }
        to_write, retired, to_price = [], [], []
        for reference, (version, item) in prepared.entries.items():
            result.seen.add(reference)
            known = existing.get(reference)
            if known is not None and known.version >= version:
                result.unchanged += 1
                continue
            if item.get("deleted") is True:
                if known is None or not known.is_active:
                    result.unchanged += 1
                else:
                    result.tombstones += 1
                if known is not None:
                    retired.append(PartnerListing(pk=known.pk, is_active=False, version=version, updated_at=now))
                continue
            if reference in prepared.rejected:
                _reject(result, item, prepared.rejected[reference])
                continue
            pk = None if known is None else known.pk
            listing = prepared.built.get(reference)
            if listing is None or listing.pk != pk:
                # Changed since it was prepared (rare): build and price it again, here.
                try:
                    listing = _build(
                        partnership, reference, version, item, pk=pk, categories=prepared.categories,
                        sellable=prepared.sellable, currencies=currencies, at=now,
                    )  # fmt: skip
                except ItemRejected as rejected:
                    _reject(result, item, rejected)
                    continue
                to_price.append(listing)
            # New or changed images drop our copies of the old ones (services.images refetches).
            listing.cached_images = known.cached_images if known is not None and known.images == listing.images else []
            to_write.append(listing)
            result.items_changed += 1
        priced = prepared.priced and _price(partnership, to_price, at=now)
        _upsert(partnership, to_write, at=now)
        if retired:
            # Tombstones: few per page, and nothing but these three columns changes.
            PartnerListing.objects.bulk_update(retired, ["is_active", "version", "updated_at"])
        result.changed_ids = [listing.pk for listing in to_write] + [listing.pk for listing in retired]
        result.unpriced_ids = result.changed_ids if not priced else [listing.pk for listing in retired]
        if run is not None:
            _count(run, result)
            run.cursor = next_cursor or ""
            run.save(update_fields=RUN_PROGRESS)
    return result


def _upsert(partnership, listings, *, at):
    """Write the page's new and changed listings in one statement and set their pks."""
    if not listings:
        return
    if connection.vendor == "postgresql":
        _upsert_postgresql(listings, at=at)
        return
    written = PartnerListing.objects.bulk_create(
        listings, update_conflicts=True, unique_fields=["partnership", "reference"], update_fields=UPSERTED_FIELDS
    )
    if not all(listing.pk for listing in written):  # a database that returns no ids
        ids = dict(
            PartnerListing.objects.filter(
                partnership=partnership, reference__in=[listing.reference for listing in listings]
            ).values_list("reference", "pk")
        )
        for listing in written:
            listing.pk = ids[listing.reference]


class _Upsert(NamedTuple):
    stage: str  # the page's rows arrive in a temporary table first, by COPY
    copy: str
    insert: str  # ... then go into the listings with one INSERT ... SELECT ... ON CONFLICT
    empty: str
    values: list  # (attname, convert to COPY text) per column


_UPSERT = []


def _upsert_statement():
    """The statements of a page's upsert on PostgreSQL and each column's conversion, made once.
    COPY costs both sides less than INSERT ... VALUES with a thousand rows of 36 literals (the
    ORM's bulk_create spent more time preparing them than PostgreSQL spent writing them)."""
    if _UPSERT:
        return _UPSERT[0]
    quote = connection.ops.quote_name
    inserted = ["partnership", "reference", "created_at", *UPSERTED_FIELDS]
    fields = [PartnerListing._meta.get_field(name) for name in inserted]
    values = []
    for model_field in fields:
        # Read from the instance's __dict__, past the descriptors: a MoneyField keeps its amount
        # there, or the Money once read (its currency is a column of its own); a CountryField
        # its code.
        if isinstance(model_field, db_models.JSONField):
            convert = _json_text
        elif isinstance(model_field, MoneyField):
            convert = _amount_text
        elif model_field.name == "country_of_origin":
            convert = _country_text
        elif isinstance(model_field, db_models.BooleanField):
            convert = _bool_text
        elif isinstance(model_field, db_models.DateTimeField):
            convert = _datetime_text
        elif isinstance(model_field, db_models.CharField | db_models.TextField):
            convert = _copy_text
        else:
            convert = _plain_text  # numbers, ids, UUIDs
        values.append((model_field.attname, convert))
    table, stage = quote(PartnerListing._meta.db_table), quote("partner_zone_sync_page")
    columns = ", ".join(quote(model_field.column) for model_field in fields)
    updates = ", ".join(f"{quote(f.column)} = EXCLUDED.{quote(f.column)}" for f in fields if f.name in UPSERTED_FIELDS)
    # Names from the model, never from data; the data travels by COPY.
    statement = _Upsert(
        stage=f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS "  # noqa: S608
        f"SELECT {columns} FROM {table} WITH NO DATA",
        copy=f"COPY {stage} ({columns}) FROM STDIN",
        insert=f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {stage} "  # noqa: S608
        f"ON CONFLICT (partnership_id, reference) DO UPDATE SET {updates} RETURNING id, reference",
        empty=f"TRUNCATE {stage}",
        values=values,
    )
    _UPSERT.append(statement)
    return statement


NULL = "\\N"


def _escaped(text):
    """Text as COPY reads it: backslash, tab, newline and carriage return escaped."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_text(value):
    return NULL if value is None else _escaped(str(value))


def _amount_text(value):
    return NULL if value is None else str(getattr(value, "amount", value))


def _country_text(value):
    return _copy_text(getattr(value, "code", value) or None)


def _plain_text(value):
    return NULL if value is None else str(value)


def _json_text(value):
    return NULL if value is None else _escaped(json.dumps(value, ensure_ascii=False))


def _bool_text(value):
    return NULL if value is None else ("t" if value else "f")


def _datetime_text(value):
    return NULL if value is None else value.isoformat()


def _upsert_postgresql(listings, *, at):
    statement = _upsert_statement()
    lines = []
    for listing in listings:
        listing.created_at = listing.created_at or at
        row = listing.__dict__
        lines.append("\t".join([convert(row[attname]) for attname, convert in statement.values]))
    lines.append("")
    with connection.cursor() as cursor:
        cursor.execute(statement.stage)
        cursor.cursor.copy_expert(statement.copy, io.StringIO("\n".join(lines)))
        cursor.execute(statement.insert)
        ids = {str(reference): pk for pk, reference in cursor.fetchall()}
        cursor.execute(statement.empty)  # for a second page in the same transaction (tests)
    for listing in listings:
        listing.pk = ids[str(listing.reference)]


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


def _count(run, result):
    run.pages += 1
    run.items_changed += result.items_changed
    run.tombstones += result.tombstones
    run.unchanged += result.unchanged
    run.rejected += len(result.rejections)
    room = MAX_REJECTIONS - len(run.rejections)
    if room > 0:
        run.rejections = run.rejections + result.rejections[:room]


def after_change(listing_ids, *, to_price=None):
    """After the commit of a change to these listings: price those of `to_price` (all of them when
    None) that the change did not price itself, then tell whoever registered."""
    to_price = listing_ids if to_price is None else to_price
    if to_price:
        try:
            with transaction.atomic():
                pricing.price_listings(to_price)
        except Exception:
            # The change is applied; repricing must not undo or stop it (the nightly reprice_all
            # catches up), but ops must see it.
            logger.exception("pricing %d changed listings failed", len(to_price))
    notify_listings_changed(listing_ids)


def notify_listings_changed(listing_ids):
    """Fire hooks.listings_changed (after the commit only; a subscriber's failure is logged)."""
    if listing_ids:
        hooks.listings_changed.fire(listing_ids=list(listing_ids))


# --- a run ------------------------------------------------------------------------------------


def _claim(partnership, *, full):
    """Start a run, in one short transaction holding the partnership row: refuse while another
    live run holds the partnership; work out where to start from the earlier runs."""
    with transaction.atomic():
        locked = Partnership.objects.select_for_update().select_related("partner").get(pk=partnership.pk)
        if locked.status != Partnership.Status.ACTIVE:
            raise PartnerZoneError(
                PartnerZoneErrorCode.PARTNERSHIP_NOT_LIVE,
                _("Only an active partnership's catalog is synced; this one is %(status)s.")
                % {"status": locked.get_status_display()},
                status=409,
            )
        now = timezone.now()
        running = SyncRun.objects.filter(partnership=locked, status=SyncRun.Status.RUNNING)
        if running.filter(started_at__gt=now - dt.timedelta(seconds=RUN_LEASE_SECONDS)).exists():
            raise PartnerZoneError(
                PartnerZoneErrorCode.INVALID,
                _("A sync of this partnership is already running."),
                status=409,
            )
        running.update(
            status=SyncRun.Status.INTERRUPTED,
            error=_("abandoned: the run did not finish within %(seconds)d seconds") % {"seconds": RUN_LEASE_SECONDS},
            finished_at=now,
        )
        latest = SyncRun.objects.filter(partnership=locked).order_by("-started_at", "-pk").first()
        updated_since, cursor = "", ""
        if full:
            pass
        elif latest is not None and latest.status != SyncRun.Status.SUCCEEDED and latest.cursor:
            # Resume the unfinished fetch: same updated_since (the cursor is bound to it).
            updated_since, cursor = latest.updated_since, latest.cursor
        else:
            succeeded = (
                SyncRun.objects.filter(partnership=locked, status=SyncRun.Status.SUCCEEDED)
                .exclude(watermark="")
                .order_by("-started_at", "-pk")
                .first()
            )
            updated_since = succeeded.watermark if succeeded else ""
        run = SyncRun.objects.create(partnership=locked, updated_since=updated_since, cursor=cursor)
    return locked, run


def _hold_claim(run):
    status = SyncRun.objects.select_for_update().values_list("status", flat=True).get(pk=run.pk)
    if status != SyncRun.Status.RUNNING:
        raise SyncSuperseded(_("this run was taken for dead and another one took over"))


def _deactivate_unseen(partnership, seen, run):
    """After a complete full sync: what the full catalog no longer lists has been withdrawn."""
    active = PartnerListing.objects.filter(partnership=partnership, is_active=True)
    gone = [pk for pk, reference in active.values_list("pk", "reference") if reference not in seen]
    now = timezone.now()
    for start in range(0, len(gone), 1000):
        chunk = gone[start : start + 1000]
        with transaction.atomic():
            _hold_claim(run)
            PartnerListing.objects.filter(pk__in=chunk).update(is_active=False, updated_at=now)
            run.tombstones += len(chunk)
            run.save(update_fields=["tombstones"])
        after_change(chunk)


class _Prefetched:
    """Iterate `pages` (an iterator of feed pages, each an HTTP call) one page ahead in a thread, so
    the next page travels while this one is applied. The pages and the iterator's exceptions come
    out in order; close() stops the thread when the consumer gives up early. Inside a transaction
    (a test's, say) the pages are fetched in line: the thread's own connection could not see what
    the transaction wrote (the partner's keys, for one)."""

    _END = object()

    def __init__(self, pages):
        self._pages = pages
        self._inline = connection.in_atomic_block
        if self._inline:
            return
        self._queue = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._fetch, name="feed-prefetch", daemon=True)
        self._thread.start()

    def _put(self, item):
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def _fetch(self):
        try:
            for page in self._pages:
                if not self._put(("page", page)):
                    return
            self._put(("end", None))
        except BaseException as error:  # handed to the consumer, raised there in order
            self._put(("error", error))
        finally:
            connection.close()  # the thread's own connection (partner keys are read per call)

    def __iter__(self):
        if self._inline:
            yield from self._pages
            return
        while True:
            kind, value = self._queue.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value

    def close(self):
        if not self._inline:
            self._stop.set()
            self._thread.join(timeout=30)


def _close_connection():
    connection.close()  # this thread's own (the proxy resolves per thread when called)


class _Writer:
    """Applies prepared pages in order, in a thread of its own, one page at a time: the sync
    prepares the next page (checks, translation, pricing: Python) while PostgreSQL writes this one.
    write() hands over a page and returns the results of the pages written meanwhile; their
    errors are raised there, in order. Inside a transaction (a test's) pages are written in line,
    as _Prefetched fetches them."""

    def __init__(self, partnership, run):
        self.partnership, self.run = partnership, run
        self.pending = None
        self.executor = None if connection.in_atomic_block else ThreadPoolExecutor(1, "feed-apply")

    def _apply(self, prepared, next_cursor):
        result = apply_page(self.partnership, prepared=prepared, run=self.run, next_cursor=next_cursor)
        after_change(result.changed_ids, to_price=result.unpriced_ids)
        return result

    def write(self, prepared, next_cursor):
        if self.executor is None:
            return [self._apply(prepared, next_cursor)]
        done = self.finish()
        self.pending = self.executor.submit(self._apply, prepared, next_cursor)
        return done

    def finish(self):
        """The result of the page still being written, once written."""
        pending, self.pending = self.pending, None
        return [pending.result()] if pending is not None else []

    def close(self):
        """Let a page being written commit or fail (the run's cursor is where it ends), then
        release the thread and its connection."""
        if self.executor is None:
            return
        if self.pending is not None:
            wait([self.pending])
        self.executor.submit(_close_connection).result()
        self.executor.shutdown()


def sync_partnership(partnership, *, full=False, limit=None):
    """Mirror the partner's catalog feed: from the last successful run's watermark (the full
    catalog with `full` or the first time), or from an unfinished run's cursor. Pages are fetched
    outside any transaction (the next while this one is applied) and prepared outside it (the
    next while this one is written); each is written, with the run's cursor and counts, in one
    transaction, in order. Returns
    the SyncRun: SUCCEEDED, INTERRUPTED (the partner or the network failed; the next run resumes
    from its cursor) or FAILED. Raises PartnerZoneError when the partnership is not active or
    another run holds it."""
    partnership, run = _claim(partnership, full=full)
    resumed = bool(run.cursor)
    seen = set()
    pages = _Prefetched(
        catalog_feed.iter_partner_feed(
            partnership,
            updated_since=run.updated_since or None,
            limit=limit or settings.PARTNER_ZONE["SYNC_PAGE_SIZE"],
            cursor=run.cursor or None,
        )
    )
    watermark = ""
    writer = _Writer(partnership, run)
    try:
        try:
            for page in pages:
                for result in writer.write(prepare_page(partnership, page.items), page.next_cursor):
                    if full and not resumed:
                        seen |= result.seen
                watermark = page.watermark
            for result in writer.finish():
                if full and not resumed:
                    seen |= result.seen
        finally:
            # Before the run is finished: a page still being written commits (or fails) first.
            writer.close()
            pages.close()
        if full and not resumed:
            _deactivate_unseen(partnership, seen, run)
    except catalog_feed.PartnerFeedError as error:
        if error.code == CatalogErrorCode.INVALID_CURSOR:
            # The partner no longer honours the cursor (keys rotated, say): the next run fetches
            # again from this run's updated_since, the last good watermark.
            return _finish(run, SyncRun.Status.FAILED, error=str(error), cursor="")
        return _finish(run, SyncRun.Status.INTERRUPTED, error=str(error))
    except INTERRUPTIONS as error:
        return _finish(run, SyncRun.Status.INTERRUPTED, error=str(error) or type(error).__name__)
    except SyncSuperseded as error:
        return run if _refresh(run) else _finish(run, SyncRun.Status.INTERRUPTED, error=str(error))
    except Exception as error:
        logger.exception("the catalog sync of %s failed", partnership.partner.code)
        return _finish(run, SyncRun.Status.FAILED, error=f"{type(error).__name__}: {error}")
    return _finish(run, SyncRun.Status.SUCCEEDED, watermark=watermark, cursor="")


def _refresh(run):
    run.refresh_from_db()
    return run.status != SyncRun.Status.RUNNING


def _finish(run, status, *, error="", watermark=None, cursor=None):
    run.status = status
    run.error = error[:2000]
    run.finished_at = timezone.now()
    fields = ["status", "error", "finished_at"]
    if watermark is not None:
        run.watermark = watermark
        fields.append("watermark")
    if cursor is not None:
        run.cursor = cursor
        fields.append("cursor")
    run.save(update_fields=fields)
    return run


# --- consignment stock ------------------------------------------------------------------------


def _mentions(skus):
    """A text prefilter on the stored variants JSON for listings naming any of `skus` (PostgreSQL
    and SQLite alike); the caller checks the variants exactly."""
    mentions = Q()
    for sku in skus:
        # SQLite keeps the JSON as Django wrote it (ASCII escapes), PostgreSQL as characters.
        for spelled in {json.dumps(sku), json.dumps(sku, ensure_ascii=False)}:
            mentions |= Q(variants__icontains=f'"sku": {spelled}')
    return mentions


def offered_skus(partnership, skus):
    """The SKUs of `skus` that the partner's catalog feed ever offered us: a variant of one of its
    mirrored listings, withdrawn ones included (goods already on their way when an offer ends
    still arrive). logistics.hooks.known_partner_skus: the check of an advance shipment notice."""
    skus = {sku for sku in skus if sku}
    if not skus:
        return set()
    variants = PartnerListing.objects.filter(_mentions(skus), partnership=partnership).values_list(
        "variants", flat=True
    )
    return {v.get("sku") for listed in variants for v in listed if v.get("sku") in skus}


def listing_offering(partnership, sku):
    """The partner's active listing in our zone with a variant `sku`, or None."""
    candidates = PartnerListing.objects.filter(_mentions({sku}), partnership=partnership, is_active=True)
    return next(
        (listing for listing in candidates.order_by("pk") if any(v.get("sku") == sku for v in listing.variants)), None
    )


def refresh_local_stock(partnership, skus):
    """Recompute local_stock and ships_from of the partner's listings holding these SKUs (the
    consignment stock in our warehouses changed), in bulk; then tell pricing."""
    skus = {sku for sku in skus if sku}
    if not skus:
        return []
    partner = partnership.partner
    with transaction.atomic():
        candidates = list(
            PartnerListing.objects.select_for_update(of=("self",))
            .filter(_mentions(skus), partnership__partner=partner)
            .only("pk", "variants", "local_stock", "ships_from", "updated_at")
            .order_by("pk")
        )
        holding = [listing for listing in candidates if any(v.get("sku") in skus for v in listing.variants)]
        all_skus = {v.get("sku") for listing in holding for v in listing.variants if v.get("sku")}
        sellable = sellable_by_sku(partner, all_skus)
        changed, now = [], timezone.now()
        for listing in holding:
            stock = local_stock_of(listing.variants, sellable)
            if stock != listing.local_stock or ships_from(stock) != listing.ships_from:
                listing.local_stock = stock
                listing.ships_from = ships_from(stock)
                listing.updated_at = now  # the zone's pages are cached by their listings' updated_at
                changed.append(listing)
        PartnerListing.objects.bulk_update(changed, ["local_stock", "ships_from", "updated_at"])
        ids = [listing.pk for listing in changed]
        transaction.on_commit(lambda: after_change(ids))
    return ids
