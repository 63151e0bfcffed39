"""Stock: every change to a count is one conditional UPDATE plus its append-only movement, in one
transaction. The UPDATE's WHERE clause refuses any change that would take a count below zero or
reserve more than is on hand, so concurrent picks and receipts never oversell (the CHECK constraints
back it up). A movement's `reference` names the business event; the same event never moves stock
twice (a repeat returns the first movement). Units leave lots first-in first-out, for ageing."""

import datetime as dt
import math
from dataclasses import dataclass, replace
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import services as catalog_services
from catalog.models import ProductVariant
from crossborder import bounds

from .. import hooks
from ..errors import LogisticsErrorCode
from ..models import Discrepancy, Reservation, StockLevel, StockLot, StockMovement, Warehouse
from . import LogisticsError

Kind = StockMovement.Kind


# Every count of units is stored in a PositiveIntegerField.
MAX_UNITS = bounds.RANGES["PositiveIntegerField"][1]


def check_quantity(value, *, field="quantity", allow_zero=False):
    """A whole number of units, more than zero (or zero when allowed). Refuses fractions, text,
    booleans and negative numbers with a message naming the field."""
    if isinstance(value, bool) or value is None:
        quantity = None
    elif isinstance(value, int):
        quantity = value
    elif isinstance(value, Decimal | float) and math.isfinite(value) and value == int(value):
        quantity = int(value)
    elif isinstance(value, str) and value.strip().lstrip("-").isascii() and value.strip().lstrip("-").isdigit():
        quantity = int(value.strip())  # ASCII only: '²'.isdigit() is true too, and int() refuses it
    else:
        quantity = None
    if quantity is not None and abs(quantity) > MAX_UNITS:
        raise LogisticsError(
            LogisticsErrorCode.INVALID_QUANTITY,
            _("%(field)s is more units than can be counted (at most %(max)d).") % {"field": field, "max": MAX_UNITS},
            field=field,
        )
    if quantity is None:
        raise LogisticsError(
            LogisticsErrorCode.INVALID_QUANTITY,
            _("%(field)s must be a whole number of units, not %(value)r.") % {"field": field, "value": value},
            field=field,
        )
    if quantity < 0 or (quantity == 0 and not allow_zero):
        raise LogisticsError(
            LogisticsErrorCode.INVALID_QUANTITY,
            _("%(field)s must be more than zero, not %(value)s.") % {"field": field, "value": quantity}
            if not allow_zero
            else _("%(field)s cannot be negative (%(value)s).") % {"field": field, "value": quantity},
            field=field,
        )
    return quantity


def stock_level(*, warehouse, sku, owner=None, variant=None, partner_product=None, unit_weight_grams=None, grade=""):
    """The stock level of `sku` of `owner` (None: our own goods) in `warehouse`, of `grade` (empty:
    sold as new; else returned units offered at that grade), created empty if new."""
    if isinstance(warehouse, str):
        found = Warehouse.objects.filter(code=warehouse).first()
        if found is None:
            raise LogisticsError(
                LogisticsErrorCode.UNKNOWN_WAREHOUSE,
                _("No warehouse %(code)s.") % {"code": warehouse},
                field="warehouse",
            )
        warehouse = found
    sku = (sku or "").strip()
    if not sku:
        raise LogisticsError(LogisticsErrorCode.UNKNOWN_SKU, _("A SKU is required."), field="sku")
    defaults = {"variant": variant, "partner_product": partner_product, "unit_weight_grams": unit_weight_grams}
    lookup = {"warehouse": warehouse, "sku": sku, "owner": owner, "grade": grade}
    level = StockLevel.objects.filter(**lookup).first()
    if level is not None:
        return level
    try:
        with transaction.atomic():
            return StockLevel.objects.create(**lookup, **defaults)
    except IntegrityError:  # created by someone else meanwhile
        return StockLevel.objects.get(**lookup)


def _insufficient(level, kind, on_hand, reserved, picked):
    level.refresh_from_db()
    return LogisticsError(
        LogisticsErrorCode.INSUFFICIENT_STOCK,
        _(
            "Not enough stock of %(sku)s in %(warehouse)s to record %(kind)s: on hand %(on_hand)d, reserved "
            "%(reserved)d, picked %(picked)d; the change was %(d_on_hand)+d / %(d_reserved)+d / %(d_picked)+d."
        )
        % {
            "sku": level.sku,
            "warehouse": level.warehouse.code,
            "kind": Kind(kind).label,
            "on_hand": level.on_hand,
            "reserved": level.reserved,
            "picked": level.picked,
            "d_on_hand": on_hand,
            "d_reserved": reserved,
            "d_picked": picked,
        },
        field="quantity",
        status=409,
    )


@transaction.atomic
def move(level, kind, *, on_hand=0, reserved=0, picked=0, reference="", note="", actor="", at=None, follow=True):
    """Change a stock level's counts by these deltas and record the movement. With a `reference`,
    the same (level, kind, reference) moves stock once: a repeat returns the first movement.
    `follow=False`: the caller moves the catalog's available figure itself (_follow_available),
    once after a batch of levels, keeping every level lock before every figure's."""
    at = at or timezone.now()
    recorded = {
        "stock": level,
        "kind": kind,
        "on_hand_delta": on_hand,
        "reserved_delta": reserved,
        "picked_delta": picked,
        "note": note[:300],
        "actor": actor[:150],
        "created_at": at,
    }
    if reference:
        try:
            with transaction.atomic():
                movement = StockMovement.objects.create(reference=reference, **recorded)
        except IntegrityError:
            return StockMovement.objects.get(stock=level, kind=kind, reference=reference)
    else:
        movement = None
    changed = StockLevel.objects.filter(
        Q(pk=level.pk),
        Q(on_hand__gte=-on_hand),
        Q(reserved__gte=-reserved),
        Q(picked__gte=-picked),
        # reserved + dr <= on_hand + dh  <=>  reserved - on_hand <= dh - dr
        Q(reserved__lte=F("on_hand") + (on_hand - reserved)),
    ).update(
        on_hand=F("on_hand") + on_hand,
        reserved=F("reserved") + reserved,
        picked=F("picked") + picked,
        updated_at=at,
    )
    if not changed:
        raise _insufficient(level, kind, on_hand, reserved, picked)
    if movement is None:
        movement = StockMovement.objects.create(**recorded)
    if on_hand > 0:
        StockLot.objects.create(stock=level, received_at=at, quantity=on_hand, remaining=on_hand, reference=reference)
    elif on_hand < 0:
        _consume_lots(level, -on_hand)
    if follow:
        _follow_available([(level, on_hand - reserved)])
    level.refresh_from_db(fields=["on_hand", "reserved", "picked", "updated_at"])
    return movement


def _follow_available(changes):
    """Move the catalog's figure of units available (ProductVariant.stock, what the storefront shows
    and filters on) by each change to the sellable units of our own goods in an active warehouse:
    `changes` is [(level, sellable delta)]. Runs in the transaction of the count's change, after
    its conditional UPDATE: an increment, so concurrent changes add up (the figure's row lock is
    taken after the levels', in SKU order). Nothing else writes the figure (ADR 0016)."""
    deltas = {}
    for level, delta in changes:
        if level.owner_id is None and not level.grade and delta:  # graded units are offered apart
            deltas[level] = deltas.get(level, 0) + delta
    if not deltas:
        return
    loaded = StockLevel._meta.get_field("warehouse").is_cached  # the warehouse read with the level
    unknown = {level.warehouse_id for level in deltas if not loaded(level)}
    inactive = set(
        Warehouse.objects.filter(pk__in=unknown, is_active=False).values_list("pk", flat=True) if unknown else ()
    )
    by_sku = {}
    for level, delta in deltas.items():
        active = level.warehouse.is_active if loaded(level) else level.warehouse_id not in inactive
        if active:
            by_sku[level.sku] = by_sku.get(level.sku, 0) + delta
    by_sku = {sku: delta for sku, delta in sorted(by_sku.items()) if delta}
    if by_sku:
        change = Case(*(When(sku=sku, then=Value(delta)) for sku, delta in by_sku.items()), default=Value(0))
        ProductVariant.objects.filter(sku__in=list(by_sku)).update(stock=F("stock") + change)
        catalog_services.refresh_in_stock(skus=by_sku)


def recount_available(skus=None):
    """Set the catalog's figure of units available from the warehouse's counts (the sellable units
    of our own goods in active warehouses), for these SKUs or all: a repair after a warehouse is
    switched off or on, and the migration that made the warehouse's count the only one."""
    variants = ProductVariant.objects.all() if skus is None else ProductVariant.objects.filter(sku__in=list(skus))
    sellable = (
        StockLevel.objects.filter(owner__isnull=True, grade="", sku=OuterRef("sku"), warehouse__is_active=True)
        .values("sku")
        .annotate(units=Sum(F("on_hand") - F("reserved")))
        .values("units")
    )
    count = variants.update(stock=Coalesce(Subquery(sellable, output_field=IntegerField()), Value(0)))
    catalog_services.refresh_in_stock(skus=skus)
    return count


def _consume_lots(level, quantity):
    """Take units out of the oldest lots first (the level's row is already locked by the UPDATE)."""
    left = quantity
    for lot in StockLot.objects.filter(stock=level, remaining__gt=0).order_by("received_at", "id"):
        take = min(left, lot.remaining)
        StockLot.objects.filter(pk=lot.pk).update(remaining=F("remaining") - take)
        left -= take
        if not left:
            return
    # Lots missing (e.g. stock from before lots existed): nothing to age, counts stay right.


# --- the operations ------------------------------------------------------------------------------


def receive(level, quantity, *, reference, note="", actor="", at=None):
    quantity = check_quantity(quantity)
    return move(level, Kind.RECEIVED, on_hand=quantity, reference=reference, note=note, actor=actor, at=at)


@transaction.atomic
def reserve(level, quantity, *, reference, expires_at=None, actor=""):
    """Promise units to an order line (no expiry: an allocation) or hold them for a checkout until
    `expires_at`. The same reference reserves once."""
    quantity = check_quantity(quantity)
    existing = Reservation.objects.filter(reference=reference).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            reservation = Reservation.objects.create(
                reference=reference, stock=level, quantity=quantity, expires_at=expires_at
            )
    except IntegrityError:  # the same reservation made at the same moment by another process
        return Reservation.objects.get(reference=reference)
    move(level, Kind.RESERVED, reserved=quantity, reference=reference, actor=actor)
    return reservation


@transaction.atomic(savepoint=False)
def hold(holds, *, expires_at, actor="", at=None):
    """Hold units of several levels for one checkout until `expires_at`: `holds` is
    [(level, quantity, reference)], each reference new (the checkout's own, never reused), so there
    is no repeat to look for. Per level, in primary-key order, one conditional UPDATE that refuses
    to reserve more than is on hand; then every reservation in one INSERT and every movement in
    another. No savepoint: a refusal raises and the caller's transaction is rolled back whole.
    Returns the reservations, in the order of `holds`."""
    at = at or timezone.now()
    holds = [(level, check_quantity(quantity), reference) for level, quantity, reference in holds]
    for level, quantity, _reference in sorted(holds, key=lambda held: held[0].pk):
        changed = StockLevel.objects.filter(pk=level.pk, reserved__lte=F("on_hand") - quantity).update(
            reserved=F("reserved") + quantity, updated_at=at
        )
        if not changed:
            raise _insufficient(level, Kind.RESERVED, 0, quantity, 0)
        level.reserved += quantity
    _follow_available([(level, -quantity) for level, quantity, _reference in holds])
    reservations = Reservation.objects.bulk_create(
        Reservation(reference=reference, stock=level, quantity=quantity, expires_at=expires_at)
        for level, quantity, reference in holds
    )
    StockMovement.objects.bulk_create(
        StockMovement(
            stock=level,
            kind=Kind.RESERVED,
            reserved_delta=quantity,
            reference=reference,
            actor=actor[:150],
            created_at=at,
        )
        for level, quantity, reference in holds
    )
    return reservations


# --- checkout holds: one lock order for every checkout ---------------------------------------------


def home_warehouse(*, create=False):
    """Where our own goods are counted: the oldest active warehouse in the platform's country. With
    `create`, a platform that has none gets one named after it (the first stock a merchant enters
    needs a place to be counted; staff complete its address in the admin)."""
    found = Warehouse.objects.filter(is_active=True, country=settings.PLATFORM_COUNTRY).order_by("pk").first()
    if found is not None or not create:
        return found
    warehouse, _created = Warehouse.objects.get_or_create(
        code=HOME_WAREHOUSE_CODE,
        defaults={
            "name": _("%(platform)s warehouse") % {"platform": settings.PLATFORM_NAME},
            "operator": settings.PLATFORM_NAME,
            "address": "",
            "country": settings.PLATFORM_COUNTRY,
        },
    )
    return warehouse


HOME_WAREHOUSE_CODE = "home"


def lock_levels(*, own_skus=(), partner_skus=(), levels=(), graded=()):
    """The local stock levels that could serve these SKUs, locked with SELECT ... FOR UPDATE in
    primary-key order, as {(owner id or None, sku): [levels, by primary key]}: our own goods
    (`own_skus`), partners' consignment stock (`partner_skus`: (partner id, sku) pairs), and the
    levels of `levels` (ids: holds given back in the same transaction, locked in the same order).
    Graded offers' units (`graded`: (owner id or None, sku, grade)) come as {(owner id, sku,
    grade): [levels]}; the two-part keys hold new stock only. Every path that holds several
    levels takes its locks here, before it changes any count, so they all queue in one order
    (ADR 0010)."""
    query = StockLevel.objects.none()
    own_skus = set(own_skus)
    if own_skus:
        query = StockLevel.objects.filter(owner__isnull=True, grade="", sku__in=own_skus, warehouse__is_active=True)
    for partner_id, sku in set(partner_skus):
        query = query | StockLevel.objects.filter(owner_id=partner_id, grade="", sku=sku, warehouse__is_active=True)
    for owner_id, sku, grade in set(graded):
        whose = Q(owner__isnull=True) if owner_id is None else Q(owner_id=owner_id)
        query = query | StockLevel.objects.filter(whose, sku=sku, grade=grade, warehouse__is_active=True)
    if levels:
        query = query | StockLevel.objects.filter(pk__in=list(levels))
    locked = list(query.select_for_update(of=("self",)).select_related("warehouse").order_by("pk"))
    by_key = {}
    for level in locked:
        key = (level.owner_id, level.sku, level.grade) if level.grade else (level.owner_id, level.sku)
        by_key.setdefault(key, []).append(level)
    return by_key


@dataclass(frozen=True)
class Wanted:
    """The units one checkout line needs: our own goods (`owner_id` None) or a partner's, served by
    a local level with enough sellable units, else (a partner line with `listing_id`) by that
    listing's direct-sale stock. `number` is the line's number in the checkout."""

    number: int
    sku: str
    quantity: int
    owner_id: int | None = None
    listing_id: int | None = None
    grade: str = ""  # a returned unit resold at this grade: only the graded levels serve it

    @property
    def key(self):
        """The key of lock_levels' answer for the levels that can serve this line."""
        return (self.owner_id, self.sku, self.grade) if self.grade else (self.owner_id, self.sku)


@dataclass(frozen=True)
class Holding:
    """What a checkout or order line holds: a reservation (its reference) of a local level, or
    `direct_units` of a partner listing's direct-sale stock."""

    reference: str = ""
    listing_id: int | None = None
    direct_units: int = 0


@dataclass(frozen=True)
class Held:
    """What serves a line of a new checkout: a reservation, or units of its listing's direct stock."""

    reservation: Reservation | None = None
    direct_units: int = 0


class StockShort(LogisticsError):
    """A checkout line cannot be served: `number` names the line, `available` how many units are."""

    def __init__(self, *, number, available, sku):
        super().__init__(
            LogisticsErrorCode.INSUFFICIENT_STOCK,
            _("Only %(available)d units of %(sku)s left.") % {"available": available, "sku": sku},
            field="lines",
            status=409,
        )
        self.number, self.available = number, available


def hold_for_checkout(*, reference, wanted, expires_at, replacing=(), at=None, actor=""):
    """Hold the stock of one checkout until `expires_at`, in one call that owns its locks and their
    order, inside the caller's transaction. First the holds of `replacing` (Holdings of the
    checkouts this one replaces) are given back; every level concerned is locked before any count
    changes, in primary-key order (lock_levels), and the listings after them, by id (the partner
    zone, through hooks.checkout_stock_changed). Each line gets a local level with enough units
    (reservation `<reference>:<number>`), else its listing's direct-sale units. Returns
    {number: Held}. Raises StockShort for a line nothing can serve: the caller's transaction is
    then rolled back whole (what was given back is taken again)."""
    at = at or timezone.now()
    wanted = [replace(want, quantity=check_quantity(want.quantity)) for want in wanted]
    replacing = list(replacing)
    given_refs = [holding.reference for holding in replacing if holding.reference]
    given_levels = Reservation.objects.filter(reference__in=given_refs, status=Reservation.Status.ACTIVE)
    new = [want for want in wanted if not want.grade]
    levels = lock_levels(
        own_skus={want.sku for want in new if want.owner_id is None},
        partner_skus={(want.owner_id, want.sku) for want in new if want.owner_id is not None},
        graded={want.key for want in wanted if want.grade},
        levels=list(given_levels.values_list("stock_id", flat=True)) if given_refs else (),
    )
    given_back = _release(given_refs, expired=False, actor=actor)
    locked = {level.pk: level for by_key in levels.values() for level in by_key}
    for level, quantity in given_back:  # the locked copies see the units given back
        if level.pk in locked:
            locked[level.pk].reserved -= quantity
    local, direct = _allocate(wanted, levels, reference=reference)
    reservations = hold(
        [(level, want.quantity, f"{reference}:{want.number}") for want, level in local],
        expires_at=expires_at,
        actor=actor,
        at=at,
    )
    short = _follow_checkout_holds(
        take={want.listing_id: want.quantity for want in direct},
        give_back=_direct_of(replacing),
        consignment=[level for level, _quantity in given_back] + [level for _want, level in local],
    )
    for want in direct:
        if want.listing_id in short:
            raise StockShort(number=want.number, available=short[want.listing_id], sku=want.sku)
    held = {
        want.number: Held(reservation=reservation)
        for (want, _level), reservation in zip(local, reservations, strict=True)
    }
    held.update({want.number: Held(direct_units=want.quantity) for want in direct})
    return held


def _allocate(wanted, levels, *, reference):
    """Each wanted line to the first active level (by primary key) with enough units left after the
    lines before it, else to its listing's direct stock; StockShort when neither can serve it."""
    taken, local, direct = {}, [], []
    for want in wanted:
        candidates = [lv for lv in levels.get(want.key, []) if lv.warehouse.is_active]
        left = {lv.pk: lv.sellable - taken.get(lv.pk, 0) for lv in candidates}
        level = next((lv for lv in candidates if left[lv.pk] >= want.quantity), None)
        if level is not None:
            taken[level.pk] = taken.get(level.pk, 0) + want.quantity
            local.append((want, level))
        elif want.listing_id is not None:
            direct.append(want)
        else:
            raise StockShort(number=want.number, available=max([*left.values(), 0]), sku=want.sku)
    return local, direct


def release_for_checkout(holdings, *, expired=False, actor=""):
    """Give back what checkout or order lines hold (Holdings), in one call inside the caller's
    transaction: reservations first, their levels in primary-key order, then the listings'
    direct-sale units and shown local stock by listing id (the order every checkout takes them
    in). The caller has locked its checkout or order and changes its status in the same
    transaction, so each hold is given back once; holds no longer active change nothing."""
    holdings = list(holdings)
    with transaction.atomic(savepoint=False):
        given_back = _release(
            [holding.reference for holding in holdings if holding.reference], expired=expired, actor=actor
        )
        _follow_checkout_holds(
            take={}, give_back=_direct_of(holdings), consignment=[level for level, _quantity in given_back]
        )


def _direct_of(holdings):
    units = {}
    for holding in holdings:
        if not holding.reference and holding.direct_units and holding.listing_id is not None:
            units[holding.listing_id] = units.get(holding.listing_id, 0) + holding.direct_units
    return units


def _follow_checkout_holds(*, take, give_back, consignment):
    """Tell the partner zone (hooks.checkout_stock_changed) which listings' direct-sale units a
    checkout takes or gives back, and which partners' consignment SKUs it held or released (their
    listings show the units left). Returns {listing id: units left} of the listings short of
    units. Refuses rather than oversell when nothing is subscribed."""
    skus = {}
    for level in consignment:
        if level.owner_id is not None:
            skus.setdefault(level.owner_id, set()).add(level.sku)
    if not (take or give_back or skus):
        return {}
    if not hooks.checkout_stock_changed.subscribers:
        raise LogisticsError(
            LogisticsErrorCode.NOT_WIRED,
            _("No keeper of partner listings' stock is installed; partner goods cannot be held."),
            field="lines",
            status=503,
        )
    short = {}
    for answer in hooks.checkout_stock_changed.fire(take=take, give_back=give_back, consignment=skus):
        short.update(answer or {})
    return short


# --- a merchant's stock entry ----------------------------------------------------------------------


@transaction.atomic
def set_available(entries, *, actor="", reason=""):
    """A merchant states how many units of its goods are for sale: `entries` is [(variant,
    units)]. Each SKU's on-hand count in the home warehouse moves by the difference from what is
    available now (an 'adjusted' movement), so units held for checkouts and orders stay held and
    a figure restated unchanged moves nothing. Refuses (changing nothing) a figure that would take
    away units already held or counted in another warehouse. The catalog's stock port
    (catalog.hooks.stock_writer) calls this; it is the only way a merchant's figure reaches stock."""
    entries = [(variant, check_quantity(units, field="stock", allow_zero=True)) for variant, units in entries]
    warehouse = home_warehouse(create=any(units for _variant, units in entries)) if entries else None
    for variant, units in sorted(entries, key=lambda entry: entry[0].sku):
        _set_available(variant, units, warehouse=warehouse, actor=actor, reason=reason)


def _set_available(variant, units, *, warehouse, actor, reason):
    levels = list(
        StockLevel.objects.select_for_update()
        .filter(owner__isnull=True, grade="", sku=variant.sku, warehouse__is_active=True)
        .order_by("pk")
    )
    delta = units - sum(level.sellable for level in levels)
    if not delta:
        return None
    home = next((level for level in levels if level.warehouse_id == warehouse.pk), None) if warehouse else None
    if home is None:
        if warehouse is None:
            return None  # nothing counted, nothing to count (0 units stated with no warehouse)
        home = stock_level(
            warehouse=warehouse, sku=variant.sku, variant=variant, unit_weight_grams=variant.shipping_weight_grams
        )
    if home.sellable + delta < 0:
        elsewhere = units - delta - home.sellable
        raise LogisticsError(
            LogisticsErrorCode.INSUFFICIENT_STOCK,
            _("%(sku)s has %(units)d units for sale in other warehouses: state at least that many.")
            % {"sku": variant.sku, "units": elsewhere},
            field="stock",
            status=409,
        )
    note = (reason or _("stock stated by the merchant"))[:300]
    return move(home, Kind.ADJUSTED, on_hand=delta, note=note, actor=actor)


def release_holds(references, *, expired=False, actor=""):
    """Give back several holds (their references) in one transaction, their levels changed in
    primary-key order (the order every checkout locks them in), the shown local stock of partner
    listings following. Holds no longer active change nothing. Returns [(level, units given back)]."""
    with transaction.atomic():
        given_back = _release(list(references), expired=expired, actor=actor)
        _follow_checkout_holds(take={}, give_back={}, consignment=[level for level, _quantity in given_back])
    return given_back


def _release(references, *, expired, actor):
    """Give back the active holds among `references`, their levels in primary-key order; returns
    [(level, units given back)]. In the caller's transaction."""
    if not references:
        return []
    reservations = list(
        Reservation.objects.select_for_update()
        .filter(reference__in=references, status=Reservation.Status.ACTIVE)
        .select_related("stock")
        .order_by("stock_id", "pk")
    )
    released = []
    for reservation in reservations:
        move(
            reservation.stock,
            Kind.RELEASED,
            reserved=-reservation.quantity,
            reference=reservation.reference,
            actor=actor,
            follow=False,
        )
        released.append((reservation.stock, reservation.quantity))
        reservation.status = Reservation.Status.EXPIRED if expired else Reservation.Status.RELEASED
        reservation.save(update_fields=["status"])
    _follow_available(released)
    return released


def locked_reservation(reference, *, for_update=True):
    """The reservation of this reference whatever its status, locked (with `for_update`) and with
    its stock level; an unknown reference is refused (404)."""
    query = Reservation.objects.select_for_update() if for_update else Reservation.objects
    reservation = query.filter(reference=reference).select_related("stock").first()
    if reservation is None:
        raise LogisticsError(
            LogisticsErrorCode.UNKNOWN_RESERVATION,
            _("No reservation %(ref)s.") % {"ref": reference},
            field="reservation",
            status=404,
        )
    return reservation


@transaction.atomic
def release(reference, *, expired=False, actor=""):
    """Give reserved units back to sale (a cancelled order line, an abandoned checkout). Releasing
    a reservation that is no longer active changes nothing."""
    reservation = locked_reservation(reference)
    if reservation.status != Reservation.Status.ACTIVE:
        return reservation
    move(reservation.stock, Kind.RELEASED, reserved=-reservation.quantity, reference=reference, actor=actor)
    reservation.status = Reservation.Status.EXPIRED if expired else Reservation.Status.RELEASED
    reservation.save(update_fields=["status"])
    _follow_checkout_holds(take={}, give_back={}, consignment=[reservation.stock])
    return reservation


def expire_reservations(*, now=None, batch=500):
    """Release checkout holds past their time; returns how many. Safe to run twice at once."""
    now = now or timezone.now()
    released = 0
    references = list(
        Reservation.objects.filter(status=Reservation.Status.ACTIVE, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("reference", flat=True)[:batch]
    )
    for reference in references:
        if release(reference, expired=True).status == Reservation.Status.EXPIRED:
            released += 1
    return released


@transaction.atomic
def pick(reference, *, actor=""):
    """Take a reservation's units off the shelves for its delivery."""
    reservation = locked_reservation(reference)
    if reservation.status == Reservation.Status.PICKED:
        return reservation
    refusal = _("Reservation %(ref)s is %(status)s; only an active one can be picked.")
    q = reservation.quantity
    return _take_held(reservation, refusal, Kind.PICKED, picked=q, reference=reference, actor=actor)


def _take_held(reservation, refusal, kind, *, reference, actor, picked=0):
    """An active reservation's units leave the shelves (`kind`); the reservation becomes picked.
    One no longer active is refused with `refusal` (its `ref` and `status` filled in)."""
    if reservation.status != Reservation.Status.ACTIVE:
        raise LogisticsError(
            LogisticsErrorCode.RESERVATION_NOT_ACTIVE,
            refusal % {"ref": reservation.reference, "status": reservation.get_status_display()},
            field="reservation",
            status=409,
        )
    q = reservation.quantity
    move(reservation.stock, kind, on_hand=-q, reserved=-q, picked=picked, reference=reference, actor=actor)
    reservation.status = Reservation.Status.PICKED
    reservation.save(update_fields=["status"])
    return reservation


def ship(level, quantity, *, reference, actor=""):
    """Picked units handed to the carrier: they leave our custody."""
    quantity = check_quantity(quantity)
    return move(level, Kind.SHIPPED, picked=-quantity, reference=reference, actor=actor)


def return_to_stock(level, quantity, *, reference, note="", actor=""):
    """Units back on the shelves (a shopper's return fit for resale, a failed delivery)."""
    quantity = check_quantity(quantity)
    return move(level, Kind.RETURNED, on_hand=quantity, reference=reference, note=note, actor=actor)


def adjust(level, delta, *, reason, actor="", reference=""):
    """A stock-take correction: on hand up or down by `delta` (never below what is reserved)."""
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0:
        raise LogisticsError(
            LogisticsErrorCode.INVALID_QUANTITY,
            _("An adjustment is a whole number of units other than zero, not %(value)r.") % {"value": delta},
            field="delta",
        )
    if not (reason or "").strip():
        raise LogisticsError(LogisticsErrorCode.INVALID, _("An adjustment needs a reason."), field="reason")
    return _move_shown(level, Kind.ADJUSTED, on_hand=delta, reference=reference, note=reason, actor=actor)


def write_off(level, quantity, *, reason, reference="", actor=""):
    """Units gone for good (damaged, lost, disposed of)."""
    quantity = check_quantity(quantity)
    if not (reason or "").strip():
        raise LogisticsError(LogisticsErrorCode.INVALID, _("A write-off needs a reason."), field="reason")
    return _move_shown(level, Kind.WRITTEN_OFF, on_hand=-quantity, reference=reference, note=reason, actor=actor)


@transaction.atomic
def _move_shown(level, kind, **change):
    """move(), and in the same transaction the partner listings showing a consignment level's SKU
    show the units now left (hooks.checkout_stock_changed with only `consignment`), not at the
    next sync."""
    movement = move(level, kind, **change)
    _follow_checkout_holds(take={}, give_back={}, consignment=[level])
    return movement


# --- returned units ------------------------------------------------------------------------------
# A shopper's return comes back into our warehouse one unit at a time, with its owner (our own goods
# or the partner's consignment stock) and what after-sales decided becomes of it. Each is one
# movement named by the returned unit (`reference`), so deciding again never moves it twice.

RETURN_HOLD_PREFIXES = {"send_back": "reverse", "repair": "repair"}


@transaction.atomic
def put_back_returned(
    *, warehouse, sku, owner=None, variant=None, partner_product=None, grade="", reference, actor="", note=""
):
    """One returned unit back on the shelves: into the owner's sellable stock (`grade` empty:
    restocked as new) or into the owner's graded stock of `grade` (offered as a graded item).
    Returns its level."""
    level = stock_level(
        warehouse=warehouse, sku=sku, owner=owner, variant=variant, partner_product=partner_product, grade=grade
    )
    return_to_stock(level, 1, reference=reference, note=note, actor=actor)
    return level


@transaction.atomic
def hold_returned(
    *, warehouse, sku, owner=None, variant=None, partner_product=None, grade="", purpose, reference, actor="", note=""
):
    """One returned unit back in our custody but held, not for sale: `purpose` "send_back" (for the
    next reverse consignment to its owner: an allocation named `reverse:<reference>`, which the
    reverse consignment picks) or "repair" (`repair:<reference>`, until it is repaired). Returns the
    reservation."""
    prefix = RETURN_HOLD_PREFIXES.get(purpose)
    if prefix is None:
        raise LogisticsError(
            LogisticsErrorCode.INVALID, _("A returned unit is held to send back or to repair."), field="purpose"
        )
    level = put_back_returned(
        warehouse=warehouse,
        sku=sku,
        owner=owner,
        variant=variant,
        partner_product=partner_product,
        grade=grade,
        reference=reference,
        actor=actor,
        note=note,
    )
    return reserve(level, 1, reference=f"{prefix}:{reference}", actor=actor)


@transaction.atomic
def write_off_returned(*, warehouse, sku, owner=None, variant=None, partner_product=None, reason, reference, actor=""):
    """One returned unit disposed of: received back and written off at once, with the reason, so
    the owner's movements show where it went."""
    if not (reason or "").strip():
        raise LogisticsError(LogisticsErrorCode.INVALID, _("A write-off needs a reason."), field="reason")
    level = stock_level(warehouse=warehouse, sku=sku, owner=owner, variant=variant, partner_product=partner_product)
    return_to_stock(level, 1, reference=reference, note=reason, actor=actor)
    return write_off(level, 1, reason=reason, reference=reference, actor=actor)


@transaction.atomic
def take_back_returned(*, reference, actor=""):
    """Undo where a returned unit was put (its decision changed): give back its hold, if any, and
    take the unit off that level. Refuses (changing nothing) a unit that has left it: sold, held
    for an order, sent back or written off."""
    movement = StockMovement.objects.filter(reference=reference, kind=Kind.RETURNED).first()
    gone = LogisticsError(
        LogisticsErrorCode.INSUFFICIENT_STOCK,
        _("Returned unit %(ref)s has left the stock it was put back into.") % {"ref": reference},
        field="reference",
        status=409,
    )
    if movement is None or StockMovement.objects.filter(reference=reference, kind=Kind.WRITTEN_OFF).exists():
        raise gone
    held = Reservation.objects.select_for_update().filter(
        reference__in=[f"{prefix}:{reference}" for prefix in RETURN_HOLD_PREFIXES.values()]
    )
    for reservation in held:
        if reservation.status != Reservation.Status.ACTIVE:
            raise gone
        release(reservation.reference, actor=actor)
    level = StockLevel.objects.select_for_update().get(pk=movement.stock_id)
    if level.sellable < 1:
        raise gone
    return move(level, Kind.ADJUSTED, on_hand=-1, reference=f"undo:{reference}", note=_("decided again"), actor=actor)


@transaction.atomic
def send_back_held(reservation_reference, *, reference, actor=""):
    """A unit held to send back (`reverse:` allocation) leaves in a reverse consignment
    (`reference`): the allocation becomes the shipment (picked), the units leave the owner's
    stock. Returns the reservation; one no longer active is refused."""
    reservation = locked_reservation(reservation_reference)
    refusal = _("Reservation %(ref)s is %(status)s; only an active one can be sent back.")
    return _take_held(reservation, refusal, Kind.SENT_BACK, reference=reference, actor=actor)


def send_back(level, quantity, *, reference, actor=""):
    """Consignment units leaving for the exporter (a reverse consignment)."""
    quantity = check_quantity(quantity)
    return move(level, Kind.SENT_BACK, on_hand=-quantity, reference=reference, actor=actor)


# --- recount -------------------------------------------------------------------------------------


def movement_totals(levels=None):
    """{level id: (on_hand, reserved, picked)} recomputed from movements alone, in one query."""
    movements = StockMovement.objects.all()
    if levels is not None:
        movements = movements.filter(stock__in=levels)
    rows = movements.values("stock_id").annotate(
        on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta"), picked=Sum("picked_delta")
    )
    return {row["stock_id"]: (row["on_hand"], row["reserved"], row["picked"]) for row in rows}


@transaction.atomic
def check_counts(*, now=None):
    """The nightly check: every level's counts against the sum of its movements. Each difference
    opens a RECOUNT discrepancy (once per level and field until resolved); nothing is corrected
    automatically. Returns the discrepancies opened."""
    now = now or timezone.now()
    totals = movement_totals()
    opened = []
    open_keys = set(
        Discrepancy.objects.filter(kind=Discrepancy.Kind.RECOUNT, status=Discrepancy.Status.OPEN).values_list(
            "reference", "field"
        )
    )
    for level in StockLevel.objects.only("id", "sku", "on_hand", "reserved", "picked", "owner_id").iterator():
        expected = totals.get(level.pk, (0, 0, 0))
        for field, ours, recomputed in zip(
            ("on_hand", "reserved", "picked"), (level.on_hand, level.reserved, level.picked), expected, strict=True
        ):
            key = (f"stock:{level.pk}", field)
            if ours != recomputed and key not in open_keys:
                opened.append(
                    Discrepancy.objects.create(
                        kind=Discrepancy.Kind.RECOUNT,
                        sku=level.sku,
                        field=field,
                        ours=ours,
                        theirs=recomputed,
                        reference=key[0],
                        note=_("Count differs from the sum of movements (checked %(at)s).")
                        % {"at": now.isoformat(timespec="minutes")},
                    )
                )
    return opened


def age_in_days(received_at, now):
    return max((now - received_at) // dt.timedelta(days=1), 0)
