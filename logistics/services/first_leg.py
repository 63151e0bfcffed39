"""The first leg: the exporter plans a consolidated consignment of its goods and sends an advance
shipment notice ("shipment.notice"); the importer records the notice, counts the goods in against it,
puts the good units into consignment stock owned by the exporter, flags every difference as a
discrepancy and sends the receipt back ("shipment.receipt"). Both platforms keep a Consignment row
with the same reference: the exporter's OUTBOUND, the importer's INBOUND.

Also the cost comparison of a consignment's first leg against sending each unit by express."""

import math
from dataclasses import dataclass, replace
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from catalog.models import ExportOffer, ProductVariant
from crossborder import money
from crossborder.models import Partnership
from crossborder.services import send_to_partner

from .. import hooks
from ..errors import LogisticsErrorCode as Code
from ..models import Consignment, ConsignmentLine, Discrepancy, ExpressRate, Warehouse
from . import LogisticsError, partnership_not_live, stock

ASN = "shipment.notice"
RECEIPT = "shipment.receipt"

Direction = Consignment.Direction
Status = Consignment.Status


def _reference_of(consignment):
    return f"consignment:{consignment.reference}"


def _require_active(partnership):
    if partnership.status != Partnership.Status.ACTIVE:
        raise partnership_not_live(partnership, _("consignments go only to an active partner."))


def _check_text(value, *, field, max_length):
    value = (value or "").strip()
    if len(value) > max_length:
        raise LogisticsError(
            Code.INVALID,
            _("%(field)s has at most %(max)d characters.") % {"field": field, "max": max_length},
            field=field,
        )
    return value


def _title_for(product, language):
    texts = {text.language: text.title for text in product.texts.all()}
    return texts.get(language) or texts.get(product.original_language) or next(iter(texts.values()), product.code)


# --- exporter: planning and the notice -----------------------------------------------------------


@transaction.atomic
def plan_consignment(
    *,
    partnership,
    lines,
    carrier="",
    tracking_number="",
    cartons=0,
    gross_weight_grams=0,
    eta=None,
    first_leg_cost=None,
    destination="",
    actor="",
):
    """Plan an OUTBOUND consignment of our goods to `partnership`'s warehouse. `lines` are
    (sku, quantity) pairs; the same SKU on several lines is merged into one line (quantities added).
    Every SKU must be a variant of one of our products offered to this partner. A refusal changes nothing."""
    _require_active(partnership)
    lines = list(lines or [])
    if not lines:
        raise LogisticsError(Code.INVALID, _("A consignment needs at least one line."), field="lines")
    quantities = {}
    for index, line in enumerate(lines):
        try:
            sku, quantity = line
        except (TypeError, ValueError):
            raise LogisticsError(
                Code.INVALID, _("Line %(n)d is not a (SKU, quantity) pair.") % {"n": index + 1}, field=f"lines[{index}]"
            )
        sku = (str(sku) if sku is not None else "").strip()
        if not sku:
            raise LogisticsError(
                Code.UNKNOWN_SKU, _("Line %(n)d has no SKU.") % {"n": index + 1}, field=f"lines[{index}].sku"
            )
        quantity = stock.check_quantity(quantity, field=f"lines[{index}].quantity")
        quantities[sku] = quantities.get(sku, 0) + quantity
    cartons = stock.check_quantity(cartons, field="cartons", allow_zero=True)
    gross_weight_grams = stock.check_quantity(gross_weight_grams, field="gross_weight_grams", allow_zero=True)
    carrier = _check_text(carrier, field="carrier", max_length=80)
    tracking_number = _check_text(tracking_number, field="tracking_number", max_length=80)
    destination = _check_text(destination, field="destination", max_length=40)
    if first_leg_cost is not None:
        if not isinstance(first_leg_cost, Money) or first_leg_cost.amount < 0:
            raise LogisticsError(
                Code.INVALID, _("The first-leg cost must be an amount of money, not negative."), field="first_leg_cost"
            )
        if str(first_leg_cost.currency) != settings.PLATFORM_CURRENCY:
            raise LogisticsError(
                Code.INVALID,
                _("The first-leg cost must be in %(currency)s, not %(given)s.")
                % {"currency": settings.PLATFORM_CURRENCY, "given": first_leg_cost.currency},
                field="first_leg_cost",
            )

    variants = {
        v.sku: v
        for v in ProductVariant.objects.filter(sku__in=quantities)
        .select_related("product")
        .prefetch_related("product__texts")
    }
    offered = set(
        ExportOffer.objects.filter(
            partnership=partnership, is_offered=True, product_id__in={v.product_id for v in variants.values()}
        ).values_list("product_id", flat=True)
    )
    for sku in quantities:
        variant = variants.get(sku)
        if variant is None or variant.product_id not in offered:
            raise LogisticsError(
                Code.SKU_NOT_OFFERED,
                _("%(sku)s is not one of our SKUs offered to %(partner)s.")
                % {"sku": sku, "partner": partnership.partner.code},
                field="lines",
            )

    language = (partnership.partner.languages or [""])[0]
    consignment = Consignment.objects.create(
        partnership=partnership,
        direction=Direction.OUTBOUND,
        status=Status.PLANNED,
        destination_code=destination,
        carrier=carrier,
        tracking_number=tracking_number,
        cartons=cartons,
        gross_weight_grams=gross_weight_grams,
        eta=eta,
        first_leg_cost=first_leg_cost,
    )
    ConsignmentLine.objects.bulk_create(
        ConsignmentLine(
            consignment=consignment,
            sku=sku,
            variant=variants[sku],
            partner_product=variants[sku].product.reference,
            title=_title_for(variants[sku].product, language)[:300],
            unit_weight_grams=variants[sku].shipping_weight_grams,
            quantity=quantity,
        )
        for sku, quantity in quantities.items()
    )
    return consignment


def plan_from_suggestions(*, partnership, suggestions, **kwargs):
    """Plan a consignment from replenishment suggestions (dicts or objects with `sku` and
    `suggested_quantity`); suggestions of nothing are left out."""
    lines = []
    for suggestion in suggestions:
        if isinstance(suggestion, dict):
            sku, quantity = suggestion.get("sku"), suggestion.get("suggested_quantity", suggestion.get("quantity"))
        else:
            sku = getattr(suggestion, "sku", None)
            quantity = getattr(suggestion, "suggested_quantity", getattr(suggestion, "quantity", None))
        if isinstance(quantity, int | Decimal) and not isinstance(quantity, bool) and quantity > 0:
            lines.append((sku, quantity))
    if not lines:
        raise LogisticsError(Code.INVALID, _("No suggestion proposes any units to send."), field="suggestions")
    return plan_consignment(partnership=partnership, lines=lines, **kwargs)


def notice_payload(consignment):
    return {
        "consignment": str(consignment.reference),
        "destination": consignment.destination_code,
        "carrier": consignment.carrier,
        "tracking_number": consignment.tracking_number,
        "cartons": consignment.cartons,
        "gross_weight_grams": consignment.gross_weight_grams,
        "eta": consignment.eta.isoformat() if consignment.eta else None,
        "lines": [
            {
                "sku": line.sku,
                "product": str(line.partner_product) if line.partner_product else None,
                "title": line.title,
                "unit_weight_grams": line.unit_weight_grams,
                "quantity": line.quantity,
            }
            for line in consignment.lines.order_by("id")
        ],
    }


def _locked(consignment):
    return Consignment.objects.select_for_update().select_related("partnership__partner").get(pk=consignment.pk)


@transaction.atomic
def send_notice(consignment, *, actor=""):
    """Send the advance shipment notice of a PLANNED outbound consignment (outbox row, same
    transaction). Sending it again changes nothing."""
    consignment = _locked(consignment)
    if consignment.direction != Direction.OUTBOUND:
        raise LogisticsError(
            Code.CONSIGNMENT_STATE, _("Only our outbound consignments have a notice to send."), status=409
        )
    if consignment.status in (Status.NOTIFIED, Status.RECEIVING):
        return consignment
    if consignment.status != Status.PLANNED:
        raise LogisticsError(
            Code.CONSIGNMENT_STATE,
            _("Consignment %(ref)s is %(status)s; its notice cannot be sent.")
            % {"ref": consignment.reference, "status": consignment.get_status_display()},
            status=409,
        )
    _require_active(consignment.partnership)
    send_to_partner(consignment.partnership, ASN, notice_payload(consignment))
    consignment.status = Status.NOTIFIED
    consignment.notified_at = timezone.now()
    consignment.save(update_fields=["status", "notified_at"])
    return consignment


# --- importer: the notice ------------------------------------------------------------------------


def _receiving_warehouse(destination):
    candidates = [destination, settings.LOGISTICS.get("CONSIGNMENT_WAREHOUSE", "")]
    for code in candidates:
        if code:
            found = Warehouse.objects.filter(code=code, is_active=True).first()
            if found is not None:
                return found
    found = Warehouse.objects.filter(is_active=True, country=settings.PLATFORM_COUNTRY).order_by("code").first()
    if found is None:
        raise LogisticsError(
            Code.UNKNOWN_WAREHOUSE,
            _("No active warehouse in %(country)s can receive this consignment (destination %(code)r).")
            % {"country": settings.PLATFORM_COUNTRY, "code": destination},
            field="destination",
            status=409,
        )
    return found


def _refuse_skus_never_offered(partnership, lines):
    """Only SKUs the partner offered us may arrive as its consignment stock. Logistics alone cannot
    know the partner's catalog: the partner zone answers through hooks.known_partner_skus (it
    mirrors the catalog); without it the notice is refused, not taken on trust."""
    if not hooks.known_partner_skus.subscribers:
        raise LogisticsError(
            Code.NOT_WIRED,
            _("No check of the partner's offered catalog is installed; the notice cannot be recorded."),
            field="lines",
            status=503,
        )
    known = set()
    for answer in hooks.known_partner_skus.fire(partnership=partnership, skus=sorted(lines)):
        known |= set(answer or ())
    unknown = [sku for sku in lines if sku not in known]
    if unknown:
        fields = list(lines)
        raise LogisticsError(
            Code.SKU_NOT_OFFERED,
            _("%(partner)s never offered us %(skus)s.")
            % {"partner": partnership.partner.code, "skus": ", ".join(sorted(unknown))},
            field=f"lines[{fields.index(unknown[0])}].sku",
        )


@transaction.atomic
def record_notice(*, partnership, payload):
    """Record the partner's advance shipment notice as an INBOUND consignment to receive. The same
    notice again returns the consignment unchanged; the same reference with other lines is refused."""
    reference = str(payload["consignment"])
    lines = {}
    for index, line in enumerate(payload.get("lines") or []):
        sku = (line.get("sku") or "").strip()
        if not sku:
            raise LogisticsError(Code.UNKNOWN_SKU, _("A notice line has no SKU."), field=f"lines[{index}].sku")
        if sku in lines:
            raise LogisticsError(
                Code.INVALID, _("%(sku)s is on the notice twice.") % {"sku": sku}, field=f"lines[{index}].sku"
            )
        lines[sku] = {**line, "quantity": stock.check_quantity(line.get("quantity"), field=f"lines[{index}].quantity")}
    if not lines:
        raise LogisticsError(Code.INVALID, _("A notice needs at least one line."), field="lines")

    existing = Consignment.objects.filter(partnership=partnership, reference=reference).first()
    if existing is not None:
        return _same_notice_or_refuse(existing, lines)

    _refuse_skus_never_offered(partnership, lines)
    warehouse = _receiving_warehouse((payload.get("destination") or "").strip())
    try:
        with transaction.atomic():
            consignment = Consignment.objects.create(
                reference=reference,
                partnership=partnership,
                direction=Direction.INBOUND,
                status=Status.NOTIFIED,
                warehouse=warehouse,
                destination_code=warehouse.code,
                carrier=(payload.get("carrier") or "")[:80],
                tracking_number=(payload.get("tracking_number") or "")[:80],
                cartons=payload.get("cartons") or 0,
                gross_weight_grams=payload.get("gross_weight_grams") or 0,
                eta=payload.get("eta"),
                notified_at=timezone.now(),
            )
    except IntegrityError:  # the same notice arrived twice at once
        return _same_notice_or_refuse(Consignment.objects.get(partnership=partnership, reference=reference), lines)
    ConsignmentLine.objects.bulk_create(
        ConsignmentLine(
            consignment=consignment,
            sku=sku,
            partner_product=line.get("product"),
            title=(line.get("title") or "")[:300],
            unit_weight_grams=line.get("unit_weight_grams"),
            quantity=line["quantity"],
        )
        for sku, line in lines.items()
    )
    return consignment


def _same_notice_or_refuse(existing, lines):
    ours = dict(existing.lines.values_list("sku", "quantity"))
    theirs = {sku: line["quantity"] for sku, line in lines.items()}
    if existing.direction != Direction.INBOUND or ours != theirs:
        raise LogisticsError(
            Code.CONSIGNMENT_STATE,
            _("Consignment %(ref)s was already notified with other lines; a notice cannot change it.")
            % {"ref": existing.reference},
            field="lines",
            status=409,
        )
    return existing


# --- importer: receiving -------------------------------------------------------------------------


def _check_receivable(consignment):
    if consignment.direction != Direction.INBOUND:
        raise LogisticsError(
            Code.CONSIGNMENT_STATE, _("Only inbound consignments are received here."), field="consignment", status=409
        )
    if consignment.status not in (Status.NOTIFIED, Status.RECEIVING):
        raise LogisticsError(
            Code.CONSIGNMENT_STATE,
            _("Consignment %(ref)s is %(status)s; it can no longer be counted.")
            % {"ref": consignment.reference, "status": consignment.get_status_display()},
            field="consignment",
            status=409,
        )


def receive_line(*, consignment, sku, counted, damaged=0, add=False, actor=""):
    """Set (or with `add`, add to: one scan) the counted and damaged units of one line. Damaged
    units are part of the counted ones. A SKU not on the notice is refused, but its count is kept
    as an open RECEIPT discrepancy so nothing found in the cartons is lost."""
    sku = (sku or "").strip()
    counted = stock.check_quantity(counted, field="counted", allow_zero=True)
    damaged = stock.check_quantity(damaged, field="damaged", allow_zero=True)
    with transaction.atomic():
        consignment = _locked(consignment)
        _check_receivable(consignment)
        line = ConsignmentLine.objects.filter(consignment=consignment, sku=sku).first() if sku else None
        if line is not None:
            new_counted = (line.counted or 0) + counted if add else counted
            new_damaged = line.damaged + damaged if add else damaged
            if new_damaged > new_counted:
                raise LogisticsError(
                    Code.INVALID_QUANTITY,
                    _("%(sku)s: damaged units (%(damaged)d) cannot be more than counted units (%(counted)d).")
                    % {"sku": sku, "damaged": new_damaged, "counted": new_counted},
                    field="damaged",
                )
            line.counted, line.damaged = new_counted, new_damaged
            line.save(update_fields=["counted", "damaged"])
            if consignment.status == Status.NOTIFIED:
                consignment.status = Status.RECEIVING
                consignment.save(update_fields=["status"])
            return line
        if sku:
            _record_unlisted(consignment, sku, counted, add=add, actor=actor)
    # Outside the transaction: the discrepancy above stays recorded.
    raise LogisticsError(
        Code.UNKNOWN_SKU,
        _("%(sku)s is not on the notice of consignment %(ref)s; its count was kept as a discrepancy.")
        % {"sku": sku or "-", "ref": consignment.reference}
        if sku
        else _("A SKU is required."),
        field="sku",
    )


def _record_unlisted(consignment, sku, counted, *, add, actor):
    found = Discrepancy.objects.filter(
        kind=Discrepancy.Kind.RECEIPT,
        status=Discrepancy.Status.OPEN,
        reference=_reference_of(consignment),
        sku=sku,
        field="unlisted",
    )
    if found.exists():
        found.update(ours=F("ours") + counted if add else counted)
        return
    Discrepancy.objects.create(
        kind=Discrepancy.Kind.RECEIPT,
        partnership=consignment.partnership,
        sku=sku,
        field="unlisted",
        ours=counted,
        theirs=0,
        reference=_reference_of(consignment),
        note=(_("Found in the cartons but not on the notice (counted by %(actor)s).") % {"actor": actor or "-"})[:300],
    )


@dataclass(frozen=True)
class _Difference:
    field: str
    ours: int
    theirs: int
    note: str


def _line_differences(line, *, shipped, counted, damaged):
    found = []
    if counted < shipped:
        found.append(_Difference("short", counted, shipped, _("%(n)d units short.") % {"n": shipped - counted}))
    if counted > shipped:
        found.append(
            _Difference("over", counted, shipped, _("%(n)d units more than the notice.") % {"n": counted - shipped})
        )
    if damaged:
        found.append(
            _Difference(
                "damaged", counted, shipped, _("%(n)d of %(c)d counted units damaged.") % {"n": damaged, "c": counted}
            )
        )
    return found


def receipt_payload(consignment):
    lines = list(consignment.lines.order_by("id"))
    unlisted = Discrepancy.objects.filter(
        kind=Discrepancy.Kind.RECEIPT, reference=_reference_of(consignment), field="unlisted"
    ).order_by("sku")
    return {
        "consignment": str(consignment.reference),
        "received_at": consignment.received_at.isoformat(),
        "lines": [
            {
                "sku": line.sku,
                "shipped": line.quantity,
                "counted": line.counted or 0,
                "damaged": line.damaged,
                "short": line.short,
                "over": line.over,
                "good": line.good,
            }
            for line in lines
        ],
        "unlisted": [{"sku": d.sku, "counted": d.ours or 0} for d in unlisted],
    }


@transaction.atomic
def complete_receipt(*, consignment, actor=""):
    """Close the count: the good units of each line become consignment stock owned by the partner
    (over-counted units too, as they are physically here, but flagged); damaged units stay out of
    sellable stock; each short, over or damaged line opens a RECEIPT discrepancy; the receipt goes
    back to the exporter. Completing again changes nothing."""
    consignment = _locked(consignment)
    if consignment.direction == Direction.INBOUND and consignment.status == Status.RECEIVED:
        return consignment
    _check_receivable(consignment)
    partnership = consignment.partnership
    now = timezone.now()
    changed_skus = []
    for line in consignment.lines.order_by("id").select_for_update():
        if line.counted is None:
            line.counted = 0
            line.save(update_fields=["counted"])
        if line.good:
            level = stock.stock_level(
                warehouse=consignment.warehouse,
                sku=line.sku,
                owner=partnership.partner,
                partner_product=line.partner_product,
                unit_weight_grams=line.unit_weight_grams,
            )
            stock.receive(
                level,
                line.good,
                reference=f"receipt:{consignment.reference}:{line.sku}",
                note=_("First-leg consignment %(ref)s") % {"ref": consignment.reference},
                actor=actor,
                at=now,
            )
            changed_skus.append(line.sku)
        for difference in _line_differences(line, shipped=line.quantity, counted=line.counted, damaged=line.damaged):
            Discrepancy.objects.create(
                kind=Discrepancy.Kind.RECEIPT,
                partnership=partnership,
                sku=line.sku,
                field=difference.field,
                ours=difference.ours,
                theirs=difference.theirs,
                reference=_reference_of(consignment),
                note=difference.note[:300],
            )
    consignment.status = Status.RECEIVED
    consignment.received_at = now
    consignment.save(update_fields=["status", "received_at"])
    if partnership.is_live:
        send_to_partner(partnership, RECEIPT, receipt_payload(consignment))
    if changed_skus:
        hooks.consignment_stock_changed.fire(partnership=partnership, skus=changed_skus)
    return consignment


# --- exporter: the receipt -----------------------------------------------------------------------


@transaction.atomic
def record_receipt(*, partnership, payload):
    """Record the importer's receipt on our OUTBOUND consignment: counted and damaged per line, and
    a RECEIPT discrepancy for each difference from what we shipped. A repeat changes nothing."""
    reference = str(payload["consignment"])
    consignment = (
        Consignment.objects.select_for_update()
        .filter(partnership=partnership, reference=reference, direction=Direction.OUTBOUND)
        .first()
    )
    if consignment is None:
        raise LogisticsError(
            Code.UNKNOWN_CONSIGNMENT,
            _("We sent no consignment %(ref)s to %(partner)s.")
            % {"ref": reference, "partner": partnership.partner.code},
            field="consignment",
            status=404,
        )
    if consignment.status == Status.RECEIVED:
        return consignment
    reported = {}
    for index, line in enumerate(payload.get("lines") or []):
        reported[line["sku"]] = {
            "shipped": stock.check_quantity(line.get("shipped", 0), field=f"lines[{index}].shipped", allow_zero=True),
            "counted": stock.check_quantity(line.get("counted"), field=f"lines[{index}].counted", allow_zero=True),
            "damaged": stock.check_quantity(line.get("damaged", 0), field=f"lines[{index}].damaged", allow_zero=True),
        }
    found = []
    for line in consignment.lines.order_by("id").select_for_update():
        theirs = reported.pop(line.sku, None)
        if theirs is None:
            found.append((line.sku, _Difference("not_in_receipt", line.quantity, 0, _("Missing from the receipt."))))
            continue
        line.counted, line.damaged = theirs["counted"], min(theirs["damaged"], theirs["counted"])
        line.save(update_fields=["counted", "damaged"])
        if theirs["shipped"] != line.quantity:
            found.append(
                (
                    line.sku,
                    _Difference(
                        "shipped", line.quantity, theirs["shipped"], _("The receipt names another shipped quantity.")
                    ),
                )
            )
        for difference in _line_differences(line, shipped=line.quantity, counted=line.counted, damaged=line.damaged):
            # Our side: ours = what we shipped, theirs = what the partner counted.
            found.append((line.sku, _Difference(difference.field, line.quantity, line.counted, difference.note)))
    for sku, theirs in reported.items():
        found.append((sku, _Difference("unlisted", 0, theirs["counted"], _("Not on our notice."))))
    for unlisted in payload.get("unlisted") or []:
        found.append((unlisted["sku"], _Difference("unlisted", 0, unlisted["counted"], _("Not on our notice."))))
    Discrepancy.objects.bulk_create(
        Discrepancy(
            kind=Discrepancy.Kind.RECEIPT,
            partnership=partnership,
            sku=sku,
            field=difference.field,
            ours=difference.ours,
            theirs=difference.theirs,
            reference=_reference_of(consignment),
            note=str(difference.note)[:300],
        )
        for sku, difference in found
    )
    consignment.status = Status.RECEIVED
    consignment.received_at = payload.get("received_at") or timezone.now()
    consignment.save(update_fields=["status", "received_at"])
    return consignment


@transaction.atomic
def resolve_discrepancies(*, discrepancies, note=""):
    """Mark open discrepancies resolved (people settled them); returns how many."""
    extra = {"note": note[:300]} if note else {}
    return Discrepancy.objects.filter(pk__in=[d.pk for d in discrepancies], status=Discrepancy.Status.OPEN).update(
        status=Discrepancy.Status.RESOLVED, resolved_at=timezone.now(), **extra
    )


# --- cost comparison -----------------------------------------------------------------------------

# International express by weight band, CNY, China to the United States: the paper quotes about
# 500 CNY for a 5 kg parcel. Used when no ExpressRate rows exist for the destination.
DEFAULT_EXPRESS_RATES = {
    "currency": "CNY",
    "destination": "US",
    "bands": (
        (500, Decimal("150")),
        (1000, Decimal("200")),
        (2000, Decimal("280")),
        (5000, Decimal("500")),
        (10000, Decimal("900")),
    ),
}


def _express_price(bands, weight):
    """The price of one parcel of `weight` grams: the smallest band that holds it, or for heavier
    parcels the largest band's price per started band weight."""
    for max_weight, price in bands:
        if weight <= max_weight:
            return price
    max_weight, price = bands[-1]
    return price * math.ceil(weight / max_weight)


@dataclass(frozen=True)
class ExpressLine:
    """One consignment line sent unit by unit by international express."""

    sku: str
    quantity: int
    unit_weight_grams: int
    express_per_unit: Decimal
    express_total: Decimal


@dataclass(frozen=True)
class CostComparison:
    """A consignment's first leg against international express, amounts in `currency` (None where
    a figure is missing; `problem` says why). `rates`: "configured" or "default" (the built-in
    table)."""

    destination: str
    currency: str
    units: int
    rates: str = ""
    first_leg_total: Decimal | None = None
    first_leg_per_unit: Decimal | None = None
    express_total: Decimal | None = None
    express_per_unit: Decimal | None = None
    saving: Decimal | None = None
    saving_per_unit: Decimal | None = None
    saving_percent: Decimal | None = None
    lines: tuple = ()  # ExpressLine
    problem: str = ""


def cost_comparison(consignment, *, lines=None, express_rates=None) -> CostComparison:
    """The consignment's first-leg cost per unit against sending each unit by international express
    to the importer's country. Amounts are Decimal in one currency (no FX here); `problem` says why
    a figure is missing. A report over many consignments passes their `lines` (in id order) and the
    `express_rates` of every destination (ExpressRate rows) it read once."""
    destination = (
        consignment.partnership.partner.country
        if consignment.direction == Direction.OUTBOUND
        else settings.PLATFORM_COUNTRY
    )
    cost = consignment.first_leg_cost
    currency = str(cost.currency) if cost is not None else settings.PLATFORM_CURRENCY
    lines = list(consignment.lines.order_by("id")) if lines is None else list(lines)
    units = sum(line.quantity for line in lines)
    first_leg_per_unit = money.quantize(cost.amount / units, currency) if cost is not None and units else None
    known = CostComparison(
        destination=str(destination),
        currency=currency,
        units=units,
        first_leg_total=cost.amount if cost is not None else None,
        first_leg_per_unit=first_leg_per_unit,
    )

    if express_rates is None:
        rows = list(ExpressRate.objects.filter(destination=destination).order_by("max_weight_grams"))
    else:
        rows = sorted(
            (r for r in express_rates if str(r.destination) == str(destination)), key=lambda r: r.max_weight_grams
        )
    if rows:
        bands = tuple((r.max_weight_grams, r.price.amount) for r in rows if str(r.price.currency) == currency)
        known = replace(known, rates="configured")
    else:
        default = DEFAULT_EXPRESS_RATES
        bands = default["bands"] if default["currency"] == currency else ()
        known = replace(known, rates="default")
    if not bands:
        problem = _(
            "The comparison needs express rates in %(currency)s to %(country)s (amounts are not converted here)."
        ) % {"currency": currency, "country": destination}
        return replace(known, problem=problem)
    missing = [line.sku for line in lines if not line.unit_weight_grams]
    if missing:
        return replace(known, problem=_("No unit weight for %(skus)s.") % {"skus": ", ".join(missing)})

    express_total = Decimal(0)
    express_lines = []
    for line in lines:
        per_unit = _express_price(bands, line.unit_weight_grams)
        express_total += per_unit * line.quantity
        express_lines.append(
            ExpressLine(
                sku=line.sku,
                quantity=line.quantity,
                unit_weight_grams=line.unit_weight_grams,
                express_per_unit=money.quantize(per_unit, currency),
                express_total=money.quantize(per_unit * line.quantity, currency),
            )
        )
    express_per_unit = money.quantize(express_total / units, currency) if units else None
    saving = saving_per_unit = saving_percent = None
    if cost is not None and units:
        saving = money.quantize(express_total - cost.amount, currency)
        saving_per_unit = express_per_unit - first_leg_per_unit
        if express_total:
            saving_percent = money.round_to((express_total - cost.amount) * 100 / express_total, 1)
    return replace(
        known,
        express_total=money.quantize(express_total, currency),
        express_per_unit=express_per_unit,
        saving=saving,
        saving_per_unit=saving_per_unit,
        saving_percent=saving_percent,
        lines=tuple(express_lines),
    )
