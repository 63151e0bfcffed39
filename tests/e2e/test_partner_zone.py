"""The partner zone between two real instances: `us` offers goods to `cn`; `cn` mirrors them with
`sync_partner_catalog`, titled in Chinese; a price change at `us` reaches `cn` with the next
incremental sync, which changes only that listing; when `cn` ops suspend the partnership, the
zone disappears from cn's pages at once (home entrance, landing, product page), its listings can no
longer be ordered and the sync stops.

Web servers only (the sync runs as a command). PostgreSQL when CROSSBORDER_TEST_POSTGRES is set,
else SQLite files in each instance's data directory."""

import json
import urllib.error
import urllib.request

import pytest

from .pairs import partnered_pair
from .test_two_instances import manage

pytestmark = pytest.mark.e2e

DATABASES = ("crossborder_e2e_zone_cn", "crossborder_e2e_zone_us")
ENV = {"CROSSBORDER_OUTBOX_RELAY_ON_COMMIT": "false"}

# us: a shop whose three products are offered to cn, in English and Chinese.
US_GOODS = """
import json
from decimal import Decimal
from djmoney.money import Money
from catalog import services
from crossborder.models import Partner

partnership = Partner.objects.get(code="cn").live_partnership()
merchant = services.create_merchant(name="Ridge Outfitters", slug="ridge")
references = {}
for code, title, chinese, category in (
    ("LAMP", "Camp lantern", "露营灯", 1022), ("MUG", "Enamel mug", "搪瓷杯", 662), ("PAN", "Cast iron pan", "铸铁锅", 662)
):
    product = services.save_product(merchant=merchant, data=services.ProductInput(
        code=code, category_id=category, original_language="en", country_of_origin="US", hs_code="732391",
        weight_grams=400, texts={"en": (title, ""), "zh-hans": (chinese, "")}, brand="Ridge",
        variants=[services.VariantInput(sku=f"RDG-{code}", price=Money(Decimal("30.00"), "USD"), stock=100)],
    ))
    services.set_export_offer(merchant=merchant, product=product, partnership=partnership, is_offered=True,
                              export_price=Money(Decimal("20.00"), "USD"), direct_stock=40)
    references[code] = str(product.reference)
print(json.dumps(references))
"""

US_NEW_PRICE = """
from decimal import Decimal
from djmoney.money import Money
from catalog import services
from catalog.models import Product
from crossborder.models import Partner

partnership = Partner.objects.get(code="cn").live_partnership()
product = Product.objects.get(code="MUG")
services.set_export_offer(merchant=product.merchant, product=product, partnership=partnership, is_offered=True,
                          export_price=Money(Decimal("24.50"), "USD"), direct_stock=40)
print("ok")
"""

CN_LISTINGS = """
import json
from partner_zone.models import PartnerListing
print(json.dumps({
    str(l.reference): {
        "title": l.title, "language": l.title_language, "version": l.version, "updated_at": l.updated_at.isoformat(),
        "export_price": [str(l.export_price.amount), str(l.export_price.currency)], "active": l.is_active,
        "category": l.category_id, "images": l.images, "orderable": l.is_orderable,
    }
    for l in PartnerListing.objects.select_related("partnership")
}))
"""

# Until pricing runs in this test, give unpriced listings a price, so orderability is down to status.
CN_PRICE_IF_UNPRICED = """
from decimal import Decimal
from djmoney.money import Money
from partner_zone.models import PartnerListing
PartnerListing.objects.filter(price__isnull=True).update(price=Money(Decimal("159.90"), "CNY"))
print("ok")
"""

CN_SUSPEND = """
from crossborder import services
from crossborder.models import Partner
services.suspend_partnership(partnership=Partner.objects.get(code="us").live_partnership(), reason="audit")
print("ok")
"""


def get(instance, path):
    """(status, body) of a page of `instance`, in its default language."""
    try:
        with urllib.request.urlopen(instance.base_url + path, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def last_json(output):
    return json.loads(output.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def pair(request, tmp_path_factory):
    with partnered_pair(request, tmp_path_factory, name="e2e-zone", databases=DATABASES, env=ENV) as pair:
        yield pair


def test_cn_mirrors_the_goods_us_offers_follows_a_price_change_and_stops_selling_when_suspended(pair):
    cn, us = pair
    references = last_json(manage(us, "shell", "-c", US_GOODS))

    # The first sync brings the whole catalog, titled in cn's language.
    out = manage(cn, "sync_partner_catalog", "--partner", "us")
    assert "succeeded" in out and "3 changed" in out and "0 rejected" in out and "full catalog" in out
    first = last_json(manage(cn, "shell", "-c", CN_LISTINGS))
    assert set(first) == set(references.values())
    mug, lamp = first[references["MUG"]], first[references["LAMP"]]
    assert (mug["title"], mug["language"], mug["export_price"], mug["category"]) == (
        "搪瓷杯",
        "zh-hans",
        ["20.00", "USD"],
        662,
    )
    assert (lamp["title"], lamp["category"], lamp["active"]) == ("露营灯", 1022, True)

    # us changes the mug's export price; the next (incremental) sync changes only that listing.
    manage(us, "shell", "-c", US_NEW_PRICE)
    out = manage(cn, "sync_partner_catalog", "--partner", "us")
    assert "succeeded" in out and "1 changed" in out and "from " in out
    second = last_json(manage(cn, "shell", "-c", CN_LISTINGS))
    changed = {ref for ref in second if second[ref]["updated_at"] != first[ref]["updated_at"]}
    assert changed == {references["MUG"]}
    assert second[references["MUG"]]["export_price"] == ["24.50", "USD"]
    assert second[references["MUG"]]["version"] > first[references["MUG"]]["version"]
    assert all(second[ref]["version"] == first[ref]["version"] for ref in second if ref != references["MUG"])

    # cn ops suspend the partnership: the listings cannot be ordered any more, and syncing stops.
    manage(cn, "shell", "-c", CN_PRICE_IF_UNPRICED)
    assert all(row["orderable"] for row in last_json(manage(cn, "shell", "-c", CN_LISTINGS)).values())
    mug_page = f"/zone/us/p/{references['MUG']}/"
    status, home = get(cn, "/")
    assert status == 200 and 'data-partner="us"' in home
    status, landing = get(cn, "/zone/us/")
    assert status == 200 and "搪瓷杯" in landing
    status, product = get(cn, mug_page)
    assert status == 200 and "搪瓷杯" in product
    status, search = get(cn, "/search/?q=%E6%90%AA%E7%93%B7%E6%9D%AF")  # 搪瓷杯: we carry none, the partner does
    assert status == 200 and mug_page in search

    manage(cn, "shell", "-c", CN_SUSPEND)
    assert not any(row["orderable"] for row in last_json(manage(cn, "shell", "-c", CN_LISTINGS)).values())
    # At once: the next request no longer finds the zone, its entrance or its product pages.
    status, home = get(cn, "/")
    assert status == 200 and 'data-partner="us"' not in home
    assert get(cn, "/zone/us/")[0] == 404
    assert get(cn, mug_page)[0] == 404
    status, search = get(cn, "/search/?q=%E6%90%AA%E7%93%B7%E6%9D%AF")  # 搪瓷杯: no partner goods offered
    assert status == 200 and "/zone/us/p/" not in search
    refused = cn.manage("sync_partner_catalog", "--partner", "us", check=False)
    assert refused.returncode != 0 and not refused.stdout.strip()
