"""Warehouse staff in a real browser: open a partner's inbound consignment, see its lines and the cost
comparison, scan the goods in on the receiving page (focus back on the SKU field after every scan, so
a barcode scanner can keep going), hit an unknown SKU, complete the receipt and find the good units
in the partner's consignment stock; an outbound consignment compares first leg and express per unit."""

import uuid

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from catalog import services as catalog_services
from catalog import taxonomy
from catalog.models import Category
from logistics.models import Consignment, Discrepancy, StockLevel
from logistics.services import first_leg
from tests.catalog.factories import TEST_PASSWORD, make_merchant, make_product, make_user, money
from tests.logistics.factories import make_warehouse
from tests.partner_zone.factories import make_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTICE_LINES = (("TENT-1", 10), ("STOVE-2", 5), ("LAMP-3", 4))


@pytest.fixture(autouse=True)
def shared_taxonomy():
    """A transactional test empties every table afterwards, the migrated taxonomy included: put it back."""
    taxonomy.load_rows(Category, taxonomy.read_rows())


@pytest.fixture(autouse=True)
def partner_catalog_mirrored(request, shared_taxonomy):
    """The partner offered us the notice's SKUs: our zone mirrored them (a notice is checked
    against the mirrored catalog)."""
    if "remote" in request.fixturenames:
        remote = request.getfixturevalue("remote")
        make_listing(remote.partnership, variants=[{"sku": sku, "attributes": {}} for sku, _q in NOTICE_LINES])


@pytest.fixture
def keeper():
    return make_user("keeper", is_staff=True)


@pytest.fixture
def inbound(remote):
    warehouse = make_warehouse("sh-1", country="CN", name="Shanghai bonded")
    consignment = first_leg.record_notice(
        partnership=remote.partnership,
        payload={
            "consignment": str(uuid.uuid4()),
            "destination": warehouse.code,
            "carrier": "COSCO",
            "tracking_number": "SEA-1",
            "cartons": 3,
            "gross_weight_grams": 42000,
            "eta": "2030-03-01",
            "lines": [
                {
                    "sku": sku,
                    "product": str(uuid.uuid4()),
                    "title": f"Trail {sku.split('-')[0].lower()}",
                    "unit_weight_grams": 2000,
                    "quantity": quantity,
                }
                for sku, quantity in NOTICE_LINES
            ],
        },
    )
    assert consignment.direction == Consignment.Direction.INBOUND
    return consignment


@pytest.fixture
def outbound(remote):
    merchant = make_merchant()
    for sku, weight in (("HEAVY-1", 5000), ("LIGHT-1", 800)):
        product = make_product(merchant, skus=[sku], weight_grams=weight)
        catalog_services.set_export_offer(
            merchant=merchant,
            product=product,
            partnership=remote.partnership,
            is_offered=True,
            export_price=money("80.00"),
        )
    return first_leg.plan_consignment(
        partnership=remote.partnership,
        lines=[("HEAVY-1", 10), ("LIGHT-1", 10)],
        cartons=2,
        first_leg_cost=money("1000.00"),
    )


def log_in(page, live_server, user, path):
    page.goto(live_server.url + path)
    assert "/admin/login/" in page.url  # the staff pages send strangers to the admin login
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert page.url == live_server.url + path


def focused_id(page, expected="scan-sku"):
    """The focused element's id. The browser applies `autofocus` at the first rendering update after
    the page is parsed, which can come after the load event, so this waits (briefly) for the field
    it expects before reading."""
    try:
        page.wait_for_function(
            "id => document.activeElement && document.activeElement.id === id", arg=expected, timeout=2000
        )
    except PlaywrightTimeout:  # the assertion at the caller says what was focused instead
        pass
    return page.evaluate("document.activeElement && document.activeElement.id")


def scan(page, sku, count=None, damaged=None):
    """What a scanner does: the SKU lands in the focused field, then Enter. A count or a damaged
    count is typed first, as staff would, and focus goes back to the SKU field."""
    if count is not None:
        page.fill("form.scan input[name=count]", str(count))
    if damaged is not None:
        page.fill("form.scan input[name=damaged]", str(damaged))
    if count is not None or damaged is not None:
        page.focus("#scan-sku")
    assert focused_id(page) == "scan-sku"
    page.keyboard.type(sku)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert focused_id(page) == "scan-sku", f"focus left the SKU field after scanning {sku}"


def cells(page, sku, *names):
    row = page.locator(f"table.lines tbody tr[data-sku='{sku}']")
    return tuple(row.locator(f"td.{name}").inner_text() for name in names)


def test_staff_scan_an_inbound_consignment_in_and_the_good_units_become_the_partners_stock(
    live_server, page, shot, keeper, inbound, remote
):
    detail = f"/en/logistics/consignments/{inbound.pk}/"
    log_in(page, live_server, keeper, detail)

    # The consignment: its lines as notified and the comparison with sending each unit by express.
    assert page.locator("h1 .status").inner_text() == "notice sent"
    assert page.locator("table.lines tbody tr").count() == 3
    assert [cells(page, sku, "shipped")[0] for sku, _ in NOTICE_LINES] == ["10", "5", "4"]
    assert page.locator("table.lines tfoot").inner_text().split()[1] == "19"
    comparison = page.locator("section.comparison")
    assert comparison.locator("tbody tr").filter(has_text="TENT-1").inner_text().split() == [
        "TENT-1",
        "10",
        "2000",
        "280.00",
        "2800.00",
    ]
    assert comparison.locator("td.express-per-unit").inner_text() == "280.00 CNY per unit"
    assert comparison.locator("td.first-leg-total").inner_text() == "—"  # the partner paid the first leg
    shot(page, "logistics-inbound-consignment")

    with page.expect_navigation():
        page.click(".page-bar .actions a.primary")
    assert page.url == live_server.url + f"/en/logistics/consignments/{inbound.pk}/receive/"
    assert focused_id(page) == "scan-sku"  # autofocus: the scanner can start at once
    boxes = [
        page.locator(f"form.scan {field}").bounding_box() for field in ("#scan-sku", "input[name=count]", "button")
    ]
    assert {round(box["y"] + box["height"]) for box in boxes} == {round(boxes[0]["y"] + boxes[0]["height"])}
    assert {round(box["height"]) for box in boxes} == {round(boxes[0]["height"])}  # one row, one height
    shot(page, "logistics-receive-start")

    scan(page, "TENT-1", count=6)
    assert cells(page, "TENT-1", "counted") == ("6",)
    assert "TENT-1: 6 counted of 10 shipped (0 damaged)." in page.locator(".messages").inner_text()
    scan(page, "TENT-1", count=5)  # a second carton of the same SKU adds up: one over the notice
    assert cells(page, "TENT-1", "counted", "over") == ("11", "1")
    scan(page, "STOVE-2", count=5, damaged=2)
    assert cells(page, "STOVE-2", "counted", "damaged", "good") == ("5", "2", "3")
    scan(page, "LAMP-3")  # count 1 and no damage by default: each beep is one unit
    scan(page, "LAMP-3")
    assert cells(page, "LAMP-3", "counted", "short") == ("2", "2")
    assert page.locator("form.scan input[name=count]").input_value() == "1"
    assert page.locator("form.scan input[name=damaged]").input_value() == "0"
    shot(page, "logistics-receive-counting")

    scan(page, "STRAY-9")
    error = page.locator("form.scan .errors[role=alert]")
    assert error.inner_text() == (
        f"STRAY-9 is not on the notice of consignment {inbound.reference}; its count was kept as a discrepancy."
    )
    assert page.locator("ul.unlisted li[data-sku='STRAY-9']").inner_text() == "STRAY-9: 1"
    # The unknown SKU stays in the field, selected, so the next scan replaces it.
    assert page.evaluate(
        "(el => el.selectionStart === 0 && el.selectionEnd === el.value.length)(document.activeElement)"
    )
    shot(page, "logistics-receive-unknown-sku")

    with page.expect_navigation():
        page.click("form.complete button[type=submit]")
    assert page.url == live_server.url + detail
    assert "Receipt complete" in page.locator(".messages").inner_text()
    assert page.locator("h1 .status.status-received").inner_text().lower() == "received"
    assert cells(page, "TENT-1", "counted", "good", "over") == ("11", "11", "1")
    assert cells(page, "STOVE-2", "damaged", "good") == ("2", "3")
    assert cells(page, "LAMP-3", "good", "short") == ("2", "2")
    assert page.locator("table.lines td.flag").count() == 2  # the short and the over figure
    flagged = {
        tuple(row.locator("td").all_inner_texts()[:2]) for row in page.locator("table.discrepancies tbody tr").all()
    }
    assert flagged == {("LAMP-3", "short"), ("STOVE-2", "damaged"), ("STRAY-9", "unlisted"), ("TENT-1", "over")}
    assert page.locator(".page-bar .actions a.primary").count() == 0  # nothing left to receive
    shot(page, "logistics-inbound-received")

    inbound.refresh_from_db()
    assert inbound.status == Consignment.Status.RECEIVED
    stocked = {
        level.sku: (level.owner_id, level.warehouse.code, level.on_hand)
        for level in StockLevel.objects.select_related("warehouse")
    }
    partner = remote.partner.pk
    assert stocked == {"TENT-1": (partner, "sh-1", 11), "STOVE-2": (partner, "sh-1", 3), "LAMP-3": (partner, "sh-1", 2)}
    assert Discrepancy.objects.filter(reference=f"consignment:{inbound.reference}").count() == 4

    # The same pages in the platform's default language (Chinese: no prefix).
    page.goto(live_server.url + detail.removeprefix("/en"))
    assert page.evaluate("document.documentElement.lang").lower().startswith("zh")
    shot(page, "logistics-inbound-received-zh")
    page.goto(live_server.url + detail.removeprefix("/en") + "receive/")
    shot(page, "logistics-receive-zh")


def test_an_outbound_consignment_compares_the_first_leg_with_express_per_unit(
    live_server, page, shot, keeper, outbound
):
    log_in(page, live_server, keeper, f"/en/logistics/consignments/{outbound.pk}/")

    comparison = page.locator("section.comparison")
    per_unit = {
        row.locator("td").first.inner_text(): row.locator("td").nth(3).inner_text()
        for row in comparison.locator("table.data:not(.summary) tbody tr").all()
    }
    assert per_unit == {"HEAVY-1": "500.00", "LIGHT-1": "200.00"}  # the built-in CNY bands
    # 7000 CNY by express for 20 units against 1000 CNY for the whole first leg.
    assert comparison.locator("td.express-per-unit").inner_text() == "350.00 CNY per unit"
    assert comparison.locator("td.first-leg-per-unit").inner_text() == "50.00 CNY per unit"
    assert comparison.locator("tr.saving").inner_text().split() == [
        "Saving",
        "6000.00",
        "CNY",
        "(85.7",
        "%)",
        "300.00",
        "CNY",
        "per",
        "unit",
    ]
    assert page.locator(".page-bar form button.primary").inner_text() == "Send notice"
    bar, actions = page.locator(".page-bar").bounding_box(), page.locator(".page-bar .actions").bounding_box()
    assert round(actions["x"] + actions["width"]) == round(bar["x"] + bar["width"])  # on the right, wrapped or not
    shot(page, "logistics-outbound-comparison")

    page.goto(live_server.url + f"/logistics/consignments/{outbound.pk}/")
    shot(page, "logistics-outbound-comparison-zh")
