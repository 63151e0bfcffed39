"""A shopper on the cn storefront in a real browser: from the home page's partner-zone entrance
into the us zone, a Chinese search there, and a product page with its landed-cost breakdown.
The partner's image URLs are answered by Playwright (the partner is not on the network).
Screenshots of each step land in test-artifacts/."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from djmoney.money import Money
from PIL import Image

from catalog import search
from catalog.models import Category
from catalog.taxonomy import load_rows, read_rows
from partner_zone.models import Campaign, PartnerListing
from tests.catalog.factories import make_merchant, make_product
from tests.partner_zone.factories import make_listing, make_partnership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BABY_BOTTLES = 564
TENTS = 1022
PARTNER_IMAGES = "https://images.trailhead.example/"


def cny(amount):
    return Money(Decimal(amount), "CNY")


def landed(goods, vat, shipping, fees, *, ships_from="direct", days="7-15"):
    def part(amount):
        return {"amount": amount, "currency": "CNY"}

    return {
        "goods": part(goods),
        "duties": part("0.00"),
        "vat": part(vat),
        "consumption_tax": part("0.00"),
        "taxes_total": part(vat),
        "shipping": part(shipping),
        "fees": part(fees),
        "rounding": part("0.00"),
        "duties_included": True,
        "fx_rate": "7.2300",
        "ships_from": ships_from,
        "delivery_days": days,
    }


@pytest.fixture
def zone():
    """The us partner's zone with four priced listings and a Black Friday campaign our ops accepted
    (the taxonomy again if an earlier transactional test flushed it)."""
    if not Category.objects.exists():
        load_rows(Category, read_rows())
    cache.clear()
    make_product(make_merchant("Harbour Baby Co."), category_id=BABY_BOTTLES)
    us = make_partnership("us", name="Trailhead Goods")
    rows = [
        ("美国进口宽口径婴儿奶瓶 240毫升", "Wide-neck baby bottle 240 ml", BABY_BOTTLES, "149.90", "local"),
        ("玻璃防胀气奶瓶 160毫升", "Anti-colic glass bottle 160 ml", BABY_BOTTLES, "119.90", "direct"),
        ("户外双人登山帐篷", "Two-person hiking tent", TENTS, "899.00", "direct"),
        ("超轻单人帐篷", "Ultralight one-person tent", TENTS, "659.00", "local"),
    ]
    listings = {}
    for n, (zh, en, category, price, ships_from) in enumerate(rows):
        amount = Decimal(price)
        goods = (amount * Decimal("0.75")).quantize(Decimal("0.01"))
        vat = (goods * Decimal("0.091")).quantize(Decimal("0.01"))
        fees = Decimal("5.00")
        shipping = amount - goods - vat - fees
        listings[en] = make_listing(
            us,
            texts={
                "zh-hans": {"title": zh, "description": "来自美国的正品。"},
                "en": {"title": en, "description": "Genuine."},
            },
            category_id=category,
            brand="Trailhead",
            price=cny(price),
            list_price=cny(price),
            ships_from=ships_from,
            local_stock=5 if ships_from == "local" else 0,
            price_breakdown=landed(
                str(goods),
                str(vat),
                str(shipping),
                str(fees),
                ships_from=ships_from,
                days="1-3" if ships_from == "local" else "7-15",
            ),
            priced_at=timezone.now(),
            changed_at=timezone.now() - dt.timedelta(minutes=n),
            images=[f"{PARTNER_IMAGES}{n}-a.png", f"{PARTNER_IMAGES}{n}-b.png"],
        )
    if search.uses_postgres():
        PartnerListing.objects.update(search_vector=search.weighted_vector())
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        partnership=us,
        status=Campaign.Status.ACCEPTED,
        title="Black Friday",
        local_title="黑色星期五",
        banner_text="美国好物限时八折,含税包邮到家",
        starts_on=today,
        ends_on=today + dt.timedelta(days=4),
        suggested_discount_percent=Decimal("20"),
        discount_percent=Decimal("20"),
        partner_share_percent=Decimal("50"),
    )
    campaign.listings.set(listings.values())  # the partner's proposal names its goods in our zone
    return listings


def serve_partner_images(page):
    colours = [(14, 116, 144), (194, 65, 12), (21, 128, 61), (124, 58, 237)]

    def answer(route):
        name = route.request.url.rsplit("/", 1)[-1]
        buffer = io.BytesIO()
        Image.new("RGB", (320, 320), colours[int(name[0]) % len(colours)]).save(buffer, format="PNG")
        route.fulfill(status=200, content_type="image/png", body=buffer.getvalue())

    page.route(f"{PARTNER_IMAGES}**", answer)


def card_titles(page):
    return page.locator(".card .card-title").all_inner_texts()


def images_loaded(page, selector):
    return page.locator(selector).evaluate_all("nodes => nodes.every(n => n.complete && n.naturalWidth > 0)")


def inside(inner, outer):
    return inner["x"] >= outer["x"] - 1 and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1


def test_shopper_enters_the_us_zone_searches_in_chinese_and_reads_the_landed_cost(live_server, page, shot, zone):
    serve_partner_images(page)
    page.goto(live_server.url + "/")
    entrance = page.locator('.zone-entrance[data-partner="us"]')
    assert "Trailhead Goods" in entrance.inner_text()
    assert "黑色星期五" in entrance.inner_text() and "立减 20%" in entrance.inner_text()
    assert "来自我们在美国的合作伙伴" in entrance.inner_text() and "进入专区" in entrance.inner_text()
    shot(page, "zone-1-home-entrance")

    with page.expect_navigation():
        entrance.locator("a").click()
    assert page.url == live_server.url + "/zone/us/"
    assert page.locator("h1").inner_text() == "Trailhead Goods"
    banner = page.locator(".campaign-banner")
    assert "黑色星期五" in banner.inner_text() and "美国好物限时八折" in banner.inner_text()
    assert set(card_titles(page)) == {
        "美国进口宽口径婴儿奶瓶 240毫升",
        "玻璃防胀气奶瓶 160毫升",
        "户外双人登山帐篷",
        "超轻单人帐篷",
    }
    assert page.locator(".zone-categories .tile").count() == 2
    assert images_loaded(page, ".zone-newest .card-image img")
    shot(page, "zone-2-landing")

    page.fill("#zone-search-q", "奶瓶")
    with page.expect_navigation():
        page.press("#zone-search-q", "Enter")
    assert "/zone/us/search/" in page.url
    assert sorted(card_titles(page)) == sorted(["美国进口宽口径婴儿奶瓶 240毫升", "玻璃防胀气奶瓶 160毫升"])
    shot(page, "zone-3-search")

    with page.expect_navigation():
        page.check('input[name="local"]')
    assert card_titles(page) == ["美国进口宽口径婴儿奶瓶 240毫升"]

    with page.expect_navigation():
        page.locator(".card a").first.click()
    assert page.locator("h1").inner_text() == "美国进口宽口径婴儿奶瓶 240毫升"
    table = page.locator(".breakdown")
    for part in ("goods", "vat", "shipping", "fees", "taxes", "total"):
        assert table.locator(f'tr[data-part="{part}"]').count() == 1, part
    assert "149.90" in table.locator('tr[data-part="total"]').inner_text()
    assert "1-3" in page.locator(".ships-from").inner_text()
    assert page.locator(".ships-from").get_attribute("data-ships-from") == "local"
    assert images_loaded(page, ".gallery img")
    assert inside(table.bounding_box(), page.locator(".buy-box").bounding_box())
    gallery, buy_box = page.locator(".gallery").bounding_box(), page.locator(".buy-box").bounding_box()
    assert gallery["x"] + gallery["width"] <= buy_box["x"]  # side by side, not overlapping
    shot(page, "zone-4-product")

    # The home catalog has one baby bottle: its category page carries the partner's strip.
    page.goto(f"{live_server.url}/c/{BABY_BOTTLES}/")
    strip = page.locator('.partner-strip[data-partner="us"]')
    assert "来自我们在美国的合作伙伴" in strip.locator("h2").inner_text()
    assert sorted(strip.locator(".card-title").all_inner_texts()) == sorted(
        ["美国进口宽口径婴儿奶瓶 240毫升", "玻璃防胀气奶瓶 160毫升"]
    )
    assert images_loaded(page, ".partner-strip img")
    shot(page, "zone-5-home-category-strip")

    with page.expect_navigation():
        strip.locator(".card a").first.click()
    assert "/zone/us/p/" in page.url
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the product page scrolls sideways on a phone ({width}px)"
    shot(page, "zone-6-product-phone")
