"""The jp storefront in a real browser, partnered with cn and us: the home page in Japanese with an
entrance per partner zone, and the cn zone page in Japanese and in English, at desktop width and
at 390 px (a phone). Japanese glyphs must render (the machine's CJK font); screenshots of each land
in test-artifacts/."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from djmoney.money import Money

from catalog.models import Category
from catalog.taxonomy import load_rows, read_rows
from tests.partner_zone.factories import make_listing, make_partnership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KITCHEN = 638  # Home & Garden > Kitchen & Dining
WIDTHS = {"desktop": 1200, "phone": 390}


def jpy(amount):
    return Money(Decimal(amount), "JPY")


@pytest.fixture
def jp_platform(settings):
    """This instance as Sakura Market, Japan: yen, Japanese first."""
    settings.PLATFORM_CODE = "jp"
    settings.PLATFORM_NAME = "Sakura Market"
    settings.PLATFORM_COUNTRY = "JP"
    settings.PLATFORM_CURRENCY = "JPY"
    settings.LANGUAGE_CODE = "ja"
    settings.LANGUAGES = [("ja", "Japanese"), ("en", "English"), ("zh-hans", "Simplified Chinese")]
    settings.TIME_ZONE = "Asia/Tokyo"
    if not Category.objects.exists():
        load_rows(Category, read_rows())
    cache.clear()
    zones = {}
    for code, name, country, currency, goods in (
        (
            "cn",
            "Bao Bei Mall",
            "CN",
            "CNY",
            [("宽口径玻璃奶瓶", "Wide-neck glass bottle", "広口ガラス哺乳びん", "3280")],
        ),
        ("us", "Trailhead Goods", "US", "USD", [("露营灯", "Camp lantern", "キャンプランタン", "4980")]),
    ):
        partnership = make_partnership(code, currency=currency, country=country, name=name)
        zones[code] = [
            make_listing(
                partnership,
                texts={
                    "zh-hans": {"title": zh, "description": ""},
                    "en": {"title": en, "description": ""},
                    "ja": {"title": ja, "description": ""},
                },
                category_id=KITCHEN,
                price=jpy(price),
                list_price=jpy(price),
                price_breakdown={"duties_included": True, "ships_from": "direct", "delivery_days": "7-15"},
                priced_at=timezone.now(),
                changed_at=timezone.now() - dt.timedelta(minutes=1),
                images=[],
            )
            for zh, en, ja, price in goods
        ]
    return zones


def glyphs_render(page, text):
    """Whether `text` is drawn with a real font: a string of it is wider than the same number of
    the box that stands for a missing glyph would be if every character were missing."""
    return page.evaluate(
        """text => {
            const c = document.createElement('canvas').getContext('2d');
            c.font = '16px sans-serif';
            return c.measureText(text).width !== c.measureText('\\u{10FFFF}'.repeat(text.length)).width;
        }""",
        text,
    )


@pytest.mark.parametrize("width", list(WIDTHS))
def test_jp_home_shows_two_zone_entrances_and_the_cn_zone_in_japanese_and_english(
    live_server, browser, shot, jp_platform, width
):
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900}, locale="ja-JP")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        assert page.locator("html").get_attribute("lang") == "ja"
        entrances = page.locator(".zone-entrance")
        assert entrances.count() == 2
        assert page.locator('.zone-entrance[data-partner="cn"]').count() == 1
        assert page.locator('.zone-entrance[data-partner="us"]').count() == 1
        text = page.locator(".partner-zones").inner_text()
        assert "パートナーゾーン" in text and "ゾーンに入る" in text
        assert glyphs_render(page, "ゾーンに入る")
        shot(page, f"trio-jp-home-ja-{width}")

        with page.expect_navigation():
            page.locator('.zone-entrance[data-partner="cn"] a').first.click()
        assert page.url == live_server.url + "/zone/cn/"
        assert page.locator("h1").inner_text() == "Bao Bei Mall"
        titles = page.locator(".card .card-title").all_inner_texts()
        assert titles == ["広口ガラス哺乳びん"]
        assert "3,280" in page.locator(".card").first.inner_text()
        assert glyphs_render(page, "広口ガラス哺乳びん")
        shot(page, f"trio-jp-zone-cn-ja-{width}")

        page.goto(live_server.url + "/en/zone/cn/")
        assert page.locator(".card .card-title").all_inner_texts() == ["Wide-neck glass bottle"]
        shot(page, f"trio-jp-zone-cn-en-{width}")
        if width == "phone":  # nothing wider than the phone's screen
            assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS["phone"]
    finally:
        context.close()


HOME_AND_GARDEN = 536


def test_jp_shopper_browses_home_and_zone_categories_named_in_japanese(live_server, browser, shot, jp_platform):
    from tests.catalog.factories import make_product

    make_product(
        category_id=KITCHEN,
        titles={"ja": "南部鉄器の急須", "en": "Cast iron teapot"},
        original_language="ja",
        price="4980",
    )
    context = browser.new_context(viewport={"width": WIDTHS["desktop"], "height": 900}, locale="ja-JP")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        tile = page.locator(f'.tile[data-category="{HOME_AND_GARDEN}"]')
        assert tile.inner_text() == "ホーム・ガーデン"
        with page.expect_navigation():
            tile.click()
        assert page.locator("h1").inner_text() == "ホーム・ガーデン"
        with page.expect_navigation():
            page.locator(f'.subcategories a[data-category="{KITCHEN}"]').click()
        assert page.locator("h1").inner_text() == "キッチン・ダイニング"
        assert page.locator(".breadcrumb li").all_inner_texts() == [
            "ホーム",
            "ホーム・ガーデン",
            "キッチン・ダイニング",
        ]
        assert glyphs_render(page, "キッチン・ダイニング")
        shot(page, "trio-jp-category-ja-desktop")

        page.goto(live_server.url + "/zone/us/")
        zone_tile = page.locator(f'.category-tiles a[data-category="{HOME_AND_GARDEN}"]')
        assert zone_tile.inner_text().split()[0] == "ホーム・ガーデン"
        with page.expect_navigation():
            zone_tile.click()
        assert page.locator("h1").inner_text() == "ホーム・ガーデン"
        assert "キッチン・ダイニング" in page.locator(".subcategories").inner_text()
        assert "Home & Garden" not in page.locator("main").inner_text()
        shot(page, "trio-jp-zone-us-category-ja-desktop")
    finally:
        context.close()
