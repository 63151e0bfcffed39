"""The partner zone in Japanese: category names on the zone's landing and category pages and in the
recommendations' reasons come from our own taxonomy in Japanese (a feed names a category by its
shared taxonomy id only), and every shipped festival has a Japanese name, filled into databases
made before the column existed without touching a name ops wrote."""

import json

import pytest
from django.core.cache import cache
from django.utils import translation

from partner_zone import rules
from partner_zone.models import DutyRule, Festival, FestivalDate, PartnerListing, RoundingRule
from partner_zone.services import sync
from partner_zone.services.recommendations import ranking
from tests.partner_zone.factories import feed_item

from .test_pages import BABY_AND_TODDLER, BABY_BOTTLES, NURSING_AND_FEEDING, listing, zone_url

pytestmark = pytest.mark.django_db

LANGUAGES = [("zh-hans", "Simplified Chinese"), ("en", "English"), ("ja", "Japanese")]
SHIPPED_JA = {
    "spring-festival": "春節（中国の旧正月）",
    "618": "618セール",
    "singles-day": "独身の日（11.11）",
    "thanksgiving": "感謝祭",
    "black-friday": "ブラックフライデー〜サイバーマンデー",
    "christmas": "クリスマス",
    "hatsuuri": "初売り",
    "golden-week": "ゴールデンウィーク",
    "nenmatsu": "年末セール",
}


@pytest.fixture
def japanese(settings):
    settings.LANGUAGES = LANGUAGES
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def us(remote):
    return remote.partnership


def test_the_japanese_zone_landing_names_its_categories_in_japanese(client, us, japanese):
    listing(
        us, titles={"zh-hans": "宽口径奶瓶", "en": "Wide-neck bottle", "ja": "広口哺乳びん"}, category_id=BABY_BOTTLES
    )

    response = client.get(zone_url("landing", "us", language="ja"))

    assert [node.name for node in response.context["top_categories"]] == ["ベビー・キッズ"]
    assert "ベビー・キッズ" in response.content.decode()


def test_the_japanese_zone_category_page_names_the_category_breadcrumb_and_subcategories_in_japanese(
    client, us, japanese
):
    listing(us, category_id=BABY_BOTTLES)

    top = client.get(zone_url("category", "us", BABY_AND_TODDLER, language="ja"))
    nursing = client.get(zone_url("category", "us", NURSING_AND_FEEDING, language="ja"))

    assert top.context["category_name"] == "ベビー・キッズ"
    assert [node.name for node in top.context["subcategories"]] == ["授乳・お食事用品"]
    assert nursing.context["category_name"] == "授乳・お食事用品"
    assert [node.name for node in nursing.context["breadcrumb"]] == ["ベビー・キッズ"]
    assert [node.name for node in nursing.context["subcategories"]] == ["哺乳瓶"]
    html = nursing.content.decode()
    assert "<h1>授乳・お食事用品</h1>" in html and "Nursing &amp; Feeding" not in html


def test_the_recommendations_name_a_category_in_the_shoppers_language():
    cache.delete(ranking.TAXONOMY_KEY)
    tree = ranking._load_taxonomy()

    assert tree.name(BABY_BOTTLES, "ja") == "哺乳瓶"
    assert tree.name(BABY_BOTTLES, "zh-hans") == "奶瓶"
    assert tree.name(BABY_BOTTLES, "en") == "Baby Bottles"


def test_a_synced_listing_is_named_by_our_taxonomy_not_by_the_feed(remote):
    item = feed_item(category={"taxonomy_id": BABY_BOTTLES, "path_en": "Something > Else", "name_ja": "偽物"})

    sync.apply_page(remote.partnership, [item])

    synced = PartnerListing.objects.select_related("category").get(reference=item["id"])
    assert synced.category_id == BABY_BOTTLES
    assert synced.category.name_in("ja") == "哺乳瓶"
    assert "哺乳瓶" in synced.search_document and "偽物" not in synced.search_document


def test_every_shipped_festival_has_a_japanese_name():
    specs = json.loads((rules.DATA_DIR / "festivals.json").read_text(encoding="utf-8"))
    assert {spec["key"]: spec["name_ja"] for spec in specs} == SHIPPED_JA
    assert {spec["country"] for spec in specs} == {"CN", "US", "JP"}


def test_loaded_festivals_read_in_japanese_and_one_without_a_japanese_name_in_english():
    rules.load(DutyRule=DutyRule, RoundingRule=RoundingRule, Festival=Festival, FestivalDate=FestivalDate)
    golden_week = Festival.objects.get(key="golden-week")
    ops_own = Festival.objects.create(key="obon", country="JP", name_en="Obon sale", name_zh_hans="盂兰盆促销")

    assert golden_week.name_in("ja") == "ゴールデンウィーク"
    assert golden_week.name_in("zh-hans") == "日本黄金周" and golden_week.name_in("en") == "Golden Week"
    assert ops_own.name_in("ja") == "Obon sale"
    with translation.override("ja"):
        assert str(golden_week) == "ゴールデンウィーク (JP)"


def test_filling_japanese_festival_names_keeps_what_ops_wrote():
    rules.load(DutyRule=DutyRule, RoundingRule=RoundingRule, Festival=Festival, FestivalDate=FestivalDate)
    Festival.objects.update(name_ja="")  # as the column's migration finds them
    Festival.objects.filter(key="christmas").update(name_ja="クリスマス商戦", name_en="Xmas")

    assert rules.fill_festival_names_ja(Festival) == 8
    assert rules.fill_festival_names_ja(Festival) == 0

    names = dict(Festival.objects.values_list("key", "name_ja"))
    assert names == {**SHIPPED_JA, "christmas": "クリスマス商戦"}
    assert Festival.objects.get(key="christmas").name_en == "Xmas"


def test_ops_see_and_search_the_japanese_names_in_the_admin(client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("ops", "ops@example.com", "pw"))
    rules.load(DutyRule=DutyRule, RoundingRule=RoundingRule, Festival=Festival, FestivalDate=FestivalDate)

    festivals = client.get("/admin/partner_zone/festival/", {"q": "ゴールデン"})
    categories = client.get("/admin/catalog/category/", {"q": "哺乳瓶"})

    assert festivals.status_code == categories.status_code == 200
    assert [festival.key for festival in festivals.context["cl"].result_list] == ["golden-week"]
    assert "ゴールデンウィーク" in festivals.content.decode()  # the column
    assert BABY_BOTTLES in [category.pk for category in categories.context["cl"].result_list]
