"""Shared reviews: a shopper's review of a product it received, written here or on a partner platform,
and the per-platform tallies product pages show. Each side moderates what it shows (`status`); the
side a review was written on is its `origin` and alone may take it down everywhere (`withdrawn_at`)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReviewStatus(models.TextChoices):
    """This platform's moderation of a review: only approved reviews are shown here."""

    PENDING = "pending", _("awaiting moderation")
    APPROVED = "approved", _("approved")
    HIDDEN = "hidden", _("hidden")


def _optional(to, on_delete=models.PROTECT, **options):
    """A link that may be empty, with no reverse accessor on the other model (it is not theirs)."""
    return models.ForeignKey(to, null=True, blank=True, on_delete=on_delete, related_name="+", **options)


def _one_target():
    """A review is of exactly one of our products or one partner listing."""
    return Q(product__isnull=False, listing__isnull=True) | Q(product__isnull=True, listing__isnull=False)


class ProductReview(models.Model):
    """A review of a product: one of our catalog's (`product`) or a partner's as it is listed in its
    zone here (`listing`). Written here by the buyer of a delivered `order_line` (verified purchase,
    one per line), or received from the partner platform it was written on (`partnership`, the
    partner's `reference`). Only the author's display name crosses the border, never who they are."""

    token = models.CharField(max_length=32, unique=True, editable=False)
    # The review's name on every platform: minted by the platform it was written on.
    reference = models.UUIDField(default=uuid.uuid4, editable=False)
    origin = models.CharField(_("written on"), max_length=16, help_text=_("the platform's code"))
    partnership = _optional(
        "crossborder.Partnership", help_text=_("the partner it came from, or whose goods it reviews")
    )
    product = _optional("catalog.Product", verbose_name=_("our product"))
    listing = _optional("partner_zone.PartnerListing", verbose_name=_("partner listing"))
    order_line = models.OneToOneField(
        "payments.OrderLine",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review",
        verbose_name=_("order line"),
        help_text=_("the verified purchase, for a review written here"),
    )
    user = _optional(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL)
    language = models.CharField(_("language"), max_length=10)
    rating = models.PositiveSmallIntegerField(_("rating"))
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("review"), max_length=4000, blank=True)
    author_name = models.CharField(_("shown as"), max_length=60)
    photos = models.JSONField(default=list, blank=True, help_text=_("stored upload names"))
    photo_urls = models.JSONField(default=list, blank=True, help_text=_("the origin platform's photo addresses"))
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(
        _("moderation"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    hidden_reason = models.CharField(_("why hidden"), max_length=300, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = _optional(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL)
    withdrawn_at = models.DateTimeField(
        _("taken down by its platform"),
        null=True,
        blank=True,
        help_text=_("the platform it was written on took it down; it is shown nowhere"),
    )
    withdrawn_reason = models.CharField(max_length=300, blank=True)
    written_at = models.DateTimeField(_("written"), default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-written_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_one_target(), name="review_one_target"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"),
            models.UniqueConstraint(fields=["origin", "reference"], name="review_reference_once_per_origin"),
            models.CheckConstraint(condition=~Q(status="hidden") | ~Q(hidden_reason=""), name="review_hidden_says_why"),
        ]
        indexes = [
            models.Index(fields=["product", "status", "-written_at"], name="review_product_shown_idx"),
            models.Index(fields=["listing", "status", "-written_at"], name="review_listing_shown_idx"),
            models.Index(fields=["status", "-created_at"], name="review_moderation_idx"),
        ]

    def __str__(self):
        return f"{self.rating}★ {self.title} ({self.origin})"

    @property
    def is_shown(self):
        return self.status == ReviewStatus.APPROVED and self.withdrawn_at is None


class ReviewTally(models.Model):
    """How many reviews of a product this platform shows from one platform, and their ratings' sum:
    kept by the review services on every write, so a product page reads them instead of counting."""

    product = _optional("catalog.Product", on_delete=models.CASCADE)
    listing = _optional("partner_zone.PartnerListing", on_delete=models.CASCADE)
    origin = models.CharField(max_length=16)
    count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("review tally")
        verbose_name_plural = _("review tallies")
        ordering = ["origin"]
        constraints = [
            models.CheckConstraint(condition=_one_target(), name="review_tally_one_target"),
            models.UniqueConstraint(fields=["product", "origin"], name="review_tally_product_origin_once"),
            models.UniqueConstraint(fields=["listing", "origin"], name="review_tally_listing_origin_once"),
            models.CheckConstraint(condition=Q(rating_sum__lte=5 * models.F("count")), name="review_tally_within_5"),
        ]

    def __str__(self):
        return f"{self.origin}: {self.count}"
