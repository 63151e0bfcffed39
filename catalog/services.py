"""Catalog business operations: merchants, products and their variants, texts and images, export
offers to partners, and the all-or-nothing spreadsheet import. Each public function is one
transaction; views, admin actions, the import and the demo generator all go through here."""

from dataclasses import dataclass, field

from django.conf import settings
from django.conf.global_settings import LANGUAGES as ALL_LANGUAGES
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, Min, OuterRef, Prefetch
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money
from moneyed import CurrencyDoesNotExist, get_currency

from crossborder import money, uploads
from crossborder.errors import DomainError
from crossborder.models import Partnership

from . import hooks, search, texts
from .errors import CatalogErrorCode
from .models import (
    Category,
    ExportOffer,
    FeedConfirmation,
    Merchant,
    Product,
    ProductImage,
    ProductText,
    ProductVariant,
    hs_code_validator,
)

KNOWN_LANGUAGES = {code for code, _name in ALL_LANGUAGES}
MAX_ATTRIBUTE_CHARS = 40
MAX_SHOP_NAME_CHARS = 120
OFFERABLE_STATUSES = (Partnership.Status.ACTIVE, Partnership.Status.SUSPENDED)


class CatalogError(DomainError):
    pass


@dataclass
class VariantInput:
    sku: str
    price: Money
    stock: int = 0
    attributes: dict = field(default_factory=dict)  # {name: {language: value}} (catalog.texts)
    is_active: bool = True
    weight_grams: int | None = None  # this SKU's own, where it differs from the product's
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None


@dataclass
class ProductInput:
    """Everything a merchant states about a product, as the forms and the import produce it."""

    code: str
    category_id: int
    original_language: str
    country_of_origin: str
    hs_code: str
    weight_grams: int
    texts: dict  # language -> (title, description)
    variants: list
    brand: str = ""
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None
    status: str = Product.Status.ACTIVE


# --- validation shared by every way in ---------------------------------------------------------


def check_money(amount, *, field_name):
    """A price must be a positive amount in this platform's currency."""
    if not isinstance(amount, Money):
        raise CatalogError(CatalogErrorCode.INVALID, _("A price needs an amount and a currency."), field=field_name)
    code = str(amount.currency)
    try:
        get_currency(code)
    except CurrencyDoesNotExist:
        raise CatalogError(
            CatalogErrorCode.UNKNOWN_CURRENCY, _("Unknown currency %(code)s.") % {"code": code}, field=field_name
        ) from None
    if code != settings.PLATFORM_CURRENCY:
        raise CatalogError(
            CatalogErrorCode.WRONG_CURRENCY,
            _("Prices here are in %(platform)s, not %(code)s.")
            % {"platform": settings.PLATFORM_CURRENCY, "code": code},
            field=field_name,
        )
    if amount.amount <= 0:
        raise CatalogError(CatalogErrorCode.PRICE_NOT_POSITIVE, _("A price must be more than zero."), field=field_name)
    if not money.has_minor_units_only(amount.amount, code):
        raise CatalogError(
            CatalogErrorCode.INVALID,
            _("A price in %(currency)s has at most %(digits)d decimal places.")
            % {"currency": code, "digits": money.minor_digits(code)},
            field=field_name,
        )


def _check_product_input(data, *, product=None):
    if not data.code or not data.code.strip():
        raise CatalogError(CatalogErrorCode.INVALID, _("A product needs a product code."), field="code")
    if not Category.objects.filter(pk=data.category_id).exists():
        raise CatalogError(
            CatalogErrorCode.UNKNOWN_CATEGORY,
            _("Category %(id)s is not in the taxonomy.") % {"id": data.category_id},
            field="category",
        )
    try:
        hs_code_validator(data.hs_code or "")
    except ValidationError:
        raise CatalogError(
            CatalogErrorCode.HS_CODE_MALFORMED,
            _("HS code %(code)r is not 6 digits.") % {"code": data.hs_code},
            field="hs_code",
        ) from None
    if not data.weight_grams or data.weight_grams <= 0:
        raise CatalogError(CatalogErrorCode.INVALID, _("Weight must be more than 0 g."), field="weight_grams")
    for language in [data.original_language, *data.texts]:
        if language not in KNOWN_LANGUAGES:
            raise CatalogError(
                CatalogErrorCode.UNKNOWN_LANGUAGE,
                _("Unknown language %(code)r.") % {"code": language},
                field="language",
            )
    title, _description = data.texts.get(data.original_language, ("", ""))
    if not (title or "").strip():
        raise CatalogError(
            CatalogErrorCode.TITLE_MISSING,
            _("A title in the original language (%(code)s) is required.") % {"code": data.original_language},
            field=f"title_{data.original_language}",
        )
    if not data.variants:
        raise CatalogError(CatalogErrorCode.NO_VARIANTS, _("A product needs at least one SKU."), field="sku")
    skus = [variant.sku for variant in data.variants]
    if len(set(skus)) != len(skus):
        raise CatalogError(CatalogErrorCode.SKU_TAKEN, _("The same SKU appears twice."), field="sku")
    for variant in data.variants:
        if not variant.sku.strip():
            raise CatalogError(CatalogErrorCode.INVALID, _("A SKU cannot be empty."), field="sku")
        check_money(variant.price, field_name="price")
        if variant.stock < 0:
            raise CatalogError(CatalogErrorCode.INVALID, _("Stock cannot be negative."), field="stock")
        _check_attributes(variant)
        if variant.weight_grams is not None and variant.weight_grams <= 0:
            raise CatalogError(CatalogErrorCode.INVALID, _("Weight must be more than 0 g."), field="weight_grams")
    taken = ProductVariant.objects.filter(sku__in=skus)
    if product is not None:
        taken = taken.exclude(product=product)
    clash = taken.values_list("sku", flat=True).first()
    if clash:
        raise CatalogError(
            CatalogErrorCode.SKU_TAKEN, _("SKU %(sku)s belongs to another product.") % {"sku": clash}, field="sku"
        )


def _check_attributes(variant):
    """Attributes are {name: {language: value}}: a value in a known language, at most
    MAX_ATTRIBUTE_CHARS long."""
    for name, values in variant.attributes.items():
        for language, value in values.items():
            if language not in KNOWN_LANGUAGES:
                raise CatalogError(
                    CatalogErrorCode.UNKNOWN_LANGUAGE,
                    _("Unknown language %(code)r.") % {"code": language},
                    field="attributes",
                )
            if not isinstance(value, str) or len(value) > MAX_ATTRIBUTE_CHARS:
                raise CatalogError(
                    CatalogErrorCode.INVALID,
                    _("The %(name)s of SKU %(sku)s is longer than %(max)d characters.")
                    % {"name": name, "sku": variant.sku, "max": MAX_ATTRIBUTE_CHARS},
                    field="attributes",
                )


def attribute_texts(values_by_language):
    """{name: {language: value}} from {language: {name: value}} as forms and imports read them; an
    empty value is left out, so a value given in one language is shown in every one (catalog.texts)."""
    attributes = {}
    for language, values in values_by_language.items():
        for name, value in values.items():
            value = (value or "").strip()
            if value:
                attributes.setdefault(name, {})[language] = value
    return attributes


def require_owner(merchant, product):
    if product.merchant_id != merchant.pk:
        raise CatalogError(
            CatalogErrorCode.NOT_YOUR_PRODUCT,
            _("This product belongs to another merchant."),
            field="product",
            status=403,
        )


# --- derived fields ----------------------------------------------------------------------------


def refresh_in_stock(*, product_ids=None, skus=None):
    """Set `Product.in_stock` (any active variant with units) for these products, or the products
    of these SKUs, or all: one UPDATE touching only the rows whose value changes. The stock service
    calls it after moving variants' figures; refresh_products after a product's variants change.
    A product whose value changes is a changed product (its `updated_at` moves): the listing pages
    cached by the catalog generation, the in-stock ones too, show it at once."""
    has_units = Exists(ProductVariant.objects.filter(product=OuterRef("pk"), is_active=True, stock__gt=0))
    products = Product.objects.all()
    if product_ids is not None:
        products = products.filter(pk__in=list(product_ids))
    if skus is not None:
        products = products.filter(pk__in=ProductVariant.objects.filter(sku__in=list(skus)).values("product_id"))
    return (
        products.annotate(has_units=has_units)
        .exclude(in_stock=F("has_units"))
        .update(in_stock=has_units, updated_at=timezone.now())
    )


def refresh_products(product_ids, *, bump=True):
    """Recompute what is derived from a product's parts (lowest price, search document) and, with
    `bump`, move its version and its export offers' feed position. Call inside the change's
    transaction, after the parts are written."""
    product_ids = list(product_ids)
    if not product_ids:
        return
    now = timezone.now()
    products = (
        Product.objects.filter(pk__in=product_ids)
        .select_related("category")
        # Ordered, so the same product always gives the same search document.
        .prefetch_related(Prefetch("texts", queryset=ProductText.objects.order_by("language")), "variants")
    )
    lowest = dict(
        ProductVariant.objects.filter(product_id__in=product_ids, is_active=True)
        .values("product_id")
        .annotate(lowest=Min("price"))
        .values_list("product_id", "lowest")
    )
    changed = []
    for product in products:
        category = product.category
        product.search_document = search.document(
            product.brand,
            category.name_en,
            category.name_zh_hans,
            category.name_ja,
            *(variant.sku for variant in product.variants.all()),
            titles=[text.title for text in product.texts.all()],
        )
        price = lowest.get(product.pk)
        product.price = Money(price, settings.PLATFORM_CURRENCY) if price is not None else None
        if bump:
            product.version += 1
            product.updated_at = now
        changed.append(product)
    Product.objects.bulk_update(changed, ["search_document", "price", "price_currency", "version", "updated_at"])
    search.refresh_vectors(product_ids)
    refresh_in_stock(product_ids=product_ids)
    if bump:
        ExportOffer.objects.filter(product_id__in=product_ids).update(version=F("version") + 1, changed_at=now)


# --- merchants and products --------------------------------------------------------------------


def _clean_shop_names(names):
    cleaned = {}
    for language, name in (names or {}).items():
        name = (name or "").strip()
        if not name:
            continue
        if language not in KNOWN_LANGUAGES:
            raise CatalogError(
                CatalogErrorCode.UNKNOWN_LANGUAGE, _("Unknown language %(code)r.") % {"code": language}, field="names"
            )
        if len(name) > MAX_SHOP_NAME_CHARS:
            raise CatalogError(
                CatalogErrorCode.INVALID,
                _("A shop name has at most %(max)d characters.") % {"max": MAX_SHOP_NAME_CHARS},
                field=f"name_{language}",
            )
        cleaned[language] = name
    return cleaned


def _default_shop_name(names, fallback=""):
    """The name shown where no language matches: the platform's language, else any given."""
    for language in (settings.LANGUAGE_CODE, *sorted(names)):
        if names.get(language):
            return names[language]
    return fallback


@transaction.atomic
def create_merchant(*, name, slug, users=(), contact_email="", names=None, role="catalog"):
    """A merchant, with `users` in its team in `role` (the least one unless told: an owner is
    normally invited, catalog.team.invite)."""
    names = _clean_shop_names(names or ({settings.LANGUAGE_CODE: name} if name else {}))
    merchant = Merchant.objects.create(
        name=_default_shop_name(names, name), names=names, slug=slug, contact_email=contact_email
    )
    if users:
        merchant.users.add(*users, through_defaults={"role": role})
    return merchant


@transaction.atomic
def set_shop_names(*, merchant, names):
    """The shop's name in each language the merchant gives (at least one); partners receive them
    with the merchant's offered goods, which move in their feeds."""
    names = _clean_shop_names(names)
    if not names:
        raise CatalogError(CatalogErrorCode.INVALID, _("Give the shop's name in at least one language."), field="names")
    Merchant.objects.filter(pk=merchant.pk).update(names=names, name=_default_shop_name(names, merchant.name))
    ExportOffer.objects.filter(product__merchant=merchant).update(version=F("version") + 1, changed_at=timezone.now())
    merchant.refresh_from_db()
    return merchant


@transaction.atomic
def set_ships_itself(*, merchant, ships_itself):
    """Whether the merchant ships its goods sold at home itself (from its orders page) or the
    platform's warehouse does; lines already shipped stay as they are. Setting it again is harmless."""
    Merchant.objects.filter(pk=merchant.pk).update(ships_itself=bool(ships_itself))
    merchant.refresh_from_db()
    return merchant


def _write_product(merchant, data, product, *, actor=""):
    fields = {
        "category_id": data.category_id,
        "brand": data.brand.strip(),
        "original_language": data.original_language,
        "country_of_origin": data.country_of_origin,
        "hs_code": data.hs_code,
        "weight_grams": data.weight_grams,
        "length_mm": data.length_mm,
        "width_mm": data.width_mm,
        "height_mm": data.height_mm,
        "status": data.status,
    }
    if product is None:
        product = Product.objects.create(merchant=merchant, code=data.code.strip(), **fields)
    else:
        for name, value in fields.items():
            setattr(product, name, value)
        product.save(update_fields=list(fields))
    for language, (title, description) in data.texts.items():
        if (title or "").strip():
            ProductText.objects.update_or_create(
                product=product,
                language=language,
                defaults={"title": title.strip(), "description": (description or "").strip()},
            )
        else:
            ProductText.objects.filter(product=product, language=language).delete()
    existing = {variant.sku: variant for variant in product.variants.all()}
    stated = []
    for position, variant in enumerate(data.variants):
        values = {
            "attributes": variant.attributes,
            "price": variant.price,
            "is_active": variant.is_active,
            "position": position,
            "weight_grams": variant.weight_grams,
            "length_mm": variant.length_mm,
            "width_mm": variant.width_mm,
            "height_mm": variant.height_mm,
        }
        current = existing.pop(variant.sku, None)
        if current is None:
            current = ProductVariant.objects.create(product=product, sku=variant.sku, **values)
        else:
            for name, value in values.items():
                setattr(current, name, value)
            current.save(update_fields=list(values))
        if variant.stock != current.stock:
            stated.append((current, variant.stock))
    # The units for sale are the warehouse's count: the stated figure goes through its stock
    # service, which writes ProductVariant.stock back in this transaction.
    hooks.write_stock(stated, actor=actor, reason=_("stated by merchant %(merchant)s") % {"merchant": merchant.slug})
    return product


@transaction.atomic
def save_product(*, merchant, data, product=None, replace_variants=False, actor=""):
    """Create a product, or update one the merchant owns. Variants are matched by SKU; with
    `replace_variants`, SKUs missing from `data` are taken off sale (never deleted: orders point
    at them). A variant's stated stock is its units for sale, counted by the warehouse's stock
    service (hooks.write_stock); `actor` names who stated it in the stock's movements."""
    if product is not None:
        require_owner(merchant, product)
    for variant in data.variants:  # a value given as plain text is in the product's original language
        variant.attributes = {
            name: texts.coerce(value, (data.original_language or "").lower())
            for name, value in variant.attributes.items()
            if texts.coerce(value, (data.original_language or "").lower())
        }
    _check_product_input(data, product=product)
    product = _write_product(merchant, data, product, actor=actor)
    if replace_variants:
        keep = [variant.sku for variant in data.variants]
        product.variants.exclude(sku__in=keep).update(is_active=False)
    refresh_products([product.pk])
    product.refresh_from_db()
    return product


@transaction.atomic
def set_product_status(*, merchant, product, status):
    require_owner(merchant, product)
    if status not in Product.Status.values:
        raise CatalogError(CatalogErrorCode.INVALID, _("Unknown status %(s)r.") % {"s": status}, field="status")
    Product.objects.filter(pk=product.pk).update(status=status)
    refresh_products([product.pk])
    product.refresh_from_db()
    return product


@transaction.atomic
def set_needs_installation(*, product, needs_installation):
    """Flag a product as needing installation (checkout then offers a local provider's
    installation); partners learn it through the catalog feed, so its offers move in the feed."""
    Product.objects.filter(pk=product.pk).update(needs_installation=bool(needs_installation))
    refresh_products([product.pk])
    product.refresh_from_db()
    return product


def archive_product(*, merchant, product):
    """What "delete" means for a product: it leaves the storefront and partners' feeds (as a
    tombstone) but stays for the orders and reports that refer to it."""
    return set_product_status(merchant=merchant, product=product, status=Product.Status.ARCHIVED)


def clean_image(upload):
    """The upload decoded, verified and re-encoded under a name of ours (crossborder.uploads), or
    CatalogError naming the image field."""
    try:
        return uploads.clean_image(upload, field="image")
    except uploads.ImageRefused as refused:
        raise CatalogError(refused.code, refused.detail, field=refused.field) from None


@transaction.atomic
def add_product_image(*, merchant, product, upload, alt_text=""):
    require_owner(merchant, product)
    clean = clean_image(upload)
    position = product.images.count()
    image = ProductImage.objects.create(product=product, image=clean.content, alt_text=alt_text, position=position)
    refresh_products([product.pk])
    return image


@transaction.atomic
def remove_product_image(*, merchant, image):
    require_owner(merchant, image.product)
    product_id = image.product_id
    image.image.delete(save=False)
    image.delete()
    refresh_products([product_id])


# --- export offers -----------------------------------------------------------------------------


@transaction.atomic
def set_export_offer(*, merchant, product, partnership, is_offered, export_price=None, direct_stock=0):
    """Offer a product to one partner (or withdraw it). Every change moves the offer in that
    partner's catalog feed; a withdrawal reaches the partner as a tombstone."""
    require_owner(merchant, product)
    if partnership.status not in OFFERABLE_STATUSES:
        raise CatalogError(
            CatalogErrorCode.PARTNERSHIP_NOT_LIVE,
            _("The partnership with %(partner)s is %(status)s; goods can only be offered to an active partner.")
            % {"partner": partnership.partner, "status": partnership.get_status_display()},
            field="partnership",
        )
    if is_offered:
        check_money(export_price, field_name="export_price")
    if direct_stock is None or direct_stock < 0:
        raise CatalogError(CatalogErrorCode.INVALID, _("Stock cannot be negative."), field="direct_stock")
    now = timezone.now()
    offer = ExportOffer.objects.select_for_update().filter(product=product, partnership=partnership).first()
    if offer is None:
        offer = ExportOffer(product=product, partnership=partnership, version=0)
    was_offered = offer.pk is not None and offer.is_offered
    offer.is_offered = is_offered
    if export_price is not None or not is_offered:
        offer.export_price = export_price if export_price is not None else offer.export_price
    offer.direct_stock = direct_stock
    offer.version += 1
    offer.changed_at = now
    offer.save()
    if is_offered and not was_offered:
        hooks.product_offered.fire(product=product, partnership=partnership)
    return offer


def take_direct_stock(*, partnership, product_reference, quantity):
    """The partner sold `quantity` units of our product cross-border direct (an order it forwarded):
    the offer's stock for direct sale goes down by as much (never below zero) and the offer moves in
    the partner's feed, so its zone does not offer the sold units again. Returns the offer or None."""
    updated = ExportOffer.objects.filter(partnership=partnership, product__reference=product_reference).update(
        direct_stock=Greatest(F("direct_stock") - int(quantity), 0),
        version=F("version") + 1,
        changed_at=timezone.now(),
    )
    if not updated:
        return None
    return ExportOffer.objects.get(partnership=partnership, product__reference=product_reference)


@dataclass
class OfferInput:
    """One partnership's row of a product's offers table."""

    partnership: Partnership
    is_offered: bool
    export_price: Money | None = None
    direct_stock: int = 0


class OfferRowError(CatalogError):
    """A refusal of one row of an offers table; `partnership` says which row."""

    def __init__(self, error, partnership):
        super().__init__(error.code, error.detail, field=error.field, status=error.status)
        self.partnership = partnership


@transaction.atomic
def set_export_offers(*, merchant, product, rows):
    """Save a product's offers to several partners at once: all of them, or (if any row is refused)
    none, raising OfferRowError for the first refused row."""
    require_owner(merchant, product)
    offers = []
    for row in rows:
        try:
            offers.append(
                set_export_offer(
                    merchant=merchant,
                    product=product,
                    partnership=row.partnership,
                    is_offered=row.is_offered,
                    export_price=row.export_price,
                    direct_stock=row.direct_stock,
                )
            )
        except CatalogError as error:
            raise OfferRowError(error, row.partnership) from None
    return offers


@transaction.atomic
def confirm_feed_mirrored(*, partnership, mirrored_before):
    """The partner fetched our feed with `updated_since=mirrored_before`: it passes a watermark on
    only after applying every page before it, so our offers changed before then are in its zone.
    Kept as the latest such time (never moved back, never past now)."""
    mirrored_before = min(mirrored_before, timezone.now())
    updated = FeedConfirmation.objects.filter(partnership=partnership, mirrored_before__lt=mirrored_before).update(
        mirrored_before=mirrored_before, updated_at=timezone.now()
    )
    if not updated:
        FeedConfirmation.objects.get_or_create(partnership=partnership, defaults={"mirrored_before": mirrored_before})
