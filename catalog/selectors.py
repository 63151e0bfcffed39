"""Storefront reads: the querysets and small read models the shopper's pages show, each built with a
fixed number of queries whatever the number of products on the page.

Listing pages (category and search) share one shape: a *scope* (the active products of a category
subtree, or those matching a search), narrowed by the price and stock filters, then by brand and
country. One grouped query over the narrowed scope counts products per (category, brand, country):
from those rows come the brand and country facets, the sub-category counts and the exact total for
the paginator, so the page never runs a separate COUNT(*). The rows are cached, keyed by the newest
product change, so a repeat visit costs one indexed MAX() instead of the aggregate."""

import contextlib
import contextvars
import hashlib
import time
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, F, Max, Prefetch, Q
from django.http import Http404
from django.urls import reverse
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from . import search, taxonomy
from .models import Category, ExportOffer, Product, ProductImage, ProductText, ProductVariant
from .taxonomy import SEPARATOR

FACET_CACHE_SECONDS = 300
HOME_NEWEST = 12
# What a listing never needs to load: the search document and vector are the largest columns.
HEAVY_COLUMNS = ("search_document", "search_vector")


# --- texts in the shopper's language -----------------------------------------------------------


def _primary(code):
    return (code or "").lower().split("-")[0]


def pick_text(texts, language, original_language):
    """The text to show a shopper who reads `language`: theirs if the merchant wrote it, else the
    original-language text (else any). Returns (text, shown_in_original); `shown_in_original` is
    True when the shopper is not reading their own language."""
    texts = list(texts)
    if not texts:
        return None, False
    language = (language or "").lower()
    for text in texts:
        if text.language.lower() == language:
            return text, False
    if not language.startswith("zh"):  # en-gb reads en; zh-hans must never get zh-hant
        for text in texts:
            if _primary(text.language) == _primary(language):
                return text, False
    for text in texts:
        if text.language.lower() == (original_language or "").lower():
            return text, True
    return texts[0], True


def language_name(code):
    """A language's name in that language (简体中文, English), for the 'shown in' note."""
    try:
        return get_language_info(code)["name_local"]
    except KeyError:
        return code


# --- product cards -----------------------------------------------------------------------------


@dataclass
class Card:
    """What the listing kit's card (catalog.cards) shows of every item."""

    url: str
    title: str
    title_language: str  # set only when the title is not in the shopper's language
    brand: str
    price: object  # Money or None
    image: object
    reference: str


@dataclass
class ProductCard(Card):
    """A home product's card; `image` is a ProductImage or None."""

    price_varies: bool
    in_stock: bool
    list_price = None  # (a partner card's; the listing kit's card asks every card)


def with_card_parts(queryset):
    """Prefetch exactly what a product card shows: titles (not descriptions), images, and the
    active variants' prices and stock. Three extra queries for any number of products."""
    return queryset.defer(*HEAVY_COLUMNS).prefetch_related(
        Prefetch("texts", queryset=ProductText.objects.only("id", "product_id", "language", "title")),
        Prefetch("images", queryset=ProductImage.objects.all()),
        Prefetch(
            "variants",
            queryset=ProductVariant.objects.filter(is_active=True).only(
                "id", "product_id", "price", "price_currency", "stock", "is_active", "position"
            ),
        ),
    )


# A UUID that stands for the reference in a reversed URL (a UUID's text is never quoted).
_REFERENCE_MARK = "00000000-0000-0000-0000-000000000000"


def reference_urls(viewname, *args):
    """A function giving the URL of `viewname` with `args` and then an item's reference (a UUID),
    for a page of cards: one reverse() for the page instead of one per card."""
    head, _mark, tail = reverse(viewname, args=[*args, _REFERENCE_MARK]).partition(_REFERENCE_MARK)
    return lambda reference: f"{head}{reference}{tail}"


def product_card(product, language, url_of=None):
    text, fallback = pick_text(product.texts.all(), language, product.original_language)
    variants = list(product.variants.all())
    images = list(product.images.all())
    return ProductCard(
        url=(url_of or reference_urls("catalog:product"))(product.reference),
        title=text.title if text else product.code,
        title_language=text.language if (text and fallback) else "",
        brand=product.brand,
        price=product.price,
        price_varies=len({variant.price.amount for variant in variants}) > 1,
        in_stock=any(variant.stock > 0 for variant in variants),
        image=images[0] if images else None,
        reference=str(product.reference),
    )


def product_cards(products, language=None):
    language = language or get_language()
    url_of = reference_urls("catalog:product")
    return [product_card(product, language, url_of) for product in products]


# --- categories --------------------------------------------------------------------------------


@dataclass
class CategoryLink:
    id: int
    name: str
    url: str
    count: int = 0


def category_link(category, language, count=0):
    return CategoryLink(
        id=category.pk,
        name=category.name_in(language),
        url=reverse("catalog:category", args=[category.pk]),
        count=count,
    )


def _path_prefixes(path_en):
    parts = path_en.split(SEPARATOR)
    return [SEPARATOR.join(parts[: i + 1]) for i in range(len(parts))]


@dataclass
class CategoryTree:
    """A category with its ancestors (for the breadcrumb) and its whole subtree (for the listing)."""

    category: Category
    ancestors: list  # root first, without the category itself
    descendants: list  # every node below, any depth

    @property
    def subtree_ids(self):
        return [self.category.pk, *(node.pk for node in self.descendants)]

    @property
    def children(self):
        return [node for node in self.descendants if node.depth == self.category.depth + 1]

    def child_counts(self, per_category):
        """Products per direct child, counting each child's own subtree."""
        totals = Counter()
        child_paths = {child.path_en: child.pk for child in self.children}
        nodes = {node.pk: node for node in self.descendants}
        for category_id, count in per_category.items():
            node = nodes.get(category_id)
            if node is None:
                continue
            prefix = SEPARATOR.join(node.path_en.split(SEPARATOR)[: self.category.depth + 2])
            if prefix in child_paths:
                totals[child_paths[prefix]] += count
        return totals


# The taxonomy is reference data that changes with a data load or an ops edit, not per request:
# each process keeps the trees it has built for TREE_SECONDS (an edit in this process forgets them
# at once through the Category signals; other processes catch up within the minute).
TREE_SECONDS = 60
_trees = {}


def forget_category_trees(**_signal):
    _trees.clear()


def category_tree(category_id):
    """The category's tree from this process's memory, else two queries (see _load_tree). The
    nodes are shared between requests: read them, never change them."""
    now = time.monotonic()
    known = _trees.get(category_id)
    if known is not None and known[0] > now:
        return known[1]
    tree = _load_tree(category_id)
    _trees[category_id] = (now + TREE_SECONDS, tree)
    return tree


def _load_tree(category_id):
    """Two queries: the category, then its ancestors and descendants together."""
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise Http404("No such category")
    prefixes = _path_prefixes(category.path_en)[:-1]
    relatives = list(
        Category.objects.filter(Q(path_en__in=prefixes) | Q(path_en__startswith=category.path_en + SEPARATOR))
    )
    ancestors = sorted((node for node in relatives if node.path_en in prefixes), key=lambda node: node.depth)
    descendants = [node for node in relatives if node.path_en not in prefixes]
    return CategoryTree(category=category, ancestors=ancestors, descendants=descendants)


def breadcrumb(ancestors, language):
    return [category_link(node, language) for node in ancestors]


def home_categories(language):
    """Top-level categories that have at least one product on sale (the set of used categories is
    cached until the next product change; the names are the shopper's language)."""

    def used_category_ids():
        return sorted(
            Product.objects.filter(status=Product.Status.ACTIVE)
            .order_by()
            .values_list("category_id", flat=True)
            .distinct()
        )

    used = set(cached(("home-categories",), used_category_ids))
    nodes = list(Category.objects.filter(Q(depth=0) | Q(pk__in=used)))
    used_roots = {node.path_en.split(SEPARATOR)[0] for node in nodes if node.pk in used}
    return [category_link(node, language) for node in nodes if node.depth == 0 and node.path_en in used_roots]


def newest_products(limit=HOME_NEWEST):
    products = with_card_parts(Product.objects.filter(status=Product.Status.ACTIVE).order_by("-created_at", "-id"))
    return list(products[:limit])


# --- listings: scope, facets, page -------------------------------------------------------------


def active_products():
    return Product.objects.filter(status=Product.Status.ACTIVE)


def category_scope(tree):
    ids = tree.subtree_ids
    products = active_products()
    return products.filter(category_id=ids[0]) if len(ids) == 1 else products.filter(category_id__in=ids)


def search_scope(query):
    """Active products matching `query` (PostgreSQL: annotated with `rank`)."""
    return search.apply(active_products(), query)


@dataclass
class FacetRows:
    """Product counts per (category, brand, country) within a listing's narrowed scope."""

    rows: list = field(default_factory=list)  # (category_id, brand, country, count)

    def select(self, brands=(), countries_=()):
        brands, countries_ = set(brands), set(countries_)
        return [
            row for row in self.rows if (not brands or row[1] in brands) and (not countries_ or row[2] in countries_)
        ]

    def total(self, brands=(), countries_=()):
        return sum(row[3] for row in self.select(brands, countries_))

    def brand_counts(self, countries_=()):
        """Per brand, counting the country filter but not the brand filter itself."""
        counts = Counter()
        for row in self.select((), countries_):
            if row[1]:
                counts[row[1]] += row[3]
        return counts

    def country_counts(self, brands=()):
        counts = Counter()
        for row in self.select(brands, ()):
            counts[row[2]] += row[3]
        return counts

    def category_counts(self, brands=(), countries_=()):
        counts = Counter()
        for row in self.select(brands, countries_):
            counts[row[0]] += row[3]
        return counts


_pinned_generation = contextvars.ContextVar("catalog_generation", default=None)


_generation_read = {"value": None, "at": 0.0}


def catalog_generation():
    """A value that changes whenever any product changes (every write bumps `updated_at`). Read at
    most every CATALOG_GENERATION_SECONDS per process (0: every time)."""
    pinned = _pinned_generation.get()
    if pinned is not None:
        return pinned
    keep = settings.CATALOG_GENERATION_SECONDS
    now = time.monotonic()
    if keep > 0 and _generation_read["value"] is not None and now - _generation_read["at"] < keep:
        return _generation_read["value"]
    newest = Product.objects.aggregate(newest=Max("updated_at"))["newest"]
    value = newest.isoformat() if newest else "empty"
    _generation_read.update(value=value, at=now)
    return value


@contextlib.contextmanager
def pinned_generation():
    """Within the block, every cache lookup uses one reading of the catalog generation (one query
    for a page whose parts are cached separately, and one consistent snapshot)."""
    token = _pinned_generation.set(catalog_generation())
    try:
        yield
    finally:
        _pinned_generation.reset(token)


def cached_under(prefix, key_parts, compute, seconds):
    """`compute()`, kept in the shared cache for `seconds` under a key made of `prefix` and a hash
    of `key_parts` (a listing page's parts: the storefront's and the partner zone's)."""
    raw = "|".join(str(part) for part in key_parts)
    key = prefix + hashlib.sha256(raw.encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def cached(key_parts, compute):
    """`compute()`, cached until the next product change (or FACET_CACHE_SECONDS): the key carries
    the catalog generation, one indexed MAX() query."""
    return cached_under("catalog:", (*key_parts, catalog_generation()), compute, FACET_CACHE_SECONDS)


def facet_rows(queryset, *, cache_key_parts=None):
    """Group the narrowed scope by (category, brand, country). With `cache_key_parts` (which must
    name everything the queryset depends on), the rows are cached until the next product change."""

    def compute():
        grouped = (
            queryset.order_by()
            .values("category_id", "brand", "country_of_origin")
            .annotate(n=Count("id"))
            .values_list("category_id", "brand", "country_of_origin", "n")
        )
        return FacetRows(rows=[tuple(row) for row in grouped])

    if cache_key_parts is None:
        return compute()
    return cached(("facets", *cache_key_parts), compute)


class KnownCountPaginator(Paginator):
    """A paginator told its total up front (from the facet rows), so it never runs COUNT(*)."""

    def __init__(self, object_list, per_page, *, total, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._total = total

    @property
    def count(self):
        return self._total


def paginate(queryset, *, total, page_number):
    """The page's rows in two steps: the ids of the page (an OFFSET over narrow index entries, not
    over whole rows: a deep page skips thousands), then those rows with what their cards need."""
    paginator = KnownCountPaginator(queryset.values_list("pk", flat=True), settings.CATALOG_PAGE_SIZE, total=total)
    page = paginator.get_page(page_number)
    ids = list(page.object_list)
    page.object_list = list(queryset.filter(pk__in=ids)) if ids else []
    return page


def page_parts(page, cards):
    """What the listing kit's template (storefront/_listing.html) shows of a page: the page, its
    links (the first, the last and two either side of this one) and its cards."""
    return {
        "page": page,
        "elided_pages": list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        "cards": cards,
    }


def sort_orders(newest):
    """The listing kit's sort orders of a model whose field `newest` says how new an item is; ties
    go to the newer item, then the higher id."""
    return {
        "newest": (f"-{newest}", "-id"),
        "price": (F("price").asc(nulls_last=True), f"-{newest}", "-id"),
        "-price": (F("price").desc(nulls_last=True), f"-{newest}", "-id"),
        "relevance": ("-rank", f"-{newest}", "-id"),
    }


def sorted_by(queryset, sort, orders):
    if sort == "relevance" and not search.uses_postgres():
        sort = "newest"  # SQLite's substring fallback has no rank
    return queryset.order_by(*orders.get(sort, orders["newest"]))


SORTS = sort_orders("created_at")


def sort_products(queryset, sort):
    return sorted_by(queryset, sort, SORTS)


def country_name(code):
    return countries.name(code) or code


# --- the product page --------------------------------------------------------------------------

# Attribute names merchants commonly use, shown in the shopper's language; others are shown as written.
ATTRIBUTE_LABELS = {
    "size": _("Size"),
    "colour": _("Colour"),
    "color": _("Colour"),
    "capacity": _("Capacity"),
    "material": _("Material"),
    "flavour": _("Flavour"),
    "flavor": _("Flavour"),
    "age": _("Age"),
    "shade": _("Shade"),
    "volume": _("Volume"),
    "weight": _("Weight"),
    "pack": _("Pack"),
}
LOW_STOCK = 5


def attribute_label(name):
    return ATTRIBUTE_LABELS.get(str(name).strip().lower(), str(name))


@dataclass
class VariantRow:
    sku: str
    attributes: list  # (label, value)
    price: object
    stock: int

    @property
    def in_stock(self):
        return self.stock > 0

    @property
    def low_stock(self):
        return 0 < self.stock <= LOW_STOCK


def product_detail():
    """An active product with everything its page shows: four queries."""
    return (
        active_products()
        .defer(*HEAVY_COLUMNS)
        .select_related("category", "merchant")
        .prefetch_related(
            "texts",
            "images",
            Prefetch("variants", queryset=ProductVariant.objects.filter(is_active=True)),
        )
    )


def product_page(product, language):
    """The product page's context: one more query (the category's ancestors)."""
    text, fallback = pick_text(product.texts.all(), language, product.original_language)
    category = product.category
    prefixes = _path_prefixes(category.path_en)[:-1]
    ancestors = sorted(Category.objects.filter(path_en__in=prefixes), key=lambda node: node.depth) if prefixes else []
    variants = [
        VariantRow(
            sku=variant.sku,
            attributes=[(attribute_label(name), value) for name, value in variant.attributes_in(language)],
            price=variant.price,
            stock=variant.stock,
        )
        for variant in product.variants.all()
    ]
    prices = {row.price.amount for row in variants}
    dimensions = [product.length_mm, product.width_mm, product.height_mm]
    return {
        "product": product,
        "title": text.title if text else product.code,
        "description": text.description if text else "",
        "text_language": text.language if text else product.original_language,
        "shown_in_original": fallback,
        "original_language_name": language_name(text.language) if (text and fallback) else "",
        "variants": variants,
        "has_attributes": any(row.attributes for row in variants),
        "price_varies": len(prices) > 1,
        "in_stock": any(row.in_stock for row in variants),
        "images": list(product.images.all()),
        "category_name": category.name_in(language),
        "category_url": reverse("catalog:category", args=[category.pk]),
        "breadcrumb": [*breadcrumb(ancestors, language), category_link(category, language)],
        "country_name": country_name(product.country_of_origin.code),
        "dimensions": dimensions if all(dimensions) else None,
        "merchant_name": product.merchant.name_in(language),
    }


# --- the merchant's category picker ----------------------------------------------------------------

CATEGORY_MATCHES = 20
MAX_CATEGORY_QUERY = 100


@dataclass(frozen=True)
class CategoryMatch:
    id: int
    name: str  # the node's name in the merchant's language
    path: str  # its whole path in the merchant's language
    path_en: str


def category_paths(language):
    """{id: (name, path)} of the whole shared taxonomy in `language` (476 nodes): one query."""
    nodes = {
        row[0]: row[1:]
        for row in Category.objects.order_by().values_list(
            "id", "parent_id", "name_en", "name_zh_hans", "name_ja", "path_en"
        )
    }
    paths = {}

    def path_of(node_id):
        if node_id not in paths:
            parent_id, name_en, name_zh, name_ja, _path_en = nodes[node_id]
            name = taxonomy.name_in(language, name_en, name_zh, name_ja)
            parent = path_of(parent_id)[1] + " > " if parent_id in nodes else ""
            paths[node_id] = (name, parent + name)
        return paths[node_id]

    for node_id in nodes:
        path_of(node_id)
    return {node_id: (*paths[node_id], nodes[node_id][4]) for node_id in nodes}


def search_categories(query, language, *, limit=CATEGORY_MATCHES):
    """Categories whose path (in the merchant's language or in English) holds every word of
    `query`, or whose ID it is; those whose own name matches first, then the shallower."""
    words = [word for word in (query or "").lower()[:MAX_CATEGORY_QUERY].split() if word]
    if not words:
        return []
    found = []
    for node_id, (name, path, path_en) in category_paths(language).items():
        haystack = f"{path} {path_en}".lower()
        if str(node_id) == words[0] and len(words) == 1 or all(word in haystack for word in words):
            in_name = all(word in f"{name} {path_en.rsplit(' > ', 1)[-1]}".lower() for word in words)
            found.append((not in_name, path.count(" > "), path, CategoryMatch(node_id, name, path, path_en)))
    found.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in found[:limit]]


def category_path(category_id, language):
    """One node's path in the merchant's language, or "" for an unknown ID."""
    entry = category_paths(language).get(category_id)
    return entry[1] if entry else ""


def offered_catalog_figures(*, language, at, before):
    """Our own catalog as we offer it to partners (any partnership), what a platform tells a new
    partner of itself: products on sale with a live offer now, those of them with texts in
    `language` (None when no language is known), and how many products had been offered by `at`
    and by `before` (the offered catalog's growth). Three queries."""
    offered = Product.objects.filter(
        status=Product.Status.ACTIVE, export_offers__in=ExportOffer.objects.filter(is_offered=True)
    ).distinct()
    ever = ExportOffer.objects.values("product").distinct()
    return {
        "live": offered.count(),
        "in_language": offered.filter(texts__language=language).count() if language else None,
        "by_at": ever.filter(created_at__lt=at).count(),
        "by_before": ever.filter(created_at__lt=before).count(),
    }
