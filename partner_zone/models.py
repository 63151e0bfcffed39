"""The partner zone: a mirror of each partner's catalog feed, priced in the home currency at landed
cost (FX, duties and taxes, fees, the market's rounding), festival campaigns agreed between the
platforms, and shoppers' browsing and search history for recommendations."""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from catalog import texts
from crossborder import money
from crossborder.audit import audit_trail
from crossborder.models import Partnership

RATE = {"max_digits": 9, "decimal_places": 6}  # 0.130000 = 13 %
# A listing the zone shows (selectors.zone_listings): the condition of the listing pages' indexes.
SHOWN = Q(is_active=True, price__isnull=False)


class PartnerListing(models.Model):
    """One product a partner offers us, as its catalog feed last described it, with its local price.
    `reference` is the partner's product id; `version` the highest version applied (older ones are
    ignored). A tombstone sets `is_active` off: the listing leaves the zone and cannot be ordered."""

    class ShipsFrom(models.TextChoices):
        LOCAL = "local", _("our local warehouse")
        DIRECT = "direct", _("cross-border direct from the partner")

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="listings")
    reference = models.UUIDField(_("partner's product id"))
    version = models.PositiveIntegerField(default=0, verbose_name=_("version"))
    changed_at = models.DateTimeField(_("changed at the partner"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    merchant_code = models.CharField(max_length=80, blank=True)
    merchant_name = models.CharField(max_length=200, blank=True, help_text=_("in the home language, else another"))
    merchant_names = models.JSONField(default=dict, blank=True, help_text=_("language -> the shop's name"))
    category = models.ForeignKey(
        "catalog.Category", on_delete=models.PROTECT, related_name="partner_listings", verbose_name=_("category")
    )
    brand = models.CharField(max_length=120, blank=True, verbose_name=_("brand"))
    original_language = models.CharField(max_length=16)
    texts = models.JSONField(default=dict, help_text=_("language -> {title, description}"))
    title = models.CharField(_("title"), max_length=300, help_text=_("in the home language, else the original"))
    title_language = models.CharField(max_length=16)
    hs_code = models.CharField(_("HS code"), max_length=6)
    needs_installation = models.BooleanField(_("needs installation"), default=False)
    weight_grams = models.PositiveIntegerField()
    dimensions_mm = models.JSONField(default=dict, blank=True)
    country_of_origin = CountryField()
    export_price = money.money_field(_("export price"))
    direct_stock = models.PositiveIntegerField(default=0)
    local_stock = models.PositiveIntegerField(
        default=0, help_text=_("consignment units in our warehouses"), verbose_name=_("local stock")
    )
    variants = models.JSONField(default=list, blank=True)
    images = models.JSONField(default=list, blank=True, help_text=_("absolute URLs at the partner"))
    cached_images = models.JSONField(
        default=list, blank=True, editable=False, help_text=_("our copies of the images, in order (when cached)")
    )
    # The landed price in the home currency and its parts (PartnerZone pricing fills these).
    price = money.money_field(_("price"), null=True, blank=True)
    list_price = money.money_field(_("price before campaign"), null=True, blank=True)
    price_breakdown = models.JSONField(default=dict, blank=True)
    ships_from = models.CharField(
        max_length=6, choices=ShipsFrom.choices, default=ShipsFrom.DIRECT, verbose_name=_("ships from")
    )
    priced_at = models.DateTimeField(null=True, blank=True)
    pricing_problem = models.CharField(max_length=300, blank=True)
    search_document = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("partner listing")
        verbose_name_plural = _("partner listings")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "reference"], name="listing_reference_once"),
            models.CheckConstraint(condition=Q(export_price__gt=0), name="listing_export_price_positive"),
        ]
        indexes = [
            models.Index(fields=["partnership", "is_active", "category"], name="listing_zone_idx"),
            models.Index(fields=["is_active", "category", "-changed_at"], name="listing_category_idx"),
            models.Index(fields=["partnership", "is_active", "price"], name="listing_price_idx"),
            # The zone pages' cache generation: MAX(updated_at) and MAX(priced_at) per partnership.
            models.Index(fields=["partnership", "updated_at"], name="listing_changed_idx"),
            models.Index(fields=["partnership", "priced_at"], name="listing_priced_idx"),
            # The zone's listing pages read only shown listings (active, priced): partial indexes that
            # answer a page's ids, counts and price ranges from the index alone (the id included:
            # without it every page's ids and every COUNT(id) read the table's rows too).
            models.Index(
                fields=["partnership", "category", "price"],
                include=["ships_from", "changed_at", "id"],
                condition=SHOWN,
                name="listing_shown_category_idx",
            ),
            models.Index(
                F("partnership"),
                F("changed_at").desc(),
                F("id").desc(),
                include=["category", "price", "ships_from"],
                condition=SHOWN,
                name="listing_shown_newest_idx",
            ),
            models.Index(
                fields=["partnership", "price"],
                include=["category", "ships_from", "changed_at", "id"],
                condition=SHOWN,
                name="listing_shown_price_idx",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.partnership.partner.code})"

    def merchant_name_in(self, language=None):
        """The partner's shop name for a reader of `language` (else a good default)."""
        return texts.pick(self.merchant_names, language, original_language=self.original_language)[0] or (
            self.merchant_name
        )

    def variant_label(self, sku, language=None):
        """The chosen variant's attributes ("Blue / L") in the reader's language; "" for none."""
        for variant in self.variants or []:
            if isinstance(variant, dict) and variant.get("sku") == sku:
                return texts.attributes_label(
                    variant.get("attributes"), language, original_language=self.original_language
                )
        return ""

    @property
    def is_orderable(self):
        return self.is_active and self.price is not None and self.partnership.status == Partnership.Status.ACTIVE


class ZoneCategoryCount(models.Model):
    """How many listings a zone shows (active, priced) per category and shipping origin: the zone's
    category pages add these up instead of counting tens of thousands of listings. On PostgreSQL
    kept current by statement triggers on the listings (migration 0020), in the transaction of
    whatever writes them (a sync page, pricing, stock, a retirement): one grouped upsert per
    statement. Read-only for Python; elsewhere (SQLite) the pages count the listings."""

    partnership = models.ForeignKey(Partnership, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    category = models.ForeignKey("catalog.Category", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    ships_from = models.CharField(max_length=6)
    listings = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partnership", "category", "ships_from"], name="zone_category_count_once")
        ]

    def __str__(self):
        return f"{self.partnership_id}/{self.category_id}/{self.ships_from}: {self.listings}"


class SyncRun(models.Model):
    """One incremental sync of a partner's catalog feed. An interrupted run keeps its cursor; the
    next run resumes from it. Rejected items are listed with their reasons; the rest goes on."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        INTERRUPTED = "interrupted", _("interrupted")

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="sync_runs")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING, verbose_name=_("status"))
    updated_since = models.CharField(max_length=40, blank=True, help_text=_("the watermark this run started from"))
    cursor = models.CharField(max_length=500, blank=True, help_text=_("where an interrupted run resumes"))
    watermark = models.CharField(max_length=40, blank=True, help_text=_("where the next run starts"))
    pages = models.PositiveIntegerField(default=0, verbose_name=_("pages"))
    items_changed = models.PositiveIntegerField(default=0, verbose_name=_("items changed"))
    tombstones = models.PositiveIntegerField(default=0, verbose_name=_("tombstones"))
    unchanged = models.PositiveIntegerField(default=0, verbose_name=_("unchanged"))
    rejected = models.PositiveIntegerField(default=0, verbose_name=_("rejected"))
    rejections = models.JSONField(default=list, blank=True, help_text=_("[{id, reason}] of rejected items"))
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))

    class Meta:
        verbose_name = _("catalog sync run")
        verbose_name_plural = _("catalog sync runs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["partnership", "-started_at"], name="sync_run_latest_idx")]

    def __str__(self):
        return f"{self.partnership.partner.code} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


# --- pricing --------------------------------------------------------------------------------------


class RoundingRule(models.Model):
    """How the home market rounds a shown price in `currency` between `min_amount` and `max_amount`:
    up to the next multiple of `step`, then minus `ending_offset` (e.g. step 10 and offset 0.1 gives
    x9.9; step 1 and offset 0.01 gives x.99)."""

    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    min_amount = models.DecimalField(**money.MONEY_COLUMN, default=0, verbose_name=_("min amount"))
    max_amount = models.DecimalField(**money.MONEY_COLUMN, null=True, blank=True, verbose_name=_("max amount"))
    step = models.DecimalField(
        max_digits=8 + money.MONEY_PLACES, decimal_places=money.MONEY_PLACES, verbose_name=_("step")
    )
    ending_offset = models.DecimalField(
        max_digits=8 + money.MONEY_PLACES, decimal_places=money.MONEY_PLACES, default=0, verbose_name=_("ending offset")
    )

    history = audit_trail()  # the audit trail: who changed what, when (admin: History)

    class Meta:
        verbose_name = _("rounding rule")
        verbose_name_plural = _("rounding rules")
        ordering = ["currency", "min_amount"]
        constraints = [models.CheckConstraint(condition=Q(step__gt=0), name="rounding_step_positive")]

    def __str__(self):
        return f"{self.currency} {self.min_amount}-{self.max_amount or '∞'}: step {self.step} - {self.ending_offset}"


class DutyRule(models.Model):
    """Duties and import taxes of an importing country for goods whose HS code starts with
    `hs_prefix` ('' = every other code); the longest matching prefix of the regime wins.

    Regimes: China's cross-border e-commerce retail import (`cn_cbec`: tariff 0, and VAT plus
    consumption tax at `cbec_tax_share` (70 %) within the per-transaction and annual limits; above
    them the general trade rates) and general trade (`general`); the United States (`us`: duty by HS
    chapter, nothing below the de minimis value when it applies)."""

    class Regime(models.TextChoices):
        CN_CBEC = "cn_cbec", _("China cross-border e-commerce retail import")
        GENERAL = "general", _("general trade")
        US = "us", _("United States")

    country = CountryField(_("importing country"))
    regime = models.CharField(max_length=8, choices=Regime.choices, verbose_name=_("regime"))
    hs_prefix = models.CharField(_("HS code prefix"), max_length=6, blank=True)
    description = models.CharField(max_length=200, blank=True, verbose_name=_("description"))
    duty_rate = models.DecimalField(default=0, **RATE, verbose_name=_("duty rate"))
    vat_rate = models.DecimalField(default=0, **RATE, verbose_name=_("VAT rate"))
    consumption_tax_rate = models.DecimalField(default=0, **RATE, verbose_name=_("consumption tax rate"))
    cbec_tax_share = models.DecimalField(
        default=0,
        help_text=_("share of VAT and consumption tax payable under the CBEC regime"),
        **RATE,
        verbose_name=_("cross-border e-commerce tax share"),
    )
    transaction_limit = money.money_field(_("per-transaction limit"), null=True, blank=True)
    annual_limit = money.money_field(_("annual limit per shopper"), null=True, blank=True)
    de_minimis = money.money_field(_("de minimis value"), null=True, blank=True)
    de_minimis_applies = models.BooleanField(default=False, verbose_name=_("de minimis applies"))
    valid_from = models.DateField(null=True, blank=True, verbose_name=_("valid from"))
    valid_to = models.DateField(null=True, blank=True, verbose_name=_("valid to"))

    history = audit_trail()  # the audit trail: who changed what, when (admin: History)

    class Meta:
        verbose_name = _("duty rule")
        verbose_name_plural = _("duty rules")
        ordering = ["country", "regime", "hs_prefix"]
        constraints = [
            models.UniqueConstraint(fields=["country", "regime", "hs_prefix", "valid_from"], name="duty_rule_once"),
        ]

    def __str__(self):
        return f"{self.country} {self.regime} {self.hs_prefix or '*'}"


# --- festival campaigns ---------------------------------------------------------------------------


class Festival(models.Model):
    """A shopping festival of a country, with its dates per year (FestivalDate)."""

    key = models.SlugField(max_length=40, unique=True, verbose_name=_("key"))
    country = CountryField(verbose_name=_("country"))
    name_en = models.CharField(max_length=80, verbose_name=_("name (English)"))
    name_zh_hans = models.CharField(max_length=80, verbose_name=_("name (Chinese)"))
    name_ja = models.CharField(max_length=80, blank=True, default="", verbose_name=_("name (Japanese)"))

    class Meta:
        verbose_name = _("festival")
        verbose_name_plural = _("festivals")
        ordering = ["country", "key"]

    def __str__(self):
        return f"{self.name_in(get_language())} ({self.country})"

    def name_in(self, language):
        """Its name in `language`: Chinese, or Japanese where ops or the shipped data gave one, else English."""
        language = (language or "").lower()
        if language.startswith("zh"):
            return self.name_zh_hans
        if language.startswith("ja"):
            return self.name_ja or self.name_en
        return self.name_en


class FestivalDate(models.Model):
    festival = models.ForeignKey(Festival, on_delete=models.CASCADE, related_name="dates")
    year = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        verbose_name = _("festival date")
        verbose_name_plural = _("festival dates")
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["festival", "year"], name="festival_date_once"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="festival_date_order"),
        ]

    def __str__(self):
        return f"{self.festival.key} {self.year}"


class Campaign(models.Model):
    """A partner's festival campaign in our zone: proposed through the partner API, then accepted
    (and localised) or declined by our ops. While accepted and within its dates it discounts the
    listed goods; `partner_share_percent` of each discount is the partner's, for settlement."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        CANCELLED = "cancelled", _("cancelled")

    reference = models.UUIDField(default=uuid.uuid4)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("partnership")
    )
    festival = models.ForeignKey(
        Festival, null=True, blank=True, on_delete=models.SET_NULL, related_name="campaigns", verbose_name=_("festival")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED, verbose_name=_("status"))
    title = models.CharField(_("partner's title"), max_length=200)
    local_title = models.CharField(_("our title"), max_length=200, blank=True)
    banner_text = models.CharField(_("banner text"), max_length=300, blank=True)
    starts_on = models.DateField(verbose_name=_("starts on"))
    ends_on = models.DateField(verbose_name=_("ends on"))
    suggested_discount_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(90)],
        verbose_name=_("suggested discount (%)"),
    )
    discount_percent = models.DecimalField(
        _("agreed discount %"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    partner_share_percent = models.DecimalField(
        _("partner's share of the discount %"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    listings = models.ManyToManyField(PartnerListing, blank=True, related_name="campaigns")
    decline_reason = models.CharField(max_length=300, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "reference"], name="campaign_reference_once"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_date_order"),
        ]
        indexes = [models.Index(fields=["status", "starts_on", "ends_on"], name="campaign_live_idx")]

    def __str__(self):
        return f"{self.local_title or self.title} ({self.starts_on}–{self.ends_on})"


class CampaignSale(models.Model):
    """A sale at a campaign price: the discount and the partner's share of it, for settlement."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="sales")
    listing = models.ForeignKey(PartnerListing, on_delete=models.PROTECT, related_name="campaign_sales")
    order_line = models.CharField(max_length=120, unique=True)
    quantity = models.PositiveIntegerField()
    discount = money.money_field()
    partner_share = money.money_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign sale")
        verbose_name_plural = _("campaign sales")

    def __str__(self):
        return f"{self.order_line}: -{self.discount}"


# --- markdowns of aged consignment stock ----------------------------------------------------------


class Markdown(models.Model):
    """An agreed markdown of the partner's aged consignment stock held here (logistics' aged-stock
    action, carried out): `percent` off the listing's price for `quantity` units of `sku` sold from
    our warehouse, from `started_at`. The exporter bears it (its export price is marked down by the
    same percent for those units). `sold` counts the units sold at the markdown; when all are sold
    the listing's price goes back up."""

    reference = models.UUIDField(_("aged-stock action"))
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="markdowns")
    listing = models.ForeignKey(
        PartnerListing, on_delete=models.PROTECT, related_name="markdowns", verbose_name=_("listing")
    )
    sku = models.CharField(_("SKU"), max_length=64)
    percent = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(99)], verbose_name=_("percent")
    )
    quantity = models.PositiveIntegerField(_("units marked down"))
    sold = models.PositiveIntegerField(_("units sold at the markdown"), default=0)
    started_at = models.DateTimeField(verbose_name=_("started at"))

    class Meta:
        verbose_name = _("markdown of aged stock")
        verbose_name_plural = _("markdowns of aged stock")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "reference"], name="markdown_reference_once"),
            models.CheckConstraint(condition=Q(percent__gte=1, percent__lte=99), name="markdown_percent_range"),
            models.CheckConstraint(condition=Q(sold__lte=models.F("quantity")), name="markdown_sold_within_quantity"),
        ]
        indexes = [models.Index(fields=["listing", "sku"], name="markdown_listing_idx")]

    def __str__(self):
        return f"{self.sku} -{self.percent}% x{self.quantity}"

    @property
    def units_left(self):
        return self.quantity - self.sold


# --- shoppers' history ----------------------------------------------------------------------------


class ShopperEvent(models.Model):
    """A product view or a search by a shopper (anonymous session or logged-in user), for
    recommendations and, aggregated over many shoppers and without who they are, for the nightly
    demand report to the partner (a search in a partner's zone records the zone and how many of
    its goods it found). Kept for the configured retention; a shopper can clear their own."""

    class Kind(models.TextChoices):
        VIEW = "view", _("viewed")
        SEARCH = "search", _("searched")

    kind = models.CharField(max_length=6, choices=Kind.choices, verbose_name=_("kind"))
    session_key = models.CharField(max_length=64, blank=True)  # indexed with its newest events, below
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="shopper_events",
        verbose_name=_("user"),
    )
    listing = models.ForeignKey(
        PartnerListing, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("listing")
    )
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    category = models.ForeignKey(
        "catalog.Category",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("category"),
    )
    query = models.CharField(max_length=200, blank=True, verbose_name=_("query"))
    # A search in a partner's zone: which one, and how many of its listings matched the query.
    partnership = models.ForeignKey(Partnership, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    result_count = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("shopper event")
        verbose_name_plural = _("shopper events")
        indexes = [
            # In the order a shopper's newest events are read (recent_events: created_at, then id):
            # without the id PostgreSQL walked the created_at index of every shopper's events back
            # to this shopper's, the whole table for a shopper with few of them.
            models.Index(fields=["user", "-created_at", "-id"], name="event_user_newest_idx"),
            models.Index(fields=["session_key", "-created_at", "-id"], name="event_session_newest_idx"),
            # The nightly demand report reads a zone's searches of the last days.
            models.Index(
                fields=["partnership", "created_at"],
                condition=Q(partnership__isnull=False),
                name="event_zone_search_idx",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.query or self.listing_id or self.product_id}"
