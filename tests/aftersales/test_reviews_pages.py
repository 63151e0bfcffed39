"""Shared reviews on the pages (issue 15): the catalog's and the zone's product pages show the
rating across both platforms with each platform's count and the reviews in their own language
(lang attribute) marked with their origin, through hooks the earlier apps declare; the order page
links each delivered line to its review form; the form and the review page by token. Query counts
do not grow with the reviews."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from aftersales.models import ProductReview, ReviewStatus
from aftersales.reviews import services
from tests.partners import table_counts
from tests.payments.shop_factories import own_variant, partner_listing, set_up_shop

from .review_factories import delivered, offer, paid, photo, review_input, shared_payload

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PANEL_QUERIES = 3  # the tallies, the platforms' names, the reviews shown


@pytest.fixture
def shop(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PLATFORM_NAME = "Bao Bei Mall"
    return set_up_shop(settings)


def approved_here(variant, **changes):
    review = services.write_review(
        order_token=delivered((variant, 1)).token, line_number=1, data=review_input(**changes)
    )
    return services.approve_review(review=review)


def from_partner(partnership, product, *, product_of="receiver", **changes):
    """A partner's review as its message's serializer hands it to the service, approved here."""
    payload = shared_payload(product, product_of=product_of, **changes)
    payload["reference"] = uuid.UUID(payload["reference"])
    payload["written_at"] = parse_datetime(payload["written_at"])
    review = services.receive_shared(partnership=partnership, payload=payload)
    assert review.status == ReviewStatus.PENDING
    return services.approve_review(review=review)


def test_our_product_page_shows_the_rating_across_both_platforms_with_each_ones_count(shop, client, remote):
    variant = own_variant(shop)
    offer(variant, remote.partnership)
    approved_here(variant, rating=5, language="zh-hans", title="很好用", author_name="小李")
    approved_here(variant, rating=4)
    from_partner(remote.partnership, variant.product.reference, rating=3, title="Fine for the price")
    hidden = approved_here(variant, rating=1, title="Spam spam")
    services.hide_review(review=hidden, reason="advertising")

    page = client.get(f"/en/p/{variant.product.reference}/").content.decode()

    assert 'data-review-count="3"' in page and 'data-average="4.0"' in page
    assert 'data-platform="cn" data-count="2"' in page and 'data-platform="us" data-count="1"' in page
    assert "2 on Bao Bei Mall · 4.5 average" in page and "1 on Trailhead Goods · 3.0 average" in page
    assert '<article lang="zh-hans">' in page and "很好用" in page  # shown as written, not translated
    assert '<li class="review" data-origin="us"' in page and "verified purchase on Trailhead Goods" in page
    assert "Spam spam" not in page


def test_the_zone_product_page_shows_the_partners_reviews_and_ours_of_its_goods(shop, client, remote):
    listing = partner_listing(remote.partnership)
    mine = services.write_review(
        order_token=delivered((listing, 1), buyer_name="李伟", buyer_id_number="11010519491231002X").token,
        line_number=1,
        data=review_input(rating=2, language="zh-hans", title="有点重"),
    )
    services.approve_review(review=mine)
    from_partner(remote.partnership, listing.reference, product_of="sender", rating=5)

    page = client.get(f"/en/zone/us/p/{listing.reference}/").content.decode()

    assert 'data-platform="cn" data-count="1"' in page and 'data-platform="us" data-count="1"' in page
    assert 'data-average="3.5"' in page and "有点重" in page and '<article lang="en">' in page


def test_a_product_page_without_reviews_says_so_in_the_shoppers_language(shop, client):
    variant = own_variant(shop)

    english = client.get(f"/en/p/{variant.product.reference}/").content.decode()
    chinese = client.get(f"/p/{variant.product.reference}/").content.decode()

    assert 'data-review-count="0"' in english and "No reviews yet" in english
    assert 'data-review-count="0"' in chinese


@pytest.mark.parametrize("count", [2, 12])
def test_product_pages_run_the_same_queries_for_few_or_many_reviews(
    shop, client, remote, count, django_assert_max_num_queries
):
    variant = own_variant(shop)
    offer(variant, remote.partnership)
    listing = partner_listing(remote.partnership)
    for n in range(count):
        from_partner(remote.partnership, variant.product.reference, title=f"Review {n}")
        from_partner(remote.partnership, listing.reference, product_of="sender", title=f"Zone review {n}")
    from tests.catalog.test_storefront import PRODUCT_PAGE_QUERIES
    from tests.partner_zone.test_pages import PRODUCT_QUERIES

    with django_assert_max_num_queries(PRODUCT_PAGE_QUERIES + PANEL_QUERIES):
        assert f"Review {count - 1}" in client.get(f"/en/p/{variant.product.reference}/").content.decode()
    with django_assert_max_num_queries(PRODUCT_QUERIES + PANEL_QUERIES):
        assert f"Zone review {count - 1}" in client.get(f"/en/zone/us/p/{listing.reference}/").content.decode()


def test_the_order_page_offers_a_review_for_each_delivered_line_only(shop, client):
    arrived, waiting = own_variant(shop), own_variant(shop)
    order = delivered((arrived, 1))
    undelivered = paid((waiting, 1))

    page = client.get(f"/en/orders/{order.token}/").content.decode()
    not_yet = client.get(f"/en/orders/{undelivered.token}/").content.decode()

    assert reverse("reviews:write", args=[order.token, 1]) in page and "data-write-review" in page
    assert "data-write-review" not in not_yet


def test_the_review_form_writes_the_review_and_the_order_page_then_links_to_it(shop, client):
    order = delivered((own_variant(shop), 1))
    url = f"/en/reviews/write/{order.token}/1/"
    assert "data-review-form" in client.get(url).content.decode()

    response = client.post(
        url, {"rating": "5", "title": "Lovely", "text": "Warm light.", "author_name": "Ann", "language": "en"}
    )

    review = ProductReview.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/reviews/{review.token}/")
    assert (review.rating, review.title, review.status) == (5, "Lovely", "pending")
    order_page = client.get(f"/en/orders/{order.token}/").content.decode()
    assert f"/reviews/{review.token}/" in order_page and "data-review-link" in order_page
    assert client.get(url)["Location"].endswith(f"/reviews/{review.token}/")  # one per line


def test_the_review_form_takes_photos_and_refuses_a_file_that_is_not_an_image(shop, client):
    order = delivered((own_variant(shop), 1))
    url = f"/en/reviews/write/{order.token}/1/"
    fields = {"rating": "4", "title": "Nice", "author_name": "Ann", "language": "en"}

    refused = client.post(url, {**fields, "photos": [SimpleUploadedFile("x.png", b"<svg/>", "image/png")]})
    assert refused.status_code == 400 and "photos" in refused.context["form"].errors
    assert not ProductReview.objects.exists()
    client.post(url, {**fields, "photos": [photo("a.png"), photo("b.png")]})

    assert len(ProductReview.objects.get().photos) == 2


def test_the_review_form_refuses_bad_input_on_its_field_and_writes_nothing(shop, client):
    order = delivered((own_variant(shop), 1))
    url = f"/en/reviews/write/{order.token}/1/"
    before = table_counts()

    response = client.post(url, {"rating": "9", "title": "", "author_name": "Ann", "language": "en"})

    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"rating", "title"}
    assert table_counts() == before


def test_the_review_form_of_an_undelivered_line_says_why_and_an_unknown_order_is_404(shop, client):
    order = paid((own_variant(shop), 1))

    refused = client.get(f"/en/reviews/write/{order.token}/1/")
    posted = client.post(f"/en/reviews/write/{order.token}/1/", {"rating": "5", "title": "x", "author_name": "A"})

    assert refused.status_code == 400 and "data-review-refused" in refused.content.decode()
    assert posted.status_code == 400 and not ProductReview.objects.exists()
    assert client.get(f"/en/reviews/write/{order.token}/2/").status_code == 404
    assert client.get("/en/reviews/write/nosuchorder/1/").status_code == 404
    assert client.get(f"/en/reviews/write/{order.token}/{10**20}/").status_code == 404  # no line, no overflow


def test_the_review_page_by_token_shows_its_moderation_and_takes_an_edit(shop, client):
    order = delivered((own_variant(shop), 1))
    review = services.write_review(order_token=order.token, line_number=1, data=review_input())
    url = f"/en/reviews/{review.token}/"

    page = client.get(url).content.decode()
    assert 'data-status="pending"' in page and "data-review-edit" in page
    response = client.post(url, {"rating": "2", "title": "Broke", "author_name": "Wei L.", "language": "en"})

    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.rating, review.title, review.version) == (2, "Broke", 2)
    assert client.get("/en/reviews/nosuchreview/").status_code == 404


def test_ops_approve_and_hide_with_a_reason_from_the_admin_list(shop, admin_client, django_assert_max_num_queries):
    variant = own_variant(shop)
    first, second = (
        services.write_review(order_token=delivered((variant, 1)).token, line_number=1, data=review_input())
        for _ in range(2)
    )
    changelist = reverse("admin:aftersales_productreview_changelist")
    with django_assert_max_num_queries(12):
        assert admin_client.get(changelist).status_code == 200

    admin_client.post(changelist, {"action": "approve", "_selected_action": [first.pk, second.pk]})
    no_reason = admin_client.post(changelist, {"action": "hide", "_selected_action": [second.pk], "reason": ""})
    admin_client.post(changelist, {"action": "hide", "_selected_action": [second.pk], "reason": "Off topic"})

    assert no_reason.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, second.hidden_reason) == ("approved", "hidden", "Off topic")
    assert second.moderated_by.is_superuser
