"""Demand reports: the partner's `demand.report` message is stored (services.receive_report), and our
merchants see what it says beside their own products, on the catalog's merchant pages (hooks
catalog.merchant_list_sections and catalog.merchant_product_sections)."""

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import serializers

from catalog import hooks as catalog_hooks
from catalog.abroad import AbroadFigures, Figure
from catalog.models import ProductVariant
from crossborder import bounds, messages

from ..choices import ReturnReason
from ..demand import selectors, services

COUNT = bounds.of_type("PositiveIntegerField")


class ReturnedPayload(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    reason = serializers.ChoiceField(choices=ReturnReason.choices)
    units = serializers.IntegerField(**COUNT)
    shoppers = serializers.IntegerField(**COUNT)


class ProductPayload(serializers.Serializer):
    product = serializers.CharField(max_length=64)
    skus = serializers.ListField(child=serializers.CharField(max_length=64), max_length=200)
    title = serializers.CharField(max_length=300, allow_blank=True)
    views = serializers.IntegerField(**COUNT)
    viewers = serializers.IntegerField(**COUNT)
    orders = serializers.IntegerField(**COUNT)
    units = serializers.IntegerField(**COUNT)
    returns = serializers.ListField(child=ReturnedPayload(), max_length=200)


class SearchPayload(serializers.Serializer):
    query = serializers.CharField(max_length=200)
    searches = serializers.IntegerField(**COUNT)
    shoppers = serializers.IntegerField(**COUNT)
    results = serializers.IntegerField(allow_null=True, **COUNT)
    category = serializers.IntegerField(allow_null=True, **COUNT)


class DemandReportPayload(serializers.Serializer):
    day = serializers.DateField()
    window_days = serializers.IntegerField(min_value=1, max_value=366)
    min_shoppers = serializers.IntegerField(min_value=1, max_value=10000)
    few_results = serializers.IntegerField(min_value=0, max_value=10000)
    searches = serializers.ListField(child=SearchPayload(), max_length=selectors.MAX_SEARCHES)
    products = serializers.ListField(child=ProductPayload(), max_length=selectors.MAX_PRODUCTS)


@messages.register(
    services.MESSAGE,
    payload_serializer=DemandReportPayload,
    description="The partner's shoppers' demand for our goods over the last days, aggregated with a minimum "
    "crowd per figure: searches in its zone that found too little, our products viewed (and bought), and "
    "return reasons per SKU.",
)
def receive_demand_report(*, partnership, payload, seq):
    report = services.receive_report(partnership=partnership, payload=payload)
    return {"day": report.day.isoformat(), "products": len(payload["products"]), "searches": len(payload["searches"])}


# --- on our merchants' pages ---------------------------------------------------------------------------


def _skus_by_product(products):
    found = {}
    for product_id, sku in ProductVariant.objects.filter(product__in=products).values_list("product_id", "sku"):
        found.setdefault(product_id, []).append(sku)
    return found


def merchant_list_demand(*, request, merchant, rows):
    """Above the merchant's product list: the partners' demand for the products on the page and the
    unmet searches in their categories. Two queries (the category trees are cached)."""
    reports = selectors.latest_received_reports()
    if not reports:
        return []
    products = [row.product for row in rows]
    demand = selectors.demand_by_product(_skus_by_product(products), reports)
    categories = set()
    for category_id in {product.category_id for product in products}:
        categories |= selectors.category_family(category_id)
    rows = [
        {"product": row.product, "title": row.title, "demand": demand[row.product.pk]}
        for row in rows
        if demand.get(row.product.pk)
    ]
    return [
        {
            "template": "aftersales/_merchant_demand_list.html",
            "context": {
                "rows": rows,
                "searches": selectors.unmet_searches_for(categories, reports),
                "reports": reports,
            },
        }
    ]


def merchant_product_demand(*, request, merchant, product):
    """On the merchant's product page: each partner's figures for this product (by its SKUs) and
    what its shoppers searched for in the product's category without finding enough."""
    reports = selectors.latest_received_reports()
    if not reports:
        return []
    demand = selectors.demand_by_product(_skus_by_product([product]), reports)
    return [
        {
            "template": "aftersales/_merchant_demand_product.html",
            "context": {
                "demand": demand.get(product.pk, []),
                "searches": selectors.unmet_searches_for(selectors.category_family(product.category_id), reports),
                "reports": reports,
            },
        }
    ]


def _period(report):
    return ngettext("%(days)s day to %(day)s", "%(days)s days to %(day)s", report.window_days) % {
        "days": report.window_days,
        "day": formats.date_format(report.day, "SHORT_DATE_FORMAT"),
    }


def _product_figures(figures, product_id, report, line):
    partnership_id = report.partnership_id
    viewers = ngettext("%(n)s shopper", "%(n)s shoppers", line.get("viewers", 0)) % {"n": line.get("viewers", 0)}
    figures.add(product_id, partnership_id, "viewed", Figure(line.get("views", 0), f"{viewers} · {_period(report)}"))
    orders = ngettext("%(n)s order", "%(n)s orders", line.get("orders", 0)) % {"n": line.get("orders", 0)}
    figures.add(product_id, partnership_id, "sold", Figure(line.get("units", 0), f"{orders} · {_period(report)}"))
    returned = selectors.partner_demand(report, line)
    if returned.returns:
        reasons = ", ".join(f"{label} {units}" for label, units in returned.returns)
        figures.add(product_id, partnership_id, "returned", Figure(returned.returned_units, reasons))
    else:
        figures.add(product_id, partnership_id, "returned", _too_few(report))


def _too_few(report):
    return Figure(None, missing=_("fewer than %(n)s shoppers") % {"n": report.min_shoppers})


def abroad_demand(*, merchant, products):
    """The "Goods abroad" page (catalog.hooks.abroad_figures): from each partner's latest demand
    report, the views, sales and returns of the merchant's products, and the searches in the
    partner's zone without results in the products' categories. A product the report leaves out was
    seen by fewer shoppers than its minimum crowd; a partner that sent no report has not reported.
    Two queries (the category trees are cached)."""
    figures = AbroadFigures()
    reports = {report.partnership_id: report for report in selectors.latest_received_reports()}
    skus = _skus_by_product(products)
    product_of = {sku: product_id for product_id, product_skus in skus.items() for sku in product_skus}
    seen = set()
    for report in reports.values():
        for line in report.payload.get("products", []):
            for product_id in sorted({product_of[sku] for sku in line.get("skus", []) if sku in product_of}):
                _product_figures(figures, product_id, report, line)
                seen.add((product_id, report.partnership_id))
    for product in products:
        for offer in product.export_offers.all():
            report = reports.get(offer.partnership_id)
            if (product.pk, offer.partnership_id) in seen or report is None:
                continue
            for column in ("viewed", "sold", "returned"):
                figures.add(product.pk, offer.partnership_id, column, _too_few(report))
    categories = set()
    for category_id in {product.category_id for product in products}:
        categories |= selectors.category_family(category_id)
    for partnership_id, report in reports.items():
        searches = selectors.unmet_searches_for(categories, [report], limit=12)
        figures.searches[partnership_id].extend(searches)
        if not searches:
            figures.notes[partnership_id].append(
                _("Its report of %(date)s has no searches without results in your categories.")
                % {"date": formats.date_format(report.day, "SHORT_DATE_FORMAT")}
            )
    return figures


catalog_hooks.merchant_list_sections.subscribe(merchant_list_demand)
catalog_hooks.abroad_figures.subscribe(abroad_demand)
catalog_hooks.merchant_product_sections.subscribe(merchant_product_demand)
