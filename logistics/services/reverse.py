"""Reverse consignments: the importer sends the exporter's goods back in one consolidated
shipment, carrying what waits for it: the units of aged-stock returns the exporter agreed to
(ageing.carry_out took them off the shelves: `aged:` SENT_BACK movements) and the returned units
after-sales decided to send back (held as `reverse:` allocations, which become the shipment here).
Each thing carried is a ReverseConsignmentItem with a unique reference, so nothing leaves twice;
after-sales tells the partner of its returned units (hook reverse_consignment_sent)."""

from collections import Counter

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crossborder.models import Partnership

from .. import hooks
from ..errors import LogisticsErrorCode as Code
from ..models import Consignment, ConsignmentLine, ReverseConsignmentItem
from ..selectors import held_to_send_back
from . import LogisticsError, stock
from .ageing import pending_returns
from .first_leg import _check_text


def waiting_to_send_back(*, partnership):
    """(aged-stock returns not yet carried, held returned units) of the partner: what the next
    reverse consignment takes."""
    carried = ReverseConsignmentItem.objects.filter(consignment__partnership=partnership).values("source_reference")
    aged = list(pending_returns(partnership=partnership).exclude(reference__in=carried))
    return aged, list(held_to_send_back(partnership=partnership))


@transaction.atomic
def send_reverse_consignment(*, partnership, carrier="", tracking_number="", actor="", now=None):
    """Ship everything waiting to go back to the partner in one REVERSE consignment: its lines per
    SKU, an item per aged return and per held unit; the held units' allocations become the
    shipment. Refused (nothing written) when nothing waits, or without a subscriber to tell the
    partner of its returned units. Returns the consignment."""
    now = now or timezone.now()
    partnership = Partnership.objects.select_for_update().select_related("partner").get(pk=partnership.pk)
    carrier = _check_text(carrier, field="carrier", max_length=80)
    tracking_number = _check_text(tracking_number, field="tracking_number", max_length=80)
    aged, held = waiting_to_send_back(partnership=partnership)
    if not aged and not held:
        raise LogisticsError(
            Code.INVALID,
            _("Nothing waits to be sent back to %(partner)s.") % {"partner": partnership.partner.code},
            field="partnership",
            status=409,
        )
    if held and not hooks.reverse_consignment_sent.subscribers:
        raise LogisticsError(
            Code.NOT_WIRED, _("No after-sales is installed to tell the partner of its returned units."), status=503
        )
    consignment = Consignment.objects.create(
        partnership=partnership,
        direction=Consignment.Direction.REVERSE,
        status=Consignment.Status.NOTIFIED,
        warehouse=(held[0].stock.warehouse if held else aged[0].stock.warehouse),
        carrier=carrier,
        tracking_number=tracking_number,
        notified_at=now,
    )
    shipment = f"consignment:{consignment.reference}"
    items, units = [], Counter()
    for movement in aged:
        quantity = -movement.on_hand_delta
        items.append(ReverseConsignmentItem(consignment=consignment, source_reference=movement.reference,
                                            sku=movement.stock.sku, quantity=quantity))  # fmt: skip
        units[(movement.stock.sku, movement.stock.partner_product)] += quantity
    for reservation in held:
        stock.send_back_held(reservation.reference, reference=f"{shipment}:{reservation.reference}", actor=actor)
        items.append(ReverseConsignmentItem(consignment=consignment, source_reference=reservation.reference,
                                            sku=reservation.stock.sku, quantity=reservation.quantity))  # fmt: skip
        units[(reservation.stock.sku, reservation.stock.partner_product)] += reservation.quantity
    ReverseConsignmentItem.objects.bulk_create(items)
    per_sku = Counter()
    products = {}
    for (sku, product), quantity in units.items():
        per_sku[sku] += quantity
        products.setdefault(sku, product)
    ConsignmentLine.objects.bulk_create(
        ConsignmentLine(consignment=consignment, sku=sku, partner_product=products[sku], quantity=quantity)
        for sku, quantity in sorted(per_sku.items())
    )
    if held:
        hooks.reverse_consignment_sent.fire(consignment=consignment, references=[r.reference for r in held])
    return consignment
