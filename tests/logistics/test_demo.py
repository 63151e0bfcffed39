"""The demo's logistics: a warehouse per platform and the express rates of the cost comparison."""

import pytest
from django.core.management import call_command

from logistics.models import ExpressRate, Warehouse

pytestmark = pytest.mark.django_db


def test_the_cn_demo_has_its_bonded_warehouse_and_the_papers_express_rate_to_the_us(settings):
    settings.PLATFORM_CODE, settings.PLATFORM_CURRENCY = "cn", "CNY"
    call_command("demo_logistics")
    call_command("demo_logistics")  # a second run adds nothing

    (warehouse,) = Warehouse.objects.all()
    assert (warehouse.code, warehouse.country.code) == ("sha-1", "CN")
    five_kilos = ExpressRate.objects.get(destination="US", max_weight_grams=5000)
    assert str(five_kilos.price.amount) == "500.00" and five_kilos.price.currency.code == "CNY"
    assert ExpressRate.objects.count() == 12  # six weight bands to each partner country (us, jp)
    assert set(ExpressRate.objects.values_list("destination", flat=True)) == {"US", "JP"}


def test_the_us_demo_rates_are_in_dollars_to_china(settings):
    settings.PLATFORM_CODE, settings.PLATFORM_CURRENCY = "us", "USD"
    call_command("demo_logistics")
    assert set(ExpressRate.objects.values_list("price_currency", "destination").distinct()) == {
        ("USD", "CN"),
        ("USD", "JP"),
    }
    assert Warehouse.objects.get().country.code == "US"
