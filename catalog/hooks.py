"""Registries through which later apps add to the catalog's pages without the catalog importing
them (imports point one way; DESIGN.md section 2). A later app appends its callables at start-up
(the partner zone does so in partner_zone/handlers/pages.py); the catalog's views call them and
include each returned snippet.

A snippet is {"template": "app/_snippet.html", "context": {...}}: the page includes the template
with the context as `hook` (`{% include snippet.template with hook=snippet.context %}`).

- home_sections: callables(request) -> list of snippets, shown on the home page.
- listing_supplements: callables(request, kind, category=None, query=None, shown_count=0,
  filtered=False) -> a snippet or None, shown under a category page's or a search page's results.
  `kind` is "category" (with `category`, a catalog.models.Category) or "search" (with `query`);
  `shown_count` is how many home products matched, `filtered` whether the shopper narrowed them
  by brand, country, price or stock. Each callable must run a fixed number of queries.
- product_sections: callables(request, product) -> list of snippets, shown on a product page.
- product_viewed: callables(request, product): a shopper opened a product page.
- searched: callables(request, query): a shopper searched the home catalog.

One port runs the other way, inside the caller's transaction:
- stock_writer: the one callable(entries, *, actor, reason) that counts a merchant's stated units
  for sale, [(variant, units)], in the warehouse (logistics.services.stock.set_available,
  registered by logistics' AppConfig.ready). The catalog never writes ProductVariant.stock itself:
  the warehouse's stock service keeps it equal to the units it can sell (ADR 0011). A refusal
  raises CatalogError naming the `stock` field."""

from django.core.exceptions import ImproperlyConfigured

home_sections = []
listing_supplements = []
product_sections = []
product_viewed = []
searched = []
stock_writer = []


def register(registry, hook):
    """Append `hook` once (a module imported twice must not show its snippet twice)."""
    if hook not in registry:
        registry.append(hook)
    return hook


def home_snippets(request):
    snippets = []
    for hook in list(home_sections):
        snippets.extend(hook(request) or [])
    return snippets


def supplement_snippets(request, kind, **kwargs):
    snippets = []
    for hook in list(listing_supplements):
        snippet = hook(request, kind, **kwargs)
        if snippet:
            snippets.append(snippet)
    return snippets


def product_snippets(request, product):
    snippets = []
    for hook in list(product_sections):
        snippets.extend(hook(request, product) or [])
    return snippets


def notify(registry, *args):
    """Call every registered callable with these arguments."""
    for hook in list(registry):
        hook(*args)


def write_stock(entries, *, actor="", reason=""):
    """Hand a merchant's stated units for sale to the warehouse (the stock_writer port)."""
    entries = list(entries)
    if not entries:
        return
    if len(stock_writer) != 1:
        raise ImproperlyConfigured("catalog.hooks.stock_writer needs exactly one subscriber (logistics).")
    stock_writer[0](entries, actor=actor, reason=reason)
