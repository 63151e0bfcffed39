"""Storefront pages: home, category listings, product pages and search. Thin: the reads are built
in catalog.selectors, the filters in catalog.filters."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.translation import get_language

from crossborder.pages import SHARED_PAGE, with_shopper_header

from . import hooks, search, selectors
from .filters import ListingFilter, SearchFilter
from .models import Product

MAX_FACET_OPTIONS = 20


def home(request):
    language = get_language()
    return render(
        request,
        "storefront/home.html",
        {
            "categories": selectors.home_categories(language),
            "newest": selectors.product_cards(selectors.newest_products(), language),
            "home_sections": hooks.home_snippets(request),
        },
    )


def _facet_options(counts, chosen, label=str):
    """Checkbox options: the biggest values first, always including what the shopper chose."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], str(item[0]).lower()))
    options = [(value, count) for value, count in ranked[:MAX_FACET_OPTIONS]]
    shown = {value for value, _count in options}
    options += [(value, counts.get(value, 0)) for value in chosen if value not in shown]
    return [
        {"value": value, "label": label(value), "count": count, "chosen": value in chosen} for value, count in options
    ]


def _listing(request, scope, filters, *, cache_scope):
    """What a category page and a search page share: narrow, count facets, filter, sort, page."""
    narrowed = filters.narrow(scope)
    narrowing_key = filters.narrowing_key()
    facets = selectors.facet_rows(
        narrowed, cache_key_parts=None if narrowing_key is None else (*cache_scope, *narrowing_key)
    )
    brands, countries = filters.chosen_brands, filters.chosen_countries
    results = selectors.sort_products(filters.facet_filter(narrowed), filters.chosen_sort)
    page = selectors.paginate(
        selectors.with_card_parts(results),
        total=facets.total(brands, countries),
        page_number=request.GET.get("page"),
    )
    cards = selectors.product_cards(page.object_list)
    return {
        "filters": filters,
        "facets": facets,
        **selectors.page_parts(page, cards),
        "products": cards,
        "brand_options": _facet_options(facets.brand_counts(countries), brands),
        "country_options": _facet_options(facets.country_counts(brands), countries, selectors.country_name),
        "is_filtered": bool(brands or countries or filters.is_narrowed),
    }


# Where a category or search page's listing supplements (the shopper's recommendations, partner
# goods) go: the page around them is the same for every shopper, they are not. A search for this
# text cannot collide with it: the page shows a query escaped.
SUPPLEMENTS_MARK = "<!-- listing supplements -->"


def _shopper_page(request, template, build, *, kind, **supplement_args):
    """A category or search page. Everything but the listing supplements is the same for every
    shopper with the same URL and language (the language switch is plain links; nothing per visitor
    is on it), so it is rendered once and cached until the next product change: a repeat request
    costs one indexed MAX() and a cache read, then the supplements are rendered for this shopper
    into their place, and the header's per-visitor part (cart, account) into its own. The in-stock
    filter too: a product coming into or going out of stock is a product change."""

    def compute():
        context = build()
        context["listing_html"] = render_to_string("catalog/_listing.html", context, request=request)
        return {
            "html": render_to_string(
                template, {**context, **SHARED_PAGE, "supplements_mark": SUPPLEMENTS_MARK}, request=request
            ),
            "shown_count": context["page"].paginator.count,
            "is_filtered": context["is_filtered"],
        }

    with selectors.pinned_generation():
        page = selectors.cached(("page", template, get_language(), request.get_full_path()), compute)
    snippets = hooks.supplement_snippets(
        request, kind, shown_count=page["shown_count"], filtered=page["is_filtered"], **supplement_args
    )
    supplements = (
        render_to_string("catalog/_supplements.html", {"supplements": snippets}, request=request) if snippets else ""
    )
    return HttpResponse(with_shopper_header(request, page["html"]).replace(SUPPLEMENTS_MARK, supplements, 1))


def category(request, category_id):
    language = get_language()
    tree = selectors.category_tree(category_id)

    def build():  # the filter set too: a cached page's request does not need it
        filters = ListingFilter(request.GET, queryset=Product.objects.none())
        context = _listing(request, selectors.category_scope(tree), filters, cache_scope=("category", tree.category.pk))
        counts = context["facets"].category_counts(filters.chosen_brands, filters.chosen_countries)
        child_counts = tree.child_counts(counts)
        links = (selectors.category_link(child, language, child_counts[child.pk]) for child in tree.children)
        context["subcategories"] = [link for link in links if link.count]
        context["category"] = tree.category
        context["category_name"] = tree.category.name_in(language)
        context["breadcrumb"] = selectors.breadcrumb(tree.ancestors, language)
        return context

    return _shopper_page(request, "catalog/category.html", build, kind="category", category=tree.category)


def search_page(request):
    query = (request.GET.get("q") or "").strip()[:200]
    terms = search.query_terms(query)
    if not terms:
        filters = SearchFilter(request.GET, queryset=Product.objects.none())
        context = {"query": query, "search_query": query, "terms": terms, "filters": filters}
        return render(request, "catalog/search.html", context)
    hooks.searched.fire(request=request, query=query)

    def build():
        filters = SearchFilter(request.GET, queryset=Product.objects.none())
        scope = selectors.search_scope(query)
        cache_scope = ("search", search.uses_postgres(), *terms)
        listing = _listing(request, scope, filters, cache_scope=cache_scope)
        return {"query": query, "search_query": query, "terms": terms, **listing}

    return _shopper_page(request, "catalog/search.html", build, kind="search", query=query)


def product(request, reference):
    language = get_language()
    item = get_object_or_404(selectors.product_detail(), reference=reference)
    hooks.product_viewed.fire(request=request, product=item)
    context = selectors.product_page(item, language)
    snippets = hooks.product_snippets(request, item)
    # The buying box's parts (add to cart, graded offers) beside the price; the rest under the product.
    context["buy_sections"] = [snippet for snippet in snippets if snippet.get("place") == "buy"]
    context["product_sections"] = [snippet for snippet in snippets if snippet.get("place") != "buy"]
    return render(request, "catalog/product.html", context)
