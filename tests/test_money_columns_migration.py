"""Widening the money columns to 3 decimals (docs/adr/0029) keeps every stored amount: a price
written before reads back the same after, now in a column that can hold fils."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from catalog.models import ProductVariant
from tests.catalog.factories import make_product

BEFORE = [("catalog", "0007_arch_export_price_three_decimals")]
AFTER = [("catalog", "0008_arch_money_three_decimals")]


def price_column_scale():
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, ProductVariant._meta.db_table)
    return next(column.scale for column in columns if column.name == "price")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_widening_the_price_column_keeps_the_stored_prices(settings):
    settings.PLATFORM_CURRENCY = "CNY"
    variant = make_product(price="99.95").variants.get()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    assert price_column_scale() == 2
    executor.loader.build_graph()
    executor.migrate(AFTER)

    assert price_column_scale() == 3
    variant = ProductVariant.objects.get(pk=variant.pk)
    assert str(variant.price.amount) == "99.95"
