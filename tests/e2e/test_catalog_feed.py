"""The catalog feed between two real instances: merchants on cn offer some products to us; us
fetches cn's feed over signed loopback HTTP with `fetch_partner_catalog` and gets exactly the
offered ones, in both languages with their export price; after cn withdraws one and edits
another, an incremental fetch from the watermark brings one tombstone and one newer item.

Only the web servers run (the feed needs no Celery). Stacks: PostgreSQL when
CROSSBORDER_TEST_POSTGRES is set (databases of their own, apart from test_two_instances.py's),
else SQLite files in each instance's data directory; ports are free ones picked at start."""

import json
import re
import urllib.request

import pytest
import requests

from .pairs import partnered_pair
from .test_two_instances import manage

pytestmark = pytest.mark.e2e

FEED_DATABASES = ("crossborder_e2e_feed_cn", "crossborder_e2e_feed_us")
# The watermark normally stays a minute behind; here every write is over before the next fetch starts.
ENV = {"CROSSBORDER_CATALOG_FEED_SETTLE_SECONDS": "0", "CROSSBORDER_OUTBOX_RELAY_ON_COMMIT": "false"}

SEED = """
import io, json
from decimal import Decimal
from django.core.files.uploadedfile import SimpleUploadedFile
from djmoney.money import Money
from PIL import Image
from catalog import services
from crossborder.models import Partner

partnership = Partner.objects.get(code="us").live_partnership()
merchant = services.create_merchant(name="Bao Bei Baby", slug="bao-bei")
references = {}
for n in range(1, 6):
    data = services.ProductInput(
        code=f"BB-{n}", category_id=561, original_language="zh-hans", country_of_origin="CN",
        hs_code="392410", weight_grams=200 + n,
        texts={"zh-hans": (f"婴儿奶瓶 {n}", "玻璃材质"), "en": (f"Baby bottle {n}", "Glass")},
        variants=[services.VariantInput(sku=f"BB-{n}-S", price=Money(Decimal("99.00"), "CNY"), stock=5)],
        brand="Bao Bei",
    )
    product = services.save_product(merchant=merchant, data=data)
    references[data.code] = str(product.reference)
    if n <= 3:
        services.set_export_offer(
            merchant=merchant, product=product, partnership=partnership, is_offered=True,
            export_price=Money(Decimal(f"{n}8.50"), "CNY"), direct_stock=10 * n,
        )
buffer = io.BytesIO()
Image.new("RGB", (4, 4), (240, 180, 200)).save(buffer, format="PNG")
product = merchant.products.get(code="BB-1")
services.add_product_image(
    merchant=merchant, product=product, upload=SimpleUploadedFile("bb1.png", buffer.getvalue(), "image/png")
)
print(json.dumps(references))
"""

CHANGE = """
from djmoney.money import Money
from catalog import services
from catalog.models import Product
from crossborder.models import Partner

partnership = Partner.objects.get(code="us").live_partnership()
withdrawn = Product.objects.get(code="BB-2")
services.set_export_offer(
    merchant=withdrawn.merchant, product=withdrawn, partnership=partnership, is_offered=False, direct_stock=0
)
edited = Product.objects.get(code="BB-3")
texts = {t.language: (t.title, t.description) for t in edited.texts.all()}
texts["en"] = ("Baby bottle 3, now with a travel cap", "Glass")
variants = [
    services.VariantInput(sku=v.sku, price=v.price, stock=v.stock, attributes=v.attributes) for v in edited.variants.all()
]
services.save_product(merchant=edited.merchant, product=edited, data=services.ProductInput(
    code=edited.code, category_id=edited.category_id, original_language=edited.original_language,
    country_of_origin=edited.country_of_origin.code, hs_code=edited.hs_code, weight_grams=edited.weight_grams,
    texts=texts, variants=variants, brand=edited.brand,
))
"""


@pytest.fixture(scope="module")
def pair(request, tmp_path_factory):
    """cn and us web servers, partnered (us proposed, cn invited)."""
    with partnered_pair(
        request, tmp_path_factory, name="e2e-feed", databases=FEED_DATABASES, env=ENV, proposer="us"
    ) as pair:
        yield pair


def fetch(us, tmp_path, name, *args):
    """Run fetch_partner_catalog on us; returns (summary, entries)."""
    jsonl = tmp_path / f"{name}.jsonl"
    output = manage(us, "fetch_partner_catalog", "--partner", "cn", "--jsonl", str(jsonl), *args)
    summary = dict(part.split("=", 1) for part in output.strip().splitlines()[-1].split())
    entries = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    return summary, entries


def test_us_receives_exactly_what_cn_offers_then_only_the_changes(pair, tmp_path):
    cn, us = pair
    references = json.loads(manage(cn, "shell", "-c", SEED).strip().splitlines()[-1])

    summary, entries = fetch(us, tmp_path, "full", "--limit", "2")

    offered = [references["BB-1"], references["BB-2"], references["BB-3"]]
    assert {k: summary[k] for k in ("items", "tombstones", "pages")} == {"items": "3", "tombstones": "0", "pages": "2"}
    # BB-1 comes last: adding its image after the offers were made moved its offer in the feed.
    assert [entry["id"] for entry in entries] == [references["BB-2"], references["BB-3"], references["BB-1"]]
    by_id = {entry["id"]: entry for entry in entries}
    for n, reference in enumerate(offered, start=1):
        entry = by_id[reference]
        assert entry["texts"] == {
            "zh-hans": {"title": f"婴儿奶瓶 {n}", "description": "玻璃材质"},
            "en": {"title": f"Baby bottle {n}", "description": "Glass"},
        }
        assert entry["export_price"] == {"amount": f"{n}8.50", "currency": "CNY"}
        assert (entry["direct_stock"], entry["category"]["taxonomy_id"], entry["hs_code"]) == (10 * n, 561, "392410")
    (image_url,) = by_id[references["BB-1"]]["images"]
    assert image_url.startswith(f"{cn.base_url}/media/products/")
    with urllib.request.urlopen(image_url, timeout=10) as image:  # the absolute URL really serves the image
        assert image.read(8) == b"\x89PNG\r\n\x1a\n"

    manage(cn, "shell", "-c", CHANGE)
    changes, entries = fetch(us, tmp_path, "changes", "--since", summary["watermark"])

    assert {k: changes[k] for k in ("items", "tombstones", "pages")} == {"items": "1", "tombstones": "1", "pages": "1"}
    tombstone, updated = entries
    assert tombstone == {
        "id": references["BB-2"],
        "deleted": True,
        "version": by_id[references["BB-2"]]["version"] + 1,
        "changed_at": tombstone["changed_at"],
    }
    assert updated["id"] == references["BB-3"]
    assert updated["version"] > by_id[references["BB-3"]]["version"]
    assert updated["texts"]["en"]["title"] == "Baby bottle 3, now with a travel cap"
    assert updated["changed_at"] >= summary["watermark"]
    assert changes["watermark"] > summary["watermark"]


# --- the "done when", over real HTTP -----------------------------------------------------

MERCHANT = """
import json
from django.contrib.auth import get_user_model
from catalog import services
from crossborder.models import Partner

user = get_user_model().objects.create_user(username="lin", password="lin-shop-pass-1")
services.create_merchant(name="Lin Baby Shop", slug="lin-baby", users=[user])
print(json.dumps({"partnership": str(Partner.objects.get(code="us").live_partnership().pk)}))
"""

REFERENCES = """
import json
from catalog.models import Product
print(json.dumps({p.code: str(p.reference) for p in Product.objects.filter(merchant__slug="lin-baby")}))
"""

HEADER = (
    "product_code,sku,category_id,brand,hs_code,country_of_origin,weight_g,original_language,"
    "title_zh-hans,description_zh-hans,title_en,description_en,size,colour,price,currency,stock"
)
ROWS = [
    "LIN-1,LIN-1-160,564,Lin,701349,CN,180,zh-hans,宽口径玻璃奶瓶,耐高温玻璃,Wide-neck glass feeding bottle,"
    "Heat-proof glass,160 ml,,89.00,CNY,40",
    "LIN-1,LIN-1-240,564,Lin,701349,CN,180,zh-hans,,,,,240 ml,,99.00,CNY,30",
    "LIN-2,LIN-2-S,564,Lin,392490,CN,40,zh-hans,硅胶奶嘴两只装,柔软硅胶,Silicone teats (pair),Soft silicone,S,,29.00,CNY,100",
    "LIN-3,LIN-3-1,561,Lin,340130,CN,300,zh-hans,婴儿洗发沐浴露,无泪配方,Baby shampoo and body wash,Tear-free,,,59.00,CNY,25",
]


def _csrf(session, url):
    response = session.get(url, timeout=20)
    response.raise_for_status()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def _post(session, url, data, **kwargs):
    data = {"csrfmiddlewaretoken": _csrf(session, url), **data}
    response = session.post(url, data=data, headers={"Referer": url}, timeout=60, **kwargs)
    response.raise_for_status()
    return response


def _offer(session, cn, reference, partnership, *, offered, price=None, stock=0):
    prefix = f"offer-{partnership}-"
    data = {f"{prefix}export_price": price or "", f"{prefix}direct_stock": str(stock)}
    if offered:
        data[f"{prefix}is_offered"] = "on"
    url = f"{cn.base_url}/en/merchant/products/{reference}/"
    data = {"csrfmiddlewaretoken": _csrf(session, url), **data}
    response = session.post(f"{url}offers/", data=data, headers={"Referer": url}, timeout=30)
    response.raise_for_status()
    assert "Export offers saved" in response.text, response.text[-3000:]


def test_a_merchant_imports_and_offers_a_shopper_finds_them_and_the_partner_gets_exactly_the_offered(pair, tmp_path):
    cn, us = pair
    partnership = json.loads(manage(cn, "shell", "-c", MERCHANT).strip().splitlines()[-1])["partnership"]
    merchant = requests.Session()
    login = f"{cn.base_url}/en/merchant/login/"
    _post(merchant, login, {"username": "lin", "password": "lin-shop-pass-1"})

    # A spreadsheet saved by a Chinese Excel: GB18030, both languages, one row per SKU.
    sheet = ("\r\n".join([HEADER, *ROWS]) + "\r\n").encode("gb18030")
    imported = _post(
        merchant, f"{cn.base_url}/en/merchant/import/", {}, files={"file": ("goods.csv", sheet, "text/csv")}
    )
    assert "3 products created" in imported.text, imported.text[-3000:]
    references = json.loads(manage(cn, "shell", "-c", REFERENCES).strip().splitlines()[-1])
    assert set(references) == {"LIN-1", "LIN-2", "LIN-3"}

    _offer(merchant, cn, references["LIN-1"], partnership, offered=True, price="69.00", stock=20)
    _offer(merchant, cn, references["LIN-2"], partnership, offered=True, price="21.50", stock=50)

    # A shopper finds them by category and by a Chinese and an English search.
    shopper = requests.Session()
    in_category = shopper.get(f"{cn.base_url}/c/564/", timeout=20).text
    assert "宽口径玻璃奶瓶" in in_category and "硅胶奶嘴两只装" in in_category
    assert "宽口径玻璃奶瓶" in shopper.get(f"{cn.base_url}/search/", params={"q": "奶瓶"}, timeout=20).text
    english = shopper.get(f"{cn.base_url}/en/search/", params={"q": "bottle"}, timeout=20).text
    assert "Wide-neck glass feeding bottle" in english and "Baby shampoo" not in english

    # The partner's feed carries exactly the offered ones...
    summary, entries = fetch(us, tmp_path, "merchant-full")
    ours = {entry["id"]: entry for entry in entries if entry["id"] in references.values()}
    assert set(ours) == {references["LIN-1"], references["LIN-2"]}
    bottle = ours[references["LIN-1"]]
    assert bottle["texts"]["en"]["title"] == "Wide-neck glass feeding bottle"
    assert bottle["export_price"] == {"amount": "69.00", "currency": "CNY"}
    assert (bottle["direct_stock"], bottle["category"]["taxonomy_id"], bottle["hs_code"]) == (20, 564, "701349")

    # ...and, incrementally, only what changed since: the withdrawn one as a tombstone.
    _offer(merchant, cn, references["LIN-2"], partnership, offered=False)
    changes, entries = fetch(us, tmp_path, "merchant-changes", "--since", summary["watermark"])
    assert [(entry["id"], entry["deleted"]) for entry in entries] == [(references["LIN-2"], True)]
    assert changes["tombstones"] == "1" and changes["items"] == "0"


# --- texts per language: a variant's colour and the shop's name in the partner's shopper's language -

TEXTS_SEED = """
import json
from decimal import Decimal
from djmoney.money import Money
from catalog import services
from crossborder.models import Partner

partnership = Partner.objects.get(code="us").live_partnership()
merchant = services.create_merchant(
    name="云朵象", slug="cloud-elephant", names={"zh-hans": "云朵象宝贝出行馆", "en": "Cloud Elephant Baby Travel"}
)
data = services.ProductInput(
    code="CUP-9", category_id=561, original_language="zh-hans", country_of_origin="CN",
    hs_code="392410", weight_grams=150,
    texts={"zh-hans": ("学饮杯", "防漏"), "en": ("Sippy cup", "Leak-proof")},
    variants=[
        services.VariantInput(
            sku="CUP-9-MINT", price=Money(Decimal("59.00"), "CNY"), stock=5,
            attributes={"colour": {"zh-hans": "薄荷绿", "en": "Mint"}}, weight_grams=160,
        ),
        services.VariantInput(
            sku="CUP-9-PEACH", price=Money(Decimal("59.00"), "CNY"), stock=5, attributes={"colour": {"zh-hans": "蜜桃粉"}},
        ),
    ],
    brand="Cloud",
)
product = services.save_product(merchant=merchant, data=data)
services.set_export_offer(
    merchant=merchant, product=product, partnership=partnership, is_offered=True,
    export_price=Money(Decimal("40.00"), "CNY"), direct_stock=10,
)
print(json.dumps({"reference": str(product.reference)}))
"""

LISTING = """
import json
from partner_zone.models import PartnerListing
listing = PartnerListing.objects.get(reference="{reference}")
print(json.dumps({{
    "names": listing.merchant_names,
    "variants": listing.variants,
    "en": [listing.merchant_name_in("en"), listing.variant_label("CUP-9-MINT", "en"), listing.variant_label("CUP-9-PEACH", "en")],
    "zh": [listing.merchant_name_in("zh-hans"), listing.variant_label("CUP-9-MINT", "zh-hans")],
}}, ensure_ascii=False))
"""


def test_variant_texts_and_the_shop_name_reach_the_partner_in_every_language_and_show_in_its_shoppers(pair, tmp_path):
    cn, us = pair
    reference = json.loads(manage(cn, "shell", "-c", TEXTS_SEED).strip().splitlines()[-1])["reference"]

    summary, entries = fetch(us, tmp_path, "texts")
    (entry,) = [entry for entry in entries if entry["id"] == reference]
    assert entry["merchant"]["name"] == {"zh-hans": "云朵象宝贝出行馆", "en": "Cloud Elephant Baby Travel"}
    assert entry["variants"][0]["attributes"] == {"colour": {"zh-hans": "薄荷绿", "en": "Mint"}}
    assert entry["variants"][0]["weight_grams"] == 160

    assert "succeeded" in manage(us, "sync_partner_catalog", "--partner", "cn")
    mirrored = json.loads(manage(us, "shell", "-c", LISTING.format(reference=reference)).strip().splitlines()[-1])
    assert mirrored["names"] == {"zh-hans": "云朵象宝贝出行馆", "en": "Cloud Elephant Baby Travel"}
    # us reads English: the shop and the colour in English; a colour given only in Chinese still shows.
    assert mirrored["en"] == ["Cloud Elephant Baby Travel", "Mint", "蜜桃粉"]
    assert mirrored["zh"] == ["云朵象宝贝出行馆", "薄荷绿"]
    page = requests.get(f"{us.base_url}/zone/cn/p/{reference}/", timeout=20)
    assert page.status_code == 200
    assert "Cloud Elephant Baby Travel" in page.text and "云朵象宝贝出行馆" not in page.text
    chinese = requests.get(f"{us.base_url}/zh-hans/zone/cn/p/{reference}/", timeout=20).text
    assert "云朵象宝贝出行馆" in chinese
