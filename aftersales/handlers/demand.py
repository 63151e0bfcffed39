"""Demand reports: the partner's `demand.report` message is stored (services.receive_report), and our
merchants see what it says beside their own products, on the catalog's merchant pages (hooks
catalog.merchant_list_sections and catalog.merchant_product_sections)."""

from rest_framework import serializers

from catalog import hooks as catalog_hooks
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


catalog_hooks.merchant_list_sections.subscribe(merchant_list_demand)
catalog_hooks.merchant_product_sections.subscribe(merchant_product_demand)
