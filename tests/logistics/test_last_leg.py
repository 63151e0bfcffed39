"""The last leg: order lines allocated from local stock, picked, packed, shipped with a carrier and
tracked; cross-border direct shipments tracked through the partner's relayed events."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crossborder.models import OutboxMessage
from logistics import carriers
from logistics.models import Reservation, Shipment, StockMovement, TrackingEvent
from logistics.services import LogisticsError, last_leg, stock
from logistics.tasks import last_leg as last_leg_tasks
from tests.partners import body_json, table_counts

from .factories import make_level, make_warehouse

pytestmark = pytest.mark.django_db

RECIPIENT = {
    "name": "Li Wei",
    "phone": "+86 138 0000 0000",
    "address_lines": ["88 Century Avenue", "Flat 12B"],
    "city": "Shanghai",
    "postcode": "200120",
    "country": "CN",
}


def counts(level):
    level.refresh_from_db()
    return level.on_hand, level.reserved, level.picked


def allocate(order_line="order-1/line-1", sku=None, quantity=1, **extra):
    return last_leg.allocate_local(order_line=order_line, sku=sku, quantity=quantity, recipient=RECIPIENT, **extra)


def shipped(level, order_line="order-1/line-1", quantity=1):
    shipment = allocate(order_line, level.sku, quantity)
    last_leg.pick_shipment(shipment)
    last_leg.pack_shipment(shipment)
    return last_leg.ship_shipment(shipment, carrier="sandbox")


# --- allocation ----------------------------------------------------------------------------------


def test_allocation_reserves_exactly_the_quantity_and_opens_a_local_delivery():
    level = make_level(sku="TEA-1", on_hand=5)
    shipment = allocate(sku="TEA-1", quantity=3)
    assert counts(level) == (5, 3, 0)
    assert (shipment.kind, shipment.status, shipment.stock_id, shipment.quantity) == ("local", "allocated", level.pk, 3)
    assert shipment.reservation.reference == "line:order-1/line-1:TEA-1"
    assert shipment.reservation.expires_at is None
    assert shipment.recipient["address_lines"] == ["88 Century Avenue", "Flat 12B"]


def test_allocating_more_than_sellable_is_refused_naming_the_sku_and_changes_nothing():
    level = make_level(sku="TEA-1", on_hand=5)
    allocate("order-1/line-1", "TEA-1", 3)
    before = table_counts()
    with pytest.raises(LogisticsError) as refused:
        allocate("order-2/line-1", "TEA-1", 3)
    assert refused.value.code == "insufficient_stock" and refused.value.status == 409
    assert "TEA-1" in refused.value.detail and f"2 @ {level.warehouse.code} (own)" in refused.value.detail
    assert table_counts() == before
    assert counts(level) == (5, 3, 0)


def test_a_repeated_allocation_returns_the_first_shipment_and_reserves_once():
    level = make_level(sku="TEA-1", on_hand=5)
    first = allocate(sku="TEA-1", quantity=2)
    again = allocate(sku="TEA-1", quantity=2)
    assert again.pk == first.pk
    assert counts(level) == (5, 2, 0)
    assert Shipment.objects.count() == 1 and Reservation.objects.count() == 1


def test_own_stock_serves_before_consignment_stock_unless_told_otherwise(remote):
    warehouse = make_warehouse()
    consignment = make_level(warehouse, sku="TEA-1", owner=remote.partner, on_hand=5)
    own = make_level(warehouse, sku="TEA-1", on_hand=5)
    assert allocate("o-1", "TEA-1", 2).stock_id == own.pk
    assert allocate("o-2", "TEA-1", 2, prefer="consignment").stock_id == consignment.pk
    # Own stock has 3 left, then none: the next line goes to the consignment stock.
    assert allocate("o-3", "TEA-1", 3).stock_id == own.pk
    assert allocate("o-4", "TEA-1", 3).stock_id == consignment.pk
    assert counts(own) == (5, 5, 0) and counts(consignment) == (5, 5, 0)


def test_allocation_skips_inactive_warehouses_and_keeps_to_a_given_one():
    closed = make_warehouse(is_active=False)
    make_level(closed, sku="TEA-1", on_hand=9)
    with pytest.raises(LogisticsError) as refused:
        allocate(sku="TEA-1")
    assert refused.value.code == "insufficient_stock"
    open_a, open_b = make_warehouse(), make_warehouse()
    make_level(open_a, sku="TEA-1", on_hand=9)
    in_b = make_level(open_b, sku="TEA-1", on_hand=9)
    assert allocate(sku="TEA-1", warehouse=open_b).stock_id == in_b.pk


def test_a_checkout_hold_becomes_the_allocation_without_its_expiry():
    level = make_level(sku="TEA-1", on_hand=5)
    stock.reserve(level, 2, reference="checkout-7", expires_at=timezone.now() + dt.timedelta(minutes=15))
    shipment = allocate(sku="TEA-1", quantity=2, reservation_ref="checkout-7")
    assert shipment.reservation.reference == "checkout-7"
    assert Reservation.objects.get(reference="checkout-7").expires_at is None
    assert counts(level) == (5, 2, 0) and Reservation.objects.count() == 1
    assert stock.expire_reservations(now=timezone.now() + dt.timedelta(hours=1)) == 0


@pytest.mark.parametrize(
    "change, field",
    [
        ({"name": " "}, "recipient.name"),
        ({"address_lines": []}, "recipient.address_lines"),
        ({"city": None}, "recipient.city"),
        ({"country": ""}, "recipient.country"),
        ({"country": "XX"}, "recipient.country"),
        ({"phone": "1" * 41}, "recipient.phone"),
    ],
)
def test_bad_recipient_fields_are_named_and_nothing_is_reserved(change, field):
    level = make_level(sku="TEA-1", on_hand=5)
    with pytest.raises(LogisticsError) as refused:
        last_leg.allocate_local(order_line="o-1", sku="TEA-1", quantity=1, recipient={**RECIPIENT, **change})
    assert refused.value.code == "invalid" and refused.value.field == field
    assert counts(level) == (5, 0, 0) and not Shipment.objects.exists()


def test_a_recipient_without_a_phone_is_accepted():
    make_level(sku="TEA-1", on_hand=5)
    recipient = {k: v for k, v in RECIPIENT.items() if k != "phone"}
    shipment = last_leg.allocate_local(order_line="o-1", sku="TEA-1", quantity=1, recipient=recipient)
    assert shipment.recipient["phone"] == ""


# --- routing ------------------------------------------------------------------------------------


def test_a_line_without_enough_local_stock_becomes_a_direct_shipment_from_the_partner(remote):
    level = make_level(sku="US-BOOT-9", owner=remote.partner, on_hand=1)
    local = last_leg.route_order_line(
        order_line="o-1", sku="US-BOOT-9", quantity=1, recipient=RECIPIENT, partnership=remote.partnership
    )
    direct = last_leg.route_order_line(
        order_line="o-2", sku="US-BOOT-9", quantity=1, recipient=RECIPIENT, partnership=remote.partnership
    )
    assert (local.kind, local.stock_id) == ("local", level.pk)
    assert (direct.kind, direct.status, direct.stock_id, direct.partnership_id) == (
        "direct",
        "allocated",
        None,
        remote.partnership.pk,
    )
    assert counts(level) == (1, 1, 0)


def test_a_line_without_local_stock_or_partner_is_refused():
    with pytest.raises(LogisticsError) as refused:
        last_leg.route_order_line(order_line="o-1", sku="NOPE", quantity=1, recipient=RECIPIENT)
    assert refused.value.code == "insufficient_stock" and not Shipment.objects.exists()


# --- pick, pack, ship ---------------------------------------------------------------------------


def test_pick_pack_ship_moves_the_counts_and_records_each_movement():
    level = make_level(sku="TEA-1", on_hand=5)
    shipment = allocate(sku="TEA-1", quantity=2)
    last_leg.pick_shipment(shipment)
    assert shipment.status == "picked" and counts(level) == (3, 0, 2)
    last_leg.pack_shipment(shipment)
    assert shipment.status == "packed" and counts(level) == (3, 0, 2)
    last_leg.ship_shipment(shipment, carrier="sandbox")
    assert counts(level) == (3, 0, 0)
    assert shipment.status == "shipped" and shipment.carrier == "sandbox" and shipment.shipped_at is not None
    assert shipment.tracking_number == "SBX" + shipment.reference.hex[:12].upper()
    movements = list(StockMovement.objects.filter(stock=level).values_list("kind", "reference"))
    assert movements[1:] == [
        ("reserved", "line:order-1/line-1:TEA-1"),
        ("picked", "line:order-1/line-1:TEA-1"),
        ("shipped", f"shipment:{shipment.reference}"),
    ]
    assert stock.movement_totals()[level.pk] == (3, 0, 0)


def test_repeating_a_step_changes_nothing():
    level = make_level(sku="TEA-1", on_hand=5)
    shipment = shipped(level, quantity=2)
    assert last_leg.ship_shipment(shipment, carrier="sandbox").status == "shipped"
    assert counts(level) == (3, 0, 0)
    assert StockMovement.objects.filter(stock=level, kind="shipped").count() == 1

    other = allocate("o-2", "TEA-1", 1)
    last_leg.pick_shipment(other)
    last_leg.pick_shipment(other)
    last_leg.pack_shipment(other)
    last_leg.pack_shipment(other)
    assert counts(level) == (2, 0, 1)
    assert StockMovement.objects.filter(stock=level, kind="picked").count() == 2


@pytest.mark.parametrize(
    "steps, step, wanted",
    [
        ([], "pack_shipment", "picked"),
        ([], "ship_shipment", "packed"),
        (["pick_shipment"], "ship_shipment", "packed"),
        (["pick_shipment", "pack_shipment"], "pick_shipment", "allocated"),
    ],
)
def test_steps_out_of_order_are_refused_naming_both_states(steps, step, wanted):
    level = make_level(sku="TEA-1", on_hand=5)
    shipment = allocate(sku="TEA-1", quantity=2)
    for done in steps:
        getattr(last_leg, done)(shipment)
    before = (shipment.status, counts(level), StockMovement.objects.count())
    with pytest.raises(LogisticsError) as refused:
        getattr(last_leg, step)(shipment)
    assert refused.value.code == "shipment_state" and refused.value.status == 409
    assert shipment.status in refused.value.detail and wanted in refused.value.detail
    shipment.refresh_from_db()
    assert (shipment.status, counts(level), StockMovement.objects.count()) == before


def test_a_failed_booking_leaves_the_parcel_packed_and_a_retry_ships_it_once(monkeypatch):
    level = make_level(sku="TEA-1", on_hand=5)
    shipment = allocate(sku="TEA-1", quantity=2)
    last_leg.pick_shipment(shipment)
    last_leg.pack_shipment(shipment)

    def down(self, shipment):
        raise ConnectionError("carrier down")

    monkeypatch.setattr(carriers.SandboxCarrier, "book", down)
    with pytest.raises(ConnectionError):
        last_leg.ship_shipment(shipment, carrier="sandbox")
    shipment.refresh_from_db()
    assert (shipment.status, shipment.carrier, shipment.tracking_number) == ("packed", "sandbox", "")
    assert counts(level) == (3, 0, 2)
    monkeypatch.undo()
    last_leg.ship_shipment(shipment, carrier="sandbox")
    assert shipment.status == "shipped" and counts(level) == (3, 0, 0)


def test_an_unknown_carrier_is_refused_before_anything_changes():
    level = make_level(sku="TEA-1", on_hand=5)
    shipment = allocate(sku="TEA-1")
    last_leg.pick_shipment(shipment)
    last_leg.pack_shipment(shipment)
    with pytest.raises(LogisticsError) as refused:
        last_leg.ship_shipment(shipment, carrier="pigeon")
    assert refused.value.code == "unknown_carrier" and "pigeon" in refused.value.detail
    shipment.refresh_from_db()
    assert (shipment.status, shipment.carrier) == ("packed", "") and counts(level) == (4, 0, 1)


def test_carriers_come_from_settings_by_code_or_dotted_path(settings):
    settings.LOGISTICS = {**settings.LOGISTICS, "CARRIERS": ["logistics.carriers.SandboxCarrier"]}
    assert isinstance(carriers.get_carrier("sandbox"), carriers.SandboxCarrier)
    settings.LOGISTICS = {**settings.LOGISTICS, "CARRIERS": []}
    with pytest.raises(LogisticsError) as refused:
        carriers.get_carrier("sandbox")
    assert refused.value.code == "unknown_carrier"


def test_cancelling_before_shipping_gives_the_units_back():
    level = make_level(sku="TEA-1", on_hand=5)
    allocated = allocate("o-1", "TEA-1", 2)
    picked = allocate("o-2", "TEA-1", 1)
    last_leg.pick_shipment(picked)
    assert counts(level) == (4, 2, 1)
    last_leg.cancel_shipment(allocated)
    last_leg.cancel_shipment(picked)
    last_leg.cancel_shipment(picked)
    assert allocated.status == picked.status == "cancelled"
    assert counts(level) == (5, 0, 0)
    assert stock.movement_totals()[level.pk] == (5, 0, 0)
    assert set(Reservation.objects.values_list("status", flat=True)) == {"released"}
    with pytest.raises(LogisticsError) as refused:
        last_leg.pick_shipment(allocated)
    assert refused.value.code == "shipment_state"


def test_a_shipped_parcel_cannot_be_cancelled():
    level = make_level(sku="TEA-1", on_hand=5)
    shipment = shipped(level)
    with pytest.raises(LogisticsError) as refused:
        last_leg.cancel_shipment(shipment)
    assert refused.value.code == "shipment_state"
    assert shipment.status == "shipped" and counts(level) == (4, 0, 0)


# --- tracking -----------------------------------------------------------------------------------


def test_the_sandbox_carriers_events_progress_to_delivered_and_repeated_polls_add_nothing(monkeypatch):
    level = make_level(sku="TEA-1", on_hand=5)
    shipment = shipped(level)
    start = shipment.shipped_at
    monkeypatch.setattr(carriers.SandboxCarrier, "DELIVERED_AFTER", dt.timedelta(hours=40))

    assert last_leg.poll_carrier_events(now=start + dt.timedelta(minutes=1))["events"] == 1
    assert last_leg.poll_carrier_events(now=start + dt.timedelta(hours=7))["events"] == 1
    shipment.refresh_from_db()
    assert shipment.status == "in_transit"
    assert last_leg.poll_carrier_events(now=start + dt.timedelta(hours=41))["events"] == 2
    shipment.refresh_from_db()
    assert shipment.status == "delivered" and shipment.delivered_at == start + dt.timedelta(hours=40)

    again = last_leg.poll_carrier_events(now=start + dt.timedelta(days=5))
    assert again == {"shipments": 0, "events": 0, "failed": 0}
    assert list(shipment.events.values_list("status", flat=True)) == [
        "shipped",
        "in_transit",
        "in_transit",
        "delivered",
    ]
    # The carrier itself always answers the same events for the same moment.
    assert carriers.SandboxCarrier().poll(shipment, now=start + dt.timedelta(days=5)) == carriers.SandboxCarrier().poll(
        shipment, now=start + dt.timedelta(days=5)
    )


def test_one_parcels_polling_failure_does_not_stop_the_others(monkeypatch):
    level = make_level(sku="TEA-1", on_hand=5)
    broken, fine = shipped(level, "o-1"), shipped(level, "o-2")
    real_poll = carriers.SandboxCarrier.poll

    def flaky(self, shipment, *, now=None):
        if shipment.pk == broken.pk:
            raise TimeoutError("carrier timed out")
        return real_poll(self, shipment, now=now)

    monkeypatch.setattr(carriers.SandboxCarrier, "poll", flaky)
    result = last_leg.poll_carrier_events(now=timezone.now() + dt.timedelta(hours=7))
    assert result == {"shipments": 2, "events": 2, "failed": 1}
    assert not broken.events.exists() and fine.events.count() == 2


def test_an_older_event_does_not_move_the_status_back():
    level = make_level(sku="TEA-1", on_hand=5)
    shipment = shipped(level)
    now = timezone.now()
    last_leg.record_tracking_event(shipment=shipment, event_id="e-3", status="delivered", occurred_at=now)
    last_leg.record_tracking_event(
        shipment=shipment, event_id="e-2", status="in_transit", occurred_at=now - dt.timedelta(hours=5)
    )
    last_leg.record_tracking_event(shipment=shipment, event_id="e-3", status="delivered", occurred_at=now)
    assert shipment.status == "delivered" and shipment.delivered_at == now
    assert list(shipment.events.values_list("event_id", flat=True)) == ["e-2", "e-3"]


def test_a_tracking_event_must_name_a_tracking_status():
    level = make_level(sku="TEA-1", on_hand=5)
    shipment = shipped(level)
    with pytest.raises(LogisticsError) as refused:
        last_leg.record_tracking_event(
            shipment=shipment, event_id="e-1", status="cancelled", occurred_at=timezone.now()
        )
    assert refused.value.field == "status" and not TrackingEvent.objects.exists()


def test_the_poll_task_records_events_and_the_expiry_task_releases_lapsed_holds():
    level = make_level(sku="TEA-1", on_hand=5)
    shipped(level)
    stock.reserve(level, 1, reference="checkout-1", expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert last_leg_tasks.poll_carriers.name == "logistics.poll_carriers"
    assert last_leg_tasks.poll_carriers()["events"] == 1
    assert last_leg_tasks.expire_reservations.name == "logistics.expire_reservations"
    assert last_leg_tasks.expire_reservations() == {"released": 1}
    assert counts(level) == (4, 0, 0)


# --- cross-border direct: the partner relays tracking -----------------------------------------------


def counts_but_nonces():
    """Every table's row count but the nonce store (a signed request's nonce is kept to refuse replays)."""
    found = table_counts()
    found.pop("crossborder.SeenNonce")
    return found


def direct_shipment(remote, order_line="o-9", sku="US-BOOT-9"):
    return last_leg.create_direct_shipment(
        partnership=remote.partnership, order_line=order_line, sku=sku, quantity=1, recipient=RECIPIENT
    )


def tracking_payload(order_line="o-9", sku="US-BOOT-9", events=None):
    return {
        "order_line": order_line,
        "sku": sku,
        "carrier": "usps",
        "tracking_number": "9400100000000000000000",
        "events": events
        if events is not None
        else [
            {
                "event_id": "usps-2",
                "status": "in_transit",
                "description": "Departed international hub",
                "location": "Los Angeles",
                "occurred_at": "2026-03-02T08:00:00+00:00",
            },
            {
                "event_id": "usps-1",
                "status": "shipped",
                "description": "Accepted",
                "location": "Denver",
                "occurred_at": "2026-03-01T10:00:00+00:00",
            },
        ],
    }


def test_a_tracking_message_from_the_partner_records_the_direct_shipments_events(remote, api):
    shipment = direct_shipment(remote)
    response = remote.post_message(api, "delivery.tracking", tracking_payload())
    assert response.status_code == 200, response.content
    assert body_json(response)["result"] == {"shipment": str(shipment.reference), "status": "in_transit", "recorded": 2}
    shipment.refresh_from_db()
    assert (shipment.carrier, shipment.tracking_number, shipment.status) == (
        "usps",
        "9400100000000000000000",
        "in_transit",
    )
    assert shipment.shipped_at == dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)
    assert list(shipment.events.values_list("event_id", flat=True)) == ["usps-1", "usps-2"]

    repeat = remote.post_message(
        api,
        "delivery.tracking",
        tracking_payload(
            events=[
                {"event_id": "usps-1", "status": "shipped", "occurred_at": "2026-03-01T10:00:00+00:00"},
                {"event_id": "usps-3", "status": "delivered", "occurred_at": "2026-03-04T15:00:00+00:00"},
            ]
        ),
    )
    assert body_json(repeat)["result"]["recorded"] == 1
    shipment.refresh_from_db()
    assert shipment.status == "delivered" and shipment.events.count() == 3


def test_a_tracking_message_for_an_unknown_shipment_answers_404_and_records_nothing(remote, api):
    direct_shipment(remote, order_line="o-9")
    before = counts_but_nonces()
    response = remote.post_message(api, "delivery.tracking", tracking_payload(order_line="o-404"))
    assert response.status_code == 404
    body = body_json(response)
    assert body["code"] == "unknown_shipment" and "o-404" in body["detail"] and "US-BOOT-9" in body["detail"]
    assert counts_but_nonces() == before


def test_a_tracking_message_with_a_bad_status_is_refused(remote, api):
    direct_shipment(remote)
    before = counts_but_nonces()
    payload = tracking_payload(events=[{"event_id": "x", "status": "lost", "occurred_at": "2026-03-01T10:00:00Z"}])
    response = remote.post_message(api, "delivery.tracking", payload)
    assert response.status_code == 400 and body_json(response)["code"] == "invalid_payload"
    assert counts_but_nonces() == before


def test_the_exporter_relays_direct_tracking_through_the_outbox(remote):
    event = carriers.CarrierEvent(
        event_id="usps-1",
        status="shipped",
        description="Accepted",
        location="Denver",
        occurred_at=dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC),
    )
    last_leg.send_direct_tracking(
        partnership=remote.partnership,
        order_line="o-9",
        sku="US-BOOT-9",
        carrier="usps",
        tracking_number="9400",
        events=[event],
    )
    message = OutboxMessage.objects.get()
    assert message.message_type == "delivery.tracking"
    assert message.payload == {
        "order_line": "o-9",
        "sku": "US-BOOT-9",
        "carrier": "usps",
        "tracking_number": "9400",
        "events": [
            {
                "event_id": "usps-1",
                "status": "shipped",
                "description": "Accepted",
                "location": "Denver",
                "occurred_at": "2026-03-01T10:00:00+00:00",
            }
        ],
    }


def test_the_shopper_sees_each_delivery_with_its_source_and_events_in_order(remote, django_assert_max_num_queries):
    level = make_level(sku="TEA-1", on_hand=5)
    local = allocate("order-5/line-1", "TEA-1", 1)
    last_leg.pick_shipment(local)
    last_leg.pack_shipment(local)
    last_leg.ship_shipment(local)
    last_leg.poll_carrier_events(now=timezone.now() + dt.timedelta(hours=7))
    direct_shipment(remote, order_line="order-5/line-1", sku="US-BOOT-9")
    with django_assert_max_num_queries(2):
        views = last_leg.tracking_for_shopper("order-5/line-1")
    assert [(v["sku"], v["kind_label"], v["status"]) for v in views] == [
        ("TEA-1", "from our warehouse", "in_transit"),
        ("US-BOOT-9", "shipped from abroad by the partner", "allocated"),
    ]
    assert [e["status"] for e in views[0]["events"]] == ["shipped", "in_transit"]
    assert views[0]["tracking_number"].startswith("SBX") and counts(level) == (4, 0, 0)


# --- the command and the admin --------------------------------------------------------------------


def test_the_ship_order_line_command_allocates_picks_packs_and_ships(capsys):
    level = make_level(sku="TEA-1", on_hand=5)
    call_command(
        "ship_order_line",
        "--order-line=demo-1",
        "--sku=TEA-1",
        "--quantity=2",
        "--name=Li Wei",
        "--address=88 Century Avenue|Flat 12B",
        "--city=Shanghai",
        "--country=CN",
        "--ship",
    )
    shipment = Shipment.objects.get(order_line="demo-1")
    assert shipment.status == "shipped" and counts(level) == (3, 0, 0)
    assert shipment.tracking_number in capsys.readouterr().out
    with pytest.raises(CommandError, match="insufficient_stock"):
        call_command(
            "ship_order_line",
            "--order-line=demo-2",
            "--sku=TEA-1",
            "--quantity=9",
            "--name=Li Wei",
            "--address=88 Century Avenue",
            "--city=Shanghai",
            "--country=CN",
        )


@pytest.fixture
def ops(client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("ops", "ops@example.com", "not-a-real-password-1"))
    return client


def test_admin_actions_pick_pack_and_ship_through_the_services(ops, settings):
    settings.LANGUAGE_CODE = "en"  # the admin speaks the platform's language; read it in English here
    level = make_level(sku="TEA-1", on_hand=5)
    shipment = allocate(sku="TEA-1", quantity=2)
    for action in ("pick", "pack", "ship"):
        ops.post("/admin/logistics/shipment/", {"action": action, "_selected_action": [shipment.pk]})
    shipment.refresh_from_db()
    assert shipment.status == "shipped" and counts(level) == (3, 0, 0)
    response = ops.post(
        "/admin/logistics/shipment/", {"action": "pick", "_selected_action": [shipment.pk]}, follow=True
    )
    assert "it can be picked only when allocated" in response.content.decode()


def test_admin_shipment_and_reservation_pages_run_a_fixed_number_of_queries(ops, remote, django_assert_max_num_queries):
    def make(n):
        for _ in range(n):
            level = make_level(owner=remote.partner, on_hand=3)
            shipment = allocate(f"o-{level.pk}", level.sku, 1)
            last_leg.pick_shipment(shipment)
            last_leg.pack_shipment(shipment)
            last_leg.ship_shipment(shipment)
            direct_shipment(remote, order_line=f"d-{level.pk}", sku=level.sku)

    make(2)
    with CaptureQueriesContext(connection) as two:
        assert ops.get("/admin/logistics/shipment/").status_code == 200
        assert ops.get("/admin/logistics/reservation/").status_code == 200
    make(8)
    with django_assert_max_num_queries(len(two)):
        assert ops.get("/admin/logistics/shipment/").status_code == 200
        assert ops.get("/admin/logistics/reservation/").status_code == 200
    shipment = Shipment.objects.filter(kind="local").first()
    last_leg.poll_carrier_events(now=timezone.now() + dt.timedelta(days=3))
    assert ops.get(f"/admin/logistics/shipment/{shipment.pk}/change/").status_code == 200
    assert ops.get(f"/admin/logistics/reservation/{shipment.reservation_id}/change/").status_code == 200


def test_the_exporter_cannot_relay_an_event_with_an_unknown_status(remote):
    with pytest.raises(LogisticsError) as refused:
        last_leg.send_direct_tracking(
            partnership=remote.partnership,
            order_line="o-9",
            sku="US-BOOT-9",
            carrier="usps",
            tracking_number="9400",
            events=[{"event_id": "usps-1", "status": "lost", "occurred_at": "2026-03-01T10:00:00Z"}],
        )
    assert refused.value.field == "status" and not OutboxMessage.objects.exists()


def test_allocating_from_an_unknown_warehouse_names_it():
    make_level(sku="TEA-1", on_hand=5)
    with pytest.raises(LogisticsError) as refused:
        allocate(sku="TEA-1", warehouse="nowhere")
    assert refused.value.code == "unknown_warehouse" and "nowhere" in refused.value.detail
