"""The partner zone's storefront pages (landing, category, search, product) and the snippets the
home catalog's pages show through catalog.hooks (the zone entrances on the home page, the partner
strip under thin category and search results). Thin: the reads are in partner_zone.selectors."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from catalog import search
from catalog.models import Category
from catalog.selectors import category_tree, country_name, page_parts
from crossborder.pages import SHARED_PAGE, with_shopper_header

from . import hooks, selectors
from .filters import ZoneListingFilter, ZoneSearchFilter
from .graded import graded_offers
from .models import PartnerListing
from .services import recommendations
from .templatetags.recommendations import recommendation_block


def _zone(zone):
    """What every zone page shows in its header (the zone's campaign was read with the zone)."""
    partner = zone.partnership.partner
    return {
        "partnership": zone.partnership,
        "partner": partner,
        "zone_code": partner.code,
        "zone_country": country_name(partner.country),
        "campaign": zone.campaign,
    }


def _whole_page(request, zone, template, build):
    """A zone page's HTML as it is for every shopper with the same URL and language (nothing per
    visitor is on it), rendered once per zone generation and day: a repeat request costs the zone
    (one query) and a cache read; the filter set and everything else `build()` needs is made on a
    miss only. Every change a page shows moves the generation (selectors.Zone); a suspended zone is
    refused before the cache. The header's per-visitor part is filled in for each request."""
    html = selectors.cached_zone_part(
        zone,
        ("page", template, request.get_full_path()),
        lambda: render_to_string(template, {**build(), **SHARED_PAGE}, request=request),
    )
    return with_shopper_header(request, html)


# Where the landing's recommendations go: the page around them is the same for every shopper,
# they are not. Nothing a partner or a shopper writes can produce it: every text on the page is
# escaped.
RECOMMENDATIONS_MARK = "<!-- shopper's recommendations -->"


def landing(request, partner):
    language = get_language()
    zone = selectors.zone(partner)
    partnership = zone.partnership

    def build():
        counts = selectors.shown_counts(partnership)
        context = _zone(zone)
        context.update(
            {
                "total": sum(counts.values()),
                "top_categories": selectors.top_categories(counts, selectors.category_nodes(counts), partner, language),
                "newest": selectors.listing_cards(selectors.newest_listings(partnership), partner, language),
                "recommendations_mark": RECOMMENDATIONS_MARK,
            }
        )
        return context

    page = _whole_page(request, zone, "partner_zone/landing.html", build)
    return HttpResponse(page.replace(RECOMMENDATIONS_MARK, _recommendations(request, zone), 1))


# Where the form that clears the shopper's history goes in a kept recommendations block: it holds
# the visitor's CSRF token, so it is rendered for each request.
CLEAR_HISTORY_MARK = mark_safe("<!-- clear history -->")  # noqa: S308 (a constant of ours)


def _recommendations(request, zone):
    """The landing's recommendations for this shopper. In production (RECOMMENDATION_SECONDS) the
    block is kept in the shared cache per shopper, under the mark of their newest event and the
    zone's generation: a returning shopper who has not viewed or searched since gets it for one
    indexed read, and a new view or search, a listing withdrawn, synced or repriced, a campaign or
    the day changing recomputes it, as for the zone's pages themselves."""
    partnership = zone.partnership

    def render_block(context):
        hook = recommendation_block(request, "all", partnership=partnership)
        return render_to_string("partner_zone/_recommendations.html", {"hook": hook, **context}, request=request)

    seconds = settings.PARTNER_ZONE["RECOMMENDATION_SECONDS"]
    if seconds <= 0:
        return render_block({"request": request})
    shopper = recommendations.shopper_for(request)
    block = selectors.cached_zone_part(
        zone,
        ("recommendations", shopper.user_id, shopper.history_id, recommendations.history_mark(shopper)),
        lambda: render_block({"clear_history_mark": CLEAR_HISTORY_MARK}),
        seconds=seconds,
    )
    if CLEAR_HISTORY_MARK in block:
        form = render_to_string("partner_zone/_clear_history.html", {"request": request}, request=request)
        block = block.replace(CLEAR_HISTORY_MARK, form, 1)
    return block


def _listing(request, partnership, narrowed, filters, *, total, chosen=None):
    """The part a category page and a search page share: sort and page the narrowed scope."""
    if chosen is not None:
        narrowed = narrowed.filter(selectors.subtree_condition(chosen))
    page = selectors.paginate(
        selectors.sort_listings(narrowed, filters.chosen_sort, scope_size=total),
        total=total,
        page_number=request.GET.get("page"),
    )
    cards = selectors.listing_cards(page.object_list, partnership.partner.code)
    return {
        "filters": filters,
        **page_parts(page, cards),
        "zone_cards": True,
        "listings": cards,
        "is_filtered": filters.is_narrowed or chosen is not None,
    }


def category(request, partner, category_id):
    language = get_language()
    zone = selectors.zone(partner)
    tree = category_tree(category_id)
    page = _whole_page(
        request, zone, "partner_zone/category.html", lambda: _category_context(request, zone, tree, language)
    )
    return HttpResponse(page)


def _category_context(request, zone, tree, language):
    partnership = zone.partnership
    partner = partnership.partner.code
    filters = ZoneListingFilter(request.GET, queryset=PartnerListing.objects.none())
    scope = selectors.zone_listings(partnership).filter(category_id__in=tree.subtree_ids)
    narrowed = filters.narrow(scope)
    if filters.is_priced_range:
        counts = selectors.category_counts(narrowed)  # listing_shown_category_idx: the range only
    else:
        counts = selectors.shown_counts(partnership, category_ids=tree.subtree_ids, local=bool(filters.value("local")))
    child_counts = tree.child_counts(counts)
    context = _zone(zone)
    context.update(_listing(request, partnership, narrowed, filters, total=sum(counts.values())))
    context.update(
        {
            "category": tree.category,
            "category_name": tree.category.name_in(language),
            "breadcrumb": [selectors.zone_category_link(partner, node, language) for node in tree.ancestors],
            "subcategories": [
                selectors.zone_category_link(partner, child, language, child_counts[child.pk])
                for child in tree.children
                if child_counts[child.pk]
            ],
        }
    )
    return context


def search_page(request, partner):
    language = get_language()
    zone = selectors.zone(partner)
    query = (request.GET.get("q") or "").strip()[:200]
    terms = search.query_terms(query)
    if not terms:
        context = _zone(zone)
        filters = ZoneSearchFilter(request.GET, queryset=PartnerListing.objects.none())
        context.update({"query": query, "terms": terms, "filters": filters})
        return render(request, "partner_zone/search.html", context)
    recommendations.record_search(
        request,
        query,
        partnership=zone.partnership,
        result_count=selectors.search_result_count(zone, query),
        category_id=selectors.known_category_id(request.GET.get("category")),
    )
    page = _whole_page(
        request,
        zone,
        "partner_zone/search.html",
        lambda: _search_context(request, zone, query, terms, language),
    )
    return HttpResponse(page)


def _search_context(request, zone, query, terms, language):
    partnership = zone.partnership
    partner = partnership.partner.code
    filters = ZoneSearchFilter(request.GET, queryset=PartnerListing.objects.none())
    context = _zone(zone)
    context.update({"query": query, "terms": terms, "filters": filters})
    narrowed = filters.narrow(selectors.search_scope(partnership, query))
    counts = selectors.category_counts(narrowed)
    nodes = selectors.category_nodes(counts)
    facets = selectors.top_categories(counts, nodes, partner, language)
    chosen = None
    if filters.chosen_category:
        chosen = Category.objects.filter(pk=filters.chosen_category).first()
    total = sum(counts.values()) if chosen is None else selectors.subtree_total(counts, nodes, chosen)
    context.update(_listing(request, partnership, narrowed, filters, total=total, chosen=chosen))
    context.update(
        {
            "category_options": [
                {"link": link, "chosen": chosen is not None and chosen.pk == link.id} for link in facets
            ],
            "chosen_category": None if chosen is None else selectors.zone_category_link(partner, chosen, language),
        }
    )
    return context


def product(request, partner, reference):
    language = get_language()
    zone = selectors.zone(partner)
    listing = selectors.product_listing(zone.partnership, reference)
    recommendations.record_view(request, listing=listing)
    context = _zone(zone)
    context.update(selectors.product_page(listing, zone.partnership, language))
    context["listing_sections"] = hooks.listing_snippets(request, listing)
    offers = graded_offers(listing)
    context["graded_offers"] = {"offers": offers, "listing": listing} if offers else None
    return render(request, "partner_zone/product.html", context)


# --- snippets on the home catalog's pages (registered in handlers/pages.py) -------------------------


def home_entrances(request):
    """The home page's partner-zone section: an entrance per active partner with its campaign.
    Always returned (even with no partner) so the home page shows this section instead of its own."""
    return [{"template": "partner_zone/_home_entrances.html", "context": {"entrances": selectors.zone_entrances()}}]


def partner_strip(request, kind, category=None, query=None, shown_count=0, filtered=False, **extra):
    """Partner goods under a home category or search page that found too little (and was not
    narrowed by the shopper's filters, which name the home catalog's brands and countries)."""
    if filtered or shown_count >= selectors.STRIP_BELOW:
        return None
    if kind == "category" and category is not None:
        strips = selectors.partner_strips(category=category)
    elif kind == "search" and query:
        strips = selectors.partner_strips(query=query)
    else:
        return None
    if not strips:
        return None
    return {"template": "partner_zone/_strip.html", "context": {"strips": strips, "kind": kind}}
