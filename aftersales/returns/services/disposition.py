"""What becomes of each graded returned unit: decided by the agreement's rules (a default
disposition per grade, `Terms.default_disposition`), narrowed by the importing country's rules
(aftersales.rules), or by ops with a reason; then carried out through the stock service with the
unit's owner, and, for a partner's goods, told to the partner (`return.disposition`, outbox).

- restock: back into the owner's sellable stock (our variant's, or the partner's consignment level);
- resell: into the owner's graded stock of the unit's grade, offered as a graded item (a partner's
  goods in its zone's listing, ours on our product page), discounted by grade;
- send_back: held for the next reverse consignment to the partner;
- repair: held for repair, and a repair ticket opened at the warehouse's address (aftersales.service):
  once the provider repaired it the unit is released and goes on by the rules (restock or resale);
  when it cannot be repaired it is disposed of;
- dispose: written off with the reason.

The partner learns each step of its unit: the decision, the repair's dispatch, appointment and
outcome, and the reverse consignment a unit sent back leaves in (`step` of the message).

Each public function is one transaction; a refusal raises a DomainError and writes nothing. A unit
decided by the rules may be overridden once by ops while its unit is still where the rule put it;
a unit ops decided is final."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crossborder.errors import DomainError
from crossborder.grades import RESALE_GRADES
from crossborder.services import send_to_partner
from crossborder.terms import Terms
from logistics.selectors import received_at_of_unit
from logistics.services import LogisticsError, stock
from partner_zone.services.sync.stock import refresh_local_stock

from ...choices import Disposition, Grade
from ...errors import DispositionErrorCode as Code
from ...errors import ReturnErrorCode
from ...models import ReceivedDisposition, ReturnEvent, ReturnUnit
from ...rules import OWN_CATALOG, PARTNER_ZONE, resale_rule
from ...service.services import tickets

MESSAGE = "return.disposition"
# When the agreement's disposition for a grade is not allowed here, the first of these that is.
FALLBACK = (Disposition.SEND_BACK, Disposition.REPAIR, Disposition.DISPOSE)
REASON_LENGTH = ReturnUnit._meta.get_field("disposition_reason").max_length


@dataclass(frozen=True)
class Option:
    """One disposition of a unit: allowed, or excluded with why (the admin shows both)."""

    disposition: str
    allowed: bool
    why_not: str = ""

    @property
    def label(self):
        return Disposition(self.disposition).label


# --- what is allowed -------------------------------------------------------------------------------


def unit_key(unit):
    """The unit's name on both platforms and in the stock movements it causes."""
    return f"return:{unit.line.request.reference}:{unit.line.order_line.line_number}:{unit.number}"


def imported_at(unit):
    """When the unit's goods came into the country (the importing country's period counts from it):
    for a partner's goods sold from consignment stock, the customs entry of the unit's stock, which
    is the receipt of the first-leg consignment lot it left from (logistics, first in first out);
    for goods shipped direct, or when the lot is not known, the order's payment (the parcel clears
    customs after it, so this date is the stricter one)."""
    line = unit.line.order_line
    if unit.partnership_id and line.reservation_id:
        position = unit.line.units_before + unit.number
        entered = received_at_of_unit(reservation_id=line.reservation_id, unit=position)
        if entered is not None:
            return entered
    return line.order.paid_at or line.order.placed_at


def _terms(unit):
    return unit.partnership.terms if unit.partnership_id else Terms(settlement_currency="")


def _country_exclusion(unit, now):
    """Why the importing country's rule excludes restock and resale of this unit, or ''."""
    rule = resale_rule(partner_goods=unit.partnership_id is not None)
    if rule.period_days is not None and now - imported_at(unit) > dt.timedelta(days=rule.period_days):
        return rule.explanation() or _("The period within which this country allows it has passed.")
    channel = PARTNER_ZONE if unit.partnership_id else OWN_CATALOG
    if channel not in rule.resale_channels:
        return rule.explanation() or _("This country does not allow it to be resold here.")
    return ""


def _why_not(unit, disposition, country):
    grade, partner_goods = unit.grade, unit.partnership_id is not None
    if disposition == Disposition.RESTOCK:
        if grade != Grade.NEW:
            return _("Only a unit graded new goes back into stock as new; this one is %(grade)s.") % {
                "grade": Grade(grade).label
            }
        return country
    if disposition == Disposition.RESELL:
        if grade not in RESALE_GRADES:
            return _("A unit graded %(grade)s is not offered as a graded item.") % {"grade": Grade(grade).label}
        if partner_goods and unit.line.order_line.listing_id is None:
            return _("The partner's goods have no listing in the partner zone to offer it on.")
        return country
    if disposition == Disposition.SEND_BACK and not partner_goods:
        return _("Our own goods have no partner to send them back to.")
    return ""


def allowed_dispositions(unit, *, now=None):
    """Every disposition of a graded unit, in the vocabulary's order, each allowed or excluded with
    why: by its grade, its owner, or the importing country's rule."""
    _check_graded(unit)
    country = _country_exclusion(unit, now or timezone.now())
    options = []
    for disposition in Disposition.values:
        why = _why_not(unit, disposition, country)
        options.append(Option(disposition=disposition, allowed=not why, why_not=why))
    return options


def _check_graded(unit):
    if not unit.grade:
        raise DomainError(
            Code.NOT_GRADED,
            _("Unit %(number)s has not been graded yet: grade it before deciding what becomes of it.")
            % {"number": unit.number},
            field="grade",
            status=409,
        )
    if unit.grade not in Grade.values:
        raise DomainError(
            ReturnErrorCode.INVALID_GRADE, _("%(grade)r is not a grade.") % {"grade": unit.grade}, field="grade"
        )


def _check_allowed(unit, disposition, now):
    if disposition not in Disposition.values:
        raise DomainError(
            Code.UNKNOWN_DISPOSITION,
            _("%(value)r is not a disposition; choose one of: %(known)s.")
            % {"value": disposition, "known": ", ".join(Disposition.values)},
            field="disposition",
        )
    option = next(o for o in allowed_dispositions(unit, now=now) if o.disposition == disposition)
    if not option.allowed:
        raise DomainError(
            ReturnErrorCode.NOT_ALLOWED_HERE,
            _("%(disposition)s is not allowed for this unit: %(why)s")
            % {"disposition": option.label, "why": option.why_not},
            field="disposition",
            status=409,
        )


# --- deciding ----------------------------------------------------------------------------------


def _locked(units):
    ids = sorted({unit.pk for unit in units})
    rows = (
        ReturnUnit.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related(
            "partnership__partner",
            "line__request__warehouse",
            "line__order_line__order",
            "line__order_line__variant",
            "line__order_line__listing",
        )
        .order_by("pk")
    )
    return list(rows)


def _rule_choice(unit, now):
    """The agreement's disposition for the unit's grade, or the first allowed fallback; and why."""
    agreed = _terms(unit).default_disposition(unit.grade)
    options = {o.disposition: o for o in allowed_dispositions(unit, now=now)}
    if options[agreed].allowed:
        return agreed, _("The agreement's rule for a unit graded %(grade)s: %(disposition)s.") % {
            "grade": Grade(unit.grade).label,
            "disposition": Disposition(agreed).label,
        }
    instead = next(d for d in FALLBACK if options[d].allowed)
    return instead, _("The agreement says %(agreed)s, which is not allowed here (%(why)s): %(instead)s instead.") % {
        "agreed": Disposition(agreed).label,
        "why": options[agreed].why_not,
        "instead": Disposition(instead).label,
    }


@transaction.atomic
def apply_rules(units, actor=None, *, now=None):
    """Decide every unit of `units` by the agreement's rules narrowed by the country's, carry each
    out and tell the partner. Refuses (writing nothing) if any unit is ungraded or decided already.
    Returns the units."""
    now = now or timezone.now()
    locked = _locked(units)
    for unit in locked:
        _check_graded(unit)
        _check_undecided(unit)
    for unit in locked:
        disposition, reason = _rule_choice(unit, now)
        _carry_out(unit, disposition, reason=reason, by_rule=True, actor=actor, now=now)
    return locked


def _unit_conflict(unit, code, message):
    """A refusal about the unit's decision so far (`message` names %(number)s and %(disposition)s)."""
    detail = message % {"number": unit.number, "disposition": unit.get_disposition_display()}
    return DomainError(code, detail, field="disposition", status=409)


def _check_undecided(unit):
    if unit.disposition:
        raise _unit_conflict(unit, Code.ALREADY_DECIDED, _("Unit %(number)s is already decided: %(disposition)s."))


@transaction.atomic
def decide(unit, disposition, *, reason, actor, now=None):
    """Ops decide what becomes of one graded unit, with a reason (required), overriding the rules'
    decision while its unit is still where the rule put it. Refuses an ungraded unit, a disposition
    not allowed here (with why), a unit ops already decided, and a rule's decision that cannot be
    undone (the unit sold, sent or disposed of). Returns the unit."""
    now = now or timezone.now()
    reason = str(reason or "").strip()
    [unit] = _locked([unit])
    _check_graded(unit)
    if not reason:
        raise DomainError(Code.REASON_REQUIRED, _("Say why you decide this for the unit."), field="reason")
    if unit.disposition and not unit.disposition_by_rule:
        _check_undecided(unit)
    _check_allowed(unit, disposition, now)
    if unit.disposition:
        _undo(unit, actor=actor)
    return _carry_out(unit, disposition, reason=reason, by_rule=False, actor=actor, now=now)


# --- carrying it out -----------------------------------------------------------------------------


def _goods(unit):
    """Where the unit's stock is counted: warehouse, SKU, owner and catalog links."""
    line = unit.line.order_line
    warehouse = unit.line.request.warehouse or stock.home_warehouse(create=True)
    return {
        "warehouse": warehouse,
        "sku": line.sku,
        "owner": unit.partnership.partner if unit.partnership_id else None,
        "variant": line.variant,
        "partner_product": line.listing.reference if line.listing_id else None,
    }


def _actor_name(actor):
    return getattr(actor, "username", "") or "rules"


def _stock_reference(unit, disposition):
    """The stock movements of one decision (a later decision of the same unit moves it afresh)."""
    return f"{unit_key(unit)}:{disposition}"


def _carry_out(unit, disposition, *, reason, by_rule, actor, now, step="decided", ticket=None):
    key, who, goods = _stock_reference(unit, disposition), _actor_name(actor), _goods(unit)
    if disposition == Disposition.RESTOCK:
        stock.put_back_returned(**goods, reference=key, actor=who, note=reason)
    elif disposition == Disposition.RESELL:
        stock.put_back_returned(**goods, grade=unit.grade, reference=key, actor=who, note=reason)
    elif disposition in (Disposition.SEND_BACK, Disposition.REPAIR):
        stock.hold_returned(**goods, purpose=disposition, reference=key, actor=who, note=reason)
    else:
        stock.write_off_returned(**goods, reason=reason, reference=key, actor=who)
    if unit.partnership_id and disposition == Disposition.RESTOCK:
        refresh_local_stock(unit.partnership, [goods["sku"]])  # the zone's listing ships from here again
    reason = reason if len(reason) <= REASON_LENGTH else reason[: REASON_LENGTH - 1] + "…"
    unit.disposition, unit.disposition_reason, unit.disposition_by_rule = disposition, reason, by_rule
    unit.decided_at, unit.decided_by = now, actor if getattr(actor, "pk", None) else None
    unit.save(update_fields=["disposition", "disposition_reason", "disposition_by_rule", "decided_at", "decided_by"])
    request = unit.line.request
    ReturnEvent.objects.create(
        request=request,
        status=request.status,
        note=(
            _("Unit %(number)s: %(disposition)s")
            % {"number": unit.number, "disposition": unit.get_disposition_display()}
        )[:300],
        actor=unit.decided_by,
        detail={"unit": unit_key(unit), "disposition": disposition, "by_rule": by_rule, "reason": reason},
        created_at=now,
    )
    if disposition == Disposition.REPAIR:
        ticket = tickets.open_repair_ticket(unit=unit, warehouse=goods["warehouse"], reason=reason, now=now)
        sent = ticket.status == tickets.Status.DISPATCHED
        step = "repair_dispatched" if sent else "repair_requested"
    if unit.partnership_id:
        payload = disposition_payload(unit, step=step, at=now, ticket=ticket)
        send_to_partner(unit.partnership, MESSAGE, payload)
    return unit


def _undo(unit, *, actor):
    """Take the unit back from where the rules' decision put it, so ops can decide again (an open
    repair ticket of it is called off)."""
    try:
        stock.take_back_returned(reference=_stock_reference(unit, unit.disposition), actor=_actor_name(actor))
    except LogisticsError:
        raise _cannot_undo(unit) from None
    for ticket in unit.repair_tickets.filter(status__in=tickets.ServiceTicket.OPEN).order_by("pk"):
        tickets.cancel(ticket=ticket, reason=_("decided again"))


# --- a repair's steps ----------------------------------------------------------------------------


def _after_repair_choice(unit, now):
    """What a repaired unit becomes: the agreement's rule for its grade when that is restock or
    resale and allowed here, else the first allowed of resell, restock, send back, dispose."""
    options = {o.disposition: o for o in allowed_dispositions(unit, now=now)}
    agreed = _terms(unit).default_disposition(unit.grade)
    first = (agreed,) if agreed in (Disposition.RESTOCK, Disposition.RESELL) else ()
    chosen = next(
        d
        for d in (*first, Disposition.RESELL, Disposition.RESTOCK, Disposition.SEND_BACK, Disposition.DISPOSE)
        if options[d].allowed
    )
    return chosen, _("Repaired; graded %(grade)s, by the rules: %(disposition)s.") % {
        "grade": Grade(unit.grade).label,
        "disposition": Disposition(chosen).label,
    }


@transaction.atomic
def after_repair(*, ticket, repaired, note="", now=None):
    """The repair ticket of a returned unit is done (tickets.complete / report_unrepairable, in
    their transaction): the unit's repair hold is given back and it goes on by the rules, restocked
    or resold (a unit graded unsellable that was repaired is resold as acceptable), or, when it
    could not be repaired, disposed of. Its partner is told. A unit decided otherwise meanwhile is
    left as it is."""
    now = now or timezone.now()
    [unit] = _locked([ticket.return_unit])
    if unit.disposition != Disposition.REPAIR:
        return unit
    try:
        stock.take_back_returned(reference=_stock_reference(unit, Disposition.REPAIR), actor="repair")
    except LogisticsError:
        raise _cannot_undo(unit) from None
    if repaired:
        if unit.grade == Grade.UNSELLABLE:
            unit.grade = Grade.ACCEPTABLE
            unit.save(update_fields=["grade"])
        chosen, reason = _after_repair_choice(unit, now)
        step = "repaired"
    else:
        chosen, step = Disposition.DISPOSE, "unrepairable"
        reason = _("It could not be repaired: %(why)s") % {"why": note}
    return _carry_out(unit, chosen, reason=reason, by_rule=True, actor=None, now=now, step=step, ticket=ticket)


def tell_repair_step(*, ticket, step, now):
    """A step of a returned unit's repair ticket (sent to a provider, scheduled): its partner is told."""
    unit = ReturnUnit.objects.select_related("partnership__partner", "line__request", "line__order_line__listing").get(
        pk=ticket.return_unit_id
    )
    if unit.partnership_id and unit.disposition == Disposition.REPAIR:
        send_to_partner(unit.partnership, MESSAGE, disposition_payload(unit, step=step, at=now, ticket=ticket))


def _cannot_undo(unit):
    return _unit_conflict(
        unit,
        Code.CANNOT_UNDO,
        _("Unit %(number)s can no longer be decided again: it was %(disposition)s and has left that stock."),
    )


def tell_sent_back(*, consignment, references):
    """logistics.hooks.reverse_consignment_sent: the units held to send back left in a reverse
    consignment; the partner learns which of its returned units are on their way, and in which."""
    keys = {}
    for reference in references:
        held = reference.removeprefix(f"{stock.RETURN_HOLD_PREFIXES[Disposition.SEND_BACK]}:")
        parts = held.removesuffix(f":{Disposition.SEND_BACK}").split(":")
        if held != reference and len(parts) == 4 and parts[0] == "return":
            keys[(parts[1], int(parts[2]), int(parts[3]))] = reference
    if not keys:
        return
    units = ReturnUnit.objects.filter(
        line__request__reference__in={request for request, _line, _number in keys}, partnership__isnull=False
    ).select_related("partnership__partner", "line__request", "line__order_line__listing")
    now = timezone.now()
    for unit in units:
        key = (str(unit.line.request.reference), unit.line.order_line.line_number, unit.number)
        if key in keys and unit.disposition == Disposition.SEND_BACK:
            payload = disposition_payload(unit, step="sent_back", at=now, consignment=consignment.reference)
            send_to_partner(unit.partnership, MESSAGE, payload)


def disposition_payload(unit, *, step="decided", at=None, ticket=None, consignment=None):
    """What the exporter learns of the decision (`return.disposition`), and of its steps since."""
    line, terms = unit.line.order_line, _terms(unit)
    resell = unit.disposition == Disposition.RESELL
    return {
        "unit": unit_key(unit),
        "return": str(unit.line.request.reference),
        "order_line": line.reference,
        "product": str(line.listing.reference) if line.listing_id else None,
        "sku": line.sku,
        "grade": unit.grade,
        "disposition": unit.disposition,
        "reason": unit.disposition_reason,
        "by_rule": unit.disposition_by_rule,
        "decided_at": unit.decided_at.isoformat(),
        "resale_discount_percent": str(terms.grade_discount(unit.grade)) if resell else None,
        "resale_fee_rate": str(terms.resale_fee_rate) if resell else None,
        "step": step,
        "step_at": (at or unit.decided_at).isoformat(),
        "repair_ticket": str(ticket.reference) if ticket is not None else None,
        "repair_payer": ticket.payer if ticket is not None else None,
        "consignment": str(consignment) if consignment else None,
    }


# --- the exporter's side ----------------------------------------------------------------------------


@transaction.atomic
def record_partner_disposition(*, partnership, payload):
    """The partner told us what becomes of a unit of our goods its shopper returned: keep its latest
    decision per unit (an ops override replaces the rules' decision; an older or repeated message
    changes nothing). Returns the row."""
    fields = {
        "order_line": payload["order_line"],
        "product": payload.get("product"),
        "sku": payload["sku"],
        "grade": payload["grade"],
        "disposition": payload["disposition"],
        "reason": payload.get("reason") or "",
        "by_rule": payload["by_rule"],
        "resale_discount_percent": payload.get("resale_discount_percent"),
        "resale_fee_rate": payload.get("resale_fee_rate"),
        "decided_at": payload["decided_at"],
        "step": payload.get("step") or "",
        "step_at": payload.get("step_at") or payload["decided_at"],
        "repair_ticket": payload.get("repair_ticket") or "",
        "consignment": payload.get("consignment"),
    }
    row = ReceivedDisposition.objects.select_for_update().filter(partnership=partnership, unit=payload["unit"]).first()
    if row is None:
        return ReceivedDisposition.objects.create(partnership=partnership, unit=payload["unit"], **fields)
    if (fields["decided_at"], fields["step_at"]) > (row.decided_at, row.step_at or row.decided_at):
        for name, value in fields.items():
            setattr(row, name, value)
        row.received_at = timezone.now()
        row.save()
    return row
