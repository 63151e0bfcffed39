"""Hooks through which later apps add to the catalog's pages without the catalog importing them
(imports point one way; DESIGN.md section 2; the Hook type: crossborder/hooks.py). The partner
zone subscribes in partner_zone/handlers/pages.py and recommendations.py, the shop in
payments/handlers/pages.py; the catalog's views fire them and include each returned snippet. All
run inline, in the request.

A snippet is {"template": "app/_snippet.html", "context": {...}}: the page includes the template
with the context as `hook` (`{% include snippet.template with hook=snippet.context %}`). A product
page's snippet with "place": "buy" goes into the buying box beside the price (add to cart), any
other under the product (reviews, recommendations), so nothing pushes the button down the page."""

from django.core.exceptions import ImproperlyConfigured

from crossborder.hooks import Hook

# home_sections(request) -> list of snippets, shown on the home page.
home_sections = Hook("catalog.home_sections", runs=Hook.INLINE)
# listing_supplements(request, kind, category=None, query=None, shown_count=0, filtered=False) -> a
# snippet or None, shown under a category page's or a search page's results. `kind` is "category"
# (with `category`, a catalog.models.Category) or "search" (with `query`); `shown_count` is how many
# home products matched, `filtered` whether the shopper narrowed them by brand, country, price or
# stock. Each subscriber must run a fixed number of queries.
listing_supplements = Hook("catalog.listing_supplements", runs=Hook.INLINE)
# product_sections(request, product) -> list of snippets, shown on a product page.
product_sections = Hook("catalog.product_sections", runs=Hook.INLINE)
# product_viewed(request, product): a shopper opened a product page.
product_viewed = Hook("catalog.product_viewed", runs=Hook.INLINE)
# searched(request, query): a shopper searched the home catalog.
searched = Hook("catalog.searched", runs=Hook.INLINE)
# merchant_list_sections(request, merchant, rows) -> list of snippets, shown above the merchant's
# product list; `rows` are the page's rows (each with `.product` and its `.title` in the page's
# language). Each subscriber must run a fixed number of queries.
merchant_list_sections = Hook("catalog.merchant_list_sections", runs=Hook.INLINE)
# merchant_product_sections(request, merchant, product) -> list of snippets, shown on the merchant's
# page of one of its products.
merchant_product_sections = Hook("catalog.merchant_product_sections", runs=Hook.INLINE)
# stock_writer(entries, actor, reason): the one port that runs the other way, inside the caller's
# transaction: logistics counts a merchant's stated units for sale, [(variant, units)], in the
# warehouse (logistics.services.stock.set_available, subscribed by logistics' handlers). The catalog
# never writes ProductVariant.stock itself: the stock service keeps it equal to the units it can sell
# (docs/adr/0016). A refusal raises CatalogError naming the `stock` field.
stock_writer = Hook("catalog.stock_writer", runs=Hook.INLINE)
# product_offered(product, partnership): one of our products became offered to a partner (it was
# not offered to it, or never was). Inline, inside the offer's transaction, so what a subscriber
# queues for the partner commits with the offer: after-sales sends the partner the product's reviews
# written before (aftersales/handlers/reviews.py).
product_offered = Hook("catalog.product_offered", runs=Hook.INLINE)
# abroad_figures(merchant, products) -> catalog.abroad.AbroadFigures or None: what a later app knows
# of the merchant's `products` abroad (each with its export offers prefetched), for the "Goods
# abroad" page: logistics the stock in partners' warehouses and its age, after-sales the partners'
# views, sales, returns and searches without results. Each subscriber runs a fixed number of queries.
abroad_figures = Hook("catalog.abroad_figures", runs=Hook.INLINE)


def home_snippets(request):
    return [snippet for answer in home_sections.fire(request=request) for snippet in answer or []]


def supplement_snippets(request, kind, **kwargs):
    return [snippet for snippet in listing_supplements.fire(request=request, kind=kind, **kwargs) if snippet]


def product_snippets(request, product):
    return [snippet for answer in product_sections.fire(request=request, product=product) for snippet in answer or []]


def merchant_list_snippets(request, merchant, rows):
    answers = merchant_list_sections.fire(request=request, merchant=merchant, rows=rows)
    return [snippet for answer in answers for snippet in answer or []]


def merchant_product_snippets(request, merchant, product):
    answers = merchant_product_sections.fire(request=request, merchant=merchant, product=product)
    return [snippet for answer in answers for snippet in answer or []]


def write_stock(entries, *, actor="", reason=""):
    """Hand a merchant's stated units for sale to the warehouse (the stock_writer port)."""
    entries = list(entries)
    if not entries:
        return
    if len(stock_writer.subscribers) != 1:
        raise ImproperlyConfigured("catalog.hooks.stock_writer needs exactly one subscriber (logistics).")
    stock_writer.fire(entries=entries, actor=actor, reason=reason)


def abroad_figures_of(merchant, products):
    """The figures every subscriber adds for these products, merged."""
    from .abroad import AbroadFigures

    merged = AbroadFigures()
    for answer in abroad_figures.fire(merchant=merchant, products=products):
        if answer is not None:
            merged.merge(answer)
    return merged
