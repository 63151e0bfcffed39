"""Shared reviews across two real instances (issue 15): a `us` shopper receives a `us` product and
reviews it on `us` through the order page's review form; the review travels to `cn` as
review.shared, waits for cn's moderation, then shows on cn's partner-zone page of that product
marked as from us, in English, with the count from each platform. A `cn` shopper who bought the same
product in cn's zone reviews it in Chinese; it shows on us's own product page marked as from cn.
A take-down on us (a hide) removes the review from cn's page too.

Web servers only; outboxes are relayed by the test. The purchases are set up through each shop's
services (placed, paid, shipped, delivered); the reviews are written over HTTP."""

import json
import re

import pytest
import requests

from .pairs import partnered_pair
from .test_purchase_and_settlement import GOODS, OFFER, RATE, SHOPPERS, TIMEOUT, USD_CNY, csrf_token, last_json
from .test_two_instances import manage

pytestmark = pytest.mark.e2e

DATABASES = ("crossborder_e2e_reviews_cn", "crossborder_e2e_reviews_us")
ENV = {"CROSSBORDER_OUTBOX_RELAY_ON_COMMIT": "false"}

LISTING = """
import json
from partner_zone.models import PartnerListing
listing = next(l for l in PartnerListing.objects.all() if l.variants[0]["sku"] == "US-LAMP")
print(json.dumps({"id": listing.pk, "reference": str(listing.reference), "orderable": listing.is_orderable}))
"""

# A shopper's order, placed and paid, then shipped and delivered by ops. `item` and `shopper` are
# set by the lines the test puts before this script.
BUY = """
import json, secrets
from payments.shop.services import cart as carts, checkout as checkouts, orders
key = "e2e-reviews-" + secrets.token_hex(4)
line = carts.add_to_cart(session_key=key, quantity=1, **item)
checkout = checkouts.start_checkout(cart=line.cart, **shopper)
order = checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))
orders.mark_paid(order=order, payment_reference="e2e-" + order.token)
for status in ("shipped", "delivered"):
    orders.change_order_status(order=order, status=status)
print(json.dumps({"token": order.token}))
"""

# This platform's moderation: approve (or hide, with `reason`) the review named by `reference`.
MODERATE = """
from aftersales.models import ProductReview
from aftersales.reviews import services
review = ProductReview.objects.get(reference=reference)
if reason:
    services.hide_review(review=review, reason=reason)
else:
    services.approve_review(review=review)
print("ok")
"""

REVIEWS = """
import json
from aftersales.models import ProductReview
from crossborder.models import OutboxMessage
print(json.dumps({
    "reviews": [[str(r.reference), r.origin, r.language, r.status, r.withdrawn_at is not None]
                for r in ProductReview.objects.order_by("pk")],
    "outbox": [[m.message_type, m.payload.get("product_of"), m.status]
               for m in OutboxMessage.objects.filter(message_type__startswith="review.").order_by("seq")],
}))
"""


@pytest.fixture(scope="module")
def pair(request, tmp_path_factory):
    with partnered_pair(request, tmp_path_factory, name="e2e-reviews", databases=DATABASES, env=ENV) as pair:
        yield pair


def shell(instance, script, **values):
    prelude = "".join(f"{name} = {value!r}\n" for name, value in values.items())
    return manage(instance, "shell", "-c", prelude + script)


def buy(instance, item, shopper):
    values = {
        key: shopper[key] for key in ("recipient", "email", "phone", "buyer_name", "buyer_id_number") if key in shopper
    }
    return last_json(shell(instance, BUY, item=item, shopper=values))["token"]


def write_review(instance, order_token, *, prefix, fields):
    """The shopper opens the order page, follows its review link and posts the form."""
    browser = requests.Session()
    order_page = browser.get(f"{instance.base_url}{prefix}/orders/{order_token}/", timeout=TIMEOUT)
    assert order_page.status_code == 200, order_page.text[-2000:]
    link = re.search(r'href="([^"]+)" data-write-review', order_page.text)
    assert link, order_page.text[-3000:]
    url = instance.base_url + link.group(1)
    form = browser.get(url, timeout=TIMEOUT)
    assert form.status_code == 200 and "data-review-form" in form.text, form.text[-2000:]
    posted = browser.post(
        url, data={**fields, "csrfmiddlewaretoken": csrf_token(form.text)}, headers={"Referer": url}, timeout=TIMEOUT
    )
    assert posted.status_code == 200 and "/reviews/" in posted.url and 'data-status="pending"' in posted.text, (
        posted.text[-2000:]
    )
    return posted.url


def reviews(instance):
    return last_json(shell(instance, REVIEWS))


def page(instance, path):
    response = requests.get(instance.base_url + path, timeout=TIMEOUT)
    assert response.status_code == 200, response.text[-2000:]
    return response.text


def panel(html):
    """The review panel's summary: total, average and the count from each platform."""
    total = re.search(r'data-review-count="(\d+)"', html)
    average = re.search(r'data-average="([\d.]+)"', html)
    platforms = dict(re.findall(r'data-platform="(\w+)" data-count="(\d+)"', html))
    return int(total.group(1)), average.group(1) if average else None, {k: int(v) for k, v in platforms.items()}


def test_reviews_travel_both_ways_and_each_side_shows_them_after_its_own_moderation(pair):
    cn, us = pair
    goods = json.dumps({code: [*row[:4], str(row[4])] for code, row in GOODS["us"].items()})
    shell(us, OFFER.format(me="us", partner="cn", language="en", goods=goods, currency="USD"))
    shell(cn, RATE.format(rate=str(USD_CNY)))
    assert "succeeded" in manage(cn, "sync_partner_catalog", "--partner", "us")
    manage(cn, "reprice_listings", "--partner", "us")
    lamp = last_json(shell(cn, LISTING))
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
