"""A shopper on the cn storefront, in Chinese, in a real browser: one of our own products and one
from the us partner's zone into the cart, checkout with address, contact and the buyer's identity
for customs, the locked quote, the order placed, paid with the sandbox QR wallet (the wallet's
approval page the QR code encodes, opened as on a phone), and the order shown paid.

The sandbox's webhooks travel as real HTTP POSTs to the live server (the production delivery,
PLATFORM_BASE_URL pointing at it). Screenshots of each step land in test-artifacts/."""

import io
import re

import pytest
from django.core.cache import cache
from PIL import Image

from crossborder.models import OutboxMessage
from logistics.models import Shipment
from payments.models import Order, Payment, SandboxWebhook, WebhookReceipt
from payments.providers.views import qr_svg
from tests.catalog.factories import make_merchant, make_product
from tests.logistics.factories import make_level
from tests.payments.paying_factories import set_up_cn, unbalanced_transactions
from tests.payments.shop_factories import VALID_ID, partner_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTNER_IMAGES = "http://us.partner.invalid/media/"
OWN_TITLE = "婴儿奶瓶宽口径 240毫升"
PARTNER_TITLE = "美国进口户外保温水壶 750毫升"


@pytest.fixture
def shop(settings, live_server):
    """The cn platform (zh-hans, CNY, the QR wallet) whose sandbox sends webhooks over HTTP to the
    live server; one own product in the warehouse and one priced us partner listing."""
    warehouse = set_up_cn(settings)
    settings.PLATFORM_BASE_URL = live_server.url
    settings.PAYMENT_OPTIONS = {
        **settings.PAYMENT_OPTIONS,
        "SANDBOX_WEBHOOK_DELIVERY": "payments.providers.sandbox.deliver_over_http",
    }
    cache.clear()
    product = make_product(
        make_merchant("Harbour Baby Co."),
        titles={"zh-hans": OWN_TITLE, "en": "Wide-neck baby bottle 240 ml"},
        price="129.00",
        stock=5,
    )
    variant = product.variants.get()
    make_level(warehouse=warehouse, sku=variant.sku, on_hand=5, variant=variant)
    listing = partner_listing(
        texts={
            "zh-hans": {"title": PARTNER_TITLE, "description": "双层不锈钢,保冷 24 小时。"},
            "en": {"title": "Insulated steel bottle 750 ml", "description": "Keeps cold for 24 hours."},
        },
        images=[f"{PARTNER_IMAGES}bottle.png"],
        direct_stock=5,
    )
    return {"product": product, "listing": listing}


def serve_partner_images(page):
    def answer(route):
        buffer = io.BytesIO()
        Image.new("RGB", (320, 320), (14, 116, 144)).save(buffer, format="PNG")
        route.fulfill(status=200, content_type="image/png", body=buffer.getvalue())

    page.route(f"{PARTNER_IMAGES}**", answer)


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} scrolls sideways ({width}px in {viewport}px)"


def on_a_phone_too(page, shot, name):
    """The same page at a phone's width: nothing overflows sideways; back to the desktop after."""
    desktop = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    no_sideways_scroll(page)
    shot(page, name)
    page.set_viewport_size(desktop)


def test_a_cn_shopper_buys_own_and_partner_goods_and_pays_with_the_qr_wallet(live_server, page, shot, shop):
    serve_partner_images(page)
    listing = shop["listing"]

    # Our own product, then the partner's, into the cart.
    page.goto(f"{live_server.url}/p/{shop['product'].reference}/")
    assert page.locator("h1").inner_text() == OWN_TITLE
    with page.expect_navigation():
        page.locator("form.add-to-cart button").click()
    page.goto(f"{live_server.url}/zone/us/p/{listing.reference}/")
    assert page.locator("h1").inner_text() == PARTNER_TITLE
    with page.expect_navigation():
        page.locator("form.add-to-cart button").click()
    assert page.locator("h1").inner_text() == "您的购物车"
    rows = page.locator(".cart-lines tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).get_attribute("data-origin") == "own" and OWN_TITLE in rows.nth(0).inner_text()
    assert rows.nth(1).get_attribute("data-origin") == "partner" and PARTNER_TITLE in rows.nth(1).inner_text()
    badge, row = rows.nth(1).locator(".badge").bounding_box(), rows.nth(1).bounding_box()
    assert row["y"] <= badge["y"] and badge["y"] + badge["height"] <= row["y"] + row["height"]  # in its line
    no_sideways_scroll(page)
    shot(page, "checkout-1-cart")
    on_a_phone_too(page, shot, "checkout-1-cart-phone")

    # Checkout: address, contact, and the buyer's identity for the partner line.
    with page.expect_navigation():
        page.locator("a.button.primary").click()
    assert page.locator("h1").inner_text() == "结算"
    page.fill("#f-name", "李伟")
    page.fill("#f-address", "浦东新区世纪大道 88 号")
    page.select_option("#f-country_area", "上海市")
    page.fill("#f-city", "上海")
    page.fill("#f-postcode", "200120")
    page.fill("#f-email", "li.wei@example.com")
    page.fill("#f-phone", "13800138000")
    page.fill("#f-buyer_name", "李伟")
    page.fill("#f-buyer_id_number", VALID_ID)
    no_sideways_scroll(page)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "checkout-2-address")
    with page.expect_navigation():
        page.locator(".checkout-form button[type=submit]").click()

    # The locked quote: both lines, duties and taxes, the total; the wallet chosen to pay.
    assert page.locator("h1").inner_text() == "您的报价"
    lines = page.locator(".quote-lines tbody tr")
    assert lines.count() == 2
    assert lines.nth(0).get_attribute("data-fulfilment") == "own_stock"
    assert lines.nth(1).get_attribute("data-fulfilment") == "direct"
    total = page.locator(".grand-total").get_attribute("data-total")
    assert page.locator('input[name="provider"][value="sandbox_wallet"]').is_checked()
    assert "李伟" in page.locator(".deliver-to").inner_text() and "002X" in page.locator(".deliver-to").inner_text()
    no_sideways_scroll(page)
    shot(page, "checkout-3-quote")
    on_a_phone_too(page, shot, "checkout-3-quote-phone")

    with page.expect_navigation():
        page.locator("form[action$='/place/'] button[type=submit]").click()
    order = Order.objects.get()
    payment = Payment.objects.get()
    assert str(order.total.amount) == total and payment.amount == order.total.amount
    assert page.url == f"{live_server.url}/pay/{payment.token}/"
    assert page.locator("h1").inner_text() == "扫码支付"
    qr_payload = payment.next_action["qr_payload"]
    drawn = page.locator("svg.qr path").get_attribute("d")
    assert drawn == re.search(r' d="([^"]+)"', qr_svg(qr_payload, "")).group(1)  # the code encodes it
    assert page.locator("[data-wallet-app]").get_attribute("href") == qr_payload
    shot(page, "checkout-4-scan-to-pay")

    # Meanwhile the order waits for its payment, with a way back to it.
    waiting = page.context.new_page()
    waiting.goto(f"{live_server.url}/orders/{order.token}/")
    assert waiting.locator(".order-payment").get_attribute("data-payment") == "awaiting"
    assert waiting.locator("[data-pay-now]").inner_text() == f"立即支付 ¥{order.total.amount}"
    assert waiting.locator('input[name="provider"][value="sandbox_wallet"]').is_checked()
    no_sideways_scroll(waiting)
    shot(waiting, "checkout-4b-order-awaiting-payment")
    waiting.close()

    # The shopper's phone opens what the QR code encodes: the wallet's approval page.
    phone = page.context.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(qr_payload)
    assert f"{order.total.amount}" in phone.locator(".pay-amount").inner_text()
    no_sideways_scroll(phone)
    shot(phone, "checkout-5-wallet-approve")
    with phone.expect_navigation():
        phone.locator("button.approve").click()
    assert phone.locator(".pay-status").get_attribute("data-status") == "captured"
    shot(phone, "checkout-6-wallet-done")
    phone.close()

    # The webhooks came over HTTP to the live server, signed; the payment page moves on by itself.
    assert SandboxWebhook.objects.count() == 2
    assert not SandboxWebhook.objects.filter(delivered_at__isnull=True).exists()
    assert sorted(WebhookReceipt.objects.values_list("event_type", flat=True)) == [
        "payment.authorised",
        "payment.captured",
    ]
    page.wait_for_url(f"{live_server.url}/orders/{order.token}/", timeout=15000)
    status = page.locator(".order-payment")
    assert status.get_attribute("data-payment") == "paid"
    assert "已付款" in status.inner_text() and "谢谢" in status.inner_text()
    assert page.locator("[data-pay-now]").count() == 0
    paid_lines = page.locator(".quote-lines tbody tr")
    assert paid_lines.count() == 2
    assert OWN_TITLE in paid_lines.nth(0).inner_text() and PARTNER_TITLE in paid_lines.nth(1).inner_text()
    no_sideways_scroll(page)
    shot(page, "checkout-7-order-paid")

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Order.Status.PAID and payment.state == Payment.State.CAPTURED
    assert unbalanced_transactions() == {}
    assert OutboxMessage.objects.get().message_type == "order.forwarded"
    assert Shipment.objects.count() == 2

    # The same order on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    no_sideways_scroll(page)
    shot(page, "checkout-8-order-paid-phone")
