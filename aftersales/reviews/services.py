"""Shared reviews, the writes: a buyer reviews a delivered order line (one review per line) and may
edit it for a while; ops approve or hide; a review of goods a partner offers travels to that partner
as `review.shared`, and a take-down by the platform it was written on as `review.withdrawn`; the
partner's reviews of goods we offer it, or of its goods in our zone, arrive the same way. Every
write keeps the per-platform tallies the product pages read (ReviewTally)."""

import datetime as dt
import secrets
from dataclasses import dataclass, field
from urllib.parse import urljoin

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import ExportOffer, Product
from catalog.serializers import iso
from crossborder import text_input, uploads
from crossborder.errors import DomainError
from crossborder.models import OutboxMessage
from crossborder.services import send_to_partner
from logistics.models import Shipment
from partner_zone.models import PartnerListing
from payments.shop.models import Order

from ..errors import ReviewErrorCode as Code
from ..models import ProductReview, ReviewStatus, ReviewTally

SHARED = "review.shared"
WITHDRAWN = "review.withdrawn"
MAX_PHOTOS = 3
LIMITS = {"title": 120, "text": 4000, "author_name": 60}
# Orders whose lines can have been received (a cancelled or unpaid order's cannot).
RECEIVABLE = (Order.Status.PAID, Order.Status.SHIPPED, Order.Status.DELIVERED)


def edit_window():
    """How long after writing it the author may change a review (CROSSBORDER_REVIEW_EDIT_DAYS, 30)."""
    return dt.timedelta(days=settings.REVIEW_EDIT_DAYS)


class ReviewError(DomainError):
    pass


@dataclass(frozen=True)
class ReviewInput:
    """What the author writes: `photos` are uploaded files (only on writing, not on editing)."""

    rating: object
    title: str
    text: str = ""
    author_name: str = ""
    language: str = ""
    photos: tuple = field(default_factory=tuple)


def _clean_text(value, name, *, required):
    value = (value or "").strip() if isinstance(value, str) else value
    if not isinstance(value, str):
        raise ReviewError(Code.INVALID, _("%(field)s must be text.") % {"field": name}, field=name)
    if required and not value:
        raise ReviewError(Code.INVALID, _("Please fill in %(field)s.") % {"field": name}, field=name)
    if len(value) > LIMITS[name]:
        raise ReviewError(
            Code.INVALID,
            _("%(field)s has at most %(limit)d characters.") % {"field": name, "limit": LIMITS[name]},
            field=name,
        )
    if not text_input.is_clean(value):
        raise ReviewError(text_input.CODE, str(text_input.MESSAGE), field=name)
    return value


def clean_rating(value):
    """An integer from 1 to 5 (a bool is not a rating)."""
    digits = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    rating = int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 3 else None
    if rating is None or not 1 <= rating <= 5:
        raise ReviewError(Code.INVALID_RATING, _("The rating is a whole number of stars from 1 to 5."), field="rating")
    return rating


def clean_language(value):
    codes = {code for code, _name in settings.LANGUAGES}
    if value not in codes:
        raise ReviewError(
            Code.INVALID,
            _("The language is one of: %(codes)s.") % {"codes": ", ".join(sorted(codes))},
            field="language",
        )
    return value


def _checked(data: ReviewInput):
    """The input cleaned, or ReviewError naming the first wrong field."""
    return {
        "rating": clean_rating(data.rating),
        "title": _clean_text(data.title, "title", required=True),
        "text": _clean_text(data.text, "text", required=False),
        "author_name": _clean_text(data.author_name, "author_name", required=True),
        "language": clean_language(data.language),
    }


def _clean_photos(photos):
    """The photos decoded and re-encoded (crossborder.uploads), not yet stored."""
    photos = [photo for photo in photos or () if photo]
    if len(photos) > MAX_PHOTOS:
        raise ReviewError(
            Code.INVALID, _("At most %(count)d photos per review.") % {"count": MAX_PHOTOS}, field="photos"
        )
    try:
        return [uploads.clean_image(photo, field="photos") for photo in photos]
    except uploads.ImageRefused as refused:
        raise ReviewError(refused.code, refused.detail, field="photos") from None


def _store_photos(clean_images):
    folder = uploads.ImagePath("reviews")
    return [default_storage.save(folder(None, image.content.name), image.content) for image in clean_images]


# --- the buyer --------------------------------------------------------------------------------------


def delivered_lines(order, lines):
    """The ids of the order's lines that arrived. The shop knows a line arrived when its order was
    marked delivered, or when a delivery of the line (ours, or the partner's cross-border parcel as
    it relayed the tracking) says delivered. Lines that carry their `deliveries` already (the order
    page's, payments.shop.selectors.with_deliveries) cost no query; others one."""
    if order.status == Order.Status.DELIVERED:
        return {line.pk for line in lines}
    if all(hasattr(line, "deliveries") for line in lines):
        return {line.pk for line in lines if any(d["status"] == Shipment.Status.DELIVERED for d in line.deliveries)}
    ids = {line.reference: line.pk for line in lines}
    arrived = Shipment.objects.filter(order_line__in=list(ids), status=Shipment.Status.DELIVERED)
    return {ids[reference] for reference in arrived.values_list("order_line", flat=True)}


def buyers_line(*, order_token, line_number, user=None):
    """The order line the holder of the order's token may review, or ReviewError saying why not."""
    order = Order.objects.filter(token=order_token).first() if order_token else None
    number = int(line_number) if str(line_number).isdigit() and len(str(line_number)) < 5 else None
    line = order.lines.filter(line_number=number).first() if order and number else None
    someone_else = order is not None and order.user_id and user is not None and user.is_authenticated
    if line is None or (someone_else and user.pk != order.user_id):
        raise ReviewError(Code.NOT_BUYER, _("Only the buyer of an order line can review it."), field="line")
    if order.status not in RECEIVABLE or line.pk not in delivered_lines(order, [line]):
        raise ReviewError(
            Code.NOT_DELIVERED, _("This item has not been delivered yet: review it once it arrives."), field="line"
        )
    return line


def write_review(*, order_token, line_number, data: ReviewInput, user=None, now=None):
    """The buyer's review of one delivered order line (verified purchase; one per line). Queued for
    this platform's moderation, and sent to each partner that lists the goods."""
    now = now or timezone.now()
    values = _checked(data)
    photos = _clean_photos(data.photos)
    with transaction.atomic():
        line = buyers_line(order_token=order_token, line_number=line_number, user=user)
        if ProductReview.objects.filter(order_line=line).exists():
            raise ReviewError(Code.ALREADY_REVIEWED, _("You have already reviewed this item."), field="line")
        target = (
            {"listing": line.listing, "partnership": line.partnership}
            if line.listing_id
            else {"product": line.variant.product}
        )
        try:
            with transaction.atomic():
                review = ProductReview.objects.create(
                    token=secrets.token_urlsafe(18),
                    origin=settings.PLATFORM_CODE,
                    order_line=line,
                    user=user if user is not None and user.is_authenticated else None,
                    photos=_store_photos(photos),
                    written_at=now,
                    created_at=now,
                    updated_at=now,
                    **target,
                    **values,
                )
        except IntegrityError:  # the same line reviewed at the same moment by a second request
            raise ReviewError(Code.ALREADY_REVIEWED, _("You have already reviewed this item."), field="line") from None
        _share(review)
    return review


def edit_review(*, review, data: ReviewInput, now=None):
    """The author changes a review within the edit window: it is moderated again and shared again
    (a review this platform hid stays hidden, and is not shared)."""
    now = now or timezone.now()
    values = _checked(data)
    with transaction.atomic():
        locked = ProductReview.objects.select_for_update().get(pk=review.pk)
        if locked.origin != settings.PLATFORM_CODE or locked.withdrawn_at is not None:
            raise ReviewError(Code.INVALID_STATE, _("This review can no longer be changed."), field="review")
        if now > locked.written_at + edit_window():
            raise ReviewError(
                Code.EDIT_CLOSED,
                _("A review can be changed for %(days)d days after it was written.") % {"days": edit_window().days},
                field="review",
            )
        for name, value in values.items():
            setattr(locked, name, value)
        if locked.status == ReviewStatus.APPROVED:
            locked.status = ReviewStatus.PENDING
        locked.version += 1
        locked.updated_at = now
        locked.save()
        _retally(locked)
        if locked.status != ReviewStatus.HIDDEN:  # taken down here, so down everywhere: an edit stays here
            _share(locked)
    return locked


# --- moderation (each side, for what it shows) ------------------------------------------------------


def approve_review(*, review, actor=None, now=None):
    """Show the review here. A review written here that had been hidden is shared again."""
    with transaction.atomic():
        locked = ProductReview.objects.select_for_update().get(pk=review.pk)
        if locked.status == ReviewStatus.APPROVED:
            return locked
        was_hidden = locked.status == ReviewStatus.HIDDEN
        _moderate(locked, ReviewStatus.APPROVED, "", actor, now)
        if was_hidden and locked.origin == settings.PLATFORM_CODE:
            locked.version += 1
            locked.save(update_fields=["version"])
            _share(locked)
    return locked


def hide_review(*, review, reason, actor=None, now=None):
    """Stop showing the review here, saying why. A review written here is taken down everywhere:
    each partner it was shared with is told (review.withdrawn)."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 300 or not text_input.is_clean(reason):
        raise ReviewError(Code.INVALID, _("Say in at most 300 characters why the review is hidden."), field="reason")
    with transaction.atomic():
        locked = ProductReview.objects.select_for_update().get(pk=review.pk)
        if locked.status == ReviewStatus.HIDDEN:
            return locked
        _moderate(locked, ReviewStatus.HIDDEN, reason, actor, now)
        if locked.origin == settings.PLATFORM_CODE:
            for partnership in _partners_to_tell(locked):
                send_to_partner(partnership, WITHDRAWN, {"reference": str(locked.reference), "reason": reason})
    return locked


def _moderate(review, status, reason, actor, now):
    review.status = status
    review.hidden_reason = reason
    review.moderated_at = now or timezone.now()
    review.moderated_by = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    review.save(update_fields=["status", "hidden_reason", "moderated_at", "moderated_by"])
    _retally(review)


# --- the tallies ----------------------------------------------------------------------------------


def _retally(review):
    """Count again what this platform shows of the review's product from the review's origin: one
    aggregate and one upsert per write, so a product page never counts."""
    target = {"product_id": review.product_id} if review.product_id else {"listing_id": review.listing_id}
    shown = ProductReview.objects.filter(
        **target, origin=review.origin, status=ReviewStatus.APPROVED, withdrawn_at__isnull=True
    ).aggregate(count=Count("pk"), rating_sum=Sum("rating"))
    ReviewTally.objects.update_or_create(
        **target, origin=review.origin, defaults={"count": shown["count"], "rating_sum": shown["rating_sum"] or 0}
    )


# --- between the platforms --------------------------------------------------------------------------


def _partners_to_tell(review):
    """The live partnerships that show the reviewed goods: the partner whose listing it is, or every
    partner we offer our product to."""
    if review.listing_id:
        partnerships = [review.partnership] if review.partnership else []
    else:
        offers = ExportOffer.objects.filter(product_id=review.product_id, is_offered=True)
        partnerships = [offer.partnership for offer in offers.select_related("partnership").order_by("pk")]
    return [partnership for partnership in partnerships if partnership.is_live]


def shared_payload(review):
    """What the partner receives: the review in its own language, the author's display name only."""
    product, product_of = (
        (review.listing.reference, "receiver") if review.listing_id else (review.product.reference, "sender")
    )
    base = settings.PLATFORM_BASE_URL + "/"
    return {
        "reference": str(review.reference),
        "product": str(product),
        "product_of": product_of,
        "language": review.language,
        "rating": review.rating,
        "title": review.title,
        "text": review.text,
        "author_name": review.author_name,
        "photos": [urljoin(base, default_storage.url(name)) for name in review.photos],
        "version": review.version,
        "written_at": iso(review.written_at),
    }


def share_reviews_with_new_partner(*, product, partnership):
    """catalog.hooks.product_offered: our product is now offered to `partnership`, so the reviews of
    it written here before (not hidden, not withdrawn: what write_review shares) are sent to that
    partner, each version once (one already queued for it is not queued again). Returns the
    messages queued."""
    if not partnership.is_live:
        return []
    reviews = ProductReview.objects.filter(
        product=product, origin=settings.PLATFORM_CODE, withdrawn_at__isnull=True
    ).exclude(status=ReviewStatus.HIDDEN)
    queued = []
    for review in reviews.select_related("product").order_by("written_at", "pk"):
        already = OutboxMessage.objects.filter(
            partnership=partnership,
            message_type=SHARED,
            payload__reference=str(review.reference),
            payload__version=review.version,
        )
        if not already.exists():
            queued.append(send_to_partner(partnership, SHARED, shared_payload(review)))
    return queued


def _share(review):
    payload = shared_payload(review)
    for partnership in _partners_to_tell(review):
        send_to_partner(partnership, SHARED, payload)


def _not_accepted(payload, code, why):
    return ReviewError(
        code, f"Product {payload['product']} {why}: its reviews are not accepted.", field="product", status=422
    )


def _received_target(partnership, payload):
    """Whose goods a partner's review is of: ours, which we must have offered that partner, or the
    partner's own, which we must list in its zone. Refused with the reason otherwise."""
    if payload["product_of"] == "receiver":
        product = Product.objects.filter(reference=payload["product"]).first()
        if product is None or not ExportOffer.objects.filter(product=product, partnership=partnership).exists():
            raise _not_accepted(payload, Code.NEVER_OFFERED, "was never offered to you")
        return {"product": product, "listing": None}
    listing = PartnerListing.objects.filter(partnership=partnership, reference=payload["product"]).first()
    if listing is None:
        raise _not_accepted(payload, Code.UNKNOWN_LISTING, "is not listed in your zone here")
    return {"product": None, "listing": listing}


def receive_shared(*, partnership, payload, now=None):
    """A review written on the partner platform, of goods it sells or we offer it. A new one waits
    for our moderation; a later version replaces the text and is moderated again (unless we hid
    it); an older or equal version changes nothing (a repeat)."""
    now = now or timezone.now()
    origin = partnership.partner.code
    if origin == settings.PLATFORM_CODE:
        raise ReviewError(Code.INVALID, "A partner's review cannot carry our platform's code.", field="origin")
    values = _checked(
        ReviewInput(
            rating=payload["rating"], title=payload["title"], text=payload.get("text", ""),
            author_name=payload["author_name"], language=payload["language"],
        )
    )  # fmt: skip
    target = _received_target(partnership, payload)
    content = {**values, **target, "photo_urls": list(payload.get("photos") or [])[:MAX_PHOTOS]}
    with transaction.atomic():
        review = ProductReview.objects.select_for_update().filter(origin=origin, reference=payload["reference"]).first()
        if review is None:
            review = ProductReview.objects.create(
                token=secrets.token_urlsafe(18), reference=payload["reference"], origin=origin,
                partnership=partnership, version=payload["version"], written_at=payload["written_at"],
                created_at=now, updated_at=now, **content,
            )  # fmt: skip
        elif review.partnership_id != partnership.pk:
            raise ReviewError(Code.INVALID, "This review reference belongs to another partner.", field="reference")
        elif payload["version"] > review.version:
            for name, value in content.items():
                setattr(review, name, value)
            if review.status == ReviewStatus.APPROVED:
                review.status = ReviewStatus.PENDING
            review.version, review.updated_at = payload["version"], now
            review.withdrawn_at, review.withdrawn_reason = None, ""
            review.save()
        _retally(review)
    return review


def receive_withdrawn(*, partnership, payload, now=None):
    """The platform a review was written on took it down: it is shown nowhere, here included. A
    review we never received is nothing to take down."""
    with transaction.atomic():
        review = (
            ProductReview.objects.select_for_update()
            .filter(origin=partnership.partner.code, partnership=partnership, reference=payload["reference"])
            .first()
        )
        if review is None or review.withdrawn_at is not None:
            return review
        review.withdrawn_at, review.withdrawn_reason = now or timezone.now(), payload.get("reason", "")[:300]
        review.save(update_fields=["withdrawn_at", "withdrawn_reason"])
        _retally(review)
    return review
