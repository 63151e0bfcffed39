"""The partner catalog feed, both ends of it.

Exporting side: which of our export offers a partner sees, in what order, and from where it may
resume (a signed cursor within one fetch, a watermark between fetches). Importing side: the loop
that pages through a partner's feed over the signed partner API.

Ordering and resumption rules (the OpenAPI description of the endpoint repeats them):

- Offers come in ascending (changed_at, id). Any change to an offer or its product stamps the
  offer with a new changed_at and a higher version, so an offer changed while a partner pages
  moves behind the cursor and comes again later: never skipped, possibly sent twice; the partner
  keeps the highest version.
- A write stamps changed_at before it commits. So that a late commit is never missed, the
  watermark stays CATALOG_FEED_SETTLE_SECONDS behind the start of the fetch (the first page's
  request), and on a page with more to come it is also capped by the last item's changed_at.
  `updated_since` is inclusive; what is sent twice is harmless for the same reason as above.
"""

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.encoding import filepath_to_uri
from django.utils.translation import gettext as _

from crossborder import client as partner_client

from . import serializers
from .errors import CatalogErrorCode
from .models import ExportOffer, Product, ProductImage, ProductText, ProductVariant
from .services import CatalogError

FEED_PATH = "/partner-api/v1/catalog/"
MAX_LIMIT = 1000
MAX_CURSOR_CHARS = 400
CURSOR_SALT = "catalog.feed.cursor"


# --- exporting side: reading a page ------------------------------------------------------------


@dataclass(frozen=True)
class FeedQuery:
    """One page request, checked: where to start, and what the whole fetch asked for."""

    updated_since: dt.datetime | None
    limit: int
    started_at: dt.datetime  # when the fetch's first page was asked for
    after: tuple | None = None  # (changed_at, id) of the last entry already sent


def parse_updated_since(value):
    """An ISO 8601 timestamp with its UTC offset; None when absent."""
    if value is None or value == "":
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise CatalogError(
            CatalogErrorCode.INVALID,
            _("updated_since must be an ISO 8601 timestamp such as 2025-01-31T08:00:00Z."),
            field="updated_since",
        )
    if moment.tzinfo is None:
        raise CatalogError(
            CatalogErrorCode.INVALID,
            _("updated_since needs a UTC offset (Z or +08:00, with + written as %2B in a URL)."),
            field="updated_since",
        )
    try:
        # In UTC from here on: the database takes offsets only up to about 16 hours, and a moment
        # near year 1 or 9999 may have no UTC time at all.
        return moment.astimezone(dt.UTC)
    except OverflowError:
        raise CatalogError(
            CatalogErrorCode.INVALID,
            _("updated_since is outside the years 1 to 9999 in UTC."),
            field="updated_since",
        ) from None


def parse_limit(value):
    if value is None or value == "":
        return settings.CATALOG_FEED_PAGE_SIZE
    try:
        limit = int(value)
    except (TypeError, ValueError):
        limit = None
    if limit is None or not 1 <= limit <= MAX_LIMIT:
        raise CatalogError(
            CatalogErrorCode.INVALID,
            _("limit must be a whole number from 1 to %(max)d.") % {"max": MAX_LIMIT},
            field="limit",
        )
    return limit


def _cursor_salt(partnership):
    # Bound to the partnership: one partner's cursor means nothing in another's feed.
    return f"{CURSOR_SALT}:{partnership.reference}"


def encode_cursor(partnership, *, updated_since, started_at, last_changed_at, last_id):
    payload = {
        "q": serializers.iso(updated_since) if updated_since else None,
        "s": serializers.iso(started_at),
        "t": serializers.iso(last_changed_at),
        "i": last_id,
    }
    return signing.dumps(payload, salt=_cursor_salt(partnership), compress=True)


def _bad_cursor(detail):
    return CatalogError(CatalogErrorCode.INVALID_CURSOR, detail, field="cursor")


def decode_cursor(partnership, value, *, updated_since):
    """The cursor's position and fetch start, if it is one of ours, for this partner and this query."""
    if len(value) > MAX_CURSOR_CHARS:
        raise _bad_cursor(_("This cursor is not one the feed issued."))
    try:
        payload = signing.loads(value, salt=_cursor_salt(partnership))
        query = payload["q"]
        started_at = parse_datetime(payload["s"])
        after = (parse_datetime(payload["t"]), int(payload["i"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise _bad_cursor(_("This cursor is not one the feed issued, or it was altered.")) from None
    if query != (serializers.iso(updated_since) if updated_since else None):
        raise _bad_cursor(
            _("This cursor belongs to a fetch with another updated_since; repeat that fetch's updated_since.")
        )
    return started_at, after


def parse_feed_query(partnership, params):
    """Check a page request's parameters (cursor, updated_since, limit); errors name the field."""
    updated_since = parse_updated_since(params.get("updated_since"))
    limit = parse_limit(params.get("limit"))
    cursor = params.get("cursor")
    if cursor:
        started_at, after = decode_cursor(partnership, cursor, updated_since=updated_since)
        return FeedQuery(updated_since=updated_since, limit=limit, started_at=started_at, after=after)
    return FeedQuery(updated_since=updated_since, limit=limit, started_at=timezone.now())


# What a feed entry needs of an offer and its product, read as plain rows: building model instances
# (and djmoney's wrapped managers) for a thousand offers cost ten times the SQL itself.
OFFER_COLUMNS = (
    "id",
    "version",
    "changed_at",
    "is_offered",
    "export_price",
    "export_price_currency",
    "direct_stock",
    "product_id",
    "product__reference",
    "product__status",
    "product__merchant__slug",
    "product__merchant__name",
    "product__merchant__names",
    "product__category_id",
    "product__category__path_en",
    "product__brand",
    "product__original_language",
    "product__hs_code",
    "product__needs_installation",
    "product__weight_grams",
    "product__length_mm",
    "product__width_mm",
    "product__height_mm",
    "product__country_of_origin",
)


def is_live(row):
    """A partner may list the product: offered to it, and on sale here."""
    return row["is_offered"] and row["product__status"] == Product.Status.ACTIVE


def _page_offers(partnership, query):
    """The offers a page is read from, in feed order (changed_at, id), from the query's position on."""
    offers = ExportOffer.objects.filter(partnership=partnership)
    if query.updated_since is None:
        # The full catalog: only what the partner may list now.
        offers = offers.filter(is_offered=True, product__status=Product.Status.ACTIVE)
    else:
        # Every change since, withdrawals included (they become tombstones).
        offers = offers.filter(changed_at__gte=query.updated_since)
    if query.after is not None:
        changed_at, offer_id = query.after
        # The redundant >= lets the (partnership, changed_at, id) index bound the scan.
        offers = offers.filter(changed_at__gte=changed_at).filter(
            Q(changed_at__gt=changed_at) | Q(changed_at=changed_at, id__gt=offer_id)
        )
    return offers.order_by("changed_at", "id")


def feed_rows(partnership, query):
    """The offers of one page as dicts of OFFER_COLUMNS (one more than the limit, to tell whether
    more follow), in one query."""
    return list(_page_offers(partnership, query).values(*OFFER_COLUMNS)[: query.limit + 1])


def product_parts(product_ids, *, media_base):
    """Texts, variants and image URLs of these products, grouped by product: three queries."""
    texts, variants = defaultdict(dict), defaultdict(list)
    rows = ProductText.objects.filter(product_id__in=product_ids).order_by("language")
    for product_id, language, title, description in rows.values_list("product_id", "language", "title", "description"):
        texts[product_id][language] = {"title": title, "description": description}
    rows = ProductVariant.objects.filter(product_id__in=product_ids).order_by("position", "id")
    columns = ("product_id", "sku", "attributes", "is_active", "weight_grams", "length_mm", "width_mm", "height_mm")
    for row in rows.values(*columns):
        variants[row["product_id"]].append(serializers.feed_variant(row))
    return texts, variants, product_images(product_ids, media_base=media_base)


def product_images(product_ids, *, media_base):
    """The image URLs of these products, grouped by product, in their order: one query."""
    images = defaultdict(list)
    rows = ProductImage.objects.filter(product_id__in=product_ids).order_by("position", "id")
    for product_id, name in rows.values_list("product_id", "image"):
        images[product_id].append(media_base + filepath_to_uri(name))
    return images


def feed_page(partnership, query):
    """One page of the feed as the partner API returns it: four queries for any page size."""
    rows = feed_rows(partnership, query)
    has_more = len(rows) > query.limit
    rows = rows[: query.limit]
    live = [row["product_id"] for row in rows if is_live(row)]
    texts, variants, images = product_parts(live, media_base=serializers.media_base_url()) if live else ({}, {}, {})
    items = [
        serializers.feed_item(
            row,
            texts=texts.get(row["product_id"], {}),
            variants=variants.get(row["product_id"], []),
            images=images.get(row["product_id"], []),
        )
        if is_live(row)
        else serializers.feed_tombstone(row)
        for row in rows
    ]
    return {"items": items, **_page_end(partnership, query, rows[-1] if has_more else None)}


def _page_end(partnership, query, last):
    """next_cursor, has_more and watermark of a page; `last` is its last offer ({"id",
    "changed_at"}) when more follow, else None."""
    watermark = query.started_at - dt.timedelta(seconds=settings.CATALOG_FEED_SETTLE_SECONDS)
    next_cursor = None
    if last is not None:
        # Stopping here and resuming from the watermark must not skip the entries not yet sent.
        watermark = min(watermark, last["changed_at"])
        next_cursor = encode_cursor(
            partnership,
            updated_since=query.updated_since,
            started_at=query.started_at,
            last_changed_at=last["changed_at"],
            last_id=last["id"],
        )
    return {"next_cursor": next_cursor, "has_more": last is not None, "watermark": serializers.iso(watermark)}


# On PostgreSQL a page's live items are built as JSON text by the database (feed_page_json): the
# same entries serializers.feed_item builds, but without a thousand rows of model values, dicts
# and Python JSON encoding on every page (most of the exporter's time in a partner's full sync).
# Only the export price (rounded by crossborder.money) and the image URLs (quoted by Django) are
# added in Python. tests/catalog/test_feed.py checks that both ways give the same page.
_VARIANT_BASE = "'sku', v.sku, 'attributes', v.attributes, 'is_active', v.is_active"
_VARIANT_WEIGHT = "'weight_grams', v.weight_grams"
_VARIANT_SIZE = "'dimensions_mm', json_build_object('length', v.length_mm, 'width', v.width_mm, 'height', v.height_mm)"
_HAS_WEIGHT = "COALESCE(v.weight_grams, 0) <> 0"
_HAS_SIZE = "COALESCE(v.length_mm, 0) <> 0 AND COALESCE(v.width_mm, 0) <> 0 AND COALESCE(v.height_mm, 0) <> 0"
_VARIANT = (
    f"CASE WHEN {_HAS_WEIGHT} AND {_HAS_SIZE} THEN json_build_object({_VARIANT_BASE}, {_VARIANT_WEIGHT}, {_VARIANT_SIZE})"
    f" WHEN {_HAS_WEIGHT} THEN json_build_object({_VARIANT_BASE}, {_VARIANT_WEIGHT})"
    f" WHEN {_HAS_SIZE} THEN json_build_object({_VARIANT_BASE}, {_VARIANT_SIZE})"
    f" ELSE json_build_object({_VARIANT_BASE}) END"
)
# A merchant without names per language is named by its one name in our language (as feed_item).
_NO_NAMES = "m.names IS NULL OR m.names IN ('{}', 'null', '[]', '\"\"', '0', 'false')"
_PAGE_SQL = f"""
SELECT o.id, o.changed_at, o.version, p.reference::text, o.is_offered AND p.status = %s,
       o.export_price, o.export_price_currency,
       ARRAY(SELECT i.image FROM catalog_productimage i WHERE i.product_id = p.id ORDER BY i.position, i.id),
       CASE WHEN o.is_offered AND p.status = %s THEN json_build_object(
           'id', p.reference, 'deleted', false, 'version', o.version,
           'changed_at', to_char(o.changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
           'merchant', json_build_object(
               'code', m.slug,
               'name', CASE WHEN {_NO_NAMES} THEN json_build_object(%s, m.name) ELSE m.names::json END),
           'category', json_build_object('taxonomy_id', p.category_id, 'path_en', c.path_en),
           'brand', p.brand, 'original_language', p.original_language,
           'texts', COALESCE((
               SELECT json_object_agg(t.language, json_build_object('title', t.title, 'description', t.description)
                                      ORDER BY t.language)
               FROM catalog_producttext t WHERE t.product_id = p.id), '{{}}'::json),
           'hs_code', p.hs_code, 'needs_installation', p.needs_installation, 'weight_grams', p.weight_grams,
           'dimensions_mm', json_build_object('length', p.length_mm, 'width', p.width_mm, 'height', p.height_mm),
           'country_of_origin', p.country_of_origin, 'direct_stock', o.direct_stock,
           'variants', COALESCE((
               SELECT json_agg({_VARIANT} ORDER BY v.position, v.id)
               FROM catalog_productvariant v WHERE v.product_id = p.id), '[]'::json)
       )::text END
FROM catalog_exportoffer o
JOIN ({{page}}) page ON page.id = o.id
JOIN catalog_product p ON p.id = o.product_id
JOIN catalog_merchant m ON m.id = p.merchant_id
JOIN catalog_category c ON c.id = p.category_id
ORDER BY o.changed_at, o.id
"""  # noqa: S608 - constants; the page's own query (the ORM's) comes with its parameters


def _dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def feed_page_json(partnership, query):
    """The page of feed_page as the JSON text the partner API sends (bytes): on PostgreSQL its
    live items built by the database in one query, elsewhere feed_page rendered."""
    if connection.vendor != "postgresql":
        return _dumps(feed_page(partnership, query)).encode()
    page_ids = _page_offers(partnership, query).values("id")[: query.limit + 1]
    page_sql, page_params = page_ids.query.sql_with_params()
    params = [Product.Status.ACTIVE, Product.Status.ACTIVE, settings.LANGUAGE_CODE, *page_params]
    with connection.cursor() as cursor:
        cursor.execute(_PAGE_SQL.replace("{page}", page_sql), params)
        rows = cursor.fetchall()
    has_more = len(rows) > query.limit
    rows = rows[: query.limit]
    media_base = serializers.media_base_url()
    items = []
    for _offer_id, changed_at, version, reference, live, amount, currency, images, item in rows:
        if not live:
            row = {"product__reference": reference, "version": version, "changed_at": changed_at}
            items.append(_dumps(serializers.feed_tombstone(row)))
            continue
        price = _dumps(serializers.export_amount(amount, currency))
        urls = _dumps([media_base + filepath_to_uri(name) for name in images]) if images else "[]"
        items.append(f'{item[:-1]}, "export_price" : {price}, "images" : {urls}}}')
    last = {"id": rows[-1][0], "changed_at": rows[-1][1]} if has_more else None
    end = _dumps(_page_end(partnership, query, last))
    return f'{{"items":[{",".join(items)}],{end[1:]}'.encode()


# --- importing side: paging through a partner's feed ------------------------------------------


class PartnerFeedError(Exception):
    """The partner answered the feed request with a refusal or with something that is not a page."""

    def __init__(self, detail, *, status=None, code=None):
        super().__init__(detail)
        self.status = status
        self.code = code


@dataclass(frozen=True)
class ReceivedPage:
    items: list
    next_cursor: str | None
    has_more: bool
    watermark: str

    @property
    def tombstones(self):
        return sum(1 for item in self.items if item.get("deleted"))


def _received_page(reply):
    if reply.status != 200:
        detail = reply.data.get("detail") if isinstance(reply.data, dict) else None
        raise PartnerFeedError(
            f"the partner refused the feed request (HTTP {reply.status}, {reply.code}): {detail}",
            status=reply.status,
            code=reply.code,
        )
    data = reply.data
    try:
        page = ReceivedPage(
            items=list(data["items"]),
            next_cursor=data["next_cursor"],
            has_more=bool(data["has_more"]),
            watermark=str(data["watermark"]),
        )
    except (KeyError, TypeError) as exc:
        raise PartnerFeedError(f"the partner's reply is not a feed page (missing {exc})") from None
    if not all(isinstance(item, dict) and "id" in item and "version" in item for item in page.items):
        raise PartnerFeedError("the partner's feed page holds entries without an id and a version")
    if page.has_more and not page.next_cursor:
        raise PartnerFeedError("the partner says more pages follow but gives no cursor")
    return page


def iter_partner_feed(partnership, *, updated_since=None, limit=None, cursor=None):
    """Yield the pages of the partner's catalog feed (signed requests, verified replies), from
    `updated_since` (an aware datetime or ISO string; None for the full catalog) to the end.
    Keep the last page's watermark for the next fetch. With `cursor` (a page's next_cursor from an
    earlier, interrupted fetch with the same `updated_since`), start after that page.

    Makes one HTTP call per page: never call it inside a database transaction."""
    params = {}
    if updated_since:
        params["updated_since"] = updated_since if isinstance(updated_since, str) else serializers.iso(updated_since)
    if limit:
        params["limit"] = str(limit)
    cursor = cursor or None
    while True:
        reply = partner_client.call_partner(
            partnership.partner, "GET", FEED_PATH, params={**params, **({"cursor": cursor} if cursor else {})}
        )
        page = _received_page(reply)
        if page.has_more and page.next_cursor == cursor:
            raise PartnerFeedError("the partner's feed returned the same cursor twice")
        yield page
        if not page.has_more:
            return
        cursor = page.next_cursor
