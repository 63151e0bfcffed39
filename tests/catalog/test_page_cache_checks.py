"""What a cached shopper page costs per request: the catalog generation read at most every
CATALOG_GENERATION_SECONDS per process, and the in-stock question answered from the query string."""

import pytest
from django.http import QueryDict

from catalog import selectors
from catalog.filters import ListingFilter
from tests.catalog.factories import make_product

pytestmark = pytest.mark.django_db


def test_the_generation_is_read_once_within_the_configured_seconds(settings, django_assert_num_queries):
    settings.CATALOG_GENERATION_SECONDS = 60
    selectors._generation_read.update(value=None, at=0.0)
    make_product()
    with django_assert_num_queries(1):
        first = selectors.catalog_generation()
        assert selectors.catalog_generation() == first
    selectors._generation_read.update(value=None, at=0.0)


def test_with_zero_seconds_every_read_sees_the_latest_product_change(settings, django_assert_num_queries):
    settings.CATALOG_GENERATION_SECONDS = 0
    make_product()
    before = selectors.catalog_generation()
    make_product()
    with django_assert_num_queries(1):
        assert selectors.catalog_generation() != before


@pytest.mark.parametrize(
    ("query", "asks"),
    [("", False), ("in_stock=on", True), ("in_stock=true", True), ("in_stock=false", False), ("in_stock=0", True),
     ("in_stock=", False), ("price_min=10", False)],
)  # fmt: skip
def test_the_in_stock_question_is_read_from_the_query_string_as_the_form_reads_it(query, asks):
    data = QueryDict(query)
    assert ListingFilter.asks_in_stock(data) is asks
    form_says = ListingFilter(data, queryset=None).value("in_stock")
    assert bool(form_says) is asks
