"""The merchant's orders in a real browser, with a home line to ship, a delivered home line with a
graded return, and a line a partner sold abroad: the list, the returned line's page and the ship
form (a malformed tracking number refused, then shipped), in both languages, desktop and 390 px."""

import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from aftersales.models import ReturnUnit
from payments.models import ForwardedLine
from payments.shop.services import orders
from tests.aftersales.factories import paid_line, returned_units
from tests.catalog.factories import make_user
from tests.partner_zone.factories import make_partnership
from tests.payments.shop_factories import own_variant, set_up_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ABROAD = {
    "name": "Ann Lee",
    "address_lines": ["1 Main St"],
    "country_area": "TX",
    "city": "Austin",
    "postcode": "78701",
    "country": "US",
}


@pytest.fixture
def merchant_lines(settings):
    warehouse = set_up_shop(settings)
    mug = own_variant(warehouse, stock=20)
    merchant = mug.product.merchant
    merchant.ships_itself = True
    merchant.save(update_fields=["ships_itself"])
    to_ship = paid_line(mug, 2)
    returned = paid_line(mug, 1)
    (unit,) = returned_units(returned, "good")
    ReturnUnit.objects.filter(pk=unit.pk).update(disposition="resell", disposition_reason="graded good")
    partnership = make_partnership("us", currency="USD", country="US")
    orders.receive_forwarded_order(
        partnership=partnership,
        payload={
            "order": str(uuid.uuid4()),
            "number": "5001",
            "placed_at": "2026-11-30T10:00:00-06:00",
            "lines": [
                {
                    "reference": "order:us:5001:1",
                    "product": str(mug.product.reference),
                    "sku": mug.sku,
                    "title": "Enamel mug",
                    "quantity": 1,
                    "fulfilment": "direct",
                    "export_amount": {"amount": "40.00", "currency": "CNY"},
                }
            ],
            "recipient": ABROAD,
        },
    )
    return merchant, to_ship, returned, ForwardedLine.objects.get()


def logged_in(page, live_server, user, language):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {"name": name, "value": value, "url": live_server.url}
            for name, value in (
                (settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value),
                (settings.LANGUAGE_COOKIE_NAME, language),
            )
        ]
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_merchant_reads_its_orders_and_ships_a_line_in_either_language(
    page, live_server, shot, merchant_lines, language
):
    merchant, to_ship, returned, abroad = merchant_lines
    owner = make_user(f"owner-{language}")
    merchant.users.add(owner, through_defaults={"role": "fulfilment"})
    with translation.override(language):
        list_path = reverse("payments:merchant-orders")
        returned_path = reverse("payments:merchant-order-line", args=["home", returned.pk])
        ship_path = reverse("payments:merchant-order-line", args=["home", to_ship.pk])
        resell = translation.gettext("resell locally as a graded item")
        shipped = translation.gettext("Shipped: the shopper gets the tracking.")
    logged_in(page, live_server, owner, language)

    for width, name in ((1200, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + list_path)
        shot(page, f"merchant-orders-list-{language}-{name}")
        assert page.locator("tr[data-where=home]").count() == 2 and page.locator("tr[data-where=abroad]").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.goto(live_server.url + returned_path)
        assert resell in page.inner_text("main")
        shot(page, f"merchant-orders-returned-line-{language}-{name}")
        page.goto(live_server.url + ship_path)
        shot(page, f"merchant-orders-ship-form-{language}-{name}")
        assert page.locator("#ship").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.fill("#tracking_number", "SF 12")
    page.click(".ship-form button[type=submit]")
    assert page.locator("#tracking-error").is_visible()
    shot(page, f"merchant-orders-ship-refused-{language}-phone")
    page.fill("#tracking_number", "SF1234567890")
    page.click(".ship-form button[type=submit]")
    assert shipped in page.inner_text("main") and "SF1234567890" in page.inner_text("main")
    page.set_viewport_size({"width": 1200, "height": 900})
    shot(page, f"merchant-orders-shipped-{language}-desktop")
