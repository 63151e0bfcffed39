"""A `cn` shopper returns delivered goods in a real browser, in Chinese and in English: from the
order page's "Return or exchange" to the form (units, reason, details), then the return's own page
with its timeline, return label and drop-off point, where the shopper writes to the platform and
reads the answer. Screenshots at desktop width and at 390 px land in test-artifacts/."""

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from aftersales.models import Message, ReturnRequest
from aftersales.returns.services import returns
from tests.catalog.factories import make_merchant, make_product
from tests.logistics.factories import make_level
from tests.payments.paying_factories import set_up_cn
from tests.payments.payment_factories import sandbox_webhooks_through_test_client  # noqa: F401

from ..aftersales.factories import delivered_order, partner_goods
from .test_checkout import no_sideways_scroll, on_a_phone_too

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The page's own words, in the language under test, from the catalog (as the page takes them).
PAGE_WORDS = {"start": "Return or exchange", "reason": "changed my mind (no reason)", "label": "Your return label"}

TEXTS = {
    "zh-hans": {
        "prefix": "",
        "details": "颜色和图片不一样,想退一个。",
        "message": "请问什么时候能退款?",
        "answer": "收到货后三个工作日内退款。",
    },
    "en": {
        "prefix": "/en",
        "details": "The colour is not what the photo showed; sending one back.",
        "message": "When will I get my money back?",
        "answer": "Within three working days of receiving the parcel.",
    },
}


@pytest.fixture
def delivered(settings, live_server):
    warehouse = set_up_cn(settings)
    warehouse.name, warehouse.address = "上海浦东仓", "上海市浦东新区航城路 88 号 退货收货处"
    warehouse.save(update_fields=["name", "address"])
    settings.PLATFORM_BASE_URL = live_server.url
    product = make_product(
        make_merchant("Harbour Baby Co."),
        titles={"zh-hans": "婴儿奶瓶宽口径 240毫升", "en": "Wide-neck baby bottle 240 ml"},
        price="129.00",
        stock=0,
    )
    variant = product.variants.get()
    make_level(warehouse=warehouse, sku=variant.sku, on_hand=5, variant=variant)
    listing = partner_goods(warehouse, export_price="24.50")
    return delivered_order(Client(), (variant, 2), (listing, 1), delivered_days_ago=0)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_shopper_returns_delivered_goods_follows_the_timeline_and_writes_to_us(
    live_server, page, shot, delivered, language
):
    with translation.override(language):
        text = {**TEXTS[language], **{key: gettext(words) for key, words in PAGE_WORDS.items()}}
    order = delivered
    base = f"{live_server.url}{text['prefix']}"

    page.goto(f"{base}/orders/{order.token}/")
    start = page.locator("[data-start-return]")
    assert start.inner_text() == text["start"]
    with page.expect_navigation():
        start.click()
    form = page.locator("[data-return-form]")
    assert form.locator(".return-line").count() == 2
    own = order.lines.get(line_number=1)
    page.fill(f'input[name="quantity-{own.pk}"]', "1")
    page.select_option("#f-reason", label=text["reason"])
    page.fill("#f-details", text["details"])
    no_sideways_scroll(page)
    shot(page, f"returns-1-form-{language}")
    on_a_phone_too(page, shot, f"returns-1-form-{language}-phone")
    with page.expect_navigation():
        page.locator("[data-submit-return]").click()

    found = ReturnRequest.objects.get()
    assert page.url.endswith(f"/returns/{found.token}/")
    steps = page.locator("[data-timeline] li")
    assert [steps.nth(i).get_attribute("data-step") for i in range(steps.count())] == [
        "requested", "approved", "label_issued",
    ]  # fmt: skip
    label = page.locator("[data-return-label]").inner_text()
    assert text["label"] in label and found.label_number in label and "航城路 88 号" in label

    page.fill("#f-body", text["message"])
    with page.expect_navigation():
        page.locator("[data-message-form] button").click()
    returns.write_on_return(request=found, body=text["answer"], by="staff")
    page.reload()
    thread = page.locator("[data-thread] .message")
    assert thread.count() == 2
    assert text["message"] in thread.nth(0).inner_text() and thread.nth(0).get_attribute("data-author") == "shopper"
    assert text["answer"] in thread.nth(1).inner_text() and thread.nth(1).get_attribute("data-author") == "staff"
    assert Message.objects.filter(author="shopper").count() == 1
    no_sideways_scroll(page)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, f"returns-2-page-{language}")
    on_a_phone_too(page, shot, f"returns-2-page-{language}-phone")

    page.goto(f"{base}/orders/{order.token}/")
    assert page.locator("[data-return-link]").count() == 1
    shot(page, f"returns-3-order-{language}")
