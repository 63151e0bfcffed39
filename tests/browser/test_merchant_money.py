"""The merchant's money page in a real browser: balance and hold, the month's statement with its
opening and closing balances, the CSV link, payouts and bank details, at desktop and 390 px phone
width, in both languages, with nothing wider than the screen."""

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from djmoney.money import Money

from payments.merchants import services
from tests.browser.test_forwarded_orders import logged_in
from tests.catalog.factories import make_user
from tests.payments.shop_factories import own_variant, set_up_shop
from tests.payments.test_merchant_money import delivered, paid_sale

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(900)]

SHOTS = Path("/tmp") / "shots_mmoney"


@pytest.fixture
def merchant_with_money(settings):
    warehouse = set_up_shop(settings)
    settings.MERCHANT_MONEY = {
        **settings.MERCHANT_MONEY,
        "COMMISSION_PERCENT": "8",
        "PAYOUT_MINIMUM": {"default": "20"},
    }
    teapot = own_variant(warehouse, price="250.00")
    merchant = teapot.product.merchant
    mug = own_variant(warehouse, price="39.90")
    mug.product.merchant = merchant
    mug.product.save(update_fields=["merchant"])
    services.set_bank_details(
        merchant=merchant, country="DE", account_holder="Gut GmbH", iban="DE89370400440532013000", bic="COBADEFFXXX"
    )
    delivered(paid_sale(teapot, 2))
    services.run_payouts(key="browser-run", now=timezone.now() + dt.timedelta(days=60))
    paid_sale(mug, 3)  # paid, not delivered yet: held
    services.charge_fee(merchant=merchant, reference="listing-fee", amount=Money("5.00", "CNY"), memo="listing fee")
    return merchant


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_money_page_shows_the_statement_and_the_hold_in_both_languages(
    page, live_server, shot, merchant_with_money, language
):
    user = make_user(f"finance-{language}")
    merchant_with_money.users.add(user, through_defaults={"role": "finance"})
    with translation.override(language):
        path = reverse("payments:merchant-money")
    logged_in(page, live_server, user, language)
    SHOTS.mkdir(exist_ok=True)

    for width, name in ((1200, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + path)
        text = page.inner_text("main")
        # 2 x 250 less 8 % paid out; 3 x 39.90 = 119.70 less 9.58 held; a 5.00 fee.
        assert "460.00" in text and "110.12" in text and "105.12" in text
        assert page.locator("tr[data-kind]").count() == 6  # sale, commission, payout; sale, commission; fee
        assert page.locator("a[download]").get_attribute("href").endswith("format=csv")
        shot(page, f"merchant-money-{language}-{name}")
        page.screenshot(path=str(SHOTS / f"merchant-money-{language}-{name}.png"), full_page=True)
        wide = page.evaluate(
            "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1)"
            ".slice(0, 5).map(e => e.tagName + '.' + e.className)"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= width, wide
