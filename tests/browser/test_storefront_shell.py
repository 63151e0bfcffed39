"""The storefront as a shopper with a past sees it, in a real browser, in Chinese and in English, at
a desktop's and a phone's size: a long browsing history, goods in the cart, a delivered order and a
return. On every main page the header shows the cart's count; the product pages keep "add to cart"
on the first screen however many recommendations the history brings; and axe-core (vendored under
tests/browser/vendor, see its README) finds no serious or critical accessibility violation.
Screenshots of each page at both sizes land in test-artifacts/."""

import io
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from PIL import Image

from aftersales.choices import ReturnReason
from aftersales.returns.services import returns
from tests.catalog.factories import make_merchant, make_product
from tests.payments.paying_factories import set_up_cn
from tests.payments.payment_factories import sandbox_webhooks_through_test_client  # noqa: F401
from tests.payments.shop_factories import partner_listing

from ..aftersales.factories import delivered_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_VERSION = "4.14.1"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
PARTNER_IMAGES = "http://us.partner.invalid/media/"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PREFIX = {"zh-hans": "", "en": "/en"}
NURSING = 564  # baby bottles: the shared taxonomy's category the goods are in


@pytest.fixture
def shop_with_a_past(settings, live_server):
    """Twelve of our products (one sold out) and 24 of the us partner's, all baby bottles, with
    pictures; a delivered order of one of each and a return of it (made through the test client,
    as another visit of the same shopper would)."""
    set_up_cn(settings)
    settings.PLATFORM_BASE_URL = live_server.url
    cache.clear()
    merchant = make_merchant("Harbour Baby Co.")
    own = [
        make_product(
            merchant,
            category_id=NURSING,
            titles={"zh-hans": f"宽口径玻璃奶瓶 {n * 40} 毫升", "en": f"Wide-neck glass bottle {n * 40} ml"},
            descriptions={"zh-hans": "耐高温玻璃,防胀气奶嘴。", "en": "Heat-proof glass, anti-colic teat."},
            price=f"{89 + n * 10}.00",
            stock=0 if n == 12 else 8,
        )
        for n in range(1, 13)
    ]
    partner = [
        partner_listing(
            texts={
                "zh-hans": {"title": f"美国进口保温水壶 {n * 100} 毫升", "description": "双层不锈钢,保冷 24 小时。"},
                "en": {"title": f"Insulated steel bottle {n * 100} ml", "description": "Keeps cold for 24 hours."},
            },
            category_id=NURSING,
            images=[f"{PARTNER_IMAGES}{n}-a.png", f"{PARTNER_IMAGES}{n}-b.png"],
            direct_stock=6,
        )
        for n in range(1, 25)
    ]
    order = delivered_order(Client(), (own[0].variants.get(), 1), (partner[0], 1), delivered_days_ago=0)
    line = order.lines.get(line_number=1)
    with translation.override("zh-hans"):
        found = returns.open_return(order=order, quantities={line.pk: 1}, reason=ReturnReason.NO_REASON)
    return {"own": own, "partner": partner, "order": order, "return": found}


def serve_partner_images(page):
    colours = [(14, 116, 144), (194, 65, 12), (21, 128, 61), (124, 58, 237)]

    def answer(route):
        name = route.request.url.rsplit("/", 1)[-1]
        buffer = io.BytesIO()
        Image.new("RGB", (480, 480), colours[int(name.split("-")[0]) % len(colours)]).save(buffer, format="PNG")
        route.fulfill(status=200, content_type="image/png", body=buffer.getvalue())

    page.route(f"{PARTNER_IMAGES}**", answer)


@pytest.fixture
def shopper_page(browser):
    """A shopper's tab. The page's Content-Security-Policy allows no inline script: the test's own
    injection of axe-core is let through (the pages' policy is tested on its own elsewhere)."""
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    serve_partner_images(page)
    yield page
    context.close()


def browse_a_long_history(page, base, shop):
    """Every one of our product pages and eight of the partner's, as a shopper comparing bottles
    would (what was seen is not recommended again: the other 16 are)."""
    for product in shop["own"]:
        page.goto(f"{base}/p/{product.reference}/")
    for listing in shop["partner"][:8]:
        page.goto(f"{base}/zone/us/p/{listing.reference}/")


def add_to_cart(page, url, quantity=1):
    page.goto(url)
    page.fill("#add-quantity", str(quantity))
    with page.expect_navigation():
        page.locator("form.add-to-cart button[type=submit]").first.click()


def serious_violations(page):
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    assert page.evaluate("axe.version") == AXE_VERSION
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways ({width}px)"


def buying_box_on_first_screen(page):
    button = page.locator("form.add-to-cart button[type=submit]").first.bounding_box()
    assert button is not None, f"{page.url} has no add-to-cart button"
    viewport = page.viewport_size
    assert button["y"] >= 0 and button["y"] + button["height"] <= viewport["height"], (
        f"{page.url}: add to cart at {button['y']:.0f}px, below the first screen of {viewport['height']}px"
    )
    return page.evaluate("document.documentElement.scrollHeight")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_add_to_cart_stays_on_the_first_screen_with_a_long_history(
    live_server, shopper_page, shot, shop_with_a_past, language
):
    page, shop = shopper_page, shop_with_a_past
    base = live_server.url + PREFIX[language]
    browse_a_long_history(page, base, shop)
    pages = {
        "own": f"{base}/p/{shop['own'][3].reference}/",
        "zone": f"{base}/zone/us/p/{shop['partner'][3].reference}/",
    }
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        for kind, url in pages.items():
            page.goto(url)
            shot(page, f"shell-product-{kind}-{size_name}-{language}")
            recommended = page.locator(".recommendations .recommendation")
            assert recommended.count() >= 4, f"{url}: the history brings no recommendations"
            height = buying_box_on_first_screen(page)
            # Recommendations are a compact row or grid of small pictures, not a page of posters.
            limit = 3200 if size_name == "desktop" else 5200
            assert height <= limit, f"{url} is {height}px tall at {size_name} size"
            picture = recommended.first.locator(".card-image").bounding_box()
            assert picture["width"] <= 240 and picture["height"] <= 240, picture
            no_sideways_scroll(page)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_main_pages_have_the_header_and_no_serious_accessibility_violations(
    live_server, shopper_page, shot, shop_with_a_past, language
):
    page, shop = shopper_page, shop_with_a_past
    base = live_server.url + PREFIX[language]
    browse_a_long_history(page, base, shop)
    add_to_cart(page, f"{base}/p/{shop['own'][1].reference}/", quantity=2)
    add_to_cart(page, f"{base}/zone/us/p/{shop['partner'][1].reference}/")
    pages = {
        "home": f"{base}/",
        "category": f"{base}/c/{NURSING}/",
        "search": f"{base}/search/?q={'奶瓶' if language == 'zh-hans' else 'bottle'}",
        "product": f"{base}/p/{shop['own'][2].reference}/",
        "product-sold-out": f"{base}/p/{shop['own'][11].reference}/",
        "zone": f"{base}/zone/us/",
        "zone-product": f"{base}/zone/us/p/{shop['partner'][2].reference}/",
        "cart": f"{base}/cart/",
        "checkout": f"{base}/checkout/",
        "order": f"{base}/orders/{shop['order'].token}/",
        "return": f"{base}/returns/{shop['return'].token}/",
        "404": f"{base}/no-such-page/",
    }
    found = {}
    for name, url in pages.items():
        response = page.goto(url)
        assert response.status == (404 if name == "404" else 200), url
        assert page.get_attribute("html", "lang") == language
        cart = page.locator(".site-header .header-cart")
        assert cart.get_attribute("data-count") == "3", (
            f"{url}: the header's cart shows {cart.get_attribute('data-count')}"
        )
        assert page.locator(".site-header nav.language").count() == 1
        assert page.locator(".site-header .header-account").count() == 1
        found[name] = serious_violations(page)
        shot(page, f"shell-{name}-desktop-{language}")
        page.set_viewport_size(PHONE)
        no_sideways_scroll(page)
        found[f"{name} (phone)"] = serious_violations(page)
        shot(page, f"shell-{name}-phone-{language}")
        page.set_viewport_size(DESKTOP)
    assert {name: problems for name, problems in found.items() if problems} == {}
    assert page.locator("link[rel=icon]").count() >= 1


def _signed_in(page, live_server, user):
    from django.conf import settings

    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    page.context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": live_server.url}])


@pytest.fixture
def account_with_a_past(shop_with_a_past):
    """A shopper whose account holds three orders (one delivered with a return, two delivered), two
    saved addresses with provinces, and a name."""
    from django.contrib.auth import get_user_model

    from accounts.models import SavedAddress
    from payments.shop.models import Order

    user = get_user_model().objects.create_user(username="li.wei", email="li.wei@example.com", first_name="Li Wei")
    shop = shop_with_a_past
    more = [delivered_order(Client(), (shop["own"][n].variants.get(), n), delivered_days_ago=n) for n in (3, 4)]
    Order.objects.filter(pk__in=[shop["order"].pk, *(order.pk for order in more)]).update(user=user)
    home = {
        "name": "Li Wei",
        "phone": "+8613800138000",
        "country": "CN",
        "country_area": "上海市",
        "city": "上海市",
        "city_area": "浦东新区",
        "address_lines": ["世纪大道 88 号 1201 室"],
        "postcode": "200120",
    }
    office = {
        **home,
        "country_area": "浙江省",
        "city": "杭州市",
        "city_area": "西湖区",
        "address_lines": ["文三路 1 号"],
    }
    office["postcode"] = "310012"
    SavedAddress.objects.create(user=user, fields=home, label="家")
    SavedAddress.objects.create(user=user, fields=office, label="Office")
    return {**shop, "user": user, "orders": [shop["order"], *more]}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_account_pages_have_no_serious_accessibility_violations(
    live_server, shopper_page, shot, account_with_a_past, language
):
    page, account = shopper_page, account_with_a_past
    base = live_server.url + PREFIX[language]
    found = {}

    def check(name, url):
        response = page.goto(url)
        assert response.status == 200, url
        assert page.get_attribute("html", "lang") == language
        found[name] = serious_violations(page)
        shot(page, f"account-{name}-desktop-{language}")
        page.set_viewport_size(PHONE)
        no_sideways_scroll(page)
        found[f"{name} (phone)"] = serious_violations(page)
        shot(page, f"account-{name}-phone-{language}")
        page.set_viewport_size(DESKTOP)

    for name in ("login", "signup", "password/reset"):
        check(name.replace("/", "-"), f"{base}/account/{name}/")
    _signed_in(page, live_server, account["user"])
    add_to_cart(page, f"{base}/p/{account['own'][1].reference}/")
    address = account["user"].saved_addresses.first()
    pages = {
        "home": "",
        "orders": "orders/",
        "order": f"orders/{account['order'].number}/",
        "returns": "returns/",
        "addresses": "addresses/",
        "address-new": "addresses/new/",
        "address-edit": f"addresses/{address.pk}/edit/",
        "reviews": "reviews/",
        "details": "details/",
        "privacy": "privacy/",
        "email": "email/",
        "password-change": "password/change/",
    }
    for name, path in pages.items():
        check(name, f"{base}/account/{path}")
    check("checkout-saved-address", f"{base}/checkout/?address={address.pk}")
    assert page.locator("#saved-address option").count() == 2
    assert {name: problems for name, problems in found.items() if problems} == {}
