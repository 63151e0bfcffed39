"""The storefront as a shopper sees it: the home page, category listings with their filters, sort
orders and pages, the product page in the shopper's language, and a fixed number of queries per
page however many products it shows."""

import datetime as dt
import io
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from PIL import Image

from catalog import selectors, services
from catalog.models import Category, Product, ProductVariant
from crossborder.models import Partner, Partnership

from .factories import BABY_AND_TODDLER, NURSING_AND_FEEDING, make_merchant, make_product, money

pytestmark = pytest.mark.django_db

BABY_BOTTLES = 564  # Baby & Toddler > Nursing & Feeding > Baby Bottles
SKIN_CARE = 567  # Health & Beauty > ... > Skin Care
TENTS = 1022  # Sporting Goods > ... > Tents
SKILLETS = 662  # Home & Garden > ... > Skillets & Frying Pans
HEALTH_AND_BEAUTY = 469
SPORTING_GOODS = 988

# Queries per page on a cold cache, whatever the number of products (see catalog.selectors):
# category: category, its relatives, catalog generation, facet rows, the page's ids, products, texts,
# images, variants
CATEGORY_PAGE_QUERIES = 9
# A shopper's first page that records history (partner_zone's recorder, through catalog.hooks)
# also creates the session (load, savepoint, exists, insert, release) and writes the event.
HISTORY_QUERIES = 5
# Recommended partner goods on the home and product pages (partner_zone, through catalog.hooks).
RECOMMENDATION_QUERIES = 3
# search: catalog generation, facet rows, the page's ids, products, texts, images, variants; the
# recorded search
SEARCH_PAGE_QUERIES = 7 + HISTORY_QUERIES
# home: partnerships, catalog generation, used categories, category nodes, products, texts, images, variants
HOME_PAGE_QUERIES = 8 + RECOMMENDATION_QUERIES
# product: product (with category and merchant), texts, images, variants, the category's ancestors
PRODUCT_PAGE_QUERIES = 5 + HISTORY_QUERIES + RECOMMENDATION_QUERIES


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # the facet and home caches must not leak from one test to the next
    yield
    cache.clear()


@pytest.fixture
def merchant():
    return make_merchant()


def url(name, *args, language="zh-hans", **query):
    """A storefront URL in a language (the platform's default language has no prefix)."""
    with translation.override(language):
        path = reverse(f"catalog:{name}", args=args)
    return f"{path}?{urlencode(query, doseq=True)}" if query else path


def shown(response):
    """References of the product cards on the page, in order."""
    return [card.reference for card in response.context.get("products", [])]


def refs(*products):
    return [str(product.reference) for product in products]


def png_upload(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 120, 80)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def option_counts(response, name):
    return {option["value"]: option["count"] for option in response.context[f"{name}_options"]}


# --- home --------------------------------------------------------------------------------------


def test_home_lists_top_categories_with_products_and_the_newest_products_beside_the_partner_zone(client, merchant):
    partner = Partner.objects.create(
        code="us", name="Trailhead Goods", country="US", currency="USD", base_url="http://us.invalid"
    )
    Partnership.objects.create(
        partner=partner,
        status="active",
        initiated_by="us",
        settlement_currency="USD",
        commission_rate="0.08",
        settlement_cutoff=dt.time(23),
    )
    bottle = make_product(merchant, category_id=BABY_BOTTLES, titles={"zh-hans": "宽口径奶瓶", "en": "Wide bottle"})
    tent = make_product(merchant, category_id=TENTS, titles={"zh-hans": "双人帐篷", "en": "Two-person tent"})
    make_product(merchant, category_id=SKILLETS, status=Product.Status.DRAFT)

    response = client.get(url("home"))

    assert response.status_code == 200
    assert [node.id for node in response.context["categories"]] == [BABY_AND_TODDLER, SPORTING_GOODS]
    assert [node.name for node in response.context["categories"]] == ["母婴用品", "运动户外"]
    assert [card.reference for card in response.context["newest"]] == refs(tent, bottle)
    html = response.content.decode()
    assert "双人帐篷" in html and "宽口径奶瓶" in html
    assert f'href="{url("category", SPORTING_GOODS)}"' in html
    assert 'class="partner-zones"' in html and "Trailhead Goods" in html


def test_home_in_english_names_the_categories_and_products_in_english(client, merchant):
    make_product(merchant, category_id=BABY_BOTTLES, titles={"zh-hans": "宽口径奶瓶", "en": "Wide bottle"})

    response = client.get(url("home", language="en"))

    assert [node.name for node in response.context["categories"]] == ["Baby & Toddler"]
    assert [card.title for card in response.context["newest"]] == ["Wide bottle"]
    assert 'class="partner-zones"' in response.content.decode()


# --- category listings -------------------------------------------------------------------------


def test_category_page_lists_products_of_the_category_and_its_subcategories_and_no_others(client, merchant):
    feeding = make_product(merchant, category_id=NURSING_AND_FEEDING)
    bottle = make_product(merchant, category_id=BABY_BOTTLES)
    baby = make_product(merchant, category_id=BABY_AND_TODDLER)
    make_product(merchant, category_id=TENTS)
    make_product(merchant, category_id=SKIN_CARE)

    response = client.get(url("category", NURSING_AND_FEEDING))

    assert response.status_code == 200
    assert shown(response) == refs(bottle, feeding)
    assert response.context["page"].paginator.count == 2
    assert [(link.id, link.count) for link in response.context["subcategories"]] == [(BABY_BOTTLES, 1)]
    assert [node.id for node in response.context["breadcrumb"]] == [BABY_AND_TODDLER]
    assert response.context["category_name"] == "喂养用品"

    top = client.get(url("category", BABY_AND_TODDLER))
    assert shown(top) == refs(baby, bottle, feeding)


def test_unknown_category_and_unknown_product_are_not_found(client):
    assert client.get(url("category", 999999999)).status_code == 404
    assert client.get(url("category", 10**20)).status_code == 404  # beyond the database's integers
    assert client.get(url("product", "00000000-0000-0000-0000-000000000000")).status_code == 404


def test_draft_and_archived_products_never_reach_a_listing_search_or_their_own_page(client, merchant):
    on_sale = make_product(merchant, titles={"zh-hans": "隐形奶瓶 上架", "en": "Hidden bottle on sale"})
    draft = make_product(
        merchant, titles={"zh-hans": "隐形奶瓶 草稿", "en": "Hidden bottle draft"}, status=Product.Status.DRAFT
    )
    archived = make_product(merchant, titles={"zh-hans": "隐形奶瓶 下架", "en": "Hidden bottle archived"})
    services.archive_product(merchant=merchant, product=archived)

    assert shown(client.get(url("category", NURSING_AND_FEEDING))) == refs(on_sale)
    assert shown(client.get(url("search", q="hidden"))) == refs(on_sale)
    assert shown(client.get(url("search", q="隐形奶瓶"))) == refs(on_sale)
    assert [card.reference for card in client.get(url("home")).context["newest"]] == refs(on_sale)
    assert client.get(url("product", on_sale.reference)).status_code == 200
    assert client.get(url("product", draft.reference)).status_code == 404
    assert client.get(url("product", archived.reference)).status_code == 404


def test_brand_and_country_filters_narrow_the_list_and_each_facet_counts_the_other_filter(client, merchant):
    for _ in range(2):
        make_product(merchant, brand="Acme", origin="CN")
    pigeon_jp = make_product(merchant, brand="Pigeon", origin="JP")
    pigeon_cn = make_product(merchant, brand="Pigeon", origin="CN")
    medela_ch = make_product(merchant, brand="Medela", origin="CH")

    everything = client.get(url("category", NURSING_AND_FEEDING))
    assert everything.context["page"].paginator.count == 5
    assert option_counts(everything, "brand") == {"Acme": 2, "Pigeon": 2, "Medela": 1}
    assert option_counts(everything, "country") == {"CN": 3, "JP": 1, "CH": 1}

    pigeon = client.get(url("category", NURSING_AND_FEEDING, brand="Pigeon"))
    assert shown(pigeon) == refs(pigeon_cn, pigeon_jp)
    assert pigeon.context["page"].paginator.count == 2
    assert option_counts(pigeon, "brand") == {"Acme": 2, "Pigeon": 2, "Medela": 1}  # other brands stay choosable
    assert option_counts(pigeon, "country") == {"CN": 1, "JP": 1}
    assert [option["value"] for option in pigeon.context["brand_options"] if option["chosen"]] == ["Pigeon"]

    pigeon_in_japan = client.get(url("category", NURSING_AND_FEEDING, brand="Pigeon", country="JP"))
    assert shown(pigeon_in_japan) == refs(pigeon_jp)
    assert option_counts(pigeon_in_japan, "brand") == {"Pigeon": 1}

    two_countries = client.get(url("category", NURSING_AND_FEEDING, country=["JP", "CH"]))
    assert shown(two_countries) == refs(medela_ch, pigeon_jp)
    assert two_countries.context["page"].paginator.count == 2
    assert option_counts(two_countries, "brand") == {"Pigeon": 1, "Medela": 1}


def test_a_product_change_shows_on_the_next_visit_despite_the_facet_cache(client, merchant):
    make_product(merchant, brand="Acme")
    assert option_counts(client.get(url("category", NURSING_AND_FEEDING)), "brand") == {"Acme": 1}

    make_product(merchant, brand="Pigeon")

    again = client.get(url("category", NURSING_AND_FEEDING))
    assert option_counts(again, "brand") == {"Acme": 1, "Pigeon": 1}
    assert again.context["page"].paginator.count == 2


def test_price_range_keeps_the_products_priced_within_it_bounds_included(client, merchant):
    cheap = make_product(merchant, price="50.00")
    middle = make_product(merchant, price="100.00")
    dear = make_product(merchant, price="150.00")

    assert shown(client.get(url("category", NURSING_AND_FEEDING, price_min="60", price_max="140"))) == refs(middle)
    assert shown(client.get(url("category", NURSING_AND_FEEDING, price_min="100"))) == refs(dear, middle)
    assert shown(client.get(url("category", NURSING_AND_FEEDING, price_max="100"))) == refs(middle, cheap)
    narrowed = client.get(url("category", NURSING_AND_FEEDING, price_min="50", price_max="50"))
    assert shown(narrowed) == refs(cheap)
    assert narrowed.context["page"].paginator.count == 1


def test_a_highest_price_below_the_lowest_shows_an_error_on_the_page_instead_of_failing(client, merchant):
    make_product(merchant, price="50.00")
    dear = make_product(merchant, price="150.00")

    response = client.get(url("category", NURSING_AND_FEEDING, language="en", price_min="100", price_max="10"))

    assert response.status_code == 200
    assert response.context["filters"].form.errors["price_max"] == ["The highest price is below the lowest price."]
    assert re.search(
        r'class="field-error" data-field="price_max">[^<]*below the lowest price', response.content.decode()
    )
    assert shown(response) == refs(dear)  # the valid part of the range still applies
    assert response.context["page"].paginator.count == 1


def test_in_stock_filter_hides_products_with_no_stock_on_sale(client, merchant):
    in_stock = make_product(merchant, stock=3)
    sold_out = make_product(merchant, stock=0)
    only_inactive_stock = make_product(
        merchant,
        variants=[
            services.VariantInput(sku="OFF-1", price=money("20.00"), stock=9, is_active=False),
            services.VariantInput(sku="OFF-2", price=money("25.00"), stock=0),
        ],
    )

    everything = client.get(url("category", NURSING_AND_FEEDING))
    assert shown(everything) == refs(only_inactive_stock, sold_out, in_stock)
    assert everything.content.decode().count('class="badge sold-out"') == 2

    filtered = client.get(url("category", NURSING_AND_FEEDING, in_stock="1"))
    assert shown(filtered) == refs(in_stock)
    assert filtered.context["page"].paginator.count == 1
    assert option_counts(filtered, "brand") == {"Acme": 1}


def test_an_in_stock_page_comes_from_the_cache_and_a_product_selling_out_leaves_it_at_once(
    client, merchant, django_assert_max_num_queries
):
    selling = make_product(merchant, stock=3)
    other = make_product(merchant, stock=5)
    path = url("category", NURSING_AND_FEEDING, in_stock="1")
    assert shown(client.get(path)) == refs(other, selling)

    with django_assert_max_num_queries(2):  # the generation, the partner goods under a thin listing
        again = client.get(path).content.decode()
    assert str(selling.reference) in again and str(other.reference) in again

    ProductVariant.objects.filter(product=selling).update(stock=0)
    services.refresh_in_stock(product_ids=[selling.pk])  # as the stock service does after moving units

    assert shown(client.get(path)) == refs(other)


def test_sort_orders_by_price_either_way_or_newest_first_by_default(client, merchant):
    middle = make_product(merchant, price="20.00")
    dear = make_product(merchant, price="30.00")
    cheap = make_product(merchant, price="10.00")

    assert shown(client.get(url("category", NURSING_AND_FEEDING, sort="price"))) == refs(cheap, middle, dear)
    assert shown(client.get(url("category", NURSING_AND_FEEDING, sort="-price"))) == refs(dear, middle, cheap)
    assert shown(client.get(url("category", NURSING_AND_FEEDING, sort="newest"))) == refs(cheap, dear, middle)
    assert shown(client.get(url("category", NURSING_AND_FEEDING))) == refs(cheap, dear, middle)


def test_pages_split_the_list_and_every_page_tells_the_full_total(client, merchant, settings):
    settings.CATALOG_PAGE_SIZE = 2
    products = [make_product(merchant, price=f"{10 + n}.00") for n in range(5)]
    by_price = refs(*products)

    first = client.get(url("category", NURSING_AND_FEEDING, language="en", sort="price"))
    assert shown(first) == by_price[:2]
    assert first.context["page"].paginator.count == 5
    assert first.context["page"].paginator.num_pages == 3
    html = first.content.decode()
    assert "5 products" in html
    assert 'rel="next" href="?sort=price&amp;page=2"' in html

    assert shown(client.get(url("category", NURSING_AND_FEEDING, sort="price", page="2"))) == by_price[2:4]
    last = client.get(url("category", NURSING_AND_FEEDING, sort="price", page="3"))
    assert shown(last) == by_price[4:]
    assert last.context["page"].paginator.count == 5
    beyond = client.get(url("category", NURSING_AND_FEEDING, sort="price", page="99"))
    assert shown(beyond) == by_price[4:]  # past the end: the last page


def test_pages_count_only_the_filtered_products(client, merchant, settings):
    settings.CATALOG_PAGE_SIZE = 2
    for _ in range(3):
        make_product(merchant, brand="Acme")
    make_product(merchant, brand="Pigeon")

    response = client.get(url("category", NURSING_AND_FEEDING, brand="Acme"))

    assert response.context["page"].paginator.count == 3
    assert response.context["page"].paginator.num_pages == 2


@pytest.mark.parametrize(
    "query",
    [
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999999999999999999"},
        {"price_min": "xyz"},
        {"price_min": "-5"},
        {"price_min": "NaN"},
        {"price_max": "Infinity"},
        {"price_max": "1e400"},
        {"sort": "bogus"},
        {"sort": "relevance"},
        {"in_stock": "maybe"},
        {"brand": "x" * 500},
        {"brand": ""},
        {"country": "ZZZ"},
        {"country": [f"C{n}" for n in range(40)]},
    ],
    ids=lambda query: ",".join(query),
)
def test_bad_query_parameters_are_ignored_and_never_fail_the_page(client, merchant, query):
    product = make_product(merchant)

    listing = client.get(url("category", NURSING_AND_FEEDING, **query))
    found = client.get(url("search", **{"q": "奶瓶", **query}))

    assert listing.status_code == 200
    assert found.status_code == 200
    assert shown(listing) in ([], refs(product))
    assert shown(found) in ([], refs(product))


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"brand": "Acme\x00"}, "brand"),
        ({"country": "\x00"}, "country"),
        ({"price_min": "1\x00"}, "price_min"),
        ({"page": "abc", "price_min": "xyz", "sort": "bogus", "q": "奶瓶\x00"}, "q"),
    ],
)
def test_a_control_character_in_a_query_parameter_is_a_400_naming_it(client, merchant, query, field):
    """Unlike other bad values, which are ignored: no person types a NUL (issue 13)."""
    listing = client.get(url("category", NURSING_AND_FEEDING, **query))
    found = client.get(url("search", **{"q": "奶瓶", **query}))

    assert (listing.status_code, found.status_code) == (400, 400)
    assert f"“{field}”" in found.content.decode()


def test_bad_sort_and_page_fall_back_to_newest_first_on_the_first_page(client, merchant):
    older = make_product(merchant, price="10.00")
    newer = make_product(merchant, price="20.00")

    response = client.get(url("category", NURSING_AND_FEEDING, page="abc", price_min="xyz", sort="bogus"))

    assert response.status_code == 200
    assert shown(response) == refs(newer, older)
    assert response.context["page"].number == 1


# --- the product page --------------------------------------------------------------------------


def test_product_page_shows_the_title_and_description_in_the_shoppers_language(client, merchant):
    product = make_product(
        merchant,
        titles={"zh-hans": "宽口径婴儿奶瓶", "en": "Wide-neck baby bottle"},
        descriptions={"zh-hans": "耐热玻璃。", "en": "Heat-resistant glass."},
        price="89.00",
        brand="Pigeon",
    )

    chinese = client.get(url("product", product.reference))
    english = client.get(url("product", product.reference, language="en"))

    assert chinese.status_code == english.status_code == 200
    zh_html, en_html = chinese.content.decode(), english.content.decode()
    assert '<h1 class="product-title" lang="zh-hans">宽口径婴儿奶瓶</h1>' in zh_html
    assert "耐热玻璃。" in zh_html and "Heat-resistant glass." not in zh_html
    assert '<h1 class="product-title" lang="en">Wide-neck baby bottle</h1>' in en_html
    assert "Heat-resistant glass." in en_html and "耐热玻璃。" not in en_html
    assert "original-language-note" not in zh_html and "original-language-note" not in en_html
    assert '<p class="product-price">¥89.00</p>' in zh_html
    assert '<p class="product-price">CN¥89.00</p>' in en_html  # the yuan named apart from the yen
    assert '<html lang="zh-hans">' in zh_html and '<html lang="en">' in en_html


def test_product_page_shows_the_original_language_text_marked_when_the_shopper_has_none(client, merchant):
    chinese_only = make_product(
        merchant,
        titles={"zh-hans": "宽口径婴儿奶瓶"},
        descriptions={"zh-hans": "耐热玻璃。"},
        original_language="zh-hans",
    )
    english_only = make_product(
        merchant, titles={"en": "Camping skillet"}, original_language="en", category_id=SKILLETS
    )

    in_english = client.get(url("product", chinese_only.reference, language="en")).content.decode()
    assert '<h1 class="product-title" lang="zh-hans">宽口径婴儿奶瓶</h1>' in in_english
    assert re.search(r'class="original-language-note"[^>]*>[^<]*简体中文</p>', in_english)
    assert '<div class="description-text" lang="zh-hans">' in in_english

    in_chinese = client.get(url("product", english_only.reference)).content.decode()
    assert '<h1 class="product-title" lang="en">Camping skillet</h1>' in in_chinese
    assert re.search(r'class="original-language-note"[^>]*>[^<]*English</p>', in_chinese)

    card = client.get(url("category", SKILLETS)).content.decode()
    assert '<h3 class="card-title" lang="en">Camping skillet</h3>' in card


def test_product_page_lists_the_variants_on_sale_and_the_category_path(client, merchant):
    product = make_product(
        merchant,
        category_id=BABY_BOTTLES,
        variants=[
            services.VariantInput(sku="BTL-160", price=money("79.00"), stock=20, attributes={"capacity": "160 ml"}),
            services.VariantInput(sku="BTL-240", price=money("89.00"), stock=2, attributes={"capacity": "240 ml"}),
            services.VariantInput(sku="BTL-OLD", price=money("9.00"), stock=5, is_active=False),
        ],
    )

    response = client.get(url("product", product.reference, language="en"))

    html = response.content.decode()
    assert [row.sku for row in response.context["variants"]] == ["BTL-160", "BTL-240"]
    assert "BTL-OLD" not in html
    assert '<p class="product-price">from CN¥79.00</p>' in html
    assert [link.name for link in response.context["breadcrumb"]] == [
        "Baby & Toddler",
        "Nursing & Feeding",
        "Baby Bottles",
    ]


# --- a fixed number of queries per page --------------------------------------------------------


def make_catalog(merchant, count, *, with_images=False):
    """`count` products in Nursing & Feeding and its sub-category, of varied brands and origins,
    each with two variants (and two images)."""
    products = []
    for n in range(count):
        product = make_product(
            merchant,
            category_id=(NURSING_AND_FEEDING, BABY_BOTTLES)[n % 2],
            brand=("Acme", "Pigeon", "Medela")[n % 3],
            origin=("CN", "JP", "DE", "US")[n % 4],
            variants=[
                services.VariantInput(sku=f"QC{n}-S", price=money(f"{20 + n}.00"), stock=n % 3),
                services.VariantInput(sku=f"QC{n}-L", price=money(f"{30 + n}.00"), stock=1),
            ],
        )
        if with_images:
            for _ in range(2):
                services.add_product_image(merchant=merchant, product=product, upload=png_upload())
        products.append(product)
    return products


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("count", [3, 30])
def test_category_page_runs_the_same_queries_for_few_or_many_products(
    client, merchant, media, count, django_assert_max_num_queries
):
    make_catalog(merchant, count, with_images=True)

    with django_assert_max_num_queries(CATEGORY_PAGE_QUERIES):
        response = client.get(url("category", BABY_AND_TODDLER, brand=["Acme", "Pigeon"], sort="price"))
    assert response.status_code == 200
    assert len(shown(response)) == min(sum(1 for n in range(count) if n % 3 != 2), 24)


def test_a_repeat_visit_takes_the_facets_from_the_cache(client, merchant, django_assert_num_queries):
    make_catalog(merchant, 5)
    client.get(url("category", NURSING_AND_FEEDING))

    # No grouped facet query, and the category tree is already in this process's memory.
    with django_assert_num_queries(CATEGORY_PAGE_QUERIES - 3):
        response = client.get(url("category", NURSING_AND_FEEDING, brand="Acme"))
    assert response.context["page"].paginator.count == 2


@pytest.mark.parametrize("count", [3, 30])
def test_category_page_with_the_in_stock_filter_runs_the_same_queries_for_few_or_many(
    client, merchant, count, django_assert_max_num_queries
):
    make_catalog(merchant, count)

    with django_assert_max_num_queries(CATEGORY_PAGE_QUERIES):
        response = client.get(url("category", NURSING_AND_FEEDING, in_stock="1", page="2"))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [3, 30])
def test_search_page_runs_the_same_queries_for_few_or_many_products(
    client, merchant, media, count, django_assert_max_num_queries
):
    make_catalog(merchant, count, with_images=True)

    with django_assert_max_num_queries(SEARCH_PAGE_QUERIES):
        response = client.get(url("search", q="奶瓶", country=["CN", "JP"]))
    assert response.status_code == 200
    assert len(shown(response)) == sum(1 for n in range(count) if n % 4 in (0, 1))


@pytest.mark.parametrize("count", [3, 30])
def test_home_page_runs_the_same_queries_for_few_or_many_products(
    client, merchant, media, count, django_assert_max_num_queries
):
    make_catalog(merchant, count, with_images=True)
    make_product(merchant, category_id=TENTS)

    with django_assert_max_num_queries(HOME_PAGE_QUERIES):
        response = client.get(url("home"))
    assert response.status_code == 200
    assert len(response.context["newest"]) == min(count + 1, 12)


@pytest.mark.parametrize("variants,images", [(1, 0), (6, 4)])
def test_product_page_runs_the_same_queries_for_few_or_many_variants_and_images(
    client, merchant, media, variants, images, django_assert_max_num_queries
):
    product = make_product(
        merchant,
        category_id=BABY_BOTTLES,
        variants=[
            services.VariantInput(
                sku=f"V-{n}", price=money(f"{50 + n}.00"), stock=n, attributes={"size": str(n), "colour": "blue"}
            )
            for n in range(variants)
        ],
    )
    for _ in range(images):
        services.add_product_image(merchant=merchant, product=product, upload=png_upload())

    with django_assert_max_num_queries(PRODUCT_PAGE_QUERIES):
        response = client.get(url("product", product.reference, language="en"))
    assert response.status_code == 200
    assert len(response.context["variants"]) == variants
    assert len(response.context["images"]) == images


def test_categories_without_products_are_not_offered_on_the_home_page(client, merchant):
    make_product(merchant, category_id=SKIN_CARE)

    response = client.get(url("home"))

    assert [node.id for node in response.context["categories"]] == [HEALTH_AND_BEAUTY]
    assert Category.objects.filter(depth=0).count() > 1


def test_a_category_tree_is_built_once_per_process_and_forgotten_when_a_category_changes(
    django_assert_num_queries,
):
    with django_assert_num_queries(2):
        tree = selectors.category_tree(537)
    with django_assert_num_queries(0):
        assert selectors.category_tree(537) is tree
    category = Category.objects.get(pk=537)
    category.name_zh_hans = "母婴用品"
    category.save()
    with django_assert_num_queries(2):
        assert selectors.category_tree(537).category.name_zh_hans == "母婴用品"


def test_a_repeat_category_page_is_served_whole_from_the_cache_until_a_product_changes(
    client, merchant, django_assert_max_num_queries
):
    products = make_catalog(merchant, 4)
    path = url("category", NURSING_AND_FEEDING, sort="price")
    first = client.get(path).content.decode()

    # The catalog generation (one indexed MAX()), and for a listing this small the partner goods
    # that may supplement it, looked up per request.
    with django_assert_max_num_queries(2):
        again = client.get(path).content.decode()
    assert again == first

    # Every catalog service write moves the product's updated_at, which is the generation.
    Product.objects.filter(pk=products[0].pk).update(brand="Renamed Brand", updated_at=timezone.now())
    assert "Renamed Brand" in client.get(path).content.decode()


def test_the_page_carries_nothing_per_visitor_and_the_language_switch_is_a_link_to_the_same_page(client, merchant):
    make_catalog(merchant, 2)
    path = url("category", NURSING_AND_FEEDING, brand="Acme")
    html = client.get(path).content.decode()

    assert "csrfmiddlewaretoken" not in html
    english = url("category", NURSING_AND_FEEDING, brand="Acme", language="en")
    assert f'<a href="{english}" hreflang="en" lang="en" data-language="en">English</a>' in html.replace("&amp;", "&")
    html_en = client.get(english).content.decode()
    assert f'<a href="{path}" hreflang="zh-hans"' in html_en.replace("&amp;", "&")
    assert '<span class="current" lang="en" aria-current="true">English</span>' in html_en


def test_a_page_that_does_not_exist_says_so_in_the_storefront_and_links_to_each_languages_home(client):
    response = client.get("/en/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and 'href="/" hreflang="zh-hans"' in html
