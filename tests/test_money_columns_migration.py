"""Widening the money columns to 3 decimals (docs/adr/0029) keeps every stored amount: a price
written before reads back the same after, now in a column that can hold fils."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from catalog import taxonomy
from catalog.models import Category, ProductVariant
from tests.catalog.factories import make_product

BEFORE = [("catalog", "0008_catalog_texts_per_language_sku_size")]
AFTER = [("catalog", "0009_arch_money_three_decimals")]


def price_column_scale():
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, ProductVariant._meta.db_table)
    return next(column.scale for column in columns if column.name == "price")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_widening_the_price_column_keeps_the_stored_prices(settings):
    settings.PLATFORM_CURRENCY = "CNY"
    # An earlier test on a transaction flushed the tables, the taxonomy with them: put it back.
    taxonomy.load_rows(Category, taxonomy.read_rows())
    variant = make_product(price="99.95").variants.get()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    assert price_column_scale() == 2
    executor.loader.build_graph()
    executor.migrate(AFTER)

    assert price_column_scale() == 3
    variant = ProductVariant.objects.get(pk=variant.pk)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # the rest of the schema, for later tests
    assert str(variant.price.amount) == "99.95"
