"""The last leg: deliveries to shoppers from our warehouses (allocate, pick, pack, ship with a local
carrier, track), and cross-border DIRECT shipments the partner sends, whose tracking it relays.

Orders live in a later app; here an order line is an opaque reference string, and one shipment
serves one (order line, SKU). Every step is idempotent for a repeat of itself and refused from the
wrong state. Carriers are called outside any transaction: the intent is committed first, then the
carrier is called, then the result is recorded (DESIGN.md section 2)."""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django_countries import countries

from crossborder.services import send_to_partner

from .. import carriers as carrier_registry
from .. import hooks
from ..errors import LogisticsErrorCode
from ..models import Reservation, Shipment, StockLevel, StockMovement, TrackingEvent, Warehouse
from . import LogisticsError, stock

log = logging.getLogger(__name__)

Status = Shipment.Status
TRACKING_MESSAGE = "delivery.tracking"
ANY_OWNER = object()  # allocate from own or consignment stock, whichever `prefer` says first

# Where a status stands on the way to the shopper; tracking only ever moves a shipment forward.
_RANK = {
    Status.ALLOCATED: 0,
    Status.PICKED: 1,
    Status.PACKED: 2,
    Status.SHIPPED: 3,
    Status.IN_TRANSIT: 4,
    Status.FAILED: 5,
    Status.DELIVERED: 6,
}
TRACKING_STATUSES = tuple(_RANK)  # a carrier or partner never cancels our shipment
CANCELLABLE = (Status.ALLOCATED, Status.PICKED, Status.PACKED)  # not yet handed to a carrier


def _state_error(shipment, wanted, action):
    return LogisticsError(
        LogisticsErrorCode.SHIPMENT_STATE,
        _("Shipment %(ref)s is %(status)s; it can be %(action)s only when %(wanted)s.")
        % {
            "ref": str(shipment.reference)[:8],
            "status": Status(shipment.status).label,
            "wanted": " / ".join(str(Status(s).label) for s in wanted),
            "action": action,
        },
        field="status",
        status=409,
    )


def _order_line(value):
    value = str(value or "").strip()
    if not value or len(value) > 120:
        raise LogisticsError(
            LogisticsErrorCode.INVALID,
            _("An order line reference is required (at most 120 characters)."),
            field="order_line",
        )
    return value


def _sku(value):
    value = str(value or "").strip()
    if not value or len(value) > 64:
        raise LogisticsError(
            LogisticsErrorCode.UNKNOWN_SKU, _("A SKU is required (at most 64 characters)."), field="sku"
        )
    return value


def validate_recipient(recipient):
    """The recipient as stored on a shipment: name, address lines, city and country (ISO code)
    required; phone, postcode, province or state (country_area) and district (city_area) optional. Refuses with the first wrong field named."""
    if not isinstance(recipient, dict):
        raise LogisticsError(LogisticsErrorCode.INVALID, _("The recipient must be an object."), field="recipient")

    def text(key, limit, required):
        value = recipient.get(key)
        value = "" if value is None else str(value).strip()
        if required and not value:
            raise LogisticsError(
                LogisticsErrorCode.INVALID,
                _("The recipient's %(field)s is required.") % {"field": key.replace("_", " ")},
                field=f"recipient.{key}",
            )
        if len(value) > limit:
            raise LogisticsError(
                LogisticsErrorCode.INVALID,
                _("The recipient's %(field)s has at most %(limit)d characters.")
                % {"field": key.replace("_", " "), "limit": limit},
                field=f"recipient.{key}",
            )
        return value

    name = text("name", 120, True)
    lines = recipient.get("address_lines", recipient.get("address"))
    if isinstance(lines, str):
        lines = lines.splitlines()
    if not isinstance(lines, list | tuple):
        lines = []
    lines = [str(line).strip() for line in lines if str(line or "").strip()]
    if not lines:
        raise LogisticsError(
            LogisticsErrorCode.INVALID,
            _("The recipient's address lines are required."),
            field="recipient.address_lines",
        )
    if len(lines) > 4 or any(len(line) > 200 for line in lines):
        raise LogisticsError(
            LogisticsErrorCode.INVALID,
            _("An address has at most 4 lines of 200 characters."),
            field="recipient.address_lines",
        )
    city = text("city", 120, True)
    country = text("country", 2, True).upper()
    if country not in countries:
        raise LogisticsError(
            LogisticsErrorCode.INVALID,
            _("%(value)s is not an ISO country code.") % {"value": country},
            field="recipient.country",
        )
    return {
        "name": name,
        "phone": text("phone", 40, False),
        "address_lines": lines,
        "city": city,
        "postcode": text("postcode", 20, False),
        "country": country,
        # The province or state and the district, where the address has them (crossborder.addresses).
        **{part: value for part in ("country_area", "city_area") if (value := text(part, 120, False))},
    }


def _existing(order_line, sku, quantity):
    shipment = Shipment.objects.filter(order_line=order_line, sku=sku).first()
    if shipment is not None and shipment.quantity != quantity:
        raise LogisticsError(
            LogisticsErrorCode.INVALID,
            _("Order line %(line)s already has a shipment of %(quantity)d x %(sku)s.")
            % {"line": order_line, "quantity": shipment.quantity, "sku": sku},
            field="quantity",
            status=409,
        )
    return shipment


def _candidate_levels(*, sku, warehouse, owner, prefer, grade=""):
    levels = StockLevel.objects.filter(sku=sku, grade=grade, warehouse__is_active=True).select_related(
        "warehouse", "owner"
    )
    if isinstance(warehouse, str):
        levels = levels.filter(warehouse__code=warehouse)
    elif warehouse is not None:
        levels = levels.filter(warehouse=warehouse)
    if owner is None:
        levels = levels.filter(owner__isnull=True)
    elif owner is not ANY_OWNER:
        levels = levels.filter(owner=owner)
    first_consignment = 0 if prefer == "consignment" else 1
    return levels.annotate(
        source=Case(
            When(owner__isnull=True, then=Value(1 - first_consignment)),
            default=Value(first_consignment),
            output_field=IntegerField(),
        ),
        available=F("on_hand") - F("reserved"),
    ).order_by("source", "id")


def _insufficient(sku, quantity, levels):
    available = [
        f"{level.available} @ {level.warehouse.code} ({level.owner.code if level.owner_id else _('own')})"
        for level in levels
    ]
    return LogisticsError(
        LogisticsErrorCode.INSUFFICIENT_STOCK,
        _("Not enough local stock of %(sku)s for %(quantity)d units in one warehouse; available: %(available)s.")
        % {"sku": sku, "quantity": quantity, "available": ", ".join(available) or _("none")},
        field="quantity",
        status=409,
    )


def _take_over_hold(reservation_ref, *, sku, quantity):
    """A checkout hold becomes the order line's allocation: kept, without its expiry. Returns the
    reservation, or None when the hold already lapsed (the caller allocates afresh)."""
    reservation = stock.locked_reservation(reservation_ref)
    if reservation.status != Reservation.Status.ACTIVE:
        return None
    if reservation.stock.sku != sku or reservation.quantity != quantity:
        raise LogisticsError(
            LogisticsErrorCode.INVALID,
            _("Reservation %(ref)s holds %(held)d x %(held_sku)s, not %(quantity)d x %(sku)s.")
            % {
                "ref": reservation_ref,
                "held": reservation.quantity,
                "held_sku": reservation.stock.sku,
                "quantity": quantity,
                "sku": sku,
            },
            field="reservation",
        )
    if Shipment.objects.filter(reservation=reservation).exists():
        raise LogisticsError(
            LogisticsErrorCode.INVALID,
            _("Reservation %(ref)s already serves another shipment.") % {"ref": reservation_ref},
            field="reservation",
            status=409,
        )
    if reservation.expires_at is not None:
        reservation.expires_at = None
        reservation.save(update_fields=["expires_at"])
    return reservation


def allocate_local(
    *,
    order_line,
    sku,
    quantity,
    recipient,
    warehouse=None,
    owner=ANY_OWNER,
    prefer="own",
    reservation_ref=None,
    partnership=None,
    actor="",
    grade="",
):
    """Promise local stock to a paid order line and open its delivery (a LOCAL shipment, ALLOCATED).

    The units come from one stock level with enough sellable units: our own stock first, then
    consignment stock (`prefer="consignment"` turns that round), in any active warehouse unless
    `warehouse` is given, in id order; `owner` None means own goods only, a Partner only its
    consignment stock. With `reservation_ref`, the checkout's hold is kept as the allocation.
    A repeat for the same (order line, SKU) returns the first shipment. `partnership`: the line is
    of an order that partner forwarded us (our goods, to its shopper, cross-border direct): the
    parcel's tracking and status are relayed to it as it moves on. `grade`: a graded offer's line
    is served from the returned units of that grade only (never from new stock)."""
    order_line, sku = _order_line(order_line), _sku(sku)
    quantity = stock.check_quantity(quantity)
    recipient = validate_recipient(recipient)
    if prefer not in ("own", "consignment"):
        raise LogisticsError(LogisticsErrorCode.INVALID, _("prefer is own or consignment."), field="prefer")

    def hold():
        reservation = _take_over_hold(reservation_ref, sku=sku, quantity=quantity) if reservation_ref else None
        if reservation is None:
            reservation = _reserve_from_levels(
                order_line=order_line,
                sku=sku,
                quantity=quantity,
                warehouse=warehouse,
                owner=owner,
                prefer=prefer,
                actor=actor,
                grade=grade,
            )
        return reservation

    return _create_once(
        Shipment.Kind.LOCAL, order_line, sku, quantity, recipient=recipient, partnership=partnership, hold=hold
    )


def _create_once(kind, order_line, sku, quantity, *, recipient, partnership, hold=None):
    """The ALLOCATED shipment of an order line's SKU, created in a transaction unless it exists (a
    repeat returns the first one, and so does a concurrent one: the first one won). `hold()`: the
    reservation of the units it takes from a local level, taken in the same transaction."""
    try:
        with transaction.atomic():
            existing = _existing(order_line, sku, quantity)
            if existing is not None:
                return existing
            reservation = hold() if hold is not None else None
            return Shipment.objects.create(
                kind=kind,
                status=Status.ALLOCATED,
                order_line=order_line,
                sku=sku,
                quantity=quantity,
                stock=reservation.stock if reservation is not None else None,
                reservation=reservation,
                recipient=recipient,
                partnership=partnership,
            )
    except IntegrityError:
        existing = _existing(order_line, sku, quantity)
        if existing is None:
            raise
        return existing


def _reserve_from_levels(*, order_line, sku, quantity, warehouse, owner, prefer, actor, grade=""):
    reference = f"line:{order_line}:{sku}"
    levels = list(_candidate_levels(sku=sku, warehouse=warehouse, owner=owner, prefer=prefer, grade=grade))
    for level in levels:
        if level.available < quantity:
            continue
        try:
            return stock.reserve(level, quantity, reference=reference, actor=actor)
        except LogisticsError as refused:  # sold meanwhile by someone else: try the next level
            if refused.code != LogisticsErrorCode.INSUFFICIENT_STOCK:
                raise
    if isinstance(warehouse, str) and not Warehouse.objects.filter(code=warehouse).exists():
        raise LogisticsError(
            LogisticsErrorCode.UNKNOWN_WAREHOUSE, _("No warehouse %(code)s.") % {"code": warehouse}, field="warehouse"
        )
    raise _insufficient(
        sku, quantity, _candidate_levels(sku=sku, warehouse=warehouse, owner=owner, prefer=prefer, grade=grade)
    )


def create_direct_shipment(*, partnership, order_line, sku, quantity, recipient):
    """A cross-border DIRECT shipment: the partner sends the goods from abroad and relays the
    tracking (message delivery.tracking). No local stock is touched."""
    order_line, sku = _order_line(order_line), _sku(sku)
    quantity = stock.check_quantity(quantity)
    recipient = validate_recipient(recipient)
    if partnership is None or not partnership.is_live:
        raise LogisticsError(
            LogisticsErrorCode.PARTNERSHIP_NOT_LIVE,
            _("A direct shipment needs a live partnership to ship it."),
            field="partnership",
            status=409,
        )
    return _create_once(Shipment.Kind.DIRECT, order_line, sku, quantity, recipient=recipient, partnership=partnership)


def route_order_line(*, order_line, sku, quantity, recipient, partnership=None, actor=""):
    """Serve a paid order line: from local stock when one warehouse has enough, else (for a partner's
    goods, `partnership` given) as a DIRECT shipment from abroad, else refused. With a partnership,
    only that partner's consignment stock serves the line."""
    order_line, sku = _order_line(order_line), _sku(sku)
    quantity = stock.check_quantity(quantity)
    existing = _existing(order_line, sku, quantity)
    if existing is not None:
        return existing
    owner = partnership.partner if partnership is not None else ANY_OWNER
    try:
        return allocate_local(
            order_line=order_line,
            sku=sku,
            quantity=quantity,
            recipient=recipient,
            owner=owner,
            prefer="consignment" if partnership is not None else "own",
            actor=actor,
        )
    except LogisticsError as refused:
        if refused.code != LogisticsErrorCode.INSUFFICIENT_STOCK or partnership is None:
            raise
    return create_direct_shipment(
        partnership=partnership, order_line=order_line, sku=sku, quantity=quantity, recipient=recipient
    )


# --- pick, pack, ship ----------------------------------------------------------------------------


def _locked(shipment):
    return Shipment.objects.select_for_update(of=("self",)).select_related("reservation", "stock").get(pk=shipment.pk)


def _done(shipment):
    """The caller's own shipment object, brought up to date with what was just saved."""
    shipment.refresh_from_db()
    return shipment


def _require_local(shipment, action):
    if shipment.kind != Shipment.Kind.LOCAL:
        raise LogisticsError(
            LogisticsErrorCode.SHIPMENT_STATE,
            _("Shipment %(ref)s is a cross-border direct shipment; the partner %(action)s it.")
            % {"ref": str(shipment.reference)[:8], "action": action},
            field="kind",
            status=409,
        )


@transaction.atomic
def pick_shipment(shipment, *, actor=""):
    """Take the allocated units off the shelves (ALLOCATED -> PICKED)."""
    return _warehouse_step(
        shipment,
        Status.ALLOCATED,
        Status.PICKED,
        _("picks"),
        _("picked"),
        move=lambda locked: stock.pick(locked.reservation.reference, actor=actor),
    )


@transaction.atomic
def pack_shipment(shipment, *, actor=""):
    """The picked units are in a parcel (PICKED -> PACKED)."""
    return _warehouse_step(shipment, Status.PICKED, Status.PACKED, _("packs"), _("packed"))


def _warehouse_step(shipment, before, after, does, done, *, move=None):
    """One step of a local parcel in our warehouse, on the locked shipment: from `before` to
    `after`, once (a repeat changes nothing), with `move(locked)` changing its stock; a partner's
    order line follows (nothing is sent yet)."""
    locked = _locked(shipment)
    _require_local(locked, does)
    if locked.status == after:
        return _done(shipment)
    if locked.status != before:
        raise _state_error(locked, [before], done)
    if move is not None:
        move(locked)
    locked.status = after
    locked.save(update_fields=["status", "updated_at"])
    if locked.partnership_id:
        hooks.partner_shipment_progressed.fire(shipment=locked, status=after)
    return _done(shipment)


@transaction.atomic
def _intend_to_ship(shipment, carrier_code):
    """Commit the intent (carrier chosen, not yet booked) before calling the carrier."""
    locked = _locked(shipment)
    _require_local(locked, _("ships"))
    if _RANK.get(locked.status, -1) >= _RANK[Status.SHIPPED]:
        return locked, False
    if locked.status != Status.PACKED:
        raise _state_error(locked, [Status.PACKED], _("shipped"))
    if locked.carrier != carrier_code:
        locked.carrier = carrier_code
        locked.save(update_fields=["carrier", "updated_at"])
    return locked, True


@transaction.atomic
def _record_booking(shipment, *, carrier_code, tracking_number, actor):
    locked = _locked(shipment)
    if _RANK.get(locked.status, -1) >= _RANK[Status.SHIPPED]:
        return locked  # a concurrent run recorded it first
    if locked.status != Status.PACKED:
        raise _state_error(locked, [Status.PACKED], _("shipped"))
    stock.ship(locked.stock, locked.quantity, reference=f"shipment:{locked.reference}", actor=actor)
    locked.status = Status.SHIPPED
    locked.carrier = carrier_code
    locked.tracking_number = tracking_number[:80]
    locked.shipped_at = timezone.now()
    locked.save(update_fields=["status", "carrier", "tracking_number", "shipped_at", "updated_at"])
    hooks.shipment_progressed.fire(shipment=locked, status=Status.SHIPPED)
    if locked.partnership_id:
        event = {
            "event_id": f"{locked.reference}:shipped",
            "status": Status.SHIPPED,
            "description": str(_("Handed to the carrier")),
            "location": "",
            "occurred_at": locked.shipped_at,
        }
        _relay_to_partner(locked, [event], Status.SHIPPED)
    return locked


def _relay_to_partner(shipment, events, status):
    """A parcel of an order a partner forwarded us moved on: relay its tracking to the partner
    (delivery.tracking, through the outbox in the caller's transaction) and let the order side
    report the line's status (hooks.partner_shipment_progressed). An ended partnership hears
    nothing more."""
    partnership = shipment.partnership
    if not partnership.is_live:
        log.warning("shipment %s moved on after the partnership with %s ended", shipment.reference, partnership)
        return
    send_direct_tracking(
        partnership=partnership,
        order_line=shipment.order_line,
        sku=shipment.sku,
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        events=events,
    )
    if status:
        hooks.partner_shipment_progressed.fire(shipment=shipment, status=status)


def ship_shipment(shipment, *, carrier="sandbox", tracking_number=None, actor=""):
    """Hand the parcel to a carrier (PACKED -> SHIPPED): the carrier is booked outside any
    transaction (the shipment stays PACKED with its carrier chosen until the booking is recorded;
    a retry books again with the same shipment, which carriers treat as the same parcel), then the
    picked units leave our stock and the tracking number is recorded. With `tracking_number` the
    parcel was handed to the carrier already (a merchant's own booking): nothing is booked."""
    chosen = carrier_registry.get_carrier(carrier)
    locked, to_book = _intend_to_ship(shipment, chosen.code)
    if not to_book:
        shipment.refresh_from_db()
        return shipment
    tracking_number = tracking_number or chosen.book(locked)
    _record_booking(locked, carrier_code=chosen.code, tracking_number=tracking_number, actor=actor)
    shipment.refresh_from_db()
    return shipment


@transaction.atomic
def cancel_shipment(shipment, *, actor=""):
    """Cancel a delivery before it leaves: reserved units go back to sale, picked units back on the
    shelves. A shipped parcel cannot be cancelled (that is a return)."""
    locked = _locked(shipment)
    if locked.status == Status.CANCELLED:
        return _done(shipment)
    if _RANK[locked.status] >= _RANK[Status.SHIPPED]:
        raise _state_error(locked, [Status.ALLOCATED, Status.PICKED, Status.PACKED], _("cancelled"))
    reservation = locked.reservation
    if reservation is not None:
        reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
        if reservation.status == Reservation.Status.ACTIVE:
            stock.release(reservation.reference, actor=actor)
        elif reservation.status == Reservation.Status.PICKED:
            stock.move(
                locked.stock,
                StockMovement.Kind.RETURNED,
                on_hand=reservation.quantity,
                picked=-reservation.quantity,
                reference=f"cancel:{locked.reference}",
                note=_("picked units back on the shelves: shipment cancelled"),
                actor=actor,
            )
            reservation.status = Reservation.Status.RELEASED
            reservation.save(update_fields=["status"])
    locked.status = Status.CANCELLED
    locked.save(update_fields=["status", "updated_at"])
    if locked.partnership_id:
        hooks.partner_shipment_progressed.fire(shipment=locked, status=Status.CANCELLED)
    return _done(shipment)


# --- tracking --------------------------------------------------------------------------------------


def _event_time(value):
    if isinstance(value, str):
        try:
            value = parse_datetime(value.strip())
        except ValueError:  # well formed but impossible, such as a 31st of February
            value = None
    if not isinstance(value, dt.datetime):
        raise LogisticsError(LogisticsErrorCode.INVALID, _("occurred_at must be a date and time."), field="occurred_at")
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def _checked_event(event_id, status):
    """A tracking event's id (stripped, 1 to 120 characters) and status (a tracking status), checked
    alike for a carrier's, the partner's and the ones we relay."""
    event_id = str(event_id or "").strip()
    if not event_id or len(event_id) > 120:
        raise LogisticsError(
            LogisticsErrorCode.INVALID, _("A tracking event needs an id (at most 120 characters)."), field="event_id"
        )
    if status not in TRACKING_STATUSES:
        raise LogisticsError(
            LogisticsErrorCode.INVALID,
            _("%(value)s is not a tracking status; one of %(known)s.")
            % {"value": status, "known": ", ".join(TRACKING_STATUSES)},
            field="status",
        )
    return event_id, status


def _record_event(locked, *, event_id, status, description, location, occurred_at):
    """Record one event on a locked shipment; returns True if it was new."""
    event_id, status = _checked_event(event_id, status)
    occurred_at = _event_time(occurred_at)
    if TrackingEvent.objects.filter(shipment=locked, event_id=event_id).exists():
        return False
    TrackingEvent.objects.create(
        shipment=locked,
        event_id=event_id,
        status=status,
        description=str(description or "")[:300],
        location=str(location or "")[:120],
        occurred_at=occurred_at,
    )
    if locked.status == Status.CANCELLED:
        return True  # kept for the record; a cancelled shipment does not come back to life
    changed = []
    if _RANK[status] > _RANK[locked.status]:
        locked.status = status
        changed.append("status")
    if _RANK[status] >= _RANK[Status.SHIPPED] and locked.shipped_at is None:
        locked.shipped_at = occurred_at
        changed.append("shipped_at")
    if status == Status.DELIVERED and locked.delivered_at is None:
        locked.delivered_at = occurred_at
        changed.append("delivered_at")
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
    if "status" in changed:
        hooks.shipment_progressed.fire(shipment=locked, status=locked.status)
    return True


@transaction.atomic
def record_tracking_event(*, shipment, event_id, status, description="", location="", occurred_at):
    """Record a carrier's (or the partner's) tracking event. A repeated event_id changes nothing;
    the status only moves forward (a late, older event never moves it back); DELIVERED sets
    delivered_at. Returns the shipment."""
    locked = _locked(shipment)
    _record_event(
        locked, event_id=event_id, status=status, description=description, location=location, occurred_at=occurred_at
    )
    shipment.refresh_from_db()
    return shipment


def poll_carrier_events(*, now=None):
    """Ask each carrier for the events of our parcels on their way and record them. Carriers are
    called outside any transaction; one parcel's failure is logged and does not stop the others.
    Returns {"shipments", "events" (new), "failed"}."""
    now = now or timezone.now()
    result = {"shipments": 0, "events": 0, "failed": 0}
    on_the_way = Shipment.objects.filter(
        kind=Shipment.Kind.LOCAL, status__in=[Status.SHIPPED, Status.IN_TRANSIT]
    ).exclude(carrier="")
    for shipment in on_the_way.order_by("id").iterator():
        result["shipments"] += 1
        try:
            events = carrier_registry.get_carrier(shipment.carrier).poll(shipment, now=now)
            with transaction.atomic():
                locked = _locked(shipment)
                before = locked.status
                new_events = [
                    event
                    for event in events
                    if _record_event(
                        locked,
                        event_id=event.event_id,
                        status=event.status,
                        description=event.description,
                        location=event.location,
                        occurred_at=event.occurred_at,
                    )
                ]
                result["events"] += len(new_events)
                if new_events and locked.partnership_id:
                    _relay_to_partner(locked, new_events, locked.status if locked.status != before else None)
        except Exception:
            result["failed"] += 1
            log.exception("polling carrier %s for shipment %s failed", shipment.carrier, shipment.reference)
    return result


# --- cross-border direct tracking --------------------------------------------------------------------


def _event_payload(event):
    if isinstance(event, carrier_registry.CarrierEvent):
        event = event.__dict__
    occurred_at = _event_time(event.get("occurred_at"))
    event_id, status = _checked_event(event.get("event_id"), str(event.get("status") or ""))
    return {
        "event_id": event_id,
        "status": status,
        "description": str(event.get("description", "") or ""),
        "location": str(event.get("location", "") or ""),
        "occurred_at": occurred_at.isoformat(),
    }


@transaction.atomic
def send_direct_tracking(*, partnership, order_line, sku, carrier, tracking_number, events):
    """Exporter side: relay the tracking of a parcel we send cross-border direct to the partner's
    shopper (message delivery.tracking, delivered in order through the outbox)."""
    payload = {
        "order_line": _order_line(order_line),
        "sku": _sku(sku),
        "carrier": str(carrier or "")[:40],
        "tracking_number": str(tracking_number or "")[:80],
        "events": [_event_payload(event) for event in events],
    }
    if not partnership.is_live:
        raise LogisticsError(
            LogisticsErrorCode.PARTNERSHIP_NOT_LIVE,
            _("Tracking goes only to a live partnership."),
            field="partnership",
            status=409,
        )
    return send_to_partner(partnership, TRACKING_MESSAGE, payload)


@transaction.atomic
def receive_direct_tracking(*, partnership, order_line, sku, carrier="", tracking_number="", events=()):
    """Importer side: the partner's tracking of a DIRECT shipment to our shopper. Unknown shipment:
    refused (404), nothing recorded. Repeated events are harmless; the status only moves forward."""
    shipment = (
        Shipment.objects.select_for_update()
        .filter(kind=Shipment.Kind.DIRECT, partnership=partnership, order_line=order_line, sku=sku)
        .first()
    )
    if shipment is None:
        raise LogisticsError(
            LogisticsErrorCode.UNKNOWN_SHIPMENT,
            _("No cross-border direct shipment of %(sku)s for order line %(line)s with you.")
            % {"sku": sku, "line": order_line},
            field="order_line",
            status=404,
        )
    changed = []
    if carrier and shipment.carrier != carrier:
        shipment.carrier = carrier[:40]
        changed.append("carrier")
    if tracking_number and shipment.tracking_number != tracking_number:
        shipment.tracking_number = tracking_number[:80]
        changed.append("tracking_number")
    if changed:
        shipment.save(update_fields=[*changed, "updated_at"])
    recorded = 0
    for event in sorted(events, key=lambda e: _event_time(e["occurred_at"])):
        recorded += _record_event(
            shipment,
            event_id=event["event_id"],
            status=event["status"],
            description=event.get("description", ""),
            location=event.get("location", ""),
            occurred_at=event["occurred_at"],
        )
    return shipment, recorded


# --- for the shopper's order pages -----------------------------------------------------------------


def tracking_for_shopper(order_line):
    """Each delivery of an order line as the shopper sees it: where it comes from, its status, carrier,
    tracking number and events in order. Two queries."""
    return tracking_for_order_lines([order_line]).get(order_line, [])


def tracking_for_order_lines(order_lines):
    """tracking_for_shopper for every line of an order at once: {order line: [delivery, ...]}. Two
    queries whatever the number of lines."""
    shipments = (
        Shipment.objects.filter(order_line__in=list(order_lines))
        .prefetch_related("events")
        .order_by("order_line", "sku", "id")
    )
    kind_labels = {
        Shipment.Kind.LOCAL: _("from our warehouse"),
        Shipment.Kind.DIRECT: _("shipped from abroad by the partner"),
    }
    deliveries = {}
    for shipment in shipments:
        deliveries.setdefault(shipment.order_line, []).append(
            {
                "sku": shipment.sku,
                "quantity": shipment.quantity,
                "kind": shipment.kind,
                "kind_label": kind_labels[shipment.kind],
                "status": shipment.status,
                "status_label": shipment.get_status_display(),
                "carrier": shipment.carrier,
                "tracking_number": shipment.tracking_number,
                "shipped_at": shipment.shipped_at,
                "delivered_at": shipment.delivered_at,
                "events": [
                    {
                        "status": event.status,
                        "status_label": event.get_status_display(),
                        "description": event.description,
                        "location": event.location,
                        "occurred_at": event.occurred_at,
                    }
                    for event in shipment.events.all()
                ],
            }
        )
    return deliveries
