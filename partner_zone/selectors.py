"""Reads of the zone pages and of the partner strips on the home catalog's pages: the querysets and
small read models they show, each built with a fixed number of queries whatever the number of
listings.

Only listings that are active, of an ACTIVE partnership, appear. A listing without a price (its
pricing failed: `pricing_problem`) is left out of every listing and strip; its product page still
answers, saying the price is not available, and offers nothing to order."""

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import connection
from django.db.models import Count, DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from djmoney.money import Money

from catalog import search, texts
from catalog import selectors as catalog_selectors
from catalog.models import Category
from catalog.selectors import Card, CategoryLink, country_name, language_name
from catalog.taxonomy import SEPARATOR
from crossborder import money
from crossborder.models import Partnership
from logistics.selectors import largest_sellable_level

from .landed_price import LandedPrice
from .models import Campaign, PartnerListing, ShopperEvent, ZoneCategoryCount

ZONE_NEWEST = 12
ZONE_TOP_CATEGORIES = 12
STRIP_SIZE = 8
# A home category or search page showing fewer products than this gets the partners' strip.
STRIP_BELOW = 6
# What a card never needs: the search columns and the parts only the product page shows.
CARD_DEFERRED = ("search_document", "search_vector", "price_breakdown", "variants", "dimensions_mm")
# What listing_card reads, for loaders that show nothing but cards (the recommendations): a third of
# the columns to select and convert. Keep it in step with listing_card, listing_text and image_urls.
CARD_FIELDS = (
    "reference",
    "title",
    "title_language",
    "original_language",
    "texts",
    "brand",
    "images",
    "cached_images",
    "price",
    "price_currency",
    "list_price",
    "list_price_currency",
    "ships_from",
)


# --- the zone --------------------------------------------------------------------------------------

# How long a zone page stays cached at most, whatever its generation says.
ZONE_PAGE_SECONDS = 300


@dataclass(frozen=True)
class Zone:
    """An ACTIVE partnership's zone as its pages show it: the partnership (with its partner), the
    current campaign's banner, and the zone's generation, a value that changes whenever anything a
    cached zone page shows changes: a listing synced or its local stock refreshed (`updated_at`), a
    listing repriced by a rate, a rule or a campaign (`priced_at`), the current campaign, the
    partner's name or country. Shared between requests: read it, never change it."""

    partnership: Partnership
    campaign: object  # CampaignBanner or None
    generation: str
    read_at: float = 0.0


# Each process keeps the zones it has read for CATALOG_GENERATION_SECONDS (0: none, every request
# reads its zone): within them a page lags a listing or campaign change by that much, never a
# suspension (zone() asks the partnership's status on every request).
_zones = {}


def forget_zones():
    _zones.clear()


def zone(partner_code):
    """The zone of the ACTIVE partnership with this partner, else 404: a suspended or ended zone is
    gone at once. One query whatever this process remembers: its status when the zone was read
    less than CATALOG_GENERATION_SECONDS ago, else the whole zone (see _read_zone)."""
    keep = settings.CATALOG_GENERATION_SECONDS
    now = time.monotonic()
    known = _zones.get(partner_code)
    if keep > 0 and known is not None and now - known.read_at < keep and _is_active(known.partnership.pk):
        return known
    found = _read_zone(partner_code, now)
    if found is None:
        _zones.pop(partner_code, None)
        raise Http404("No such partner zone")
    if keep > 0:
        _zones[partner_code] = found
    return found


def zone_partnership(partner_code):
    """The ACTIVE partnership with this partner, else 404."""
    return zone(partner_code).partnership


def _is_active(partnership_id):
    # In plain SQL: this runs on every zone request, and building the ORM's query for it cost more
    # than the database's answer.
    table = connection.ops.quote_name(Partnership._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status FROM {table} WHERE id = %s", [partnership_id])  # noqa: S608 (our table's name)
        row = cursor.fetchone()
    return row is not None and row[0] == Partnership.Status.ACTIVE


def _with_current_campaign(partnerships, today):
    """Each partnership with its campaign story's banner parts (campaign_title, campaign_text,
    campaign_discount, campaign_ends_on, campaign_goods, campaign_local_goods, campaign_reference;
    None without one), in the same query: the campaign `campaign_story` puts first is the one
    pricing applies."""
    campaign = campaign_story(today).filter(partnership=OuterRef("pk"))
    shown = Q(listings__is_active=True, listings__price__isnull=False)
    goods = campaign.annotate(
        goods=Count("listings", filter=shown),
        local_goods=Count("listings", filter=shown & Q(listings__ships_from=PartnerListing.ShipsFrom.LOCAL)),
    )
    return partnerships.annotate(
        campaign_title=Subquery(
            campaign.annotate(shown=Coalesce(NullIf("local_title", Value("")), "title")).values("shown")[:1]
        ),
        campaign_partner_title=Subquery(campaign.values("title")[:1]),
        campaign_text=Subquery(campaign.values("banner_text")[:1]),
        campaign_discount=Subquery(campaign.values("discount_percent")[:1]),
        campaign_ends_on=Subquery(campaign.values("ends_on")[:1]),
        campaign_reference=Subquery(campaign.values("reference")[:1]),
        campaign_goods=Subquery(goods.values("goods")[:1]),
        campaign_local_goods=Subquery(goods.values("local_goods")[:1]),
    )


def _campaign_banner_of(row):
    if row.campaign_title is None:
        return None
    goods = row.campaign_goods or 0
    return CampaignBanner(
        local_title=row.campaign_title,
        partner_title=row.campaign_partner_title or row.campaign_title,
        local_text=row.campaign_text or "",
        discount_percent=_percent(row.campaign_discount),
        ends_on=row.campaign_ends_on,
        reference=str(row.campaign_reference),
        goods=goods,
        local_only=goods > 0 and goods == (row.campaign_local_goods or 0),
    )


def _read_zone(partner_code, now):
    """The zone with its campaign and generation in one query; the newest `updated_at` and
    `priced_at` come from the (partnership, updated_at) and (partnership, priced_at) indexes."""
    listings = PartnerListing.objects.filter(partnership=OuterRef("pk"))
    row = (
        _with_current_campaign(Partnership.objects.select_related("partner"), timezone.localdate())
        .filter(partner__code=partner_code, status=Partnership.Status.ACTIVE)
        .annotate(
            listings_changed=Subquery(listings.order_by("-updated_at").values("updated_at")[:1]),
            listings_priced=Subquery(
                listings.filter(priced_at__isnull=False).order_by("-priced_at").values("priced_at")[:1]
            ),
        )
        .order_by("pk")
        .first()
    )
    if row is None:
        return None
    campaign = _campaign_banner_of(row)
    partner = row.partner
    generation = "|".join(
        str(part) for part in (row.listings_changed, row.listings_priced, campaign, partner.name, partner.country)
    )
    return Zone(partnership=row, campaign=campaign, generation=generation, read_at=now)


def cached_zone_part(zone, key_parts, compute, *, seconds=ZONE_PAGE_SECONDS):
    """`compute()`, cached per zone until its generation or the day changes (a campaign starts or
    ends with the day) or `seconds` pass. The key names the language: every part that holds text
    is in one."""
    parts = (zone.partnership.pk, get_language(), timezone.localdate(), zone.generation, *key_parts)
    return catalog_selectors.cached_under("zone:", parts, compute, seconds)


def live_campaigns(today=None):
    """Campaigns accepted by our ops that run today on goods in our zone. Our own rows of campaigns
    we proposed to the partner (on our goods in its zone) have no listings: a zone banner showing
    one would announce a campaign that prices nothing here (services.campaigns.current_campaigns)."""
    today = today or timezone.localdate()
    return Campaign.objects.filter(status=Campaign.Status.ACCEPTED, starts_on__lte=today, ends_on__gte=today).filter(
        Exists(Campaign.listings.through.objects.filter(campaign_id=OuterRef("pk")))
    )


# Which of a zone's running campaigns is its story where several overlap: the largest discount,
# then the newest start. The banner shows the first; pricing discounts that one's goods only.
STORY_ORDER = ("-discount_percent", "-starts_on", "-pk")


def campaign_story(today=None):
    """The running campaigns on the partners' goods in our zone (accepted, with a discount, with
    goods of ours: our rows of campaigns WE proposed to a partner have none), each zone's story
    first (STORY_ORDER). One source for the zone's banner and for pricing (ADR 0026)."""
    listed = Campaign.listings.through.objects.filter(campaign_id=OuterRef("pk"))
    return live_campaigns(today).filter(discount_percent__gt=0).filter(Exists(listed)).order_by(*STORY_ORDER)


def story_discounts(listing_ids, today=None):
    """{listing id: its zone's campaign story} for the listings the story covers: one query."""
    story = campaign_story(today).filter(partnership_id=OuterRef("campaign__partnership_id")).values("pk")[:1]
    links = (
        Campaign.listings.through.objects.filter(partnerlisting_id__in=list(listing_ids))
        .filter(campaign_id=Subquery(story))
        .select_related("campaign")
    )
    return {link.partnerlisting_id: link.campaign for link in links}


@dataclass
class CampaignBanner:
    """What a zone's banner says: its campaign story, its discount, and on which goods (how many
    of the zone's shown goods it covers, and whether they all ship from our local warehouse). Our
    ops localise a partner's campaign once, in the storefront's home language: a reader of another
    language sees the partner's own title instead (and no banner text), never a line that mixes the
    home language into theirs."""

    local_title: str
    partner_title: str
    local_text: str
    discount_percent: object  # Decimal or None
    ends_on: dt.date
    reference: str = ""
    goods: int = 0
    local_only: bool = False

    @property
    def in_home_language(self):
        return _same_language(get_language() or settings.LANGUAGE_CODE, settings.LANGUAGE_CODE)

    @property
    def title(self):
        return self.local_title if self.in_home_language else self.partner_title

    @property
    def text(self):
        return self.local_text if self.in_home_language else ""


def _percent(value):
    if value in (None, ""):
        return None
    value = Decimal(value)
    return money.round_to(value, 0) if value == value.to_integral() else value.normalize()


def zone_listings(partnership):
    """The zone's shown listings: active and priced."""
    return PartnerListing.objects.filter(partnership=partnership, is_active=True, price__isnull=False)


# --- cards -----------------------------------------------------------------------------------------


def _primary(code):
    return (code or "").lower().split("-")[0]


def _same_language(a, b):
    a, b = (a or "").lower(), (b or "").lower()
    return a == b or (not a.startswith("zh") and _primary(a) == _primary(b))


def title_in(texts, language):
    """A listing's title in `language` from its texts ({language: {title, ...}}), else ""."""
    for code, text in (texts or {}).items():
        if _same_language(code, language) and isinstance(text, dict) and text.get("title"):
            return text["title"]
    return ""


def listing_text(listing, language):
    """(title, description, language of the text) for a shopper reading `language`: their language
    when the partner or our translation has it, else the listing's title (home language, else the
    original)."""
    texts = listing.texts or {}
    for code, text in texts.items():
        if _same_language(code, language) and isinstance(text, dict) and text.get("title"):
            return text["title"], text.get("description", ""), code
    shown = texts.get(listing.title_language) or texts.get(listing.original_language) or {}
    description = shown.get("description", "") if isinstance(shown, dict) else ""
    return listing.title, description, listing.title_language


def listing_line_title(listing, sku, language):
    """A partner good as a cart, quote and order line names it: its title and the chosen variant
    ("Tent (2-person)") in the shopper's language, else a good default (catalog.texts)."""
    title, _description, _text_language = listing_text(listing, language)
    label = listing.variant_label(sku, language)
    return f"{title} ({label})" if label else title


def listing_variants(listing, language, *, units=None):
    """The listing's variants with their label in the shopper's language, for the order box; with
    `units` (SKU -> units left), each with its own `units_left`."""
    return [
        {
            **variant,
            "label": texts.attributes_label(
                variant.get("attributes"), language, original_language=listing.original_language
            ),
            **({"units_left": units.get(variant.get("sku"), 0)} if units is not None else {}),
        }
        for variant in listing.variants or []
        if isinstance(variant, dict)
    ]


def units_left_by_sku(listing):
    """Per option, the units one cart line can have, read as the cart reads them: the largest
    consignment level of that SKU here or the listing's direct-sale stock, whichever serves more."""
    skus = [v.get("sku") for v in listing.variants or [] if isinstance(v, dict) and v.get("sku")]
    local = largest_sellable_level(owner=listing.partnership.partner_id, skus=skus) if skus else {}
    return {sku: max(local.get(sku, 0), listing.direct_stock) for sku in skus}


def image_urls(listing):
    """The listing's images to show: our copies when they are complete, else the partner's URLs."""
    cached = listing.cached_images or []
    if cached and len(cached) == len(listing.images or []):
        return list(cached)
    urls = []
    for image in listing.images or []:
        url = image.get("url") if isinstance(image, dict) else image
        if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
            urls.append(url)
    return urls


@dataclass
class ZoneCard(Card):
    """A partner listing's card; `image` is the partner's URL of its first image, or ""."""

    list_price: object  # Money before the campaign, or None
    ships_local: bool
    partner_code: str
    price_varies = False  # (a home product's; the listing kit's card asks every card)


def listing_card(listing, language, partner_code, url_of=None):
    title, _description, text_language = listing_text(listing, language)
    images = image_urls(listing)
    list_price = listing.list_price
    if list_price is None or listing.price is None or list_price.amount <= listing.price.amount:
        list_price = None
    return ZoneCard(
        url=(url_of or catalog_selectors.reference_urls("partner_zone:product", partner_code))(listing.reference),
        title=title,
        title_language="" if _same_language(text_language, language) else text_language,
        brand=listing.brand,
        price=listing.price,
        list_price=list_price,
        image=images[0] if images else "",
        reference=str(listing.reference),
        ships_local=listing.ships_from == PartnerListing.ShipsFrom.LOCAL,
        partner_code=partner_code,
    )


def listing_cards(listings, partner_code, language=None):
    language = language or get_language()
    url_of = catalog_selectors.reference_urls("partner_zone:product", partner_code)
    return [listing_card(listing, language, partner_code, url_of) for listing in listings]


# --- categories ------------------------------------------------------------------------------------


def zone_category_link(partner_code, category, language, count=0):
    return CategoryLink(
        id=category.pk,
        name=category.name_in(language),
        url=reverse("partner_zone:category", args=[partner_code, category.pk]),
        count=count,
    )


def category_counts(queryset):
    """Listings per category of a (narrowed) scope: one grouped query. Its sum is the total."""
    rows = queryset.order_by().values("category_id").annotate(n=Count("id")).values_list("category_id", "n")
    return Counter(dict(rows))


def shown_counts(partnership, *, category_ids=None, local=False):
    """Listings the zone shows per category (in `category_ids`; only those shipping from our local
    warehouse with `local`), as category_counts(zone_listings(...)) counts them. On PostgreSQL read
    from ZoneCategoryCount (its triggers keep it current with the listings): a few hundred rows
    however many listings there are; elsewhere counted."""
    if not search.uses_postgres():
        scope = zone_listings(partnership)
        if category_ids is not None:
            scope = scope.filter(category_id__in=category_ids)
        if local:
            scope = scope.filter(ships_from=PartnerListing.ShipsFrom.LOCAL)
        return category_counts(scope)
    rows = ZoneCategoryCount.objects.filter(partnership=partnership, listings__gt=0)
    if category_ids is not None:
        rows = rows.filter(category_id__in=category_ids)
    if local:
        rows = rows.filter(ships_from=PartnerListing.ShipsFrom.LOCAL)
    counts = Counter()
    for category_id, listings in rows.values_list("category_id", "listings"):
        counts[category_id] += listings
    return counts


def category_nodes(counts):
    """The counted categories and every top-level one: one query (none when nothing was counted)."""
    if not counts:
        return []
    return list(Category.objects.filter(Q(depth=0) | Q(pk__in=list(counts))))


def top_categories(counts, nodes, partner_code, language, limit=ZONE_TOP_CATEGORIES):
    """Top-level categories with their listing counts, the biggest first."""
    if not counts:
        return []
    roots = {node.path_en: node for node in nodes if node.depth == 0}
    per_root = Counter()
    for node in nodes:
        if node.pk in counts:
            root = roots.get(node.path_en.split(SEPARATOR)[0])
            if root is not None:
                per_root[root.pk] += counts[node.pk]
    by_id = {node.pk: node for node in roots.values()}
    ranked = sorted(per_root.items(), key=lambda item: (-item[1], by_id[item[0]].path_en))
    return [zone_category_link(partner_code, by_id[pk], language, n) for pk, n in ranked[:limit]]


def subtree_condition(category):
    """Listings in `category` or anywhere below it: the subtree's ids from the process's category
    trees (catalog.selectors.category_tree), so that the listings' indexes answer it, without a join
    of the categories' paths."""
    return Q(category_id__in=catalog_selectors.category_tree(category.pk).subtree_ids)


# --- listing pages ---------------------------------------------------------------------------------

# The listing kit's orders; a shown listing always has a price, so "high to low" needs no NULLS
# LAST and reads listing_shown_price_idx backwards (ties by incremental sort).
SORTS = {**catalog_selectors.sort_orders("changed_at"), "-price": (F("price").desc(), "-changed_at", "-id")}


# A price sort over a scope of at most this many listings reads the scope through its category
# index and sorts it (a few milliseconds). The partnership's price index would give the order
# without a sort, but a few categories of cheap goods sorted "high to low" made PostgreSQL walk it
# from the top past 39,000 other listings before it found 24 of theirs (75-150 ms; bench/README.md).
SORT_SCOPE_BELOW = 3_000


def sort_listings(queryset, sort, *, scope_size=None):
    """The zone's listings in `sort` order. With the scope's size known and small, a price sort is by
    an expression no index orders by (the same order), so the scope is read and sorted instead."""
    if scope_size is not None and scope_size <= SORT_SCOPE_BELOW and sort in ("price", "-price"):
        by_price = ExpressionWrapper(F("price") + Value(Decimal(0)), output_field=DecimalField())
        first = by_price.asc(nulls_last=True) if sort == "price" else by_price.desc()
        return queryset.order_by(first, *SORTS[sort][1:])
    return catalog_selectors.sorted_by(queryset, sort, SORTS)


def for_cards(queryset):
    return queryset.defer(*CARD_DEFERRED)


def paginate(queryset, *, total, page_number):
    return catalog_selectors.paginate(for_cards(queryset), total=total, page_number=page_number)


def newest_listings(partnership, limit=ZONE_NEWEST):
    return list(for_cards(zone_listings(partnership)).order_by(*SORTS["newest"])[:limit])


def search_scope(partnership, query):
    return search.apply(zone_listings(partnership), query)


def search_result_count(zone, query):
    """How many of the zone's listings a query finds (before the shopper's filters), cached with the
    zone's pages: recorded with each search for the partner's demand report."""
    return cached_zone_part(zone, ("search-count", query), lambda: search_scope(zone.partnership, query).count())


def known_category_id(value):
    """The id of an existing category from a query parameter, else None (one query when given)."""
    value = str(value or "").strip()
    if not value.isdigit() or len(value) > 9:
        return None
    return Category.objects.filter(pk=int(value)).values_list("pk", flat=True).first()


# --- the product page ------------------------------------------------------------------------------


def product_listing(partnership, reference):
    """An active listing of the zone (priced or not) with its category: one query."""
    listing = (
        PartnerListing.objects.select_related("category")
        .defer("search_document", "search_vector")
        .filter(partnership=partnership, reference=reference, is_active=True)
        .first()
    )
    if listing is None:
        raise Http404("No such partner product")
    listing.partnership = partnership  # already loaded: is_orderable reads its status
    return listing


def category_ancestors(category):
    """The category's ancestors, root first: one query (none for a top-level category)."""
    parts = category.path_en.split(SEPARATOR)
    prefixes = [SEPARATOR.join(parts[: i + 1]) for i in range(len(parts) - 1)]
    if not prefixes:
        return []
    return sorted(Category.objects.filter(path_en__in=prefixes), key=lambda node: node.depth)


def as_money(value, currency=None):
    """A breakdown amount ({"amount", "currency"}, "12.30", "12.30 CNY" or a number) as Money."""
    currency = currency or settings.PLATFORM_CURRENCY
    if value in (None, ""):
        return None
    if isinstance(value, Money):
        return value
    try:
        if isinstance(value, dict):
            return Money(Decimal(str(value["amount"])), value.get("currency") or currency)
        if isinstance(value, str) and " " in value.strip():
            amount, code = value.strip().split(None, 1)
            return Money(Decimal(amount), code)
        return Money(Decimal(str(value)), currency)
    except (InvalidOperation, KeyError, TypeError, ValueError):
        return None


@dataclass
class BreakdownRow:
    key: str
    label: str
    amount: object  # Money
    note: str = ""


@dataclass
class PriceBreakdown:
    """The landed price in the plain words a shopper reads: its rows add up to `total`."""

    rows: list = field(default_factory=list)
    total: object = None  # Money: what the shopper pays for one unit
    duties_included: bool = True
    discount: object = None  # the discount's BreakdownRow, or None
    fx_rate: str = ""
    ships_from: str = PartnerListing.ShipsFrom.DIRECT
    delivery_days: str = ""

    @property
    def ships_local(self):
        return self.ships_from == PartnerListing.ShipsFrom.LOCAL


def discount_label(landed):
    """What a discount of the landed price is called: the campaign's title and percent, or the
    aged-stock markdown's percent."""
    if landed.campaign is not None:
        percent = _percent(landed.campaign.discount_percent)
        return _("%(title)s: %(percent)s%% off") % {"title": landed.campaign.title, "percent": percent}
    if landed.markdown is not None:
        return _("Clearance of stock in our warehouse: %(percent)s%% off") % {"percent": landed.markdown.percent}
    return _("Discount")


def price_breakdown(listing):
    """The landed price's lines as the product page lists them (LandedPrice.shopper_lines): goods,
    service fee, duties and taxes once (included, or added at checkout), shipping, the discount and
    the total they add up to."""
    landed = LandedPrice.from_dict(listing.price_breakdown)
    if landed is None:
        return None
    currency = landed.currency or settings.PLATFORM_CURRENCY
    lines, total = landed.shopper_lines()
    labels = {
        "goods": _("Goods"),
        "fees": _("Service fee"),
        "taxes": _("Duties and taxes"),
        "shipping": _("Shipping"),
        "discount": discount_label(landed),
    }
    notes = {
        "taxes": _("included") if landed.duties_included else _("added at checkout"),
    }
    rows = [
        BreakdownRow(line.key, labels[line.key], Money(line.amount, currency), notes.get(line.key, ""))
        for line in lines
    ]
    ships_from = landed.ships_from or listing.ships_from
    days = landed.delivery_days or (
        settings.PARTNER_ZONE["LOCAL_DELIVERY_DAYS"]
        if ships_from == PartnerListing.ShipsFrom.LOCAL
        else settings.PARTNER_ZONE["DIRECT_DELIVERY_DAYS"]
    )
    return PriceBreakdown(
        rows=rows,
        total=Money(total, currency),
        duties_included=landed.duties_included,
        discount=next((row for row in rows if row.key == "discount"), None),
        fx_rate=str(landed.fx_rate or ""),
        ships_from=ships_from,
        delivery_days=str(days),
    )


def product_page(listing, partnership, language):
    title, description, text_language = listing_text(listing, language)
    units = units_left_by_sku(listing)
    active = [v for v in listing.variants or [] if isinstance(v, dict) and v.get("is_active", True) and v.get("sku")]
    chosen = next((v["sku"] for v in active if units.get(v["sku"], 0) > 0), "")
    category = listing.category
    in_own_language = _same_language(text_language, language)
    return {
        "listing": listing,
        "title": title,
        "description": description,
        "text_language": text_language,
        "shown_in_original": not in_own_language,
        "original_language_name": "" if in_own_language else language_name(text_language),
        "images": image_urls(listing),
        "breakdown": price_breakdown(listing) if listing.price is not None else None,
        "orderable": listing.is_orderable,
        # What one cart line can have (the checkout serves a line from consignment stock here or
        # from the partner's direct-sale stock), per option as the cart refuses it: the page offers
        # the box while any option has units, first choosing the first of them (units_left_by_sku).
        "units_left": max(
            (units.get(v["sku"], 0) for v in active), default=max(listing.local_stock, listing.direct_stock)
        ),
        "chosen_sku": chosen,
        "quantity_max": max(
            min(units.get(chosen, 0) if chosen else max(listing.local_stock, listing.direct_stock), 99), 1
        ),
        "category_name": category.name_in(language),
        "breadcrumb": [
            zone_category_link(partnership.partner.code, node, language)
            for node in [*category_ancestors(category), category]
        ],
        "country_name": country_name(listing.country_of_origin.code) if listing.country_of_origin else "",
        "variants": listing_variants(listing, language, units=units),
        "merchant_name": listing.merchant_name_in(language),
    }


# --- on the home catalog's pages -------------------------------------------------------------------


@dataclass
class ZoneEntrance:
    code: str
    name: str
    country: str
    country_name: str
    url: str
    campaign: object  # CampaignBanner or None


def zone_entrances(today=None):
    """One entrance per ACTIVE partnership with its current campaign, in one query."""
    today = today or timezone.localdate()
    rows = (
        _with_current_campaign(Partnership.objects.filter(status=Partnership.Status.ACTIVE), today)
        .select_related("partner")
        .order_by("partner__code")
    )
    return [
        ZoneEntrance(
            code=row.partner.code,
            name=row.partner.name,
            country=row.partner.country,
            country_name=country_name(row.partner.country),
            url=reverse("partner_zone:landing", args=[row.partner.code]),
            campaign=_campaign_banner_of(row),
        )
        for row in rows
    ]


@dataclass
class PartnerStrip:
    code: str
    name: str
    country_name: str
    url: str
    cards: list


def partner_strips(*, category=None, query=None, language=None, limit=STRIP_SIZE):
    """Up to `limit` partner listings of a category subtree or matching a search, from every ACTIVE
    partnership, grouped per partner: one query."""
    language = language or get_language()
    listings = PartnerListing.objects.filter(
        is_active=True, price__isnull=False, partnership__status=Partnership.Status.ACTIVE
    )
    if category is not None:
        listings = listings.filter(subtree_condition(category))
        order = SORTS["newest"]
    elif query:
        listings = search.apply(listings, query)
        order = SORTS["relevance"] if search.uses_postgres() else SORTS["newest"]
    else:
        return []
    rows = list(for_cards(listings.select_related("partnership__partner")).order_by(*order)[:limit])
    strips = {}
    for listing in rows:
        partner = listing.partnership.partner
        if partner.code not in strips:
            if category is not None:
                url = reverse("partner_zone:category", args=[partner.code, category.pk])
            else:
                url = reverse("partner_zone:search", args=[partner.code]) + "?" + urlencode({"q": query})
            strips[partner.code] = PartnerStrip(
                code=partner.code, name=partner.name, country_name=country_name(partner.country), url=url, cards=[]
            )
        strips[partner.code].cards.append(listing_card(listing, language, partner.code))
    return list(strips.values())


def subtree_total(counts, nodes, category):
    """How many of the counted listings (per category id) lie in `category`'s subtree, without a
    query: `nodes` (category_nodes) carry the counted categories' paths."""
    inside = {category.pk}
    prefix = category.path_en + SEPARATOR
    for node in nodes:
        if node.path_en.startswith(prefix):
            inside.add(node.pk)
    return sum(n for pk, n in counts.items() if pk in inside)


def history_export(user):
    """A shopper's own browsing and search history, for the export of their data: what, which, when."""
    events = (
        ShopperEvent.objects.filter(user=user)
        .select_related("listing", "product")
        .order_by("-created_at", "-id")[:10_000]
    )
    return [
        {
            "kind": event.kind,
            "at": event.created_at.isoformat(),
            "query": event.query,
            "product": str(event.product) if event.product_id else None,
            "partner_listing": str(event.listing) if event.listing_id else None,
        }
        for event in events
    ]


# --- a partner's record, for the partners app ----------------------------------------------------


def catalog_figures(*, partnership, language, at=None, before=None):
    """The partner's offered catalog as mirrored here: live listings now, those with texts in
    `language`, those with local (consignment) stock, those needing installation; and how many
    listings had been mirrored by `at` and by `before` (the catalog's growth). One query."""
    live = Q(is_active=True)
    found = PartnerListing.objects.filter(partnership=partnership).aggregate(
        live=Count("id", filter=live),
        in_language=Count("id", filter=live & Q(texts__has_key=language)),
        local_stock=Count("id", filter=live & Q(local_stock__gt=0)),
        needs_installation=Count("id", filter=live & Q(needs_installation=True)),
        by_at=Count("id", filter=Q(created_at__lt=at)) if at else Value(None),
        by_before=Count("id", filter=Q(created_at__lt=before)) if before else Value(None),
    )
    return found


def consignment_stock_values(*, partner_code=None):
    """The partners' goods held on consignment in our warehouses, valued at their export prices:
    per partner and export currency, the units (`local_stock` of its listings) and their value
    [{partner, partner_name, currency, units, value}], one query."""
    listings = PartnerListing.objects.filter(local_stock__gt=0)
    if partner_code:
        listings = listings.filter(partnership__partner__code=partner_code)
    value = ExpressionWrapper(F("local_stock") * F("export_price"), output_field=DecimalField(**money.MONEY_COLUMN))
    rows = (
        listings.values("partnership__partner__code", "partnership__partner__name", "export_price_currency")
        .annotate(units=Sum("local_stock"), value=Sum(value))
        .order_by("partnership__partner__code", "export_price_currency")
    )
    return [
        {
            "partner": row["partnership__partner__code"],
            "partner_name": row["partnership__partner__name"],
            "currency": row["export_price_currency"],
            "units": row["units"],
            "value": row["value"],
        }
        for row in rows
    ]
