"""Shared reviews across two real instances (issue 15): a `us` shopper receives a `us` product and
reviews it on `us` through the order page's review form; the review travels to `cn` as
review.shared, waits for cn's moderation, then shows on cn's partner-zone page of that product
marked as from us, in English, with the count from each platform. A `cn` shopper who bought the same
product in cn's zone reviews it in Chinese; it shows on us's own product page marked as from cn.
A take-down on us (a hide) removes the review from cn's page too.

Web servers only; outboxes are relayed by the test. The purchases are set up through each shop's
services (placed, paid, shipped, delivered); the reviews are written over HTTP."""

import pytest
import requests

from .aftersales_steps import LISTING, MODERATE, buy, offer_us_goods, page, panel, reviews, run, shell, write_review
from .pairs import partnered_pair
from .test_purchase_and_settlement import GOODS, SHOPPERS, TIMEOUT
from .test_two_instances import manage

pytestmark = pytest.mark.e2e

DATABASES = ("crossborder_e2e_reviews_cn", "crossborder_e2e_reviews_us")
ENV = {"CROSSBORDER_OUTBOX_RELAY_ON_COMMIT": "false"}


@pytest.fixture(scope="module")
def pair(request, tmp_path_factory):
    with partnered_pair(request, tmp_path_factory, name="e2e-reviews", databases=DATABASES, env=ENV) as pair:
        yield pair


def test_reviews_travel_both_ways_and_each_side_shows_them_after_its_own_moderation(pair):
    cn, us = pair
    offer_us_goods(cn, us, GOODS["us"])
    lamp = run(cn, LISTING, sku="US-LAMP")
    assert lamp["orderable"], lamp
    zone_page = f"/en/zone/us/p/{lamp['reference']}/"
    home_page = f"/p/{lamp['reference']}/"  # us's own product page: the listing's reference is its product's

    # A us shopper receives the lamp and reviews it on us.
    us_order = buy(us, {"sku": "US-LAMP"}, SHOPPERS["us"])
    review_url = write_review(
        us, us_order, prefix="",
        fields={"rating": "5", "title": "Lights the whole tent", "text": "Three evenings on one charge.",
                "author_name": "Sam C.", "language": "en"},
    )  # fmt: skip
    made_on_us = reviews(us)
    [[us_reference, origin, language, status, _]] = made_on_us["reviews"]
    assert (origin, language, status) == ("us", "en", "pending")
    assert made_on_us["outbox"] == [["review.shared", "sender", "pending"]]
    shell(us, MODERATE, reference=us_reference, reason="")

    # Relayed to cn: stored for cn's moderation, not shown until cn approves it.
    manage(us, "relay_outbox")
    assert reviews(cn)["reviews"] == [[us_reference, "us", "en", "pending", False]]
    assert panel(page(cn, zone_page)) == (0, None, {})
    shell(cn, MODERATE, reference=us_reference, reason="")
    shown = page(cn, zone_page)
    assert panel(shown) == (1, "5.0", {"us": 1})
    assert f'data-origin="us" data-reference="{us_reference}"' in shown and '<article lang="en">' in shown
    assert "Lights the whole tent" in shown and "verified purchase on Trailhead Goods" in shown

    # A cn shopper buys the lamp in cn's zone and reviews it in Chinese on cn.
    cn_order = buy(cn, {"listing_id": lamp["id"]}, SHOPPERS["cn"])
    write_review(
        cn, cn_order, prefix="",
        fields={"rating": "3", "title": "亮度不错", "text": "有点重，但很耐用。", "author_name": "小李",
                "language": "zh-hans"},
    )  # fmt: skip
    cn_reference = next(r[0] for r in reviews(cn)["reviews"] if r[1] == "cn")
    shell(cn, MODERATE, reference=cn_reference, reason="")
    both = page(cn, zone_page)
    assert panel(both) == (2, "4.0", {"cn": 1, "us": 1})
    assert '<article lang="zh-hans">' in both and "亮度不错" in both

    # It reaches us and shows on us's own product page, after us's moderation, marked as from cn.
    manage(cn, "relay_outbox")
    assert [r for r in reviews(us)["reviews"] if r[1] == "cn"] == [[cn_reference, "cn", "zh-hans", "pending", False]]
    assert panel(page(us, home_page)) == (1, "5.0", {"us": 1})
    shell(us, MODERATE, reference=cn_reference, reason="")
    home = page(us, home_page)
    assert panel(home) == (2, "4.0", {"us": 1, "cn": 1})
    assert f'data-origin="cn" data-reference="{cn_reference}"' in home and "亮度不错" in home
    assert "verified purchase on Bao Bei Mall" in home

    # us takes its shopper's review down: cn stops showing it too.
    shell(us, MODERATE, reference=us_reference, reason="The shopper asked us to remove it")
    manage(us, "relay_outbox")
    assert [r for r in reviews(cn)["reviews"] if r[0] == us_reference] == [[us_reference, "us", "en", "approved", True]]
    after = page(cn, zone_page)
    assert panel(after) == (1, "3.0", {"cn": 1}) and "Lights the whole tent" not in after
    assert requests.get(review_url, timeout=TIMEOUT).status_code == 200
