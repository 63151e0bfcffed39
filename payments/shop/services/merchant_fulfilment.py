"""A merchant fulfils the lines of its goods it ships itself (payments.shop.merchant_selectors says
which): pick, pack, and ship with one of our carriers under the tracking number of the parcel it
booked. At home the tracking reaches the shopper (logistics' shipment_progressed: the order page and
the notification e-mail); abroad it is relayed to the partner with the line's status (the forwarded
order's own path, services.forwarded). Each step is one transaction on the locked delivery; a repeat
of pick or pack changes nothing, and everything refused changes nothing."""

import re

from django.db import transaction
from django.utils.translation import gettext as _

from crossborder.errors import DomainError
from logistics import carriers
from logistics.models import Shipment
from logistics.services import last_leg

from ...errors import FulfilmentErrorCode as Code
from .. import merchant_selectors as lines
from . import forwarded

STEPS = ("pick", "pack", "ship")
# A carrier's tracking number: letters, digits and dashes, 4 to 40 of them, starting with a letter or digit.
TRACKING_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{3,39}")
PAST = (Shipment.Status.SHIPPED, Shipment.Status.IN_TRANSIT, Shipment.Status.DELIVERED, Shipment.Status.FAILED)


def _refused(code, detail, field, status=400):
    return DomainError(code, detail, field=field, status=status)


def check_tracking_number(value):
    value = str(value or "").strip()
    if not value:
        raise _refused(Code.INVALID_TRACKING, _("Enter the parcel's tracking number."), "tracking_number")
    if not TRACKING_NUMBER.fullmatch(value):
        raise _refused(
            Code.INVALID_TRACKING,
            _("%(value)s is not a tracking number: use 4 to 40 letters, digits or dashes.") % {"value": value[:80]},
            "tracking_number",
        )
    return value


def check_carrier(value):
    value = str(value or "").strip()
    known = carriers.configured_carriers()
    if value not in known:
        raise _refused(
            Code.UNKNOWN_CARRIER,
            _("%(carrier)s is not one of our carriers (%(known)s).")
            % {"carrier": value or "-", "known": ", ".join(carrier.name for carrier in known.values())},
            "carrier",
        )
    return value


def _check_shippable(row, step):
    if not row.ships_itself:
        raise _refused(
            Code.NOT_YOURS_TO_SHIP,
            _("This line is not yours to ship: %(who)s ships it.") % {"who": row.who_ships},
            "line",
            status=409,
        )
    if row.status == lines.LineStatus.CANCELLED:
        raise _refused(
            Code.CANCELLED, _("This line was cancelled; it cannot be %(step)s.") % {"step": _past(step)}, "line", 409
        )
    if row.status in PAST:
        raise _refused(
            Code.ALREADY_SHIPPED,
            _("This line was shipped already (%(carrier)s %(tracking)s).")
            % {"carrier": row.carrier or "-", "tracking": row.tracking_number or "-"},
            "line",
            409,
        )
    if row.shipment is None or row.status not in lines.TO_SHIP:
        raise _refused(
            Code.NOT_READY,
            _("This line awaits stock; it can be %(step)s once stock is allocated to it.") % {"step": _past(step)},
            "line",
            409,
        )


def _past(step):
    return {"pick": _("picked"), "pack": _("packed"), "ship": _("shipped")}[step]


def fulfil_line(*, merchant, where, line_id, step, carrier="", tracking_number="", actor=""):
    """Run `step` (pick, pack or ship) on one line of the merchant's goods; pack picks first and
    ship picks and packs what is not yet. Returns the line as the pages show it. Refused with the
    reason, nothing written: another merchant's line (404), a line it does not ship itself, a
    cancelled one, one shipped already, one awaiting stock, an unknown carrier, an empty or
    malformed tracking number."""
    if step not in STEPS:
        raise _refused(
            Code.UNKNOWN_STEP, _("%(step)s is not a step; one of pick, pack, ship.") % {"step": step}, "step"
        )
    if step == "ship":
        carrier = check_carrier(carrier)
        tracking_number = check_tracking_number(tracking_number)
    with transaction.atomic():
        row = lines.merchant_line(merchant, where, line_id)
        if row is None:
            raise _refused(Code.UNKNOWN_LINE, _("No such line of your goods."), "line", status=404)
        if row.shipment is not None:
            # The delivery is locked before its status is read again: a second click waits, then is refused.
            row.shipment = Shipment.objects.select_for_update(of=("self",)).get(pk=row.shipment.pk)
            row.status = row.shipment.status
        _check_shippable(row, step)
        if where == lines.ABROAD:
            _abroad(row, step, carrier, tracking_number, actor)
        else:
            _home(row, step, carrier, tracking_number, actor)
    return lines.merchant_line(merchant, where, line_id)


def _home(row, step, carrier, tracking_number, actor):
    shipment = row.shipment
    if shipment.status == Shipment.Status.ALLOCATED:
        last_leg.pick_shipment(shipment, actor=actor)
    if step in ("pack", "ship") and shipment.status == Shipment.Status.PICKED:
        last_leg.pack_shipment(shipment, actor=actor)
    if step == "ship":
        # The merchant booked the parcel: its tracking number is recorded, no carrier is called.
        last_leg.ship_shipment(shipment, carrier=carrier, tracking_number=tracking_number, actor=actor)


def _abroad(row, step, carrier, tracking_number, actor):
    line, order = row.line, row.line.order
    if step == "pick":
        forwarded.pick(forwarded=order, lines=[line], actor=actor)
    elif step == "pack":
        forwarded.pack(forwarded=order, lines=[line], actor=actor)
    else:
        forwarded.ship(forwarded=order, carrier=carrier, lines=[line], tracking_number=tracking_number, actor=actor)
