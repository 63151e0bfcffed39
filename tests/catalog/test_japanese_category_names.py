"""Japanese category names: every node of the shipped taxonomy has one (catalog/data/taxonomy.tsv),
the loader and its migration store it, and a Japanese storefront names categories in Japanese on
the home page, the category pages and the merchant's category picker, with the same queries as in
any other language."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import selectors, taxonomy
from catalog.models import Category

from .factories import BABY_AND_TODDLER, NURSING_AND_FEEDING, make_merchant, make_product
from .test_storefront import url

BABY_BOTTLES = 564  # Baby & Toddler > Nursing & Feeding > Baby Bottles
TENTS = 1022  # Sporting Goods > ... > Tents
SPORTING_GOODS = 988
# Hiragana, katakana (with the middle dot and the long-vowel mark) and the CJK ideographs.
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
LANGUAGES = [("zh-hans", "Simplified Chinese"), ("en", "English"), ("ja", "Japanese")]


@pytest.fixture
def japanese(settings):
    """The storefront speaks Japanese too (as the jp instance does, first)."""
    settings.LANGUAGES = LANGUAGES
    cache.clear()
    yield
    cache.clear()


def test_every_taxonomy_row_has_a_japanese_name_that_is_not_the_english_one():
    rows = taxonomy.read_rows()
    assert len(rows) == 476
    for row in rows:
        assert row.name_ja and row.name_ja == row.name_ja.strip(), row.path_en
        assert row.name_ja != row.name_en, row.path_en
        assert JAPANESE.search(row.name_ja), (row.path_en, row.name_ja)
        assert "\t" not in row.name_ja and "\n" not in row.name_ja


def test_japanese_names_are_unique_among_siblings():
    siblings = {}
    for row in taxonomy.read_rows():
        siblings.setdefault(row.parent_id, []).append(row.name_ja)
    assert {parent: names for parent, names in siblings.items() if len(names) != len(set(names))} == {}


@pytest.mark.django_db
def test_every_loaded_category_is_named_in_japanese():
    assert not Category.objects.filter(name_ja="").exists()
    node = Category.objects.get(pk=NURSING_AND_FEEDING)
    assert node.name_in("ja") == "授乳・お食事用品"
    assert node.name_in("ja-JP") == "授乳・お食事用品"
    assert node.name_in("zh-hans") == "喂养用品" and node.name_in("en") == "Nursing & Feeding"


@pytest.mark.django_db
def test_loading_the_taxonomy_again_fills_a_missing_japanese_name_as_the_migration_does():
    Category.objects.filter(pk=BABY_BOTTLES).update(name_ja="")

    taxonomy.load_rows(Category, taxonomy.read_rows())

    assert Category.objects.get(pk=BABY_BOTTLES).name_ja == "哺乳瓶"


def test_a_category_without_a_japanese_name_reads_in_english():
    node = Category(name_en="Tents", name_zh_hans="帐篷", name_ja="")
    assert node.name_in("ja") == "Tents"


@pytest.mark.django_db
def test_the_japanese_home_page_names_its_categories_in_japanese(client, japanese):
    merchant = make_merchant()
    make_product(merchant, category_id=BABY_BOTTLES, titles={"zh-hans": "宽口径奶瓶", "en": "Wide bottle"})
    make_product(merchant, category_id=TENTS, titles={"zh-hans": "双人帐篷", "en": "Two-person tent"})

    response = client.get(url("home", language="ja"))

    assert response.status_code == 200
    assert [node.name for node in response.context["categories"]] == ["ベビー・キッズ", "スポーツ・アウトドア"]
    html = response.content.decode()
    assert "ベビー・キッズ" in html and "Baby &amp; Toddler" not in html


@pytest.mark.django_db
def test_the_japanese_category_page_names_the_category_its_breadcrumb_and_subcategories_in_japanese(client, japanese):
    merchant = make_merchant()
    make_product(merchant, category_id=BABY_BOTTLES)

    response = client.get(url("category", NURSING_AND_FEEDING, language="ja"))

    assert response.status_code == 200
    assert response.context["category_name"] == "授乳・お食事用品"
    assert [link.name for link in response.context["breadcrumb"]] == ["ベビー・キッズ"]
    assert [link.name for link in response.context["subcategories"]] == ["哺乳瓶"]
    html = response.content.decode()
    assert "<h1>授乳・お食事用品</h1>" in html and "Nursing &amp; Feeding" not in html


def queries_of(client, path):
    """How many queries a first visit to `path` runs (caches emptied, as on a cold start)."""
    cache.clear()
    selectors.forget_category_trees()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_japanese_pages_run_the_same_queries_as_the_chinese_ones(client, japanese):
    merchant = make_merchant()
    for _ in range(3):
        make_product(merchant, category_id=BABY_BOTTLES)

    for name, args in (("category", (BABY_AND_TODDLER,)), ("home", ())):
        chinese = queries_of(client, url(name, *args, language="zh-hans"))
        assert queries_of(client, url(name, *args, language="ja")) == chinese, name


@pytest.mark.django_db
def test_the_category_picker_shows_japanese_paths_and_finds_a_category_by_its_japanese_name():
    name, path, path_en = selectors.category_paths("ja")[BABY_BOTTLES]
    assert (name, path) == ("哺乳瓶", "ベビー・キッズ > 授乳・お食事用品 > 哺乳瓶")
    assert path_en == "Baby & Toddler > Nursing & Feeding > Baby Bottles"

    assert BABY_BOTTLES in [match.id for match in selectors.search_categories("哺乳瓶", "ja")]
    assert selectors.category_path(SPORTING_GOODS, "ja") == "スポーツ・アウトドア"


@pytest.mark.django_db
def test_a_products_search_document_holds_its_japanese_category_name():
    product = make_product(category_id=BABY_BOTTLES)
    assert "哺乳瓶" in product.search_document
