"""Writing a prepared feed page: apply_page in one transaction, under lock, with the run's cursor
and counts; new and changed listings go in with one statement (on PostgreSQL a COPY into a
temporary table, then one INSERT ... SELECT ... ON CONFLICT)."""

import io
import json
import uuid
from typing import NamedTuple

from django.db import connection, transaction
from django.db import models as db_models
from django.utils.translation import gettext as _
from djmoney.models.fields import MoneyField

from partner_zone.models import PartnerListing, SyncRun
from partner_zone.services import pricing

from .items import ItemRejected, _build, _price, _reject, prepare_page

RUN_PROGRESS = ["cursor", "pages", "items_changed", "tombstones", "unchanged", "rejected", "rejections"]


MAX_REJECTIONS = 1000  # kept on the run; the count goes on beyond it


SYNCED_FIELDS = [
    "version",
    "changed_at",
    "is_active",
    "merchant_code",
    "merchant_name",
    "merchant_names",
    "category",
    "brand",
    "original_language",
    "texts",
    "title",
    "title_language",
    "hs_code",
    "needs_installation",
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


class SyncSuperseded(Exception):
    """This run lost its claim on the partnership (taken for dead, another run took over)."""


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


_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps with these options, without its argument handling


def _json_text(value):
    return NULL if value is None else _escaped(_JSON.encode(value))


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


def _count(run, result):
    run.pages += 1
    run.items_changed += result.items_changed
    run.tombstones += result.tombstones
    run.unchanged += result.unchanged
    run.rejected += len(result.rejections)
    room = MAX_REJECTIONS - len(run.rejections)
    if room > 0:
        run.rejections = run.rejections + result.rejections[:room]


def _hold_claim(run):
    status = SyncRun.objects.select_for_update().values_list("status", flat=True).get(pk=run.pk)
    if status != SyncRun.Status.RUNNING:
        raise SyncSuperseded(_("this run was taken for dead and another one took over"))
