"""One stock truth (ADR 0011): the warehouse's count is what a shopper sees and buys from. A
merchant's stated stock is counted by the stock service; the storefront's figure
(ProductVariant.stock) follows every change to the warehouse's count in the same transaction, so a
product page never shows more than can be sold."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from catalog import hooks as catalog_hooks
from catalog import services as catalog_services
from catalog.models import ProductVariant
from logistics.handlers.stock import count_stated_stock
from logistics.models import StockLevel, StockMovement, Warehouse
from logistics.services import stock
from tests.catalog.factories import NURSING_AND_FEEDING, make_merchant, make_product, product_input

from .factories import make_level, make_warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(settings):
    settings.PLATFORM_COUNTRY = "CN"
    return make_warehouse(country="CN")


def page(client, name, *args, **query):
    with translation.override("en"):
        path = reverse(f"catalog:{name}", args=args)
    return client.get(path, query)


def sell(variant, units, reference):
    """A checkout's hold, then the pick of its order: units sold and gone from the shelves."""
    level = StockLevel.objects.get(sku=variant.sku, owner__isnull=True)
    stock.hold([(level, units, reference)], expires_at=None)
    stock.pick(reference)


def test_the_stock_port_is_served_by_the_stock_service_in_production():
    assert catalog_hooks.stock_writer.subscribers == (count_stated_stock,)


def test_a_merchants_stated_stock_is_an_adjusted_movement_in_the_home_warehouse(home):
    variant = make_product(stock=5).variants.get()

    level = StockLevel.objects.get(sku=variant.sku)
    assert (level.warehouse, level.owner, level.on_hand, level.variant) == (home, None, 5, variant)
    movement = StockMovement.objects.get(stock=level)
    assert (movement.kind, movement.on_hand_delta) == (StockMovement.Kind.ADJUSTED, 5)
    assert ProductVariant.objects.get(pk=variant.pk).stock == 5


def test_product_page_and_in_stock_filter_never_overstate_stock_after_sales(client, home):
    mug = make_product(stock=5).variants.get()
    cup = make_product(stock=2).variants.get()

    sell(mug, 3, "order:1:1")
    sell(cup, 2, "order:2:1")

    mug.refresh_from_db()
    assert mug.stock == 2 == StockLevel.objects.get(sku=mug.sku).sellable
    shown = page(client, "product", mug.product.reference)
    assert "Only 2 left" in shown.content.decode()
    listed = page(client, "category", NURSING_AND_FEEDING, in_stock="1")
    assert [card.reference for card in listed.context["products"]] == [str(mug.product.reference)]
    sold_out = page(client, "product", cup.product.reference)
    assert "Out of stock" in sold_out.content.decode()


def test_units_held_for_a_checkout_are_not_shown_and_come_back_when_released(home):
    variant = make_product(stock=5).variants.get()
    level = StockLevel.objects.get(sku=variant.sku)

    stock.hold([(level, 4, "checkout:x:1")], expires_at=None)
    assert ProductVariant.objects.get(pk=variant.pk).stock == 1

    stock.release_holds(["checkout:x:1"])
    assert ProductVariant.objects.get(pk=variant.pk).stock == 5


def test_restating_the_shown_figure_while_units_are_held_moves_nothing(home):
    merchant = make_merchant()
    product = make_product(merchant, stock=5)
    variant = product.variants.get()
    stock.hold([(StockLevel.objects.get(sku=variant.sku), 2, "checkout:y:1")], expires_at=None)

    data = product_input(code=product.code, stock=3, skus=[variant.sku])
    catalog_services.save_product(merchant=merchant, data=data, product=product)

    level = StockLevel.objects.get(sku=variant.sku)
    assert (level.on_hand, level.reserved, level.sellable) == (5, 2, 3)
    assert StockMovement.objects.filter(stock=level).count() == 2  # the statement and the hold


def test_a_new_figure_moves_on_hand_by_the_difference_keeping_holds(home):
    merchant = make_merchant()
    product = make_product(merchant, stock=5)
    variant = product.variants.get()
    stock.hold([(StockLevel.objects.get(sku=variant.sku), 2, "checkout:z:1")], expires_at=None)

    data = product_input(code=product.code, stock=10, skus=[variant.sku])
    catalog_services.save_product(merchant=merchant, data=data, product=product, actor="merchant-a")

    level = StockLevel.objects.get(sku=variant.sku)
    assert (level.on_hand, level.reserved) == (12, 2)
    assert ProductVariant.objects.get(pk=variant.pk).stock == 10
    latest = StockMovement.objects.filter(stock=level).latest("id")
    assert (latest.kind, latest.on_hand_delta, latest.actor) == (StockMovement.Kind.ADJUSTED, 7, "merchant-a")


def test_a_figure_below_the_units_counted_elsewhere_is_refused_naming_stock_and_changes_nothing(home):
    merchant = make_merchant()
    product = make_product(merchant, stock=0)
    variant = product.variants.get()
    make_level(warehouse=make_warehouse(country="CN"), sku=variant.sku, on_hand=4, variant=variant)

    data = product_input(code=product.code, stock=1, skus=[variant.sku])
    with pytest.raises(catalog_services.CatalogError) as refused:
        catalog_services.save_product(merchant=merchant, data=data, product=product)

    assert refused.value.field == "stock"
    assert ProductVariant.objects.get(pk=variant.pk).stock == 4
    assert sum(level.on_hand for level in StockLevel.objects.filter(sku=variant.sku)) == 4


def test_a_platform_without_a_warehouse_gets_its_home_warehouse_at_the_first_stated_stock(settings):
    settings.PLATFORM_COUNTRY = "CN"
    assert not Warehouse.objects.exists()

    variant = make_product(stock=3).variants.get()

    warehouse = Warehouse.objects.get()
    assert (warehouse.code, warehouse.country) == (stock.HOME_WAREHOUSE_CODE, "CN")
    assert StockLevel.objects.get(sku=variant.sku).on_hand == 3


def test_stock_in_a_switched_off_warehouse_is_not_for_sale(home):
    variant = make_product(stock=0).variants.get()
    elsewhere = make_warehouse(country="CN", is_active=False)

    make_level(warehouse=elsewhere, sku=variant.sku, on_hand=6, variant=variant)

    assert ProductVariant.objects.get(pk=variant.pk).stock == 0
    Warehouse.objects.filter(pk=elsewhere.pk).update(is_active=True)
    stock.recount_available([variant.sku])
    assert ProductVariant.objects.get(pk=variant.pk).stock == 6


def test_the_migration_counts_catalog_figures_never_counted_once_then_shows_the_warehouses(settings):
    settings.PLATFORM_COUNTRY = "CN"
    migration = importlib.import_module("logistics.migrations.0003_stock_warehouse_count_only")
    never = make_product(stock=0).variants.get()
    counted = make_product(stock=4).variants.get()
    ProductVariant.objects.filter(pk=never.pk).update(stock=7)  # the merchant's figure, as before
    ProductVariant.objects.filter(pk=counted.pk).update(stock=9)  # the copy that overstated

    migration.count_catalog_stock(apps, None)
    migration.count_catalog_stock(apps, None)  # run again: nothing counted twice

    assert StockLevel.objects.get(sku=never.sku).on_hand == 7
    assert StockLevel.objects.get(sku=counted.sku).on_hand == 4
    figures = dict(ProductVariant.objects.values_list("sku", "stock"))
    assert (figures[never.sku], figures[counted.sku]) == (7, 4)


def in_stock(product):
    return type(product).objects.values_list("in_stock", flat=True).get(pk=product.pk)


def test_the_products_in_stock_flag_follows_every_move_of_its_variants_figures(home):
    """Product.in_stock is what the in-stock filter and its counts read: sold out by a hold, back on
    its release, sold out by a sale, back by a restatement, off when its only variant with units is
    taken off sale."""
    merchant = make_merchant()
    product = make_product(merchant, stock=2)
    variant = product.variants.get()
    level = StockLevel.objects.get(sku=variant.sku)
    assert in_stock(product) is True

    stock.hold([(level, 2, "checkout:f:1")], expires_at=None)
    assert in_stock(product) is False
    stock.release_holds(["checkout:f:1"])
    assert in_stock(product) is True

    sell(variant, 2, "order:f:1")
    assert in_stock(product) is False

    catalog_services.save_product(
        merchant=merchant, data=product_input(code=product.code, stock=3, skus=[variant.sku]), product=product
    )
    assert in_stock(product) is True

    ProductVariant.objects.filter(pk=variant.pk).update(is_active=False)
    catalog_services.refresh_products([product.pk])
    assert in_stock(product) is False


def test_a_recount_sets_the_in_stock_flag_of_every_product_it_touches(home):
    product = make_product(stock=4)
    type(product).objects.filter(pk=product.pk).update(in_stock=False)  # as if left stale

    stock.recount_available()

    assert in_stock(product) is True
