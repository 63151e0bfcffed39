"""Bench data: fill the configured database (DATABASE_URL) with N believable products on sale, fast.

Products are composed like the demo catalog (catalog/demo.py: its product kinds, real taxonomy nodes,
HS codes, product lines, sizes, price bands, descriptions and shops), crossed with many more brands and
merchants, in Chinese and English, with 1 to 3 variants, prices in settings.PLATFORM_CURRENCY and
creation dates spread over two years. N products are on sale; about 3% more are drafts or archived.
With --offers-to, every product is offered to that partner (created with a live partnership if
the code is new), so the partner's full catalog feed holds exactly the N products on sale.

catalog.services.save_product per product is far too slow for 100,000 products, so rows go in with
bulk_create in batches, and the derived fields are computed as the services compute them (version 1,
Product.price = lowest active variant price, search_document from catalog.search.document with the
inputs of catalog.services.refresh_products, search_vector from catalog.search.refresh_vectors).
--verify N recomputes N random products with refresh_products (rolled back) and fails on any difference.

    DATABASE_URL=postgres://root@127.0.0.1:5432/cb_bench .venv/bin/python bench/generate_catalog.py \\
        --products 100000 --offers-to bench-partner

Run it with the instance's environment (CROSSBORDER_CURRENCY etc.); bench/catalog_pages.py does."""

import argparse
import datetime as dt
import os
import random
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossborder.settings")

MERCHANT_PREFIX = "bench-"
INACTIVE_SHARE = 0.03
BATCH = 2000
DAYS_SPREAD = 730
# Rough value of one unit of each platform currency in CNY, to carry the demo's price bands (written
# in CNY for the cn shops, USD for the us shops) into this platform's currency.
CNY_PER_UNIT = {
    "AUD": 4.7,
    "CAD": 5.2,
    "CNY": 1.0,
    "EUR": 7.8,
    "GBP": 9.1,
    "HKD": 0.92,
    "JPY": 0.048,
    "KRW": 0.0052,
    "SGD": 5.4,
    "USD": 7.2,
}
BAND_CURRENCY = {"cn": "CNY", "us": "USD"}
# Brand names made of two syllables, the way Chinese mother-and-baby and beauty brands are named ...
CN_SYLLABLES = (
    ("Nuan", "暖"),
    ("Mian", "棉"),
    ("Le", "乐"),
    ("Bei", "贝"),
    ("Yun", "云"),
    ("Tian", "甜"),
    ("Xing", "星"),
    ("Yue", "月"),
    ("Hua", "花"),
    ("Qing", "青"),
    ("Bao", "宝"),
    ("Duo", "朵"),
    ("Mi", "米"),
    ("Lan", "兰"),
    ("Xue", "雪"),
    ("Tong", "童"),
    ("Kang", "康"),
    ("Ai", "爱"),
    ("Lu", "鹿"),
    ("Xi", "溪"),
    ("Shan", "山"),
    ("Yu", "语"),
)
# ... and of two words, the way American outdoor and kitchen brands are (kept in Latin letters in Chinese).
US_WORDS = (
    ("Cedar", "Copper", "Fern", "Granite", "Juniper", "Lantern", "Maple", "North", "Pine", "Quarry", "River", "Sage"),
    ("Ridge", "Peak", "Works", "Supply", "Outfitters", "Hollow", "Creek", "Forge", "Trail", "Goods"),
)
# A model, edition or pack after the product's name, so titles within a line differ.
SERIES = (
    ("", ""),
    ("", ""),
    ("", ""),
    ("Gen 2", "二代"),
    ("2026 Edition", "2026款"),
    ("Pro", "Pro版"),
    ("Mini", "迷你款"),
    ("Classic", "经典款"),
    ("Limited Edition", "限定款"),
    ("Value Pack", "超值装"),
    ("Travel Size", "旅行装"),
)
MERCHANTS_PER_SHOP = 12
STOCK_LEVELS = (0, 3, 5, 12, 20, 35, 60, 120, 250, 480)


def log(message):
    print(message, flush=True)


# --- the plan: merchants, brands, products ----------------------------------------------------------


def synthetic_brands(platform, rng, count):
    """(code, en, zh) brands in the style of the platform the demo shop belongs to."""
    brands, seen = [], set()
    while len(brands) < count:
        if platform == "cn":
            (en1, zh1), (en2, zh2) = rng.sample(CN_SYLLABLES, 2)
            en, zh = f"{en1}{en2.lower()}", f"{zh1}{zh2}"
        else:
            en = f"{rng.choice(US_WORDS[0])} {rng.choice(US_WORDS[1])}"
            zh = en
        if en in seen:
            continue
        seen.add(en)
        brands.append((f"{en[0]}{en.replace(' ', '')[-1].upper()}{len(brands):02d}", en, zh))
    return brands


def bench_merchants(rng):
    """Per demo shop: the shop itself with its own brands, and MERCHANTS_PER_SHOP more shops of the
    same trade with invented brands. Returns [(slug, name, email, template_shop, platform, brands)]."""
    from catalog import demo

    merchants = []
    for platform, shops in demo.CATALOGS.items():
        if platform not in ("cn", "us"):  # the figures were measured on these two platforms' trades
            continue
        for shop in shops:
            merchants.append((MERCHANT_PREFIX + shop.slug, shop.name, shop.email, shop, platform, shop.brands))
            invented = synthetic_brands(platform, rng, 2 * MERCHANTS_PER_SHOP)
            for index in range(MERCHANTS_PER_SHOP):
                brands = tuple(invented[2 * index : 2 * index + rng.choice((1, 2))])
                lead = brands[0]
                name = f"{lead[2]}官方旗舰店" if platform == "cn" else f"{lead[1]} Store"
                slug = f"{MERCHANT_PREFIX}{shop.slug}-{index + 1:02d}"
                merchants.append((slug, name, f"shop@{slug}.example", shop, platform, brands))
    return merchants


def ensure_merchants(plans):
    """The bench merchants, created once (by slug) and reused on later runs."""
    from catalog.models import Merchant

    existing = {m.slug: m for m in Merchant.objects.filter(slug__startswith=MERCHANT_PREFIX)}
    missing = [
        Merchant(slug=slug, name=name, contact_email=email)
        for slug, name, email, *_rest in plans
        if slug not in existing
    ]
    Merchant.objects.bulk_create(missing)
    existing.update({m.slug: m for m in Merchant.objects.filter(slug__in=[m.slug for m in missing])})
    return existing


def ensure_partnership(code):
    """The live partnership of partner `code`; a bench partner with an active partnership if new."""
    import datetime

    from crossborder.models import Partner, Partnership

    partner = Partner.objects.filter(code=code).first()
    if partner is None:
        partner = Partner.objects.create(
            code=code,
            name=f"Bench partner {code}",
            country="US",
            currency="USD",
            languages=["en", "zh-hans"],
            base_url=f"https://{code}.bench.invalid",
        )
        log(f"created partner {code}")
    partnership = partner.live_partnership()
    if partnership is None:
        partnership = Partnership.objects.create(
            partner=partner,
            status=Partnership.Status.ACTIVE,
            initiated_by=Partnership.Initiator.US,
            settlement_currency="USD",
            commission_rate=Decimal("0.08"),
            settlement_cutoff=datetime.time(2, 0),
        )
        log(f"created an active partnership with {code}")
    return partnership


def convert_band(band, band_currency, currency):
    rate = CNY_PER_UNIT.get(band_currency, 1.0) / CNY_PER_UNIT.get(currency, 1.0)
    return band[0] * rate, band[1] * rate


class Composer:
    """Composes products (unsaved model instances) the way demo.plan_shop does, with more variety."""

    def __init__(self, *, merchants, plans, categories, currency, rng, now):
        from catalog.models import Category

        self.rng, self.currency, self.now = rng, currency, now
        self.merchants = merchants
        self.plans = plans
        self.categories = categories  # taxonomy path -> id
        self.category_rows = {c.pk: c for c in Category.objects.filter(pk__in=set(categories.values()))}
        # Some shops are much bigger than others (a long tail), as on any marketplace.
        self.weights = [1 / (rank + 1) ** 0.8 for rank in range(len(plans))]
        rng.shuffle(self.weights)

    def compose(self, seq, status):
        """One product with its texts and variants, and its derived fields filled."""
        from djmoney.money import Money

        from catalog import demo
        from catalog.models import Product, ProductText, ProductVariant

        rng = self.rng
        slug, _name, _email, shop, platform, brands = rng.choices(self.plans, weights=self.weights)[0]
        kind = rng.choice(shop.kinds)
        brand = rng.choice(brands)
        line = rng.choice(kind.lines)
        series = rng.choice(SERIES)
        code = f"{kind.key}-{brand[0]}-{seq:07d}"
        language = "zh-hans" if platform == "cn" else "en"
        count = min(len(kind.options), rng.choice((1, 2, 2, 3, 3)))
        start = rng.randrange(len(kind.options) - count + 1)
        chosen = kind.options[start : start + count]
        low, high = convert_band(kind.price, BAND_CURRENCY[platform], self.currency)
        base = rng.uniform(low, high)
        origin = rng.choice(kind.origins or shop.origins)
        created_at = self.now - dt.timedelta(seconds=rng.uniform(0, DAYS_SPREAD * 86400))
        updated_at = min(self.now, created_at + dt.timedelta(seconds=rng.uniform(0, 60 * 86400)))
        dims = [round(size * rng.uniform(0.9, 1.1)) for size in kind.dims]
        category_id = self.categories[kind.path]

        variants, skus = [], set()
        for index, option in enumerate(chosen):
            sku = f"{code}-{demo._sku_part(option)}"
            if sku in skus:
                sku = f"{sku}{index}"
            skus.add(sku)
            variants.append(
                ProductVariant(
                    sku=sku,
                    attributes={kind.axis: {lang: demo._text(option, lang) for lang in ("zh-hans", "en")}},
                    price=Money(
                        demo.price_point(base * (1 + kind.step * (start + index)), self.currency), self.currency
                    ),
                    stock=rng.choice(STOCK_LEVELS),
                    is_active=True,
                    position=index,
                )
            )
        if len(variants) > 1 and rng.random() < 0.05:
            rng.choice(variants).is_active = False  # a size the shop stopped selling
        texts = []
        for lang in ("zh-hans", "en"):
            title = demo._title(kind, brand, line, lang)
            if series[0]:
                title = f"{title}{series[1]}" if lang == "zh-hans" else f"{title} {series[0]}"
            description = demo._description(kind, shop, chosen, origin, lang)
            texts.append(ProductText(language=lang, title=title.strip(), description=description.strip()))
        lowest = min(variant.price.amount for variant in variants if variant.is_active)
        product = Product(
            merchant=self.merchants[slug],
            code=code,
            category_id=category_id,
            brand=brand[1].strip(),
            original_language=language,
            country_of_origin=origin,
            hs_code=kind.hs_code,
            weight_grams=rng.randint(*kind.weight),
            length_mm=dims[0],
            width_mm=dims[1],
            height_mm=dims[2],
            price=Money(lowest, self.currency),
            in_stock=any(variant.is_active and variant.stock > 0 for variant in variants),
            status=status,
            version=1,
            created_at=created_at,
            updated_at=updated_at,
        )
        # refresh_products reads a product's texts ordered by language; titles go in that order.
        titles = [text.title for text in sorted(texts, key=lambda text: text.language)]
        product.search_document = self.document(product, variants, titles)
        return product, texts, variants

    def document(self, product, variants, titles):
        """Exactly what catalog.services.refresh_products computes from the saved rows."""
        from catalog import search

        category = self.category_rows[product.category_id]
        return search.document(
            product.brand,
            category.name_en,
            category.name_zh_hans,
            category.name_ja,
            *(variant.sku for variant in variants),
            titles=titles,
        )


def offer_for(product, variants, partnership, rng):
    from djmoney.money import Money

    from catalog.models import ExportOffer

    factor = Decimal(rng.randint(70, 80)) / 100
    export_price = (product.price.amount * factor).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    own_stock = sum(variant.stock for variant in variants if variant.is_active)
    return ExportOffer(
        product=product,
        partnership=partnership,
        is_offered=True,
        export_price=Money(export_price, product.price.currency),
        direct_stock=min(own_stock, rng.choice((0, 5, 10, 20, 30, 50, 80))),
        version=1,
        changed_at=product.updated_at,
        created_at=product.updated_at,
    )


# --- writing -----------------------------------------------------------------------------------------


def write_batch(batch, partnership, rng, composer):
    """One transaction: products, then their texts and variants, offers, and the search vectors."""

    from django.db import transaction

    from catalog import search
    from catalog.models import ExportOffer, Product, ProductText, ProductVariant

    with transaction.atomic():
        products = Product.objects.bulk_create([product for product, _texts, _variants in batch])
        texts, variants = [], []
        for product, product_texts, product_variants in batch:
            for row in (*product_texts, *product_variants):
                row.product = product
            texts.extend(product_texts)
            variants.extend(product_variants)
        ProductText.objects.bulk_create(texts)
        ProductVariant.objects.bulk_create(variants)
        offers = []
        if partnership is not None:
            offers = [offer_for(product, pv, partnership, rng) for product, _texts, pv in batch]
            ExportOffer.objects.bulk_create(offers)
        search.refresh_vectors([product.pk for product in products])
    return len(products) + len(texts) + len(variants) + len(offers)


def verify(sample_size, rng):
    """Recompute a sample with the services' own refresh (rolled back); every derived field must match."""
    from django.db import connection, transaction

    from catalog import services
    from catalog.models import Product

    ids = list(Product.objects.filter(merchant__slug__startswith=MERCHANT_PREFIX).values_list("pk", flat=True))
    ids = rng.sample(ids, min(sample_size, len(ids)))
    if not ids:
        return
    columns = "id, search_document, price, price_currency, search_vector::text, version"

    def snapshot():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM catalog_product WHERE id = ANY(%s) ORDER BY id", [ids])  # noqa: S608
            return cursor.fetchall()

    before = snapshot()
    with transaction.atomic():
        services.refresh_products(ids, bump=False)
        after = snapshot()
        transaction.set_rollback(True)
    different = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    if different:
        b, a = different[0]
        raise SystemExit(
            f"verify: {len(different)} of {len(ids)} products differ from refresh_products, e.g.\n{b}\n{a}"
        )
    log(f"verify: {len(ids)} random products match catalog.services.refresh_products exactly")


def vacuum_analyze():
    """Fresh statistics and visibility map, as autovacuum would leave them after a bulk load."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in ("catalog_product", "catalog_producttext", "catalog_productvariant", "catalog_exportoffer"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def generate(*, products, offers_to=None, seed=1, batch_size=BATCH, inactive_share=INACTIVE_SHARE):
    """Add `products` products on sale (plus the inactive share); returns (products written, seconds)."""
    from django.conf import settings
    from django.utils import timezone

    from catalog import demo
    from catalog.models import Product

    rng = random.Random(seed)
    plans = bench_merchants(random.Random(f"bench-merchants:{seed}"))
    merchants = ensure_merchants(plans)
    categories = demo.resolve_categories([shop for shops in demo.CATALOGS.values() for shop in shops])
    partnership = ensure_partnership(offers_to) if offers_to else None
    # Codes continue after what earlier runs wrote, so a second run adds products instead of clashing.
    first = Product.objects.filter(merchant__slug__startswith=MERCHANT_PREFIX).count() + 1
    rng = random.Random(f"{seed}:{first}")
    composer = Composer(
        merchants=merchants,
        plans=plans,
        categories=categories,
        currency=settings.PLATFORM_CURRENCY,
        rng=rng,
        now=timezone.now(),
    )
    extra = round(products * inactive_share)
    total = products + extra
    inactive = set(rng.sample(range(total), extra))
    inactive_status = (Product.Status.DRAFT, Product.Status.DRAFT, Product.Status.ARCHIVED)
    log(
        f"writing {products:,} products on sale and {extra:,} drafts/archived in {settings.PLATFORM_CURRENCY} "
        f"({len(merchants)} merchants, {len(categories)} taxonomy nodes)"
        + (f", all offered to {partnership.partner.code}" if partnership else "")
    )
    started = time.perf_counter()
    rows = written = 0
    batch = []
    for index in range(total):
        status = rng.choice(inactive_status) if index in inactive else Product.Status.ACTIVE
        batch.append(composer.compose(first + index, status))
        if len(batch) == batch_size or index == total - 1:
            rows += write_batch(batch, partnership, rng, composer)
            written += len(batch)
            batch = []
            if written % (batch_size * 10) == 0 or written == total:
                seconds = time.perf_counter() - started
                log(f"  {written:,} products, {rows:,} rows in {seconds:.1f} s: {written / seconds:,.0f} products/s")
    seconds = time.perf_counter() - started
    log(f"wrote {written:,} products ({rows:,} rows) in {seconds:.1f} s: {rows / seconds:,.0f} rows/s")
    return written, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000, help="products on sale to add (default 100,000)")
    parser.add_argument("--offers-to", metavar="PARTNER_CODE", help="offer every new product to this partner")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=BATCH)
    parser.add_argument("--inactive-share", type=float, default=INACTIVE_SHARE, help="drafts and archived on top")
    parser.add_argument("--verify", type=int, default=1000, metavar="N", help="check N random products (0: skip)")
    parser.add_argument("--no-analyze", action="store_true", help="skip VACUUM ANALYZE at the end")
    args = parser.parse_args(argv)

    import django

    django.setup()
    generate(
        products=args.products,
        offers_to=args.offers_to,
        seed=args.seed,
        batch_size=args.batch_size,
        inactive_share=args.inactive_share,
    )
    if not args.no_analyze:
        started = time.perf_counter()
        vacuum_analyze()
        log(f"VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")
    if args.verify:
        verify(args.verify, random.Random(args.seed))


if __name__ == "__main__":
    main()
