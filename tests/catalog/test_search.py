"""Product search as the shopper uses it: Chinese words found inside unspaced text, English words
by their stem (PostgreSQL), brands, mixed queries, ranking, and queries that find nothing."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode

from catalog import search

from .factories import NURSING_AND_FEEDING, make_merchant, make_product

pytestmark = pytest.mark.django_db

BABY_BOTTLES = 564
SKILLETS = 662
TENTS = 1022


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # search facets are cached per query: a new product must not hide behind them
    yield
    cache.clear()


@pytest.fixture
def merchant():
    return make_merchant()


def search_url(q, language="zh-hans", **query):
    with translation.override(language):
        path = reverse("catalog:search")
    return f"{path}?{urlencode({'q': q, **query}, doseq=True)}"


def found(client, q, **query):
    response = client.get(search_url(q, **query))
    assert response.status_code == 200
    return [card.reference for card in response.context.get("products", [])]


def refs(*products):
    return [str(product.reference) for product in products]


@pytest.fixture
def shelf(merchant):
    """A few products in both languages, in three categories."""
    return {
        "bottle": make_product(
            merchant,
            category_id=NURSING_AND_FEEDING,  # its category name does not say "bottles"
            titles={"zh-hans": "婴儿奶瓶宽口径", "en": "Wide-neck Baby Bottle"},
            brand="Pigeon",
            origin="JP",
        ),
        "skillet": make_product(
            merchant,
            category_id=SKILLETS,
            titles={"zh-hans": "铸铁煎锅", "en": "Cast iron skillet"},
            brand="Lodge",
            origin="US",
        ),
        "tent": make_product(
            merchant,
            category_id=TENTS,
            titles={"zh-hans": "双人帐篷", "en": "Two-person tent"},
            brand="Naturehike",
            origin="CN",
        ),
    }


# --- English -----------------------------------------------------------------------------------


def test_an_english_title_word_finds_the_product_whatever_its_case(client, shelf):
    assert found(client, "skillet") == refs(shelf["skillet"])
    assert found(client, "SKILLET") == refs(shelf["skillet"])
    assert found(client, "cast iron") == refs(shelf["skillet"])


@pytest.mark.postgres
def test_english_search_finds_other_forms_of_a_word_on_postgresql(client, shelf):
    assert found(client, "bottles") == refs(shelf["bottle"])  # the title says "Bottle"
    assert found(client, "skillets") == refs(shelf["skillet"])
    assert found(client, "tenting") == refs(shelf["tent"])


def test_every_word_of_the_query_must_match(client, shelf):
    assert found(client, "baby bottle") == refs(shelf["bottle"])
    assert found(client, "baby skillet") == []


# --- Chinese -----------------------------------------------------------------------------------


def test_a_chinese_word_is_found_inside_unspaced_text(client, shelf):
    assert found(client, "奶瓶") == refs(shelf["bottle"])  # in the middle of 婴儿奶瓶宽口径
    assert found(client, "婴儿") == refs(shelf["bottle"])  # at the start
    assert found(client, "宽口径") == refs(shelf["bottle"])  # at the end
    assert found(client, "铸铁煎锅") == refs(shelf["skillet"])  # the whole title


def test_a_single_chinese_character_finds_every_product_containing_it(client, shelf):
    assert found(client, "瓶") == refs(shelf["bottle"])
    assert found(client, "径") == refs(shelf["bottle"])  # the last character of a run
    assert found(client, "人") == refs(shelf["tent"])
    assert found(client, "锅") == refs(shelf["skillet"])


def test_chinese_characters_must_appear_in_the_order_typed(client, shelf):
    assert found(client, "瓶奶") == []
    assert found(client, "奶瓶婴儿") == []


def test_a_chinese_search_on_the_english_storefront_shows_english_titles(client, shelf):
    response = client.get(search_url("奶瓶", language="en"))

    assert [card.title for card in response.context["products"]] == ["Wide-neck Baby Bottle"]


# --- mixed, brands, filters ----------------------------------------------------------------------


def test_a_mixed_chinese_and_english_query_needs_both_parts(client, shelf):
    assert found(client, "Pigeon 奶瓶") == refs(shelf["bottle"])
    assert found(client, "婴儿bottle") == refs(shelf["bottle"])
    assert found(client, "Lodge 奶瓶") == []


def test_a_brand_finds_that_brands_products(client, merchant, shelf):
    other_tent = make_product(
        merchant, category_id=TENTS, titles={"en": "Ultralight tent"}, brand="Naturehike", original_language="en"
    )

    assert found(client, "naturehike") == refs(other_tent, shelf["tent"])
    assert found(client, "Pigeon") == refs(shelf["bottle"])


def test_search_results_take_the_brand_filter_and_count_their_facets(client, merchant, shelf):
    other = make_product(merchant, category_id=BABY_BOTTLES, titles={"zh-hans": "玻璃奶瓶"}, brand="Medela")

    response = client.get(search_url("奶瓶"))
    assert {option["value"]: option["count"] for option in response.context["brand_options"]} == {
        "Pigeon": 1,
        "Medela": 1,
    }
    assert response.context["page"].paginator.count == 2
    assert found(client, "奶瓶", brand="Medela") == refs(other)


def test_a_new_product_is_found_at_once_despite_the_cached_search_facets(client, merchant, shelf):
    assert found(client, "tent") == refs(shelf["tent"])

    newer = make_product(
        merchant, category_id=TENTS, titles={"en": "Family tent"}, brand="Coleman", original_language="en"
    )

    response = client.get(search_url("tent"))
    assert [card.reference for card in response.context["products"]] == refs(newer, shelf["tent"])
    assert response.context["page"].paginator.count == 2


# --- ranking -----------------------------------------------------------------------------------


@pytest.mark.postgres
def test_a_title_match_ranks_above_a_product_matching_only_by_its_category(client, merchant):
    titled = make_product(
        merchant,
        category_id=BABY_BOTTLES,
        titles={"en": "Glass feeding bottle"},
        brand="Pigeon",
        original_language="en",
    )
    category_only = make_product(
        merchant, category_id=BABY_BOTTLES, titles={"en": "Silicone teat set"}, brand="Pigeon", original_language="en"
    )

    assert found(client, "bottle") == refs(titled, category_only)  # though newest first would say otherwise
    assert found(client, "bottle", sort="newest") == refs(category_only, titled)


@pytest.mark.postgres
def test_a_word_in_the_title_outranks_the_same_word_once_in_the_brand(client, merchant):
    in_title = make_product(
        merchant, category_id=TENTS, titles={"en": "Summit lantern tent"}, brand="Acme", original_language="en"
    )
    in_brand = make_product(  # newer, so it would come first if the two ranked the same
        merchant, category_id=TENTS, titles={"en": "Dome shelter"}, brand="Summit Gear", original_language="en"
    )

    assert found(client, "summit") == refs(in_title, in_brand)


def test_the_search_document_puts_the_titles_on_their_own_first_line():
    text = search.document("Pigeon", "Baby Bottles", titles=["婴儿奶瓶", "Baby bottle"])

    titles, rest = text.split(search.SEGMENTS)
    assert titles.startswith("婴儿奶瓶 baby bottle") and "奶瓶" in titles.split()
    assert rest == "pigeon baby bottles"


# --- queries that find nothing -------------------------------------------------------------------


@pytest.mark.parametrize("q", ["", "   "])
def test_an_empty_query_shows_a_prompt_and_no_results(client, shelf, q):
    response = client.get(search_url(q, language="en"))

    assert response.status_code == 200
    assert "products" not in response.context
    html = response.content.decode()
    assert 'class="empty-result search-prompt"' in html
    assert "What are you looking for?" in html
    assert 'class="card"' not in html


@pytest.mark.parametrize("q", ["!!!", "&|!()", ":*", "<->", "'\"", "——。，", "%_%", "\\"])
def test_a_query_of_only_punctuation_shows_the_prompt_without_error(client, shelf, q):
    response = client.get(search_url(q, language="en"))

    assert response.status_code == 200
    assert "products" not in response.context
    assert "Type at least one word or character to search." in response.content.decode()


@pytest.mark.parametrize(
    "q,expected",
    [
        ("bottle & tent", []),
        ("bottle | tent", []),
        ("!bottle", ["bottle"]),
        ("bottle:*", ["bottle"]),
        ("(bottle)", ["bottle"]),
        ("奶瓶 <-> 帐篷", []),
        ("奶瓶:*", ["bottle"]),
        ("the", []),
    ],
)
def test_search_operators_and_stop_words_are_taken_as_text_and_never_fail(client, shelf, q, expected):
    assert found(client, q) == refs(*(shelf[name] for name in expected))


def test_a_very_long_query_is_cut_and_still_answered(client, shelf):
    assert found(client, "奶瓶 " + "x" * 5000) == []
    assert found(client, "奶瓶 " * 100) == refs(shelf["bottle"])


# --- the substring fallback (SQLite, the embedded default) ---------------------------------------


def test_the_substring_fallback_finds_a_part_of_a_word_in_either_language(client, shelf, monkeypatch):
    monkeypatch.setattr(search, "uses_postgres", lambda: False)  # what SQLite gets, on any database

    assert found(client, "skill") == refs(shelf["skillet"])
    assert found(client, "BOTTL") == refs(shelf["bottle"])
    assert found(client, "奶瓶") == refs(shelf["bottle"])
    assert found(client, "人") == refs(shelf["tent"])
    assert found(client, "婴儿 wide") == refs(shelf["bottle"])
    assert found(client, "瓶奶") == []
    assert found(client, "%") == []  # punctuation only: the prompt
