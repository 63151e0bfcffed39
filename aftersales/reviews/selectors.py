"""Shared reviews, the reads: the review panel of a product page (the stored tallies per platform,
the reviews shown, the platforms' names) in three queries whatever the number of reviews, and the
review state of an order's lines for the order page."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q

from catalog.selectors import language_name
from crossborder.models import Partner

from ..models import ProductReview, ReviewStatus, ReviewTally
from . import services

PANEL_REVIEWS = 20


@dataclass(frozen=True)
class PlatformCount:
    code: str
    name: str
    count: int
    average: Decimal | None
    is_ours: bool


@dataclass(frozen=True)
class ReviewPanel:
    average: Decimal | None  # across every platform shown, one decimal
    count: int
    platforms: list  # PlatformCount, ours first
    reviews: list  # ProductReview with .origin_name, .language_name, .photo_links

    @property
    def stars(self):
        return int((self.average * 2 + 1) // 2) if self.average is not None else 0  # whole stars, half up


def _average(total, count):
    """The mean rating to one decimal, half up, in integers (a rating is not money)."""
    return Decimal((total * 20 + count) // (2 * count)).scaleb(-1) if count else None


def photo_links(review):
    """Where the review's photos are: our stored copies, or the origin platform's addresses."""
    return [default_storage.url(name) for name in review.photos] + list(review.photo_urls)


def platform_names():
    names = dict(Partner.objects.values_list("code", "name"))
    names[settings.PLATFORM_CODE] = settings.PLATFORM_NAME
    return names


def review_panel(*, product=None, listing=None):
    """What a product page shows of the reviews of one of our products or one partner listing: one
    query (the stored tallies) while none is shown, else three whatever the number of reviews."""
    target = {"product": product} if product is not None else {"listing": listing}
    tallies = [tally for tally in ReviewTally.objects.filter(**target) if tally.count]
    if not tallies:
        return ReviewPanel(average=None, count=0, platforms=[], reviews=[])
    names = platform_names()
    reviews = list(
        ProductReview.objects.filter(**target, status=ReviewStatus.APPROVED, withdrawn_at__isnull=True).order_by(
            "-written_at", "-pk"
        )[:PANEL_REVIEWS]
    )
    for review in reviews:
        review.origin_name = names.get(review.origin, review.origin.upper())
        review.language_name = language_name(review.language)
        review.photo_links = photo_links(review)
    platforms = sorted(
        (
            PlatformCount(
                code=tally.origin,
                name=names.get(tally.origin, tally.origin.upper()),
                count=tally.count,
                average=_average(tally.rating_sum, tally.count),
                is_ours=tally.origin == settings.PLATFORM_CODE,
            )
            for tally in tallies
        ),
        key=lambda platform: (not platform.is_ours, platform.code),
    )
    count = sum(tally.count for tally in tallies)
    average = _average(sum(tally.rating_sum for tally in tallies), count)
    return ReviewPanel(average=average, count=count, platforms=platforms, reviews=reviews)


@dataclass(frozen=True)
class LineReview:
    line_number: int
    title: str
    review: ProductReview | None
    can_write: bool


def order_line_reviews(order, lines):
    """For the order page: each line that arrived, with its review or whether one can be written.
    No query before anything arrived (the page's lines carry their deliveries), then one."""
    if order.status not in services.RECEIVABLE:
        return []
    arrived = services.delivered_lines(order, lines)
    delivered = [line for line in lines if line.pk in arrived]
    if not delivered:
        return []
    reviews = {review.order_line_id: review for review in ProductReview.objects.filter(order_line__in=delivered)}
    return [
        LineReview(
            line_number=line.line_number,
            title=line.title,
            review=reviews.get(line.pk),
            can_write=line.pk not in reviews,
        )
        for line in delivered
    ]


def reviews_by_shopper(user):
    """The reviews a shopper wrote (by account, or on the lines of their orders), newest first."""
    return list(
        ProductReview.objects.filter(Q(user=user) | Q(order_line__order__user=user))
        .select_related("order_line", "product", "listing")
        .order_by("-pk")
        .distinct()
    )
