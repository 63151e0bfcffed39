"""Shared reviews in a real browser (issue 15): a cn shopper opens a delivered order, follows
"Write a review", rates the product, adds a photo and publishes; after moderation the product page
shows the review panel with the rating across both platforms, each platform's count, and reviews
in their own language (the partner's in English, ours in Chinese). Both languages, desktop and a
390 px phone; the zone page of a partner's product too. Screenshots land in test-artifacts/."""

import io
import uuid

import pytest
from django.utils import timezone
from PIL import Image

from aftersales.models import ProductReview
from aftersales.reviews import services
from tests.aftersales.review_factories import delivered, offer, photo, review_input, shared_payload
from tests.payments.shop_factories import own_variant, partner_listing, set_up_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTNER_PHOTOS = "https://media.trailhead.example/"
PHONE = {"width": 390, "height": 844}


def png_bytes(color):
    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def shop(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PLATFORM_NAME = "Bao Bei Mall"
    warehouse = set_up_shop(settings)
    listing = partner_listing()
    partnership = listing.partnership
    partnership.partner.name = "Trailhead Goods"
    partnership.partner.save(update_fields=["name"])
    variant = own_variant(warehouse)
    offer(variant, partnership)
    return {"variant": variant, "listing": listing, "partnership": partnership}


def from_partner(partnership, product, *, product_of, **changes):
    payload = shared_payload(product, product_of=product_of, **changes)
    payload.update(reference=uuid.UUID(payload["reference"]), written_at=timezone.now())
    return services.approve_review(review=services.receive_shared(partnership=partnership, payload=payload))


def answer_partner_photos(page):
    page.route(
        f"{PARTNER_PHOTOS}**", lambda route: route.fulfill(body=png_bytes((40, 110, 160)), content_type="image/png")
    )


def photos_loaded(page):
    """Every review photo shown (they load lazily, once scrolled to): ours from our media, the
    partner's from its platform."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.review-photos img')].every(n => n.complete && n.naturalWidth > 0)",
        timeout=10_000,
    )


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"


def test_a_shopper_reviews_a_delivered_item_and_the_product_page_shows_both_platforms_reviews(
    live_server, page, shot, shop, tmp_path
):
    variant, partnership = shop["variant"], shop["partnership"]
    order = delivered((variant, 1))
    photo_file = tmp_path / "lamp.png"
    photo_file.write_bytes(photo().read())
    answer_partner_photos(page)

    # The order page offers the review; the form in Chinese (the storefront's default here).
    page.goto(f"{live_server.url}/orders/{order.token}/")
    page.locator("[data-write-review]").click()
    page.wait_for_selector("[data-review-form]")
    shot(page, "reviews-1-form-zh")
    page.set_viewport_size(PHONE)
    no_sideways_scroll(page)
    shot(page, "reviews-2-form-zh-phone")
    page.set_viewport_size({"width": 1200, "height": 800})
    form_url = page.url
    page.goto(form_url.replace(live_server.url, live_server.url + "/en"))
    assert page.locator("legend").inner_text() == "Your rating"
    shot(page, "reviews-1-form-en")
    page.goto(form_url)

    page.locator("input[name=rating][value='5']").check()
    page.fill("input[name=title]", "灯光很亮，做工扎实")
    page.fill("textarea[name=text]", "露营三个晚上只充了一次电，提手可以折叠。")
    page.fill("input[name=author_name]", "小李")
    page.select_option("select[name=language]", "zh-hans")
    page.set_input_files("input[name=photos]", str(photo_file))
    with page.expect_navigation():
        page.locator("[data-review-form] button[type=submit]").click()
    assert "/reviews/" in page.url
    assert page.locator(".review-own").get_attribute("data-status") == "pending"
    shot(page, "reviews-3-own-review-pending-zh")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/en/orders/{order.token}/")
    assert page.locator("[data-review-link]").count() == 1 and page.locator("[data-write-review]").count() == 0
    no_sideways_scroll(page)
    shot(page, "reviews-3-order-page-en-phone")

    # Our moderation approves it; two partner reviews in English arrive and are approved.
    services.approve_review(review=ProductReview.objects.get(origin="cn"))
    product = variant.product.reference
    from_partner(partnership, product, product_of="receiver", rating=4, title="Bright and light",
                 photos=[f"{PARTNER_PHOTOS}lamp-1.png"])  # fmt: skip
    from_partner(partnership, product, product_of="receiver", rating=3, title="Handle is a bit stiff",
                 author_name="Jordan P.", photos=[])  # fmt: skip

    for prefix, language in (("", "zh"), ("/en", "en")):
        page.set_viewport_size({"width": 1200, "height": 800})
        page.goto(f"{live_server.url}{prefix}/p/{product}/")
        panel = page.locator(".review-panel")
        assert panel.get_attribute("data-review-count") == "3"
        assert page.locator(".review-average").get_attribute("data-average") == "4.0"
        assert page.locator('.review-platforms li[data-platform="cn"]').get_attribute("data-count") == "1"
        assert page.locator('.review-platforms li[data-platform="us"]').get_attribute("data-count") == "2"
        assert page.locator('.review[data-origin="cn"] article').get_attribute("lang") == "zh-hans"
        assert page.locator('.review[data-origin="us"] article').first.get_attribute("lang") == "en"
        assert "灯光很亮" in panel.inner_text() and "Bright and light" in panel.inner_text()
        panel.scroll_into_view_if_needed()
        photos_loaded(page)
        shot(page, f"reviews-4-product-panel-{language}")
        page.set_viewport_size(PHONE)
        page.reload()
        no_sideways_scroll(page)
        shot(page, f"reviews-5-product-panel-{language}-phone")


def test_the_zone_page_of_a_partner_product_shows_its_reviews_in_both_languages(live_server, page, shot, shop):
    listing, partnership = shop["listing"], shop["partnership"]
    answer_partner_photos(page)
    order = delivered((listing, 1), buyer_name="李伟", buyer_id_number="11010519491231002X")
    mine = services.write_review(
        order_token=order.token, line_number=1,
        data=review_input(rating=4, language="zh-hans", title="宝宝很喜欢", text="奶嘴很软，容易清洗。", author_name="王女士"),
    )  # fmt: skip
    services.approve_review(review=mine)
    from_partner(partnership, listing.reference, product_of="sender", rating=5, title="Our go-to bottle",
                 photos=[f"{PARTNER_PHOTOS}bottle.png"])  # fmt: skip

    for prefix, language in (("", "zh"), ("/en", "en")):
        page.set_viewport_size({"width": 1200, "height": 800})
        page.goto(f"{live_server.url}{prefix}/zone/us/p/{listing.reference}/")
        assert page.locator(".review-panel").get_attribute("data-review-count") == "2"
        assert page.locator('.review[data-origin="us"] article').get_attribute("lang") == "en"
        page.locator(".review-panel").scroll_into_view_if_needed()
        photos_loaded(page)
        shot(page, f"reviews-6-zone-panel-{language}")
        page.set_viewport_size(PHONE)
        page.reload()
        no_sideways_scroll(page)
        shot(page, f"reviews-7-zone-panel-{language}-phone")
