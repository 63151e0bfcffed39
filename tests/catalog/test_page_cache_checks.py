"""What a cached shopper page costs per request: the catalog generation read at most every
CATALOG_GENERATION_SECONDS per process."""

import pytest

from catalog import selectors
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
