"""The first leg: the exporter plans a consignment and sends its advance shipment notice; the importer
records the notice, counts the goods in, puts the good units into consignment stock owned by the
exporter, flags every difference and sends the receipt back; the cost comparison against express."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from djmoney.money import Money

from catalog import services as catalog_services
from crossborder.client import canonical_json
from crossborder.models import OutboxMessage
from logistics import hooks
from logistics.models import Consignment, Discrepancy, ExpressRate, StockLevel, StockMovement
from logistics.services import LogisticsError, first_leg
from tests.catalog.factories import make_merchant, make_product, make_user, money
from tests.partner_zone.factories import make_listing
from tests.partners import MESSAGES_PATH, body_json, table_counts

from .factories import make_warehouse

pytestmark = pytest.mark.django_db

URLS = "tests.logistics.urls_first_leg"


# --- given ---------------------------------------------------------------------------------------

# The SKUs the partner's catalog offers us, as the partner zone mirrored it (the importer's side).
MIRRORED_SKUS = ("TR-1", "TR-2")


@pytest.fixture(autouse=True)
def partner_catalog_mirrored(request):
    """The importer has mirrored the partner's catalog (the partner zone's sync): its notices' SKUs
    are ones it offered us. The real check answers (hooks.known_partner_skus, wired by the zone)."""
    if "remote" in request.fixturenames:
        remote = request.getfixturevalue("remote")
        make_listing(remote.partnership, variants=[{"sku": sku, "attributes": {}} for sku in MIRRORED_SKUS])


def offered_product(partnership, *, skus, weight_grams=250, offered=True, titles=None):
    merchant = make_merchant()
    product = make_product(merchant, skus=skus, weight_grams=weight_grams, titles=titles)
    catalog_services.set_export_offer(
        merchant=merchant,
        product=product,
        partnership=partnership,
        is_offered=offered,
        export_price=money("80.00") if offered else None,
    )
    return product


def planned(remote, lines=(("BOTTLE-1", 10), ("BOTTLE-2", 5)), **kwargs):
    offered_product(remote.partnership, skus=[sku for sku, _ in lines])
    return first_leg.plan_consignment(partnership=remote.partnership, lines=list(lines), **kwargs)


def notice(reference=None, lines=(("TR-1", 10), ("TR-2", 5)), **extra):
    return {
        "consignment": str(reference or uuid.uuid4()),
        "destination": "",
        "carrier": "COSCO",
        "tracking_number": "SEA-1",
        "cartons": 3,
        "gross_weight_grams": 60000,
        "eta": "2030-03-01",
        "lines": [
            {"sku": sku, "product": str(uuid.uuid4()), "title": f"Tent {sku}", "unit_weight_grams": 2000, "quantity": q}
            for sku, q in lines
        ],
        **extra,
    }


def inbound(remote, lines=(("TR-1", 10), ("TR-2", 5))):
    return first_leg.record_notice(partnership=remote.partnership, payload=notice(lines=lines))


def outbox(message_type):
    return list(OutboxMessage.objects.filter(message_type=message_type).order_by("seq"))


def staff_client():
    client = Client()
    client.force_login(make_user(is_staff=True))
    return client


# --- exporter: planning --------------------------------------------------------------------------


def test_planning_copies_title_in_the_partners_language_weight_and_product_and_merges_repeated_skus(remote):
    product = offered_product(
        remote.partnership, skus=["BOTTLE-1"], weight_grams=5000, titles={"zh-hans": "奶瓶", "en": "Baby bottle"}
    )
    consignment = first_leg.plan_consignment(
        partnership=remote.partnership,
        lines=[("BOTTLE-1", 4), ("BOTTLE-1", 6)],
        cartons=2,
        first_leg_cost=money("1000.00"),
    )
    assert consignment.direction == "outbound" and consignment.status == "planned"
    [line] = consignment.lines.all()
    assert (line.sku, line.quantity, line.title, line.unit_weight_grams) == ("BOTTLE-1", 10, "Baby bottle", 5000)
    assert line.partner_product == product.reference


def test_planning_a_sku_not_offered_to_the_partner_is_refused_and_changes_nothing(remote):
    offered_product(remote.partnership, skus=["OFFERED-1"])
    offered_product(remote.partnership, skus=["WITHDRAWN-1"], offered=False)
    before = table_counts()
    for sku in ("WITHDRAWN-1", "NOBODY-1"):
        with pytest.raises(LogisticsError) as refused:
            first_leg.plan_consignment(partnership=remote.partnership, lines=[("OFFERED-1", 1), (sku, 2)])
        assert refused.value.code == "sku_not_offered" and sku in refused.value.detail
    assert table_counts() == before


@pytest.mark.parametrize("bad", [1.5, "2.5", -3, 0, None])
def test_planning_a_fractional_negative_or_zero_quantity_is_refused_naming_the_line(remote, bad):
    offered_product(remote.partnership, skus=["A-1", "A-2"])
    before = table_counts()
    with pytest.raises(LogisticsError) as refused:
        first_leg.plan_consignment(partnership=remote.partnership, lines=[("A-1", 2), ("A-2", bad)])
    assert refused.value.code == "invalid_quantity" and refused.value.field == "lines[1].quantity"
    assert "lines[1].quantity" in refused.value.detail
    assert table_counts() == before


def test_planning_a_cost_in_another_currency_is_refused(remote):
    offered_product(remote.partnership, skus=["A-1"])
    with pytest.raises(LogisticsError) as refused:
        first_leg.plan_consignment(
            partnership=remote.partnership, lines=[("A-1", 2)], first_leg_cost=Money("10.00", "USD")
        )
    assert refused.value.field == "first_leg_cost" and not Consignment.objects.exists()


def test_planning_from_suggestions_keeps_only_suggested_units(remote):
    offered_product(remote.partnership, skus=["S-1", "S-2", "S-3"])
    consignment = first_leg.plan_from_suggestions(
        partnership=remote.partnership,
        suggestions=[
            {"sku": "S-1", "suggested_quantity": 12, "velocity": "0.4"},
            {"sku": "S-2", "suggested_quantity": 0},
            {"sku": "S-3", "suggested_quantity": 3},
        ],
        carrier="COSCO",
    )
    assert dict(consignment.lines.values_list("sku", "quantity")) == {"S-1": 12, "S-3": 3}
    assert consignment.carrier == "COSCO"


def test_send_notice_writes_exactly_one_asn_outbox_row_with_the_payload_and_a_resend_does_nothing(remote):
    consignment = planned(remote, carrier="COSCO", tracking_number="SEA-9", cartons=2, eta=dt.date(2030, 3, 1))
    first_leg.send_notice(consignment)
    first_leg.send_notice(consignment)
    [message] = outbox("shipment.notice")
    consignment.refresh_from_db()
    assert consignment.status == "notified" and consignment.notified_at is not None
    lines = list(consignment.lines.order_by("id"))
    assert message.partnership == remote.partnership
    assert message.payload == {
        "consignment": str(consignment.reference),
        "destination": "",
        "carrier": "COSCO",
        "tracking_number": "SEA-9",
        "cartons": 2,
        "gross_weight_grams": 0,
        "eta": "2030-03-01",
        "lines": [
            {
                "sku": line.sku,
                "product": str(line.partner_product),
                "title": line.title,
                "unit_weight_grams": 250,
                "quantity": line.quantity,
            }
            for line in lines
        ],
    }
    assert [line["quantity"] for line in message.payload["lines"]] == [10, 5]


def test_a_cancelled_consignments_notice_is_refused(remote):
    consignment = planned(remote)
    Consignment.objects.filter(pk=consignment.pk).update(status="cancelled")
    with pytest.raises(LogisticsError) as refused:
        first_leg.send_notice(consignment)
    assert refused.value.code == "consignment_state" and not outbox("shipment.notice")


# --- importer: the notice ------------------------------------------------------------------------


def test_a_signed_notice_creates_the_inbound_consignment_once(remote, api):
    warehouse = make_warehouse("sh-1", country="CN")
    payload = notice()
    body = canonical_json(remote.envelope("shipment.notice", payload))
    first = remote.send(api, remote.sign("POST", MESSAGES_PATH, body, idempotency_key="asn-1"))
    assert first.status_code == 200, first.content
    assert body_json(first)["result"]["warehouse"] == "sh-1"
    replay = remote.send(api, remote.sign("POST", MESSAGES_PATH, body, idempotency_key="asn-1"))
    assert replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    assert body_json(replay) == body_json(first)
    again = remote.post_message(api, "shipment.notice", payload, idempotency_key="asn-2")
    assert again.status_code == 200, again.content
    [consignment] = Consignment.objects.all()
    assert (consignment.direction, consignment.status, consignment.warehouse) == ("inbound", "notified", warehouse)
    assert str(consignment.reference) == payload["consignment"]
    assert consignment.eta == dt.date(2030, 3, 1) and consignment.cartons == 3
    assert dict(consignment.lines.values_list("sku", "quantity")) == {"TR-1": 10, "TR-2": 5}


def test_a_notice_with_a_fractional_quantity_is_refused_naming_the_line(remote, api):
    make_warehouse(country="CN")
    payload = notice()
    payload["lines"][1]["quantity"] = 1.5
    response = remote.post_message(api, "shipment.notice", payload)
    assert response.status_code == 400
    assert body_json(response)["code"] == "invalid_payload" and "lines[1].quantity" in body_json(response)["detail"]
    payload["lines"][1]["quantity"] = -2
    assert "lines[1].quantity" in body_json(remote.post_message(api, "shipment.notice", payload))["detail"]
    assert not Consignment.objects.exists()


def test_the_same_reference_with_other_lines_is_refused_and_changes_nothing(remote):
    make_warehouse(country="CN")
    payload = notice()
    first_leg.record_notice(partnership=remote.partnership, payload=payload)
    changed = notice(reference=payload["consignment"], lines=(("TR-1", 11), ("TR-2", 5)))
    with pytest.raises(LogisticsError) as refused:
        first_leg.record_notice(partnership=remote.partnership, payload=changed)
    assert refused.value.code == "consignment_state" and refused.value.status == 409
    assert dict(Consignment.objects.get().lines.values_list("sku", "quantity")) == {"TR-1": 10, "TR-2": 5}


def test_a_notice_goes_to_the_named_warehouse_else_the_configured_one(remote, settings):
    make_warehouse("a-first", country="CN")
    named = make_warehouse("named", country="CN")
    configured = make_warehouse("configured", country="CN")
    settings.LOGISTICS = {**settings.LOGISTICS, "CONSIGNMENT_WAREHOUSE": "configured"}
    to_named = first_leg.record_notice(partnership=remote.partnership, payload=notice(destination="named"))
    to_default = first_leg.record_notice(partnership=remote.partnership, payload=notice(destination="gone"))
    assert (to_named.warehouse, to_default.warehouse) == (named, configured)


def test_a_notice_with_no_warehouse_to_receive_it_is_refused(remote):
    make_warehouse(country="US")
    with pytest.raises(LogisticsError) as refused:
        first_leg.record_notice(partnership=remote.partnership, payload=notice())
    assert refused.value.code == "unknown_warehouse" and not Consignment.objects.exists()


def test_the_partner_zone_checks_notices_against_the_mirrored_catalog():
    from partner_zone.services import sync

    assert sync.offered_skus in hooks.known_partner_skus.subscribers


def test_a_notice_for_a_sku_the_partner_never_offered_is_refused_naming_it_and_records_nothing(remote, api):
    make_warehouse(country="CN")
    before = table_counts()

    response = remote.post_message(api, first_leg.ASN, notice(lines=(("TR-1", 10), ("NEVER-9", 5))))

    assert response.status_code == 400
    refusal = body_json(response)
    assert refusal["code"] == "sku_not_offered" and "NEVER-9" in refusal["detail"] and "TR-1" not in refusal["detail"]
    assert refusal["field"] == "lines[1].sku"
    assert not Consignment.objects.exists()
    # Only the signature's nonce is kept (replays stay refused).
    assert table_counts() == {**before, "crossborder.SeenNonce": before["crossborder.SeenNonce"] + 1}


def test_a_sku_another_partner_offered_is_not_offered_by_this_one(remote):
    from tests.partner_zone.factories import make_partnership

    make_warehouse(country="CN")
    make_listing(make_partnership("de", currency="EUR", country="DE"), variants=[{"sku": "DE-ONLY-1"}])

    with pytest.raises(LogisticsError) as refused:
        first_leg.record_notice(partnership=remote.partnership, payload=notice(lines=(("DE-ONLY-1", 1),)))

    assert refused.value.code == "sku_not_offered" and "DE-ONLY-1" in refused.value.detail
    assert not Consignment.objects.exists()


def test_a_notice_is_refused_when_no_catalog_check_is_installed(remote, monkeypatch):
    make_warehouse(country="CN")
    monkeypatch.setattr(hooks.known_partner_skus, "_subscribers", [])

    with pytest.raises(LogisticsError) as refused:
        first_leg.record_notice(partnership=remote.partnership, payload=notice())

    assert refused.value.code == "not_wired" and refused.value.status == 503
    assert not Consignment.objects.exists()


# --- importer: receiving -------------------------------------------------------------------------


def test_receiving_a_short_and_a_damaged_line_stocks_exactly_the_good_units_as_the_partners(remote, monkeypatch):
    make_warehouse(country="CN")
    changed = []
    monkeypatch.setattr(
        hooks.consignment_stock_changed, "_subscribers", [lambda partnership, skus: changed.append(skus)]
    )
    consignment = inbound(remote, lines=(("TR-1", 10), ("TR-2", 5)))
    first_leg.receive_line(consignment=consignment, sku="TR-1", counted=8)  # 2 short
    first_leg.receive_line(consignment=consignment, sku="TR-2", counted=5, damaged=2)
    first_leg.complete_receipt(consignment=consignment)

    levels = {level.sku: level for level in StockLevel.objects.all()}
    assert {sku: (level.on_hand, level.owner) for sku, level in levels.items()} == {
        "TR-1": (8, remote.partner),
        "TR-2": (3, remote.partner),
    }
    assert not StockLevel.objects.filter(owner__isnull=True).exists()
    assert levels["TR-1"].unit_weight_grams == 2000 and levels["TR-1"].partner_product is not None
    found = set(Discrepancy.objects.values_list("kind", "sku", "field", "ours", "theirs"))
    assert found == {("receipt", "TR-1", "short", 8, 10), ("receipt", "TR-2", "damaged", 5, 5)}
    [message] = outbox("shipment.receipt")
    consignment.refresh_from_db()
    assert consignment.status == "received"
    assert message.payload["consignment"] == str(consignment.reference)
    assert message.payload["lines"] == [
        {"sku": "TR-1", "shipped": 10, "counted": 8, "damaged": 0, "short": 2, "over": 0, "good": 8},
        {"sku": "TR-2", "shipped": 5, "counted": 5, "damaged": 2, "short": 0, "over": 0, "good": 3},
    ]
    assert changed == [["TR-1", "TR-2"]]


def test_an_over_count_is_recorded_as_over_and_flagged_not_merged_into_the_notice(remote):
    make_warehouse(country="CN")
    consignment = inbound(remote, lines=(("TR-1", 10),))
    first_leg.receive_line(consignment=consignment, sku="TR-1", counted=12)
    first_leg.complete_receipt(consignment=consignment)
    line = consignment.lines.get()
    assert (line.quantity, line.counted, line.over, line.short) == (10, 12, 2, 0)
    assert StockLevel.objects.get(sku="TR-1").on_hand == 12
    assert Discrepancy.objects.get().field == "over"
    assert outbox("shipment.receipt")[0].payload["lines"][0]["over"] == 2


def test_completing_a_receipt_twice_changes_nothing(remote):
    make_warehouse(country="CN")
    consignment = inbound(remote)
    first_leg.receive_line(consignment=consignment, sku="TR-1", counted=9)
    first_leg.complete_receipt(consignment=consignment)
    before = table_counts()
    first_leg.complete_receipt(consignment=consignment)
    assert table_counts() == before
    with pytest.raises(LogisticsError) as refused:
        first_leg.receive_line(consignment=consignment, sku="TR-1", counted=10)
    assert refused.value.code == "consignment_state"


def test_a_line_never_counted_is_received_as_all_short(remote):
    make_warehouse(country="CN")
    consignment = inbound(remote, lines=(("TR-1", 4),))
    first_leg.complete_receipt(consignment=consignment)
    assert consignment.lines.get().counted == 0 and not StockLevel.objects.exists()
    assert Discrepancy.objects.get().field == "short"


def test_a_sku_not_on_the_notice_is_refused_but_its_count_is_kept_as_a_discrepancy(remote):
    make_warehouse(country="CN")
    consignment = inbound(remote)
    for _ in range(2):
        with pytest.raises(LogisticsError) as refused:
            first_leg.receive_line(consignment=consignment, sku="STRAY-1", counted=3, add=True)
        assert refused.value.code == "unknown_sku" and str(consignment.reference) in refused.value.detail
    kept = Discrepancy.objects.get()
    assert (kept.sku, kept.field, kept.ours, kept.partnership) == ("STRAY-1", "unlisted", 6, remote.partnership)
    assert not consignment.lines.filter(sku="STRAY-1").exists()


@pytest.mark.parametrize(("counted", "damaged"), [(-1, 0), (1.5, 0), (2, 3), ("x", 0)])
def test_bad_counts_are_refused_and_change_nothing(remote, counted, damaged):
    make_warehouse(country="CN")
    consignment = inbound(remote)
    with pytest.raises(LogisticsError) as refused:
        first_leg.receive_line(consignment=consignment, sku="TR-1", counted=counted, damaged=damaged)
    assert refused.value.code == "invalid_quantity"
    assert consignment.lines.get(sku="TR-1").counted is None


def test_scans_of_the_same_sku_add_up(remote):
    make_warehouse(country="CN")
    consignment = inbound(remote)
    for _ in range(3):
        first_leg.receive_line(consignment=consignment, sku="TR-1", counted=1, add=True)
    first_leg.receive_line(consignment=consignment, sku="TR-1", counted=1, damaged=1, add=True)
    line = consignment.lines.get(sku="TR-1")
    assert (line.counted, line.damaged) == (4, 1)
    consignment.refresh_from_db()
    assert consignment.status == "receiving"


# --- exporter: the receipt -----------------------------------------------------------------------


def test_a_signed_receipt_updates_our_outbound_consignment_and_flags_differences(remote, api):
    consignment = planned(remote)
    first_leg.send_notice(consignment)
    payload = {
        "consignment": str(consignment.reference),
        "received_at": "2030-03-02T10:00:00+00:00",
        "lines": [
            {"sku": "BOTTLE-1", "shipped": 10, "counted": 8, "damaged": 0, "short": 2, "over": 0, "good": 8},
            {"sku": "BOTTLE-2", "shipped": 5, "counted": 5, "damaged": 2, "short": 0, "over": 0, "good": 3},
        ],
    }
    response = remote.post_message(api, "shipment.receipt", payload)
    assert response.status_code == 200, response.content
    assert remote.post_message(api, "shipment.receipt", payload).status_code == 200
    consignment.refresh_from_db()
    assert consignment.status == "received" and consignment.received_at == dt.datetime(2030, 3, 2, 10, tzinfo=dt.UTC)
    assert {line.sku: (line.counted, line.damaged, line.good) for line in consignment.lines.all()} == {
        "BOTTLE-1": (8, 0, 8),
        "BOTTLE-2": (5, 2, 3),
    }
    found = set(Discrepancy.objects.values_list("sku", "field", "ours", "theirs"))
    assert found == {("BOTTLE-1", "short", 10, 8), ("BOTTLE-2", "damaged", 5, 5)}


def test_a_receipt_for_an_unknown_consignment_answers_404_and_changes_nothing(remote, api):
    payload = {"consignment": str(uuid.uuid4()), "received_at": "2030-03-02T10:00:00+00:00", "lines": []}
    response = remote.post_message(api, "shipment.receipt", payload)
    assert response.status_code == 404
    assert body_json(response)["code"] == "unknown_consignment"
    assert not Discrepancy.objects.exists()


# --- cost comparison -----------------------------------------------------------------------------


def test_cost_comparison_with_the_default_table_prices_a_5_kg_unit_at_500_cny(remote):
    offered_product(remote.partnership, skus=["HEAVY-1"], weight_grams=5000)
    consignment = first_leg.plan_consignment(
        partnership=remote.partnership, lines=[("HEAVY-1", 10)], first_leg_cost=money("1000.00")
    )
    comparison = first_leg.cost_comparison(consignment)
    assert comparison.rates == "default" and comparison.currency == "CNY" and comparison.destination == "US"
    assert comparison.lines[0].express_per_unit == Decimal("500.00")
    assert comparison.express_total == Decimal("5000.00")
    assert comparison.first_leg_per_unit == Decimal("100.00")
    assert comparison.saving == Decimal("4000.00") and comparison.saving_per_unit == Decimal("400.00")
    assert comparison.saving_percent == Decimal("80.0")


def test_cost_comparison_uses_configured_bands_and_multiplies_the_largest_for_heavier_units(remote):
    ExpressRate.objects.create(destination="US", max_weight_grams=1000, price=money("100"))
    ExpressRate.objects.create(destination="US", max_weight_grams=2000, price=money("150"))
    offered_product(remote.partnership, skus=["LIGHT-1"], weight_grams=900)
    offered_product(remote.partnership, skus=["BIG-1"], weight_grams=4500)
    consignment = first_leg.plan_consignment(
        partnership=remote.partnership, lines=[("LIGHT-1", 2), ("BIG-1", 1)], first_leg_cost=money("100.00")
    )
    comparison = first_leg.cost_comparison(consignment)
    per_unit = {row.sku: row.express_per_unit for row in comparison.lines}
    assert per_unit == {"LIGHT-1": Decimal("100.00"), "BIG-1": Decimal("450.00")}  # 150 x ceil(4.5 / 2)
    assert comparison.first_leg_per_unit == Decimal("33.33")  # 100 / 3, half up
    assert comparison.express_per_unit == Decimal("216.67")


def test_cost_comparison_without_rates_in_the_costs_currency_says_so(remote, settings):
    settings.PLATFORM_CURRENCY = "USD"
    offered_product(remote.partnership, skus=["HEAVY-1"], weight_grams=5000)
    consignment = first_leg.plan_consignment(
        partnership=remote.partnership, lines=[("HEAVY-1", 10)], first_leg_cost=Money("100.00", "USD")
    )
    comparison = first_leg.cost_comparison(consignment)
    assert comparison.express_total is None and "USD" in comparison.problem
    assert comparison.first_leg_per_unit == Decimal("10.00")


# --- staff pages ---------------------------------------------------------------------------------


@pytest.mark.urls(URLS)
def test_the_receiving_page_scans_skus_shows_running_counts_and_completes(remote):
    make_warehouse(country="CN")
    consignment = inbound(remote, lines=(("TR-1", 3), ("TR-2", 5)))
    client = staff_client()
    url = f"/en/logistics/consignments/{consignment.pk}/receive/"
    page = client.get(url)
    assert page.status_code == 200 and b'name="sku" id="scan-sku" autofocus' in page.content
    for _ in range(3):
        assert client.post(url, {"sku": "TR-1", "count": "1", "damaged": "0"}).status_code == 302
    client.post(url, {"sku": "TR-2", "count": "5", "damaged": "1"})
    page = client.get(url)
    assert [(line.sku, line.counted, line.damaged) for line in page.context["lines"]] == [
        ("TR-1", 3, 0),
        ("TR-2", 5, 1),
    ]
    unknown = client.post(url, {"sku": "STRAY-9", "count": "1"})
    assert unknown.status_code == 400 and "STRAY-9" in unknown.content.decode()
    bad = client.post(url, {"sku": "TR-1", "count": "1.5"})
    assert bad.status_code == 400 and "whole number" in bad.content.decode()
    done = client.post(f"/en/logistics/consignments/{consignment.pk}/complete/")
    assert done.status_code == 302
    assert dict(StockLevel.objects.values_list("sku", "on_hand")) == {"TR-1": 3, "TR-2": 4}
    consignment.refresh_from_db()
    assert consignment.status == "received"


@pytest.mark.urls(URLS)
def test_the_consignment_page_shows_the_cost_comparison_and_sends_the_notice(remote):
    offered_product(remote.partnership, skus=["HEAVY-1"], weight_grams=5000)
    consignment = first_leg.plan_consignment(
        partnership=remote.partnership, lines=[("HEAVY-1", 10)], first_leg_cost=money("1000.00")
    )
    client = staff_client()
    page = client.get(f"/en/logistics/consignments/{consignment.pk}/")
    assert page.status_code == 200 and page.context["comparison"].express_total == Decimal("5000.00")
    assert b"Send notice" in page.content
    client.post(f"/en/logistics/consignments/{consignment.pk}/notice/")
    assert len(outbox("shipment.notice")) == 1


@pytest.mark.urls(URLS)
def test_staff_pages_are_for_staff_only(remote):
    client = Client()
    client.force_login(make_user())
    assert client.get("/en/logistics/consignments/").status_code == 302
    assert Client().get("/en/logistics/consignments/").status_code == 302


@pytest.mark.urls(URLS)
@pytest.mark.parametrize("count", [2, 10])
def test_the_consignment_list_takes_a_fixed_number_of_queries(remote, django_assert_max_num_queries, count):
    make_warehouse(country="CN")
    for _ in range(count):
        inbound(remote)
    client = staff_client()
    with django_assert_max_num_queries(4):  # session, user, page count, the page itself
        page = client.get("/en/logistics/consignments/")
    assert page.status_code == 200 and len(page.context["page"].object_list) == count


# --- commands ------------------------------------------------------------------------------------


def test_commands_create_a_warehouse_once_plan_and_send_a_consignment_and_receive_one(remote, capsys):
    for _ in range(2):
        call_command(
            "ensure_warehouse", code="sh-1", name="Shanghai", country="CN", operator="us", address="1 Harbour Rd"
        )
    assert "exists sh-1" in capsys.readouterr().out

    offered_product(remote.partnership, skus=["C-1"])
    call_command("plan_consignment", partner="us", line=["C-1:4"], cost="200", eta="2030-01-05", send=True)
    outbound = Consignment.objects.get(direction="outbound")
    assert str(outbound.reference) in capsys.readouterr().out and outbound.status == "notified"
    assert outbound.first_leg_cost == money("200")

    consignment = inbound(remote, lines=(("TR-1", 4),))
    call_command(
        "receive_consignment", consignment=str(consignment.reference)[:8], count=["TR-1:4"], damaged=["TR-1:1"]
    )
    call_command("receive_consignment", consignment=str(consignment.reference), complete=True)
    out = capsys.readouterr().out
    assert "received" in out and "TR-1" in out
    assert StockLevel.objects.get(sku="TR-1").on_hand == 3
    assert StockMovement.objects.filter(reference=f"receipt:{consignment.reference}:TR-1").count() == 1


@pytest.mark.parametrize("model", ["consignment", "stocklevel", "stockmovement", "discrepancy", "warehouse"])
def test_admin_lists_of_the_first_leg_render_in_a_fixed_number_of_queries(remote, model, django_assert_max_num_queries):
    make_warehouse(country="CN")
    for _ in range(3):
        consignment = inbound(remote)
        first_leg.receive_line(consignment=consignment, sku="TR-1", counted=9)
        first_leg.complete_receipt(consignment=consignment)
    client = Client()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    with django_assert_max_num_queries(7):
        page = client.get(f"/admin/logistics/{model}/")
    assert page.status_code == 200


def test_stock_movements_cannot_be_added_changed_or_deleted_in_the_admin(remote):
    level = StockLevel.objects.create(warehouse=make_warehouse(), sku="X-1")
    client = Client()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    assert client.get("/admin/logistics/stockmovement/add/").status_code == 403
    assert client.get("/admin/logistics/stocklevel/add/").status_code == 403
    assert client.get(f"/admin/logistics/stocklevel/{level.pk}/delete/").status_code == 403
