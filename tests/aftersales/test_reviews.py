"""Shared reviews written here (issue 15): only the buyer of a delivered order line reviews it,
once; a rating is 1 to 5; photos go through the image cleaner; the author edits within the window;
moderation keeps the stored tallies; reviews of goods a partner shows travel to it through the
outbox (review.shared), and a take-down follows them (review.withdrawn). Every refusal names the
field and writes nothing."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aftersales.errors import ReviewErrorCode as Code
from aftersales.models import ProductReview, ReviewStatus, ReviewTally
from aftersales.reviews import services
from crossborder.models import OutboxMessage
from logistics.models import Shipment
from tests.catalog.factories import make_user
from tests.partners import table_counts
from tests.payments.shop_factories import own_variant, partner_listing, set_up_shop

from .review_factories import delivered, offer, paid, photo, review_input

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def shop(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return set_up_shop(settings)


def write(order, line_number=1, **changes):
    return services.write_review(order_token=order.token, line_number=line_number, data=review_input(**changes))


def refused(code, field, call):
    before = table_counts()
    with pytest.raises(services.ReviewError) as caught:
        call()
    assert (caught.value.code, caught.value.field) == (code, field), caught.value.detail
    assert table_counts() == before
    return caught.value


def test_the_buyer_of_a_delivered_line_reviews_it_and_it_waits_for_this_platforms_moderation(shop):
    variant = own_variant(shop)
    order = delivered((variant, 1))

    review = write(order)

    assert (review.product, review.listing, review.order_line) == (variant.product, None, order.lines.get())
    assert (review.origin, review.language, review.rating, review.author_name) == ("cn", "en", 4, "Wei L.")
    assert review.status == ReviewStatus.PENDING and len(review.token) >= 22
    assert not ReviewTally.objects.filter(count__gt=0).exists()  # nothing shown before moderation


def test_a_line_whose_delivery_says_delivered_is_reviewable_before_the_order_is_marked_delivered(shop):
    first, second = own_variant(shop), own_variant(shop)
    order = paid((first, 1), (second, 1))
    lines = list(order.lines.order_by("line_number"))
    Shipment.objects.filter(order_line=lines[0].reference).update(status=Shipment.Status.DELIVERED)

    assert write(order, 1).order_line == lines[0]
    refused(Code.NOT_DELIVERED, "line", lambda: write(order, 2))


def test_an_unpaid_or_undelivered_line_is_refused_and_nothing_is_written(shop):
    variant = own_variant(shop)
    order = paid((variant, 1))

    error = refused(Code.NOT_DELIVERED, "line", lambda: write(order))
    assert "not been delivered" in error.detail


def test_someone_who_did_not_buy_is_refused(shop):
    variant = own_variant(shop)
    buyer, stranger = make_user(), make_user()
    order = delivered((variant, 1))
    order.user = buyer
    order.save(update_fields=["user"])

    refused(
        Code.NOT_BUYER,
        "line",
        lambda: services.write_review(order_token="no-such-order", line_number=1, data=review_input()),
    )
    refused(Code.NOT_BUYER, "line", lambda: write(order, 7))
    refused(
        Code.NOT_BUYER,
        "line",
        lambda: services.write_review(order_token=order.token, line_number=1, data=review_input(), user=stranger),
    )
    assert services.write_review(order_token=order.token, line_number=1, data=review_input(), user=buyer).user == buyer


def test_a_second_review_of_the_same_line_is_refused(shop):
    order = delivered((own_variant(shop), 1))
    write(order)

    refused(Code.ALREADY_REVIEWED, "line", lambda: write(order, title="Again"))
    assert ProductReview.objects.count() == 1


@pytest.mark.parametrize("rating", [0, 6, -1, "five", "", None, True, 3.5, "4.0", "10"])
def test_a_rating_out_of_1_to_5_is_refused(shop, rating):
    order = delivered((own_variant(shop), 1))

    refused(Code.INVALID_RATING, "rating", lambda: write(order, rating=rating))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("title", "x" * 121),
        ("author_name", "  "),
        ("text", "y" * 4001),
        ("language", "fr"),
        ("title", "a\x00b"),
    ],
)
def test_a_missing_or_overlong_field_is_refused_by_name(shop, field, value):
    order = delivered((own_variant(shop), 1))

    error = refused(error_code(field, value), field, lambda: write(order, **{field: value}))
    assert error.detail


def error_code(field, value):
    return "control_character" if "\x00" in str(value) else Code.INVALID


def test_photos_are_stored_re_encoded_and_a_file_that_is_not_an_image_is_refused(shop, tmp_path):
    order = delivered((own_variant(shop), 1), (own_variant(shop), 1))
    not_image = SimpleUploadedFile("evil.png", b"<html>not an image</html>", content_type="image/png")

    refused("not_an_image", "photos", lambda: write(order, 2, photos=(not_image,)))
    refused(Code.INVALID, "photos", lambda: write(order, 2, photos=(photo(), photo(), photo(), photo())))
    review = write(order, 1, photos=(photo("IMG_0001.PNG"),))

    assert len(review.photos) == 1 and review.photos[0].startswith("reviews/") and review.photos[0].endswith(".png")
    assert "IMG_0001" not in review.photos[0]
    assert (tmp_path / review.photos[0]).exists()


def test_approval_counts_a_review_in_the_stored_tally_and_hiding_takes_it_out(shop):
    variant = own_variant(shop)
    five = write(delivered((variant, 1)), rating=5)
    two = write(delivered((variant, 1)), rating=2)

    services.approve_review(review=five)
    services.approve_review(review=two)
    tally = ReviewTally.objects.get(product=variant.product, origin="cn")
    assert (tally.count, tally.rating_sum) == (2, 7)

    refused(Code.INVALID, "reason", lambda: services.hide_review(review=two, reason=" "))
    services.hide_review(review=two, reason="Not about the product")
    tally.refresh_from_db()
    assert (tally.count, tally.rating_sum) == (1, 5)
    two.refresh_from_db()
    assert (two.status, two.hidden_reason) == (ReviewStatus.HIDDEN, "Not about the product")


def test_the_author_edits_within_the_window_it_is_moderated_again_and_later_the_edit_is_refused(shop):
    variant = own_variant(shop)
    review = write(delivered((variant, 1)), rating=3)
    services.approve_review(review=review)

    edited = services.edit_review(review=review, data=review_input(rating=5, title="Better after a month"))
    assert (edited.rating, edited.title, edited.version, edited.status) == (5, "Better after a month", 2, "pending")
    assert ReviewTally.objects.get(product=variant.product).count == 0

    late = timezone.now() + services.edit_window() + dt.timedelta(minutes=1)
    refused(Code.EDIT_CLOSED, "review", lambda: services.edit_review(review=review, data=review_input(), now=late))


def test_a_review_of_partner_goods_is_queued_for_that_partner_as_review_shared(shop):
    listing = partner_listing()
    order = delivered((listing, 1), buyer_name="李伟", buyer_id_number="11010519491231002X")

    review = write(order, language="zh-hans", title="很亮", author_name="小李")

    assert (review.listing, review.partnership, review.product) == (listing, listing.partnership, None)
    message = OutboxMessage.objects.get(message_type="review.shared")
    assert message.partnership == listing.partnership
    assert message.payload["product"] == str(listing.reference) and message.payload["product_of"] == "receiver"
    assert {k: message.payload[k] for k in ("language", "title", "author_name", "rating", "version")} == {
        "language": "zh-hans", "title": "很亮", "author_name": "小李", "rating": 4, "version": 1,
    }  # fmt: skip
    # Only the display name crosses the border: nothing of the order or the buyer.
    assert not {"email", "buyer_name", "order", "user", "recipient"} & set(message.payload)


def test_a_review_of_our_goods_goes_to_each_partner_we_offer_them_to_and_nowhere_else(shop):
    from tests.partner_zone.factories import make_partnership

    offered, kept_home = own_variant(shop), own_variant(shop)
    us, jp = make_partnership("us"), make_partnership("jp", currency="JPY", country="JP")
    offer(offered, us)

    write(delivered((offered, 1)))
    write(delivered((kept_home, 1)))

    sent = list(OutboxMessage.objects.filter(message_type="review.shared"))
    assert [(m.partnership, m.payload["product"], m.payload["product_of"]) for m in sent] == [
        (us, str(offered.product.reference), "sender")
    ]
    assert jp.outbox.count() == 0


def test_hiding_a_review_written_here_takes_it_down_at_the_partner_too(shop):
    listing = partner_listing()
    review = write(delivered((listing, 1), buyer_name="李伟", buyer_id_number="11010519491231002X"))

    services.hide_review(review=review, reason="Contains a phone number")
    services.hide_review(review=review, reason="Contains a phone number")  # a repeat sends nothing more

    withdrawn = OutboxMessage.objects.get(message_type="review.withdrawn")
    assert withdrawn.payload == {"reference": str(review.reference), "reason": "Contains a phone number"}
    services.approve_review(review=review)
    again = OutboxMessage.objects.filter(message_type="review.shared").order_by("seq").last()
    assert again.payload["version"] == 2


def test_an_edit_of_a_review_taken_down_here_stays_hidden_and_is_not_shared_again(shop):
    listing = partner_listing()
    review = write(delivered((listing, 1), buyer_name="李伟", buyer_id_number="11010519491231002X"))
    services.hide_review(review=review, reason="Insults")

    edited = services.edit_review(review=review, data=review_input(title="Still rude"))

    assert edited.status == ReviewStatus.HIDDEN
    assert [m.message_type for m in OutboxMessage.objects.order_by("seq") if m.message_type.startswith("review.")] == [
        "review.shared",
        "review.withdrawn",
    ]


def test_reviews_written_before_our_product_is_offered_to_a_partner_are_sent_to_it_once_when_it_is(shop):
    from catalog import services as catalog_services
    from tests.partner_zone.factories import make_partnership

    variant = own_variant(shop)
    us = make_partnership("us")
    earlier = write(delivered((variant, 1)))
    approved = services.approve_review(review=write(delivered((variant, 1)), rating=5))
    hidden = services.hide_review(review=write(delivered((variant, 1))), reason="Spam link")
    assert not us.outbox.filter(message_type="review.shared").exists()  # not offered when written

    offer(variant, us)

    sent = list(us.outbox.filter(message_type="review.shared").order_by("seq"))
    assert [m.payload["reference"] for m in sent] == [str(earlier.reference), str(approved.reference)]
    assert str(hidden.reference) not in {m.payload["reference"] for m in sent}
    assert {m.payload["product_of"] for m in sent} == {"sender"}

    # The offer saved again, then withdrawn and made again: nothing is sent twice.
    offer(variant, us, price="22.00")
    product = variant.product
    catalog_services.set_export_offer(merchant=product.merchant, product=product, partnership=us, is_offered=False)
    offer(variant, us)
    assert us.outbox.filter(message_type="review.shared").count() == 2
