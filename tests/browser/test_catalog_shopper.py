"""A shopper in a real browser walks the catalog: the home page in Chinese, the language switch,
a category with a brand filter and a price sort, searches in Chinese and in English, and a product
page. Screenshots of each step land in test-artifacts/."""

import pytest
from django.core.cache import cache

from catalog.models import Category
from catalog.taxonomy import load_rows, read_rows
from tests.catalog.factories import make_merchant, make_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BABY_BOTTLES = 564
TENTS = 1022


@pytest.fixture
def shelf():
    """Products in both languages in two categories (the taxonomy again if an earlier transactional
    test flushed it)."""
    if not Category.objects.exists():
        load_rows(Category, read_rows())
    cache.clear()
    merchant = make_merchant("Harbour Baby Co.")
    return {
        "wide": make_product(
            merchant,
            category_id=BABY_BOTTLES,
            titles={"zh-hans": "婴儿奶瓶宽口径 240毫升", "en": "Wide-neck baby bottle 240 ml"},
            brand="Pigeon",
            origin="JP",
            price="129.00",
        ),
        "glass": make_product(
            merchant,
            category_id=BABY_BOTTLES,
            titles={"zh-hans": "玻璃奶瓶 160毫升", "en": "Glass baby bottle 160 ml"},
            brand="Pigeon",
            origin="JP",
            price="89.00",
        ),
        "steel": make_product(
            merchant,
            category_id=BABY_BOTTLES,
            titles={"zh-hans": "不锈钢保温奶瓶", "en": "Insulated steel baby bottle"},
            brand="Medela",
            origin="CH",
            price="199.00",
        ),
        "tent": make_product(
            merchant,
            category_id=TENTS,
            titles={"zh-hans": "双人登山帐篷", "en": "Two-person hiking tent"},
            brand="Naturehike",
            origin="CN",
            price="459.00",
        ),
    }


def card_titles(page):
    return page.locator(".card .card-title").all_inner_texts()


def style(page, selector, name):
    return page.locator(selector).first.evaluate(f"node => getComputedStyle(node).{name}")


def test_shopper_browses_filters_sorts_searches_and_opens_a_product(live_server, page, shot, shelf):
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text().startswith("欢迎来到")
    assert page.locator(".category-tiles .tile").all_inner_texts() == ["母婴用品", "运动户外"]
    assert "双人登山帐篷" in card_titles(page)
    shot(page, "catalog-1-home-zh-hans")

    with page.expect_navigation():
        page.click('nav.language a[data-language="en"]')
    assert page.url == live_server.url + "/en/"
    assert page.locator(".category-tiles .tile").all_inner_texts() == ["Baby & Toddler", "Sporting Goods"]
    assert "Two-person hiking tent" in card_titles(page)
    shot(page, "catalog-2-home-en")

    with page.expect_navigation():
        page.click(".category-tiles .tile >> text=Baby & Toddler")
    assert page.locator("h1").inner_text() == "Baby & Toddler"
    assert sorted(card_titles(page)) == [
        "Glass baby bottle 160 ml",
        "Insulated steel baby bottle",
        "Wide-neck baby bottle 240 ml",
    ]
    assert page.locator(".result-count").inner_text() == "3 products"
    shot(page, "catalog-3-category")

    with page.expect_navigation():
        page.check("input[name=brand][value=Pigeon]")
    assert sorted(card_titles(page)) == ["Glass baby bottle 160 ml", "Wide-neck baby bottle 240 ml"]
    assert page.locator(".result-count").inner_text() == "2 products"
    assert style(page, ".filter.brand legend", "fontSize") == style(page, ".filter.country legend", "fontSize")
    assert style(page, ".filter.brand .option-label", "color") == style(page, ".filter.country .option-label", "color")
    shot(page, "catalog-4-brand-filter")

    with page.expect_navigation():
        page.select_option("select[name=sort]", "-price")
    assert card_titles(page) == ["Wide-neck baby bottle 240 ml", "Glass baby bottle 160 ml"]
    assert page.locator(".card .card-price").all_inner_texts() == ["CN¥129.00", "CN¥89.00"]
    with page.expect_navigation():
        page.select_option("select[name=sort]", "price")
    assert card_titles(page) == ["Glass baby bottle 160 ml", "Wide-neck baby bottle 240 ml"]
    assert page.locator("input[name=brand][value=Pigeon]").is_checked()  # the sort keeps the filter
    shot(page, "catalog-5-sorted-by-price")

    page.fill("#site-search-q", "奶瓶")
    with page.expect_navigation():
        page.press("#site-search-q", "Enter")
    assert sorted(card_titles(page)) == [
        "Glass baby bottle 160 ml",
        "Insulated steel baby bottle",
        "Wide-neck baby bottle 240 ml",
    ]
    shot(page, "catalog-6-search-zh")

    page.fill("#site-search-q", "bottle")
    with page.expect_navigation():
        page.press("#site-search-q", "Enter")
    assert len(card_titles(page)) == 3
    assert "Two-person hiking tent" not in card_titles(page)
    shot(page, "catalog-7-search-en")

    with page.expect_navigation():
        page.click(".card-title >> text=Insulated steel baby bottle")
    assert page.locator("h1.product-title").inner_text() == "Insulated steel baby bottle"
    assert page.locator(".product-price").inner_text() == "CN¥199.00"
    assert page.locator(".product-brand").text_content() == "Medela"
    shot(page, "catalog-8-product")


def test_shopper_reads_a_product_in_chinese_and_finds_it_by_one_character(live_server, page, shot, shelf):
    page.goto(live_server.url + "/search/?q=" + "帐")
    assert card_titles(page) == ["双人登山帐篷"]
    shot(page, "catalog-9-search-one-character-zh")

    with page.expect_navigation():
        page.click(".card-link")
    assert page.locator("h1.product-title").inner_text() == "双人登山帐篷"
    assert page.locator(".product-price").inner_text() == "¥459.00"
    shot(page, "catalog-10-product-zh")


def test_shopper_reads_an_untranslated_product_marked_and_is_told_about_a_reversed_price_range(
    live_server, page, shot, shelf
):
    only_chinese = make_product(
        make_merchant(),
        category_id=BABY_BOTTLES,
        titles={"zh-hans": "竹纤维奶瓶刷"},
        descriptions={"zh-hans": "柔软不伤瓶壁。"},
        brand="Babycare",
        price="39.00",
    )
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/en/p/{only_chinese.reference}/")
    assert page.locator("h1.product-title").inner_text() == "竹纤维奶瓶刷"
    assert page.locator("h1.product-title").get_attribute("lang") == "zh-hans"
    assert "简体中文" in page.locator(".original-language-note").inner_text()
    shot(page, "catalog-11-product-original-language-phone")

    page.goto(f"{live_server.url}/en/c/{BABY_BOTTLES}/?price_min=100&price_max=10")
    assert "below the lowest price" in page.locator(".field-error[data-field=price_max]").inner_text()
    assert page.locator(".card").count() == 2  # the valid lowest price still applies
    assert page.evaluate("document.documentElement.scrollWidth") == 390  # nothing pokes out sideways
    shot(page, "catalog-12-price-error-phone")
