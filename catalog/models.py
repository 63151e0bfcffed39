"""Merchants and what they sell: products, their variants (SKUs), texts in several languages,
images, the shared category taxonomy, and export offers to partner platforms."""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from crossborder import money
from crossborder.uploads import ImagePath

from . import taxonomy, texts

HS_CODE_PATTERN = r"^[0-9]{6}$"
hs_code_validator = RegexValidator(
    HS_CODE_PATTERN, _("An HS code is exactly 6 digits (the international subheading), e.g. 392410.")
)


class Category(models.Model):
    """A node of the public Google product taxonomy. Its ID is the taxonomy's own, so the same ID
    names the same category on every platform and partners need no mapping tables."""

    id = models.PositiveIntegerField(primary_key=True, verbose_name=_("taxonomy ID"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path_en = models.CharField(_("path (English)"), max_length=400, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_zh_hans = models.CharField(_("name (Chinese)"), max_length=120)
    name_ja = models.CharField(_("name (Japanese)"), max_length=120, blank=True, default="")
    depth = models.PositiveSmallIntegerField(default=0, verbose_name=_("depth"))

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path_en"]

    def __str__(self):
        return f"{self.id} {self.path_en}"

    def name_in(self, language):
        return taxonomy.name_in(language, self.name_en, self.name_zh_hans, self.name_ja)


class Merchant(models.Model):
    """A seller on this platform. Its users manage its products in the merchant area."""

    name = models.CharField(_("name"), max_length=120, help_text=_("The shop's name where no other is given."))
    # The shop's name per language {language: name}, shown to shoppers in theirs (catalog.texts).
    names = models.JSONField(_("name per language"), default=dict, blank=True)
    slug = models.SlugField(_("code"), max_length=40, unique=True)
    # Its staff, each with a role (MerchantMembership); a plain `merchant.users.add(user)` gives the
    # least role that opens the merchant area (catalog), never an owner by accident.
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="merchants", blank=True, through="MerchantMembership"
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Who ships the merchant's goods sold at home: off (the default), the platform's warehouse picks,
    # packs and ships them as it does every home order; on, the merchant does, from its orders page.
    # Lines a partner sold cross-border direct are the merchant's to ship either way (docs/adr).
    ships_itself = models.BooleanField(
        _("ships its home orders itself"),
        default=False,
        help_text=_("Off: the platform's warehouse ships its goods sold here. On: the merchant ships them."),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def name_in(self, language=None):
        return texts.pick(self.names, language)[0] or self.name

    def names_for_feed(self):
        """{language: name}: the names given, else the one name in the platform's language."""
        return dict(self.names) or {settings.LANGUAGE_CODE: self.name}


class MerchantRole(models.TextChoices):
    """What a merchant's staff member may do. The owner may do everything, and manages the team."""

    OWNER = "owner", pgettext_lazy("merchant role", "owner")
    CATALOG = "catalog", pgettext_lazy("merchant role", "catalog")
    FULFILMENT = "fulfilment", pgettext_lazy("merchant role", "fulfilment")
    FINANCE = "finance", pgettext_lazy("merchant role", "finance")


class MerchantMembership(models.Model):
    """One login's place in a merchant's team, with its role. The table is the one the plain
    `Merchant.users` link used, with a role added: the members from before became owners."""

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("merchant")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="merchant_memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=12, choices=MerchantRole.choices, default=MerchantRole.CATALOG)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        db_table = "catalog_merchant_users"
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        unique_together = [("merchant", "user")]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["owner", "catalog", "fulfilment", "finance"]), name="merchant_role_known"
            )
        ]

    def __str__(self):
        return f"{self.user_id} {self.role} @ {self.merchant_id}"

    def has_role(self, *roles):
        """Whether this member may act in any of `roles` (the owner may act in every one)."""
        return self.role == MerchantRole.OWNER or self.role in roles


class MerchantInvitation(models.Model):
    """A one-time link sent by e-mail: who opens it in time sets a password (or signs in) and joins
    the merchant's team in `role`. Only the link's hash is kept."""

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("merchant")
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=12, choices=MerchantRole.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.CharField(_("invited by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("merchant invitation")
        verbose_name_plural = _("merchant invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["owner", "catalog", "fulfilment", "finance"]), name="invitation_role_known"
            )
        ]

    def __str__(self):
        return f"{self.email} ({self.role})"


class FeedConfirmation(models.Model):
    """How far a partner has mirrored our catalog feed: a fetch with `updated_since=W` says the
    partner applied every item changed before W (the protocol passes a watermark on only after its
    last page), so our offers changed before W are in its zone (docs/partner-protocol.md)."""

    partnership = models.OneToOneField(
        "crossborder.Partnership", on_delete=models.CASCADE, related_name="feed_confirmation"
    )
    mirrored_before = models.DateTimeField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("feed confirmation")
        verbose_name_plural = _("feed confirmations")

    def __str__(self):
        return f"{self.partnership_id} < {self.mirrored_before:%Y-%m-%d %H:%M}"


class Product(models.Model):
    """A product as the shopper sees it. Prices live on the variants; `price` is the lowest active
    variant's, kept by the services so listing pages can sort and filter on one column."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("on sale")
        ARCHIVED = "archived", _("archived")

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="products", verbose_name=_("merchant")
    )
    code = models.CharField(_("product code"), max_length=64, help_text=_("The merchant's own code"))
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    brand = models.CharField(_("brand"), max_length=80, blank=True)
    original_language = models.CharField(_("original language"), max_length=10)
    country_of_origin = CountryField(_("country of origin"))
    hs_code = models.CharField(_("HS code"), max_length=6, validators=[hs_code_validator])
    weight_grams = models.PositiveIntegerField(_("weight (g)"), validators=[MinValueValidator(1)])
    length_mm = models.PositiveIntegerField(_("length (mm)"), null=True, blank=True)
    width_mm = models.PositiveIntegerField(_("width (mm)"), null=True, blank=True)
    height_mm = models.PositiveIntegerField(_("height (mm)"), null=True, blank=True)
    price = money.money_field(_("price from"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    needs_installation = models.BooleanField(
        _("needs installation"),
        default=False,
        help_text=_("Checkout offers installation by a local service provider (sent to partners in the feed)."),
    )
    # Whether any active variant has units for sale: derived (catalog.services.refresh_in_stock,
    # called by the stock service whenever a variant's figure moves), so the in-stock filter and
    # its facet counts read one indexed column instead of probing every product's variants.
    in_stock = models.BooleanField(_("in stock"), default=False, editable=False)
    version = models.PositiveIntegerField(default=1, verbose_name=_("version"))
    search_document = models.TextField(blank=True, editable=False)
    # Filled from search_document on PostgreSQL only (see catalog.search); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "code"], name="product_code_unique_per_merchant"),
            models.CheckConstraint(condition=Q(hs_code__regex=HS_CODE_PATTERN), name="product_hs_code_6_digits"),
            models.CheckConstraint(condition=Q(weight_grams__gt=0), name="product_weight_positive"),
            models.CheckConstraint(condition=Q(price__isnull=True) | Q(price__gt=0), name="product_price_positive"),
        ]
        indexes = [
            # The facet counts of a listing page (catalog.selectors.facet_rows) and the ids of one
            # of its pages, read from this index alone on PostgreSQL (a covering index: the table's
            # rows carry the search document and are far wider).
            models.Index(
                fields=["category", "brand", "country_of_origin", "in_stock"],
                include=["id", "price", "created_at"],
                condition=Q(status="active"),
                name="product_facets_idx",
            ),
            models.Index(fields=["status", "category", "-created_at"], name="product_listing_idx"),
            models.Index(fields=["status", "category", "price"], name="product_listing_price_idx"),
            models.Index(fields=["status", "-created_at"], name="product_newest_idx"),
            # Price order across a category subtree or within a brand, in the storefront's sort order
            # (price, then newest), so a sorted page reads a few index entries instead of the subtree.
            # The descending ones (NULLS LAST, which SQLite cannot index) are in migration 0004, PG only.
            models.Index(
                F("status"), F("price").asc(), F("created_at").desc(), F("id").desc(), name="product_price_asc_idx"
            ),
            models.Index(
                F("status"),
                F("brand"),
                F("price").asc(),
                F("created_at").desc(),
                F("id").desc(),
                name="product_brand_price_asc_idx",
            ),
        ]

    def __str__(self):
        return f"{self.code} ({self.merchant})"


class ProductText(models.Model):
    """The product's title and description in one language, written by the merchant."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=10)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("product text")
        verbose_name_plural = _("product texts")
        constraints = [
            models.UniqueConstraint(fields=["product", "language"], name="product_text_one_per_language"),
            models.CheckConstraint(condition=~Q(title=""), name="product_text_title_not_empty"),
        ]

    def __str__(self):
        return f"[{self.language}] {self.title}"


class ProductVariant(models.Model):
    """One sellable SKU of a product (a size, a colour), with its price and the units available.

    `stock` is the warehouse's count, not the merchant's: the sellable units of the SKU in our
    active warehouses, written only by logistics.services.stock in the transaction of each change
    (a merchant's entry goes there through hooks.write_stock; ADR 0016)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    # {name: {language: value}}, e.g. {"colour": {"en": "Blue", "zh-hans": "蓝色"}} (catalog.texts).
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    price = money.money_field(_("price"))
    stock = models.PositiveIntegerField(_("stock"), default=0)
    is_active = models.BooleanField(_("on sale"), default=True)
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))
    # This SKU's own packed weight and size where it differs from the product's (a 3-person tent
    # weighs more than a 1-person one); empty means the product's.
    weight_grams = models.PositiveIntegerField(
        _("weight (g)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    length_mm = models.PositiveIntegerField(_("length (mm)"), null=True, blank=True)
    width_mm = models.PositiveIntegerField(_("width (mm)"), null=True, blank=True)
    height_mm = models.PositiveIntegerField(_("height (mm)"), null=True, blank=True)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="variant_price_positive"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="variant_stock_not_negative"),
            models.CheckConstraint(
                condition=Q(weight_grams__isnull=True) | Q(weight_grams__gt=0), name="variant_weight_positive"
            ),
        ]

    def __str__(self):
        return self.sku

    def attributes_in(self, language=None):
        """[(name, value)] in the reader's language (else a good default; catalog.texts)."""
        return texts.attributes_in(self.attributes, language)

    def attributes_label(self, language=None):
        return texts.attributes_label(self.attributes, language)

    @property
    def shipping_weight_grams(self):
        """What one unit of this SKU weighs packed: its own weight, else the product's."""
        return self.weight_grams or self.product.weight_grams

    @property
    def dimensions_mm(self):
        """(length, width, height) of this SKU packed: its own where given, else the product's."""
        own = (self.length_mm, self.width_mm, self.height_mm)
        if all(own):
            return own
        product = self.product
        return (product.length_mm, product.width_mm, product.height_mm)


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to=ImagePath("products"), width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("width"))
    height = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("height"))
    alt_text = models.CharField(_("alternative text"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["position", "id"]

    def __str__(self):
        return self.image.name


class ExportOffer(models.Model):
    """Whether a product is offered to one partner platform, at what export price (in this
    platform's currency) and with how much stock for cross-border direct sale.

    `changed_at` and `version` move whenever the offer or its product changes: they drive the
    partner's incremental catalog feed. A withdrawn offer stays, so the feed can send its tombstone."""

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="export_offers", verbose_name=_("product")
    )
    partnership = models.ForeignKey(
        "crossborder.Partnership", on_delete=models.PROTECT, related_name="export_offers", verbose_name=_("partnership")
    )
    is_offered = models.BooleanField(_("offered"), default=True)
    export_price = money.money_field(_("export price"), null=True, blank=True)
    direct_stock = models.PositiveIntegerField(_("stock for direct sale"), default=0)
    version = models.PositiveIntegerField(default=1, verbose_name=_("version"))
    changed_at = models.DateTimeField(default=timezone.now, verbose_name=_("changed at"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("export offer")
        verbose_name_plural = _("export offers")
        constraints = [
            models.UniqueConstraint(fields=["product", "partnership"], name="export_offer_one_per_partnership"),
            models.CheckConstraint(
                condition=Q(is_offered=False) | Q(export_price__gt=0), name="export_offer_priced_when_offered"
            ),
            models.CheckConstraint(condition=Q(direct_stock__gte=0), name="export_offer_stock_not_negative"),
        ]
        indexes = [models.Index(fields=["partnership", "changed_at", "id"], name="export_offer_feed_idx")]

    def __str__(self):
        return f"{self.product} -> {self.partnership}"
