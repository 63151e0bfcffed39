"""Orders a partner forwarded us, in a real browser: the merchant's orders page names the carrier a
line shipped with (not its code), and the forwarded-order admin says who ships each line in the
exporter's words and offers no Save (what happens to an order goes through its actions). Desktop
and 390 px phone width, both languages."""

import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from payments.models import ForwardedLine, ForwardedOrder
from payments.shop.services import merchant_fulfilment, orders
from tests.catalog.factories import make_user, past_second_factor
from tests.partner_zone.factories import make_partnership
from tests.payments.shop_factories import own_variant, set_up_shop
from tests.payments.test_forwarded_fulfilment import RECIPIENT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def forwarded_order(settings):
    warehouse = set_up_shop(settings)
    mug, pot = own_variant(warehouse, stock=8), own_variant(warehouse, stock=3)
    partnership = make_partnership("us", currency="USD", country="US")

    def line(n, variant, fulfilment, quantity):
        return {
            "reference": f"order:us:5001:{n}",
            "product": str(variant.product.reference),
            "sku": variant.sku,
            "title": ["Enamel mug", "Clay teapot", "Bamboo whisk"][n - 1],
            "quantity": quantity,
            "fulfilment": fulfilment,
            "export_amount": {"amount": "40.00", "currency": "CNY"},
        }

    orders.receive_forwarded_order(
        partnership=partnership,
        payload={
            "order": str(uuid.uuid4()),
            "number": "5001",
            "placed_at": "2026-11-30T10:00:00-06:00",
            "lines": [line(1, mug, "direct", 2), line(2, pot, "direct", 1), line(3, mug, "consignment", 1)],
            "recipient": RECIPIENT,
        },
    )
    merchant = mug.product.merchant
    pot.product.merchant = merchant
    pot.product.save(update_fields=["merchant"])
    shipped = ForwardedLine.objects.get(reference="order:us:5001:1")
    merchant_fulfilment.fulfil_line(
        merchant=merchant, where="abroad", line_id=shipped.pk, step="ship", carrier="sandbox", tracking_number="MY-123"
    )
    return merchant


def logged_in(page, live_server, user, language):
    """A session for `user` and the language chosen, as the browser's cookies."""
    client = past_second_factor(Client(), user)
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
def test_the_merchant_sees_the_carriers_name_and_ops_see_who_ships_without_a_save(
    page, live_server, shot, forwarded_order, language
):
    owner = make_user("mug-maker")
    forwarded_order.users.add(owner, through_defaults={"role": "fulfilment"})
    staff = make_user("ops", is_staff=True, is_superuser=True)
    with translation.override(language):
        orders_path = reverse("payments:merchant-orders")
    logged_in(page, live_server, owner, language)

    for width, name in ((1200, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + orders_path)
        text = page.inner_text("main")
        assert "Sandbox Express MY-123" in text and "sandbox MY-123" not in text
        shot(page, f"merchant-orders-carrier-{language}-{name}")

    page.context.clear_cookies()
    logged_in(page, live_server, staff, language)
    order = ForwardedOrder.objects.get()
    admin_path = reverse("admin:payments_forwardedorder_change", args=[order.pk])
    # The admin speaks the language the staff member chose (the language cookie), as the storefront.
    with translation.override(language):
        ours = translation.gettext("us, cross-border direct to the partner's shopper")
        theirs = translation.gettext("the partner, from our consignment stock in its warehouse")
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(live_server.url + admin_path)
    text = page.inner_text("body")
    assert "Sandbox Express MY-123" in text
    assert page.locator("input[name=_save]").count() == 0
    assert ours in text and theirs in text
    shot(page, f"admin-forwarded-order-{language}-desktop")
