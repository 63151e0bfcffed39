"""Shopper accounts in a real browser, in both languages, at desktop and phone width: a guest buys,
signs up with the e-mail address used, receives the verification through a real SMTP server, and
finds the order in My account; on a cn platform a shopper signs up with a phone number and the code
the SMS backend wrote (as the demo shows it). Screenshots land in test-artifacts/."""

import re

import pytest
from django.core.cache import cache

from accounts.models import Profile
from payments.models import Order
from tests import smtp_server as smtp_fixtures
from tests.catalog.factories import make_merchant, make_product
from tests.logistics.factories import make_level
from tests.payments.paying_factories import set_up_cn

eager_tasks, smtp_server = smtp_fixtures.eager_tasks, smtp_fixtures.smtp_server  # the fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-Strong-pass-42"
TEXTS = {
    "zh-hans": {"prefix": "", "title": "婴儿奶瓶宽口径 240毫升", "verify": "确认"},
    "en": {"prefix": "/en", "title": "Wide-neck baby bottle 240 ml", "verify": "Confirm"},
}


@pytest.fixture
def shop(settings, live_server):
    warehouse = set_up_cn(settings)
    settings.PLATFORM_BASE_URL = live_server.url
    cache.clear()
    product = make_product(
        make_merchant("Harbour Baby Co."),
        titles={"zh-hans": TEXTS["zh-hans"]["title"], "en": TEXTS["en"]["title"]},
        price="129.00",
        stock=5,
    )
    variant = product.variants.get()
    make_level(warehouse=warehouse, sku=variant.sku, on_hand=5, variant=variant)
    return product


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways ({width}px)"


def both_widths(page, shot, name):
    no_sideways_scroll(page)
    shot(page, name)
    desktop = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    no_sideways_scroll(page)
    shot(page, f"{name}-phone")
    page.set_viewport_size(desktop)


def buy_as_a_guest(page, base, product, email):
    page.goto(f"{base}/p/{product.reference}/")
    with page.expect_navigation():
        page.locator("form.add-to-cart button").click()
    with page.expect_navigation():
        page.locator("a.button.primary").click()
    page.fill("#f-name", "Li Wei")
    page.select_option("#f-country_area", "上海市")
    page.fill("#f-address", "88 Century Avenue")
    page.fill("#f-city", "Shanghai")
    page.fill("#f-postcode", "200120")
    page.fill("#f-email", email)
    page.fill("#f-phone", "13800138000")
    with page.expect_navigation():
        page.locator(".checkout-form button[type=submit]").click()
    with page.expect_navigation():
        page.locator("form[action$='/place/'] button[type=submit]").click()
    return Order.objects.get(email=email)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_guest_buys_signs_up_by_email_and_finds_the_order_in_my_account(
    live_server,
    page,
    shot,
    shop,
    settings,
    smtp_server,  # noqa: F811 - the fixture
    language,
):
    settings.ACCOUNTS_PHONE_FIRST = False
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    settings.ACCOUNT_LOGIN_METHODS = {"email"}
    settings.ACCOUNT_SIGNUP_FIELDS = ["email*", "phone", "password1*", "password2*"]
    texts, email = TEXTS[language], f"guest-{language}@example.com"
    base = live_server.url + texts["prefix"]
    order = buy_as_a_guest(page, live_server.url + texts["prefix"], shop, email)
    assert order.user is None

    page.goto(f"{base}/")
    with page.expect_navigation():
        page.locator("[data-sign-in]").click()
    both_widths(page, shot, f"accounts-{language}-1-sign-in")
    with page.expect_navigation():
        page.locator(f"a[href='{texts['prefix']}/account/signup/']").first.click()
    page.fill("#id_email", email)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    both_widths(page, shot, f"accounts-{language}-2-sign-up")
    with page.expect_navigation():
        page.locator("form.account-form button[type=submit]").click()
    assert page.url.endswith("/account/confirm-email/")
    both_widths(page, shot, f"accounts-{language}-3-verification-sent")

    # The verification e-mail, as the SMTP server received it, in the shopper's language.
    received = [m for m in smtp_server.messages if email in str(m["To"])]
    assert len(received) == 2  # the order's e-mail, then the verification
    message = received[-1]
    body = message.get_body(preferencelist=("plain",)).get_content()
    if language == "zh-hans":
        assert re.search(r"[\u4e00-\u9fff]", str(message["Subject"]) + body)
    link = re.search(r"https?://\S+/account/confirm-email/[^/\s]+/", body).group(0)
    page.goto(link)
    both_widths(page, shot, f"accounts-{language}-4-confirm")
    with page.expect_navigation():
        page.locator("form.account-form button[type=submit]").click()

    # Signed in: the header names the shopper; the guest order is in My account.
    assert page.locator("[data-my-account]").count() == 1
    page.goto(f"{base}/account/orders/")
    row = page.locator(f"tr[data-order='{order.number}']")
    assert row.count() == 1 and row.locator("[data-status]").get_attribute("data-status") == "awaiting_payment"
    both_widths(page, shot, f"accounts-{language}-5-my-orders")
    with page.expect_navigation():
        row.locator("a").first.click()
    assert texts["title"] in page.locator(".account-main").inner_text()
    both_widths(page, shot, f"accounts-{language}-6-order")
    page.goto(f"{base}/account/privacy/")
    both_widths(page, shot, f"accounts-{language}-7-privacy")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_cn_shopper_signs_up_with_a_phone_and_the_texted_code(
    live_server, page, shot, shop, settings, tmp_path, language
):
    settings.SMS_BACKEND = "accounts.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    base = live_server.url + TEXTS[language]["prefix"]
    page.goto(f"{base}/account/signup/")
    page.fill("#id_phone", "138 0013 8000")
    page.fill("#id_password1", PASSWORD)
    both_widths(page, shot, f"accounts-{language}-phone-1-sign-up")
    with page.expect_navigation():
        page.locator("form.account-form button[type=submit]").first.click()
    assert page.url.endswith("/account/phone/verify/")
    (written,) = (tmp_path / "sms").iterdir()  # what the demo shows as the shopper's phone
    code = re.search(r"\b(\d{6})\b", written.read_text().split("\n\n", 1)[1]).group(1)

    page.fill("#id_code", "000000" if code != "000000" else "111111")  # a wrong code first
    with page.expect_navigation():
        page.locator("form.account-form button[type=submit]").first.click()
    assert page.url.endswith("/account/phone/verify/") and page.locator(".errorlist").count() >= 1
    both_widths(page, shot, f"accounts-{language}-phone-2-wrong-code")
    page.fill("#id_code", code)
    with page.expect_navigation():
        page.locator("form.account-form button[type=submit]").first.click()
    assert Profile.objects.get(phone="+8613800138000").phone_verified
    assert page.locator("[data-my-account]").count() == 1
    both_widths(page, shot, f"accounts-{language}-phone-3-my-account")
