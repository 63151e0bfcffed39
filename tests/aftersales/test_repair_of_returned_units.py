"""Disposition repair of a returned unit: a repair ticket at the return warehouse's address,
dispatched to a provider like any ticket and paid by whom the agreement says for repairs; once
repaired the unit is released and goes on by the rules, when it cannot be repaired it is disposed
of; the partner is told each step and the cost posts once."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from aftersales.choices import Disposition, Grade
from aftersales.models import ReceivedDisposition, ReturnUnit, ServiceTicket
from aftersales.returns.services import disposition
from aftersales.service.services import tickets
from crossborder.errors import DomainError
from crossborder.models import OutboxMessage
from logistics.models import Reservation, StockLevel
from payments.models import LedgerTransaction, Posting
from tests.payments.shop_factories import partner_listing

from .factories import paid_line, returned_units
from .service_factories import make_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def warehouse(service_shop):
    service_shop.city, service_shop.postcode, service_shop.address = "Shanghai", "200131", "1 Waigaoqiao Rd"
    service_shop.save()
    return service_shop


def partner_unit(warehouse, grade=Grade.GOOD, *, fees=None):
    listing = partner_listing(export_price="20.00")
    if fees:
        partnership = listing.partnership
        partnership.fee_schedule = {**partnership.fee_schedule, **fees}
        partnership.save(update_fields=["fee_schedule"])
    [unit] = returned_units(paid_line(listing), grade, warehouse=warehouse)
    return ReturnUnit.objects.get(pk=unit.pk)


def repair(unit):
    return disposition.decide(unit, Disposition.REPAIR, reason="the zip is stuck", actor=staff())


def staff():
    return get_user_model().objects.get_or_create(username="ops-anna", defaults={"is_staff": True})[0]


def steps():
    return [
        (m.payload["disposition"], m.payload["step"])
        for m in OutboxMessage.objects.filter(message_type="return.disposition").order_by("pk")
    ]


def postings_of(reference):
    return sorted(
        (p.account.code, str(p.amount))
        for p in Posting.objects.filter(transaction__reference=reference).select_related("account")
    )


def work_through(ticket, provider, *, repaired=True):
    tickets.accept(ticket=ticket, provider=provider)
    tickets.schedule(ticket=ticket, provider=provider, at=timezone.now() + dt.timedelta(hours=5))
    if repaired:
        return tickets.complete(ticket=ticket, provider=provider, note="new zip")
    return tickets.report_unrepairable(ticket=ticket, provider=provider, note="the frame is cracked")


def test_repair_opens_a_ticket_at_the_warehouse_dispatched_to_the_cheapest_provider_and_paid_by_the_partner(
    warehouse,
):
    make_provider("Dear Fixers", prices={"repair": "150.00"})
    cheap = make_provider("Cheap Fixers", prices={"repair": "90.00"})
    unit = partner_unit(warehouse)

    repair(unit)

    ticket = ServiceTicket.objects.get(return_unit=unit)
    assert (ticket.source, ticket.status, ticket.provider, ticket.payer) == ("unit", "dispatched", cheap, "partner")
    assert (ticket.city, ticket.postcode, ticket.address["address_lines"]) == (
        "Shanghai",
        "200131",
        ["1 Waigaoqiao Rd"],
    )
    assert str(ticket.cost.amount) == "90.00" and ticket.return_request == unit.line.request
    held = Reservation.objects.get(reference__startswith="repair:")
    assert held.status == "active"
    message = OutboxMessage.objects.get(message_type="return.disposition")
    assert message.payload["disposition"] == "repair" and message.payload["step"] == "repair_dispatched"
    assert message.payload["repair_ticket"] == str(ticket.reference)
    assert message.payload["repair_payer"] == "partner"


def test_a_repaired_unit_is_released_and_resold_by_the_rules_the_partner_told_each_step_and_charged_once(warehouse):
    provider = make_provider(prices={"repair": "90.00"})
    unit = partner_unit(warehouse, Grade.GOOD)
    repair(unit)
    ticket = ServiceTicket.objects.get(return_unit=unit)

    work_through(ticket, provider)

    unit.refresh_from_db()
    ticket.refresh_from_db()
    assert (ticket.status, ticket.repaired) == ("completed", True)
    assert (unit.disposition, unit.disposition_by_rule) == (Disposition.RESELL, True)
    assert "Repaired" in unit.disposition_reason
    assert Reservation.objects.get(reference__startswith="repair:").status == "released"
    graded = StockLevel.objects.get(owner=unit.partnership.partner, grade=Grade.GOOD)
    new = StockLevel.objects.get(owner=unit.partnership.partner, grade="")
    assert (graded.on_hand, graded.reserved, new.on_hand, new.reserved) == (1, 0, 0, 0)
    assert steps() == [
        ("repair", "repair_dispatched"),
        ("repair", "repair_scheduled"),
        ("resell", "repaired"),
    ]
    # The provider's price owed to it, charged to the partner (its warranty), once.
    assert postings_of(ticket.ledger_reference) == [("provider_payables", "-90.0000"), ("service_costs", "90.0000")]
    assert postings_of(f"{ticket.ledger_reference}:partner") == [
        ("partner_balance", "90.0000"),
        ("service_fee_income", "-90.0000"),
    ]
    with pytest.raises(DomainError):
        tickets.complete(ticket=ticket, provider=provider)
    assert LedgerTransaction.objects.filter(reference__startswith=ticket.ledger_reference).count() == 2


def test_a_repaired_unit_graded_new_goes_back_into_stock_as_new(warehouse):
    provider = make_provider()
    unit = partner_unit(warehouse, Grade.NEW)
    repair(unit)

    work_through(ServiceTicket.objects.get(return_unit=unit), provider)

    unit.refresh_from_db()
    assert unit.disposition == Disposition.RESTOCK
    level = StockLevel.objects.get(owner=unit.partnership.partner, grade="")
    assert (level.on_hand, level.reserved) == (1, 0)


def test_a_unit_that_cannot_be_repaired_is_disposed_of_and_the_partner_told(warehouse):
    provider = make_provider()
    unit = partner_unit(warehouse, Grade.ACCEPTABLE)
    repair(unit)
    ticket = ServiceTicket.objects.get(return_unit=unit)

    work_through(ticket, provider, repaired=False)

    unit.refresh_from_db()
    ticket.refresh_from_db()
    assert (ticket.status, ticket.repaired) == ("completed", False)
    assert unit.disposition == Disposition.DISPOSE and "frame is cracked" in unit.disposition_reason
    level = StockLevel.objects.get(owner=unit.partnership.partner, grade="")
    assert (level.on_hand, level.reserved) == (0, 0)
    assert steps()[-1] == ("dispose", "unrepairable")
    assert [e.kind for e in ticket.events.all()][-1] == "unrepairable"


def test_only_a_returned_units_ticket_can_be_reported_unrepairable(warehouse, service_shop):
    from .service_factories import checkout_with_installation, installable_variant, place_and_pay

    provider = make_provider()
    order = place_and_pay(checkout_with_installation((installable_variant(service_shop), 1)))
    ticket = ServiceTicket.objects.get(order=order)
    tickets.accept(ticket=ticket, provider=provider)

    with pytest.raises(DomainError) as refused:
        tickets.report_unrepairable(ticket=ticket, provider=provider, note="no")

    assert refused.value.status == 409
    ticket.refresh_from_db()
    assert (ticket.status, ticket.repaired) == ("accepted", None)


def test_own_goods_repair_is_paid_by_the_platform(warehouse):
    from tests.payments.shop_factories import own_variant

    provider = make_provider(prices={"repair": "70.00"})
    [unit] = returned_units(paid_line(own_variant(warehouse)), Grade.GOOD, warehouse=warehouse)
    repair(unit)
    ticket = ServiceTicket.objects.get(return_unit=unit)
    assert ticket.payer == "platform"

    work_through(ticket, provider)

    assert postings_of(ticket.ledger_reference) == [("provider_payables", "-70.0000"), ("service_costs", "70.0000")]
    assert not OutboxMessage.objects.filter(message_type="return.disposition").exists()


def test_a_shopper_payer_in_the_agreement_makes_the_platform_pay_a_returned_units_repair(warehouse):
    make_provider()
    unit = partner_unit(warehouse, fees={"service_repair_payer": "shopper"})

    repair(unit)

    assert ServiceTicket.objects.get(return_unit=unit).payer == "platform"


def test_with_no_provider_serving_the_warehouse_the_ticket_waits_for_ops_and_the_decision_stands(warehouse):
    unit = partner_unit(warehouse)

    repair(unit)

    ticket = ServiceTicket.objects.get(return_unit=unit)
    assert (ticket.status, ticket.provider) == ("requested", None)
    assert [e.kind for e in ticket.events.all()] == ["requested", "not_dispatched"]
    assert steps() == [("repair", "repair_requested")]
    # Ops send it to a provider later: the partner hears of it.
    provider = make_provider(city="Suzhou")
    tickets.dispatch(ticket=ticket, provider=provider, staff=staff())
    assert steps()[-1] == ("repair", "repair_dispatched")


def test_the_rules_may_send_a_unit_to_repair_and_ops_deciding_again_call_the_repair_off(warehouse):
    make_provider()
    unit = partner_unit(warehouse, fees={"return_dispositions": {"good": "repair"}})
    disposition.apply_rules([unit])
    ticket = ServiceTicket.objects.get(return_unit=unit)
    assert ticket.status == "dispatched"

    disposition.decide(unit, Disposition.RESELL, reason="only a loose thread", actor=staff())

    ticket.refresh_from_db()
    unit.refresh_from_db()
    assert (ticket.status, unit.disposition) == ("cancelled", Disposition.RESELL)
    assert Reservation.objects.get(reference__startswith="repair:").status == "released"
    graded = StockLevel.objects.get(owner=unit.partnership.partner, grade=Grade.GOOD)
    assert (graded.on_hand, graded.reserved) == (1, 0)


def test_the_exporter_keeps_each_newer_step_of_its_unit(warehouse):
    provider = make_provider()
    unit = partner_unit(warehouse)
    repair(unit)
    work_through(ServiceTicket.objects.get(return_unit=unit), provider)
    partnership = unit.partnership

    for message in OutboxMessage.objects.filter(message_type="return.disposition").order_by("pk"):
        disposition.record_partner_disposition(partnership=partnership, payload=_parsed(message.payload))
    # An older step arriving late changes nothing.
    first = OutboxMessage.objects.filter(message_type="return.disposition").order_by("pk").first()
    disposition.record_partner_disposition(partnership=partnership, payload=_parsed(first.payload))

    row = ReceivedDisposition.objects.get()
    assert (row.disposition, row.step) == ("resell", "repaired")
    assert row.repair_ticket


def _parsed(payload):
    from aftersales.handlers.resale import DispositionPayload

    serializer = DispositionPayload(data=payload)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def test_the_provider_closes_a_returned_units_repair_as_not_repairable_on_its_page(warehouse, client):
    from django.urls import reverse

    from aftersales.service.services import links

    provider = make_provider()
    unit = partner_unit(warehouse)
    repair(unit)
    ticket = ServiceTicket.objects.get(return_unit=unit)
    tickets.accept(ticket=ticket, provider=provider)
    url = reverse("service:provider_ticket", args=[links.link_token(provider), ticket.reference])
    assert 'value="unrepairable"' in client.get(url).content.decode()

    empty = client.post(url, {"action": "unrepairable", "note": " "})
    assert empty.status_code == 400
    assert ServiceTicket.objects.get(pk=ticket.pk).status == "accepted"
    response = client.post(url, {"action": "unrepairable", "note": "motor burnt out"})

    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.disposition == Disposition.DISPOSE
    assert ServiceTicket.objects.get(pk=ticket.pk).repaired is False


# --- send back: the next reverse consignment carries the held units -------------------------------


def test_units_held_to_send_back_leave_in_the_next_reverse_consignment_with_aged_returns_and_the_partner_is_told(
    warehouse,
):
    from logistics.models import Consignment, StockMovement
    from logistics.selectors import held_to_send_back
    from logistics.services import reverse
    from logistics.services import stock as stock_service

    first, second = partner_unit(warehouse), partner_unit(warehouse)
    for unit in (first, second):
        disposition.decide(unit, Disposition.SEND_BACK, reason="the partner wants it back", actor=staff())
    partnership = first.partnership
    aged_level = StockLevel.objects.get(owner=partnership.partner, sku=first.line.order_line.sku, grade="")
    stock_service.receive(aged_level, 3, reference="consignment:old")
    stock_service.send_back(aged_level, 2, reference="aged:11111111-1111-1111-1111-111111111111")

    consignment = reverse.send_reverse_consignment(partnership=partnership, carrier="SF", tracking_number="SF1")

    assert (consignment.direction, consignment.status) == ("reverse", "notified")
    sku = first.line.order_line.sku
    # The first unit's SKU with the two aged units of it, the second unit's on its own line.
    assert {(line.sku, line.quantity) for line in consignment.lines.all()} == {
        (sku, 3),
        (second.line.order_line.sku, 1),
    }
    assert sorted(i.source_reference.split(":")[0] for i in consignment.reverse_items.all()) == [
        "aged",
        "reverse",
        "reverse",
    ]
    assert not held_to_send_back(partnership=partnership).exists()
    assert set(Reservation.objects.filter(reference__startswith="reverse:").values_list("status", flat=True)) == {
        "picked"
    }
    assert StockMovement.objects.filter(kind="sent_back", reference__startswith=f"consignment:{consignment.reference}")
    sent = [
        m.payload
        for m in OutboxMessage.objects.filter(message_type="return.disposition").order_by("pk")
        if m.payload["step"] == "sent_back"
    ]
    assert sorted(p["unit"] for p in sent) == sorted(disposition.unit_key(u) for u in (first, second))
    assert {p["consignment"] for p in sent} == {str(consignment.reference)}
    # Nothing waits now: the next one is refused and writes nothing.
    with pytest.raises(DomainError) as refused:
        reverse.send_reverse_consignment(partnership=partnership)
    assert refused.value.status == 409
    assert Consignment.objects.filter(direction="reverse").count() == 1


def test_ops_send_the_held_units_back_from_the_returned_units_admin(warehouse, admin_client):
    from django.urls import reverse as url

    from logistics.models import Consignment

    unit = partner_unit(warehouse)
    disposition.decide(unit, Disposition.SEND_BACK, reason="the partner wants it back", actor=staff())
    changelist = url("admin:aftersales_returnunit_changelist")

    response = admin_client.post(changelist, {"action": "send_back_now", "_selected_action": [unit.pk]}, follow=True)

    assert response.status_code == 200
    consignment = Consignment.objects.get(direction="reverse")
    assert consignment.reverse_items.get().source_reference.startswith("reverse:")
    again = admin_client.post(changelist, {"action": "send_back_now", "_selected_action": [unit.pk]}, follow=True)
    assert "Nothing waits" in again.content.decode()
    assert Consignment.objects.filter(direction="reverse").count() == 1


def test_a_returned_units_repair_is_not_shown_on_the_shoppers_order_page(warehouse):
    from aftersales.service import selectors

    make_provider()
    unit = partner_unit(warehouse)
    repair(unit)

    assert ServiceTicket.objects.filter(order=unit.line.order_line.order).count() == 1
    assert selectors.order_tickets(unit.line.order_line.order) == []
