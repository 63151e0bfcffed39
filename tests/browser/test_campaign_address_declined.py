"""A cn shopper in a real browser, in Chinese and in English, at a desktop's and a phone's width:
the zone's banner announces the campaign the price carries (its title, percent and goods), the
product page's breakdown adds up in plain words, the checkout's address form has a province and
refuses a bad postal code naming it, the quote shows the discount as its own line, and a payment
declined in the wallet app is told on the order page with the reason and another way to pay.
Screenshots of each step land in test-artifacts/ (pricing-*)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from partner_zone import selectors
from partner_zone.models import Campaign, PartnerListing
from partner_zone.services import pricing
from payments.models import Order, Payment
from tests.payments.paying_factories import set_up_cn
from tests.payments.shop_factories import VALID_ID, partner_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "美国进口户外保温水壶 750毫升"
PREFIX = {"zh-hans": "", "en": "/en"}
WORDS = {
    "zh-hans": {"declined": "拒绝", "bad_postcode": "51805"},
    "en": {"declined": "declined", "bad_postcode": "51805"},
}


@pytest.fixture
def shop(settings, live_server):
    set_up_cn(settings)
    settings.PLATFORM_BASE_URL = live_server.url
    settings.PAYMENT_OPTIONS = {
        **settings.PAYMENT_OPTIONS,
        "SANDBOX_WEBHOOK_DELIVERY": "payments.providers.sandbox.deliver_over_http",
    }
    cache.clear()
    selectors.forget_zones()
    listing = partner_listing(
        texts={
            "zh-hans": {"title": TITLE, "description": "双层不锈钢,保冷 24 小时。"},
            "en": {"title": "Insulated steel bottle 750 ml", "description": "Keeps cold for 24 hours."},
        },
        direct_stock=5,
        ships_from=PartnerListing.ShipsFrom.DIRECT,
    )
    today = timezone.localdate()
    # Our own proposal to the partner (no goods here): it must never be the zone's banner.
    Campaign.objects.create(
        partnership=listing.partnership,
        status=Campaign.Status.ACCEPTED,
        title="Singles' Day favourites",
        starts_on=today,
        ends_on=today + dt.timedelta(days=6),
        suggested_discount_percent=Decimal("15"),
        discount_percent=Decimal("15"),
        partner_share_percent=Decimal("50"),
    )
    black_friday = Campaign.objects.create(
        partnership=listing.partnership,
        status=Campaign.Status.ACCEPTED,
        title="Black Friday",
        local_title="黑五特惠",
        banner_text="美国好物 8 折",
        starts_on=today,
        ends_on=today + dt.timedelta(days=3),
        suggested_discount_percent=Decimal("20"),
        discount_percent=Decimal("20"),
        partner_share_percent=Decimal("50"),
    )
    black_friday.listings.add(listing)
    return pricing.price_listing(listing)


def fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        "w => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w)"
        ".slice(0, 3).map(e => e.tagName + '.' + e.className + '#' + e.id)",
        page.viewport_size["width"],
    )
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways ({width}px): {wide}"


def both_widths(page, shot, name):
    fits(page)
    shot(page, name)
    desktop = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    fits(page)
    shot(page, f"{name}-phone")
    page.set_viewport_size(desktop)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_campaign_banner_breakdown_address_form_and_a_declined_payment(live_server, page, shot, shop, language):
    base = f"{live_server.url}{PREFIX[language]}"
    tag = f"pricing-{language}"

    # The zone's banner: the campaign the prices carry, its percent, on which goods.
    page.goto(f"{base}/zone/us/")
    banner = page.locator(".campaign-banner")
    # The banner reads in one language: our ops' Chinese title for Chinese readers, the partner's own
    # title for the others.
    title = "黑五特惠" if language == "zh-hans" else "Black Friday"
    assert banner.get_attribute("data-discount") == "20" and title in banner.inner_text()
    assert "Singles" not in page.content()
    assert page.locator(".campaign-scope").get_attribute("data-campaign-goods") == "1"
    both_widths(page, shot, f"{tag}-1-zone-banner")

    # The product page: the same campaign and percent, lines that add up to the total.
    page.goto(f"{base}/zone/us/p/{shop.reference}/")
    discount = page.locator('.breakdown tr[data-part="discount"]')
    assert "黑五特惠" in discount.inner_text() and "20%" in discount.inner_text()
    amounts = [
        Decimal(v) for v in page.locator(".breakdown tbody tr").evaluate_all("rows => rows.map(r => r.dataset.amount)")
    ]
    total = Decimal(page.locator('.breakdown tr[data-part="total"]').get_attribute("data-amount"))
    assert sum(amounts) == total == shop.price.amount
    assert page.locator('.breakdown tr[data-part="taxes"]').count() == 1
    assert page.locator('.breakdown tr[data-part="rounding"]').count() == 0
    both_widths(page, shot, f"{tag}-2-product-breakdown")
    with page.expect_navigation():
        page.locator("form.add-to-cart button").click()

    # Checkout: the province to choose, a bad postal code refused naming the field.
    page.goto(f"{base}/checkout/")
    assert page.locator("#f-country_area option").count() > 30
    page.fill("#f-name", "李伟")
    page.select_option("#f-country_area", "上海市")
    page.fill("#f-city", "上海")
    page.fill("#f-city_area", "浦东新区")
    page.fill("#f-address", "世纪大道 88 号")
    page.fill("#f-postcode", WORDS[language]["bad_postcode"])
    page.fill("#f-email", "li.wei@example.com")
    page.fill("#f-phone", "138 0013 8000")
    page.fill("#f-buyer_name", "李伟")
    page.fill("#f-buyer_id_number", VALID_ID)
    with page.expect_navigation():
        page.locator(".checkout-form button[type=submit]").click()
    error = page.locator('[data-field="postcode"] .field-error')
    assert error.count() == 1 and "51805" in error.inner_text()
    assert page.locator("#f-postcode").get_attribute("aria-invalid") == "true"
    both_widths(page, shot, f"{tag}-3-address-refused")
    page.fill("#f-postcode", "200120")
    with page.expect_navigation():
        page.locator(".checkout-form button[type=submit]").click()

    # The quote: the discount as its own line; the full address.
    line = page.locator("tr.discount-line")
    assert line.count() == 1 and "黑五特惠" in line.inner_text()
    assert "上海市" in page.locator("[data-address]").inner_text()
    assert "浦东新区" in page.locator("[data-address]").inner_text()
    both_widths(page, shot, f"{tag}-4-quote-discount")
    with page.expect_navigation():
        page.locator("form[action$='/place/'] button[type=submit]").click()

    # The wallet app declines; the order page says so, why, and offers to pay again.
    payment = Payment.objects.get()
    order = Order.objects.get()
    phone = page.context.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(payment.next_action["qr_payload"])
    with phone.expect_navigation():
        phone.locator('button[value="decline"]').click()
    phone.close()
    payment.refresh_from_db()
    assert payment.state == Payment.State.DECLINED
    page.goto(f"{base}/orders/{order.token}/")
    notice = page.locator("[data-payment-declined]")
    assert notice.count() == 1 and notice.get_attribute("data-decline-code") == "payer_declined"
    assert WORDS[language]["declined"] in page.locator(".order-status").inner_text()
    assert page.locator("[data-pay-now]").count() == 1
    assert page.locator("tr.discount-line").count() == 1
    timeline = page.locator(".timeline").inner_text()
    assert WORDS[language]["declined"] in timeline
    both_widths(page, shot, f"{tag}-5-order-declined")
