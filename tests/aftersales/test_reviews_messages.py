"""Shared reviews arriving from the partner platform (issue 15): review.shared of goods we offer
it, or of its goods in its zone here, stored with their origin for our moderation; refused with the
reason for a product never offered or not listed, or a bad body, with nothing written; a repeat
changes nothing, a later version replaces the text, and review.withdrawn takes it down."""

import uuid

import pytest

from aftersales.models import ProductReview, ReviewStatus, ReviewTally
from aftersales.reviews import services
from tests.partner_zone.factories import make_listing
from tests.partners import MESSAGES_PATH, body_json, table_counts  # noqa: F401
from tests.payments.shop_factories import own_variant, set_up_shop

from .review_factories import offer, shared_payload

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def shop(db, settings):
    return set_up_shop(settings)


@pytest.fixture
def offered(shop, remote):
    variant = own_variant(shop)
    offer(variant, remote.partnership)
    return variant.product


def post(remote, api, message_type, payload, **kwargs):
    return remote.post_message(api, message_type, payload, **kwargs)


def test_a_partners_review_of_a_product_we_offer_it_is_stored_for_our_moderation_marked_with_its_origin(
    offered, remote, api
):
    payload = shared_payload(offered.reference)

    response = post(remote, api, "review.shared", payload)

    assert response.status_code == 200, response.content
    review = ProductReview.objects.get()
    assert (review.origin, review.partnership, review.product, review.listing) == (
        "us",
        remote.partnership,
        offered,
        None,
    )
    assert (str(review.reference), review.language, review.rating, review.author_name) == (
        payload["reference"], "en", 5, "Sam C.",
    )  # fmt: skip
    assert review.status == ReviewStatus.PENDING and review.order_line is None
    assert review.photo_urls == payload["photos"]
    assert body_json(response)["result"] == {"reference": payload["reference"], "version": 1, "status": "pending"}

    services.approve_review(review=review)
    assert ReviewTally.objects.get(product=offered, origin="us").count == 1


def test_a_partners_review_of_its_own_goods_in_its_zone_here_attaches_to_the_listing(shop, remote, api):
    listing = make_listing(remote.partnership)

    response = post(remote, api, "review.shared", shared_payload(listing.reference, product_of="sender"))

    assert response.status_code == 200, response.content
    assert ProductReview.objects.get().listing == listing


def test_a_review_of_a_product_never_offered_to_the_partner_is_refused_with_the_reason_and_nothing_written(
    shop, remote, api
):
    never_offered = own_variant(shop).product
    before = table_counts()

    for payload in (
        shared_payload(never_offered.reference),
        shared_payload(uuid.uuid4()),
        shared_payload(never_offered.reference, product_of="sender"),  # not a listing of the partner's either
    ):
        response = post(remote, api, "review.shared", payload)
        assert response.status_code == 422, response.content
        assert body_json(response)["field"] == "product"
        assert body_json(response)["code"] in ("product_never_offered", "listing_unknown")
    assert ProductReview.objects.count() == 0
    assert {k: v for k, v in table_counts().items() if not k.startswith("crossborder.")} == {
        k: v for k, v in before.items() if not k.startswith("crossborder.")
    }


@pytest.mark.parametrize(
    "change",
    [
        {"rating": 9},
        {"rating": 0},
        {"rating": "five"},
        {"title": ""},
        {"title": "x" * 121},
        {"author_name": None},
        {"product_of": "nobody"},
        {"language": "fr"},
        {"photos": ["javascript:alert(1)"]},
        {"photos": ["https://a.example/1.jpg"] * 4},
        {"version": 0},
        {"written_at": "yesterday"},
        {"reference": "not-a-uuid"},
    ],
)
def test_a_review_message_with_a_bad_body_is_refused_and_nothing_is_written(offered, remote, api, change):
    response = post(remote, api, "review.shared", shared_payload(offered.reference, **change))

    assert response.status_code in (400, 422), response.content
    assert body_json(response)["code"] in ("invalid_payload", "invalid_review")
    assert ProductReview.objects.count() == 0


def test_a_repeat_changes_nothing_and_a_later_version_replaces_the_text_for_moderation_again(offered, remote, api):
    payload = shared_payload(offered.reference, rating=2)
    post(remote, api, "review.shared", payload)
    review = ProductReview.objects.get()
    services.approve_review(review=review)

    again = post(remote, api, "review.shared", payload)  # a new message, same version
    assert again.status_code == 200
    review.refresh_from_db()
    assert (review.status, review.rating) == (ReviewStatus.APPROVED, 2)

    post(remote, api, "review.shared", {**payload, "version": 2, "rating": 4, "title": "Better with new batteries"})
    review.refresh_from_db()
    assert (review.status, review.rating, review.title, review.version) == (
        "pending",
        4,
        "Better with new batteries",
        2,
    )
    assert ReviewTally.objects.get(product=offered, origin="us").count == 0
    assert ProductReview.objects.count() == 1


def test_a_withdrawal_by_the_platform_it_was_written_on_takes_it_down_here(offered, remote, api):
    payload = shared_payload(offered.reference)
    post(remote, api, "review.shared", payload)
    services.approve_review(review=ProductReview.objects.get())

    response = post(remote, api, "review.withdrawn", {"reference": payload["reference"], "reason": "spam"})

    assert response.status_code == 200, response.content
    review = ProductReview.objects.get()
    assert review.withdrawn_at is not None and review.withdrawn_reason == "spam" and not review.is_shown
    assert ReviewTally.objects.get(product=offered, origin="us").count == 0
    unknown = post(remote, api, "review.withdrawn", {"reference": str(uuid.uuid4())})
    assert unknown.status_code == 200 and body_json(unknown)["result"]["withdrawn"] is False
