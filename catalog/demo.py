"""The demo catalog: a believable specialty shop floor for each demo platform, written through the
catalog services. `cn` sells mother-and-baby goods and beauty, `us` outdoor gear and kitchenware,
`jp` Japanese kitchen knives, ironware and skin care.

Products are composed from hand-written tables, the JSON files in catalog/demo_data/ (this module
holds only the logic): a product kind (what it is, its real taxonomy node, HS code, sizes, price
band, weight) crossed with the product lines and brands of the shop that sells it. Every text exists in Chinese and in English
(tables hold (en, zh) pairs), and for `jp` in Japanese too (triples (en, zh, ja)). Brands and shops are invented. Everything is
derived from fixed seeds, so a second run finds every product already there and creates nothing."""

import json
import random
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from djmoney.money import Money

from crossborder import money
from crossborder.models import Partnership

from . import demo_pictures, services
from .models import Category, ExportOffer, Merchant, Product

DEMO_SHOP_PASSWORD = "shop-demo"  # noqa: S105 - printed by the demo; the demo is not production
IMAGE_SIZE = 480
OFFER_SHARE = 0.6
DRAFT_SHARE = 0.03


class DemoDataError(RuntimeError):
    """The demo tables and this instance disagree (e.g. a taxonomy path the data file lacks)."""


@dataclass(frozen=True)
class Kind:
    """One kind of product a shop sells, and everything its products share."""

    key: str  # short code, the start of its product codes
    path: str  # Google taxonomy path, looked up at run time
    hs_code: str
    noun: tuple  # (en, zh); may hold "{line}" when the line names the product
    lines: tuple  # product lines / series: ((en, zh), ...)
    axis: str  # variant attribute name
    options: tuple  # variant values: "neutral" or (en, zh)
    price: tuple  # home-price band of the smallest option, in the platform currency
    blurb: tuple  # (en, zh) what a shopper should know
    weight: tuple = (100, 500)  # grams
    dims: tuple = (200, 150, 100)  # mm, packed
    step: float = 0.0  # price rise per option step (bigger sizes cost more)
    origins: tuple = ()  # countries of origin; the shop's when empty
    picture: str = "box"  # its drawing in catalog.demo_pictures.DRAWINGS


@dataclass(frozen=True)
class Shop:
    username: str
    slug: str
    name: str
    names: dict  # {language: the shop's name}
    email: str
    brands: tuple  # ((code, en, zh), ...)
    promise: tuple  # (en, zh) the shop's service line, closing every description
    origins: tuple
    kinds: tuple


# --- the tables, from catalog/demo_data/ -----------------------------------------------------------

DATA_DIR = Path(__file__).resolve().parent / "demo_data"


def _tuples(value):
    """JSON arrays as the tuples the tables are made of (hashable, like the rest of a Kind)."""
    return tuple(_tuples(item) for item in value) if isinstance(value, list) else value


def _read(name):
    with open(DATA_DIR / name, encoding="utf-8") as data:
        return json.load(data)


def load_shops(platform):
    """The shops of a platform's demo catalog, read from demo_data/shops_<platform>.json. A kind's
    fields left out of the file take the defaults of `Kind`."""
    shops = []
    for spec in _read(f"shops_{platform}.json")["shops"]:
        kinds = tuple(Kind(**{name: _tuples(value) for name, value in kind.items()}) for kind in spec.pop("kinds"))
        shops.append(Shop(**{name: _tuples(value) for name, value in spec.items()}, kinds=kinds))
    return tuple(shops)


CATALOGS = {platform: load_shops(platform) for platform in ("cn", "us", "jp")}
CN_SHOPS, US_SHOPS, JP_SHOPS = CATALOGS["cn"], CATALOGS["us"], CATALOGS["jp"]
# The languages each catalog's texts are written in; the first is the shops' own.
CATALOG_LANGUAGES = {"cn": ("zh-hans", "en"), "us": ("en", "zh-hans"), "jp": ("ja", "en", "zh-hans")}

_PICTURES_AND_COUNTRIES = _read("pictures_and_countries.json")
COUNTRY_NAMES = {code: _tuples(names) for code, names in _PICTURES_AND_COUNTRIES["country_names"].items()}
# Background and shape colours of the product pictures, per platform.
PALETTES = {platform: _tuples(colours) for platform, colours in _PICTURES_AND_COUNTRIES["palettes"].items()}
PALETTE_COUNT = min(len(colours) for colours in PALETTES.values())


# --- composing products ----------------------------------------------------------------------------


def platform_catalog(code=None):
    """The shops of this platform's demo catalog: by platform code, else by currency."""
    code = code or settings.PLATFORM_CODE
    if code in CATALOGS:
        return code, CATALOGS[code]
    fallback = {"CNY": "cn", "JPY": "jp"}.get(settings.PLATFORM_CURRENCY, "us")
    return fallback, CATALOGS[fallback]


def price_point(value, currency):
    """A shelf price the way shops in that market write it: ¥129, ¥1299; $24.99, $149.95; JPY
    1,280, 12,800."""
    if currency == "JPY":
        if value >= 10000:
            return Decimal(int(value / 1000) * 1000 + 800)
        return Decimal(max(180, int(value / 100) * 100 + 80))
    if currency == "CNY":
        if value >= 1000:
            return Decimal(int(value / 100) * 100 + 99)
        return Decimal(max(9, int(value / 10) * 10 + 9))
    if value < 20:
        return Decimal(int(value)) + Decimal("0.99")
    if value < 100:
        return Decimal(int(value / 5) * 5 + 4) + Decimal("0.99")
    return Decimal(int(value / 10) * 10 + 9) + Decimal("0.95")


def _text(pair, language):
    """A table's text in `language`: (en, zh) pairs, or (en, zh, ja) triples (English when a pair
    is asked for Japanese)."""
    if isinstance(pair, str):
        return pair
    if language.startswith("ja") and len(pair) > 2:
        return pair[2]
    return pair[1] if language.startswith("zh") else pair[0]


def _brand_name(brand, language):
    """A brand (code, en, zh[, ja]) in `language`."""
    return _text(brand[1:], language)


def _sku_part(option):
    label = option if isinstance(option, str) else option[0]
    return re.sub(r"[^A-Z0-9]+", "", label.upper())[:10] or "STD"


def _title(kind, brand, line, language):
    zh = language.startswith("zh")
    ja = language.startswith("ja") and len(brand) > 3
    brand_name = _brand_name(brand, language)
    line_text = _text(line, language)
    noun = _text(kind.noun, language)
    if "{line}" in noun:
        product = noun.format(line=line_text)
    elif zh:
        product = f"{line_text}{noun}"
    else:
        product = f"{line_text} {noun}"
    # Chinese titles run the brand into the name unless the brand is in Latin letters; Japanese
    # ones part brand and name with a space.
    joiner = "" if zh and not brand_name.isascii() else " "
    if ja:
        joiner = " "
    return f"{brand_name}{joiner}{product}"


def _description(kind, shop, options, origin, language):
    zh = language.startswith("zh")
    country = COUNTRY_NAMES.get(origin, (origin, origin, origin))
    labels = [_text(option, language) for option in options]
    if language.startswith("ja") and len(shop.promise) > 2:
        parts = [kind.blurb[2]]
        if len(labels) > 1:
            parts.append(f"サイズ・種類：{'・'.join(labels)}。")
        parts.append(f"原産国：{_text(country, language)}。")
        parts.append(shop.promise[2])
        return "".join(parts)
    if zh:
        parts = [kind.blurb[1]]
        if len(labels) > 1:
            parts.append(f"可选：{'、'.join(labels)}。")
        parts.append(f"产地：{country[1]}。")
        parts.append(shop.promise[1])
        return "".join(parts)
    parts = [kind.blurb[0]]
    if len(labels) > 1:
        parts.append(f"Available in {', '.join(labels[:-1])} and {labels[-1]}.")
    parts.append(f"Made in {country[0]}.")
    parts.append(shop.promise[0])
    return " ".join(parts)


@dataclass
class PlannedProduct:
    shop: Shop
    data: services.ProductInput
    images: list  # (drawing, palette index) per picture
    alt_text: str


def plan_shop(shop, *, categories, language, currency, languages=("zh-hans", "en")):
    """The products of one shop, as service inputs: the same on every run; texts in `languages`."""
    planned = []
    for kind in shop.kinds:
        for line_index, line in enumerate(kind.lines):
            for offset in (0, 1):
                brand = shop.brands[(line_index + offset) % len(shop.brands)]
                code = f"{kind.key}-{brand[0]}-{line_index + 1}"
                rng = random.Random(f"demo:{shop.slug}:{code}")
                count = min(len(kind.options), rng.choice((1, 2, 2, 3, 3, 4)))
                start = rng.randrange(len(kind.options) - count + 1)
                chosen = list(enumerate(kind.options))[start : start + count]
                base = rng.uniform(*kind.price)
                variants = []
                for index, option in chosen:
                    amount = price_point(base * (1 + kind.step * index), currency)
                    stock = 0 if rng.random() < 0.08 else rng.choice((5, 12, 20, 35, 60, 120, 250, 480))
                    variants.append(
                        services.VariantInput(
                            sku=f"{code}-{_sku_part(option)}",
                            price=Money(amount, currency),
                            stock=stock,
                            attributes={kind.axis: {lang: _text(option, lang) for lang in languages}},
                        )
                    )
                origin = rng.choice(kind.origins or shop.origins)
                texts = {
                    lang: (
                        _title(kind, brand, line, lang),
                        _description(kind, shop, [option for _i, option in chosen], origin, lang),
                    )
                    for lang in languages
                }
                jitter = [round(size * rng.uniform(0.9, 1.1)) for size in kind.dims]
                data = services.ProductInput(
                    code=code,
                    category_id=categories[kind.path],
                    original_language=language,
                    country_of_origin=origin,
                    hs_code=kind.hs_code,
                    weight_grams=rng.randint(*kind.weight),
                    texts=texts,
                    variants=variants,
                    brand=brand[1],
                    length_mm=jitter[0],
                    width_mm=jitter[1],
                    height_mm=jitter[2],
                    status=Product.Status.DRAFT if rng.random() < DRAFT_SHARE else Product.Status.ACTIVE,
                )
                # Pictures of what is sold: the kind's drawing, in one or two of the palette's colours.
                colours = rng.randrange(PALETTE_COUNT)
                images = [(kind.picture, colours)]
                if rng.random() < 0.35:
                    images.append((kind.picture, (colours + 1 + rng.randrange(PALETTE_COUNT - 1)) % PALETTE_COUNT))
                planned.append(PlannedProduct(shop, data, images, texts[language][0]))
    return planned


def resolve_categories(shops):
    """Taxonomy IDs of every path the tables name; a path missing from this instance is an error."""
    paths = {kind.path for shop in shops for kind in shop.kinds}
    found = dict(Category.objects.filter(path_en__in=paths).values_list("path_en", "id"))
    missing = sorted(paths - set(found))
    if missing:
        raise DemoDataError(
            "The demo catalog names taxonomy paths this instance does not have (see catalog/data/taxonomy.tsv): "
            + "; ".join(missing)
        )
    return found


# --- pictures --------------------------------------------------------------------------------------


def draw_picture(platform, drawing, colours, cache):
    """PNG bytes of a product kind's drawing in one of the platform's palettes, drawn once per run."""
    key = (drawing, colours)
    if key not in cache:
        palettes = PALETTES.get(platform, PALETTES["cn"])
        cache[key] = demo_pictures.picture(drawing, palettes[colours % len(palettes)], size=IMAGE_SIZE)
    return cache[key]


# --- writing it --------------------------------------------------------------------------------------


@dataclass
class DemoResult:
    platform: str
    shops: int = 0
    products_created: int = 0
    products_existing: int = 0
    images_created: int = 0
    offers_created: dict = None


def ensure_shop(shop):
    """The shop's merchant and its login user; created once, left alone afterwards."""
    merchant = Merchant.objects.filter(slug=shop.slug).first()
    if merchant is not None:
        if not merchant.names:  # a demo made before shops had a name per language
            merchant = services.set_shop_names(merchant=merchant, names=shop.names)
        return merchant, False
    user_model = get_user_model()
    user = user_model.objects.filter(username=shop.username).first()
    if user is None:
        user = user_model.objects.create_user(username=shop.username, password=DEMO_SHOP_PASSWORD, email=shop.email)
    merchant = services.create_merchant(
        name=shop.name, names=shop.names, slug=shop.slug, users=[user], contact_email=shop.email
    )
    return merchant, True


def fill_catalog(*, platform=None):
    """Create this platform's demo shops, products and pictures; what exists already is kept."""
    platform, shops = platform_catalog(platform)
    languages = CATALOG_LANGUAGES[platform]
    language = languages[0]
    currency = settings.PLATFORM_CURRENCY
    categories = resolve_categories(shops)
    result = DemoResult(platform=platform, offers_created={})
    pictures = {}
    for shop in shops:
        with transaction.atomic():
            merchant, _created = ensure_shop(shop)
            result.shops += 1
            existing = set(merchant.products.values_list("code", flat=True))
            for planned in plan_shop(
                shop, categories=categories, language=language, currency=currency, languages=languages
            ):
                if planned.data.code in existing:
                    result.products_existing += 1
                    continue
                product = services.save_product(merchant=merchant, data=planned.data)
                result.products_created += 1
                for drawing, colours in planned.images:
                    upload = ContentFile(
                        draw_picture(platform, drawing, colours, pictures), name=f"{planned.data.code.lower()}.png"
                    )
                    services.add_product_image(
                        merchant=merchant, product=product, upload=upload, alt_text=planned.alt_text
                    )
                    result.images_created += 1
    return result


def _offer_terms(product, partner_code, share):
    rng = random.Random(f"demo-offer:{partner_code}:{product.merchant_id}:{product.code}")
    if rng.random() >= share:
        return None
    factor = Decimal(rng.randint(70, 80)) / 100
    export_price = money.quantize(product.price.amount * factor, product.price.currency.code)
    own_stock = sum(variant.stock for variant in product.variants.all() if variant.is_active)
    direct_stock = min(own_stock, rng.choice((0, 5, 10, 20, 30, 50, 80)))
    return Money(export_price, product.price.currency), direct_stock


def create_export_offers(*, platform=None, share=OFFER_SHARE):
    """Offer a share of the demo shops' products to every active partner: at 70-80% of the home
    price, with some stock for direct cross-border sale. Products that already have an offer (or a
    withdrawn one) for that partner are left as they are, so running it again creates nothing."""
    _platform, shops = platform_catalog(platform)
    created = {}
    partnerships = Partnership.objects.filter(status=Partnership.Status.ACTIVE).select_related("partner")
    products = list(
        Product.objects.filter(
            merchant__slug__in=[shop.slug for shop in shops], status=Product.Status.ACTIVE, price__isnull=False
        )
        .select_related("merchant")
        .prefetch_related("variants")
        .order_by("id")
    )
    for partnership in partnerships:
        code = partnership.partner.code
        created[code] = 0
        already = set(ExportOffer.objects.filter(partnership=partnership).values_list("product_id", flat=True))
        with transaction.atomic():
            for product in products:
                if product.pk in already:
                    continue
                terms = _offer_terms(product, code, share)
                if terms is None:
                    continue
                export_price, direct_stock = terms
                services.set_export_offer(
                    merchant=product.merchant,
                    product=product,
                    partnership=partnership,
                    is_offered=True,
                    export_price=export_price,
                    direct_stock=direct_stock,
                )
                created[code] += 1
    return created


def shop_logins(platform=None):
    """(username, password, shop name) of the demo shops, for the demo to print."""
    _platform, shops = platform_catalog(platform)
    return [(shop.username, DEMO_SHOP_PASSWORD, shop.name) for shop in shops]
