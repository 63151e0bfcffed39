"""Returns and exchanges, handled in the shopper's own country: the shopper opens one for delivered
lines within their policy's window; ops approve (no-reason returns approve themselves) or reject,
issue the return label with the drop-off point at our home warehouse, receive (count), inspect and
grade each unit; then the shopper is refunded through the payment they used, or sent a replacement
from local stock. Each step is one transaction that records a ReturnEvent (the shopper's timeline),
notifies the shopper and, for a partner's goods, queues a `return.notice` to the partner.

Money (docs/adr/0018): what the shopper paid for a unit is its share of the order line's total
(goods, duties and taxes, shipping) split per unit by money.allocate, so all units of a line
together are exactly the line's total and a refund is never more than was paid for its units. A
deduction is made only where the snapshotted policy allows it (restocking fee for the agreed
reasons on opened units, return shipping when the shopper's reason makes them pay it) and its reason
is kept on the line. The provider refund runs outside any transaction, once per returned line (its
idempotency key is the line's); the books, the partner's charge-back and the fees are posted once
each, under unique references, after the provider confirmed."""

import logging
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from djmoney.money import Money

from crossborder import money, uploads
from crossborder.errors import DomainError
from crossborder.notifications import notify
from crossborder.services import send_to_partner
from logistics.errors import LogisticsErrorCode
from logistics.services import last_leg
from logistics.services.stock import home_warehouse
from payments import hooks as payments_hooks
from payments.ledger.services import charges, ledger
from payments.merchants import services as merchant_money
from payments.models import LedgerTransaction, Order, OrderLine, Payment, ProviderCall
from payments.providers.services import payment as payments

from ... import selectors
from ...choices import Grade, ReturnReason
from ...errors import ReturnErrorCode as Code
from ...models import ReturnEvent, ReturnLine, ReturnRequest, ReturnUnit, Thread
from . import disposition, threads
from . import policy as policies

log = logging.getLogger(__name__)

Status = ReturnRequest.Status
NOTICE = "return.notice"
# Reasons that need no one's judgement: approved (and labelled) as soon as they are asked for,
# within the window, as mature shops do. Claims of a fault wait for ops (photos, the thread).
SELF_APPROVED = (ReturnReason.NO_REASON, ReturnReason.WRONG_SIZE)
MAX_PHOTOS = 5
MAX_TEXT = 2000
REFUNDABLE = (Payment.State.CAPTURED, Payment.State.PARTIALLY_REFUNDED)
# The step of a return each status is, as the partner is told (PartnerReturnNotice.Step).
PARTNER_STEPS = {
    Status.REQUESTED: "opened",
    Status.RECEIVED: "received",
    Status.INSPECTED: "graded",
    Status.REFUNDED: "refunded",
    Status.EXCHANGED: "exchanged",
}

# Stored untranslated and translated as the timeline is read, so each reader sees it in their
# language (templates/aftersales/return.html); the status beside it already says "approved".
AUTO_APPROVED_NOTE = gettext_noop("within the return window")


def _refused(code, detail, field, status=400):
    return DomainError(code, detail, field=field, status=status)


def _clean_text(value, *, field, limit=MAX_TEXT):
    return threads.clean_text(value, field=field, limit=limit)


def clean_photos(files, *, field="photos"):
    """Uploaded photos made safe (crossborder.uploads), refused naming `field`; nothing stored yet."""
    files = [f for f in (files or []) if f]
    if len(files) > MAX_PHOTOS:
        raise _refused(Code.INVALID_TEXT, _("At most %(n)d photos.") % {"n": MAX_PHOTOS}, field)
    return [uploads.clean_image(upload, field=field) for upload in files]


def store_photos(cleaned, folder="returns"):
    """Store cleaned photos; their names (what the models keep)."""
    return [
        default_storage.save(uploads.ImagePath(folder)(None, image.content.name), image.content) for image in cleaned
    ]


def _lock(request):
    return ReturnRequest.objects.select_for_update().select_related("order", "thread").get(pk=request.pk)


def _require(request, *statuses, field="status"):
    if request.status not in statuses:
        raise _refused(
            Code.INVALID_STATE,
            _("Return %(token)s is %(status)s: this step needs it %(needed)s.")
            % {
                "token": request.token,
                "status": Status(request.status).label,
                "needed": " / ".join(str(Status(s).label) for s in statuses),
            },
            field,
            status=409,
        )


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _event(request, status, *, actor=None, note="", at=None, **detail):
    return ReturnEvent.objects.create(
        request=request,
        status=status,
        note=note[:300],
        actor=_actor(actor),
        detail=detail,
        created_at=at or timezone.now(),
    )


def _move(request, status, *, actor=None, note="", at=None, **detail):
    at = at or timezone.now()
    request.status = status
    request.updated_at = at
    request.save(update_fields=["status", "updated_at", "kind", "warehouse", "label_number"])
    _event(request, status, actor=actor, note=note, at=at, **detail)
    _notify_shopper(request, status)


def return_url(request):
    return settings.PLATFORM_BASE_URL + reverse("aftersales:return", args=[request.token])


def _notify_shopper(request, step):
    """The shopper's e-mail of this step, once (keyed by the return and the step)."""
    order = request.order
    lines = list(request.lines.select_related("order_line"))
    refund = sum((line.refund.amount for line in lines if line.refund is not None), Decimal(0))
    notify(
        key=f"return:{request.token}:{step}",
        to=order.email,
        template="return_update",
        language=request.language or None,
        context={
            "step": str(step),
            "kind": request.kind,
            "order_number": order.number,
            "url": return_url(request),
            "label_number": request.label_number,
            "drop_off": request.warehouse.address if request.warehouse_id else "",
            "refund": str(money.quantize(refund, str(order.total.currency))) if refund else "",
            "currency": str(order.total.currency),
            "lines": [{"title": line.order_line.title, "quantity": line.quantity} for line in lines],
        },
    )


# --- telling the partner ------------------------------------------------------------------------


def _line_notice(line, units_by_line):
    units = units_by_line.get(line.pk, [])
    entry = {
        "line": line.order_line.reference,
        "sku": line.order_line.sku,
        "quantity": line.quantity,
        "received": len([u for u in units if u.received_at]),
        "grades": [u.grade for u in units if u.grade],
    }
    if line.refund is not None:
        entry["refund"] = {"amount": str(line.refund.amount), "currency": str(line.refund.currency)}
        chargeback = LedgerTransaction.objects.filter(reference=chargeback_reference(line)).first()
        if chargeback is not None:
            posting = chargeback.postings.filter(account__code="partner_balance").first()
            entry["chargeback"] = {
                "amount": str(money.quantize(posting.amount, posting.currency)),
                "currency": posting.currency,
            }
    return entry


def _tell_partners(request, step, *, at):
    """A `return.notice` to each partner whose goods are in the return (outbox, this transaction)."""
    lines = list(request.lines.select_related("order_line__partnership__partner").filter(order_line__origin="partner"))
    units = {}
    for unit in ReturnUnit.objects.filter(line__in=lines).order_by("line_id", "number"):
        units.setdefault(unit.line_id, []).append(unit)
    by_partnership = {}
    for line in lines:
        by_partnership.setdefault(line.order_line.partnership, []).append(line)
    for partnership, group in by_partnership.items():
        if not partnership.is_live:
            log.warning("return %s: partnership %s is not live; %s not told", request.token, partnership.pk, step)
            continue
        send_to_partner(
            partnership,
            NOTICE,
            {
                "return": str(request.reference),
                "order": str(request.order.reference),
                "order_number": str(request.order.number),
                "step": step,
                "kind": request.kind,
                "reason": request.reason,
                "at": at.isoformat(),
                "lines": [_line_notice(line, units) for line in group],
            },
        )


# --- opening ------------------------------------------------------------------------------------


def _checked_quantities(returnable, quantities, now):
    """[(returnable line, units)] of the lines chosen; refused naming the first wrong field."""
    by_id = {found.line.pk: found for found in returnable}
    chosen = []
    for key, raw in (quantities or {}).items():
        found = by_id.get(int(key)) if str(key).isdigit() else None
        if found is None:
            raise _refused(Code.UNKNOWN_LINE, _("This order has no such line."), "lines")
        field = f"quantity-{found.line.pk}"
        try:
            units = int(str(raw).strip() or 0)
        except ValueError:
            raise _refused(Code.INVALID_QUANTITY, _("Enter a whole number of units."), field) from None
        if units == 0:
            continue
        if found.policy is None:
            raise _refused(
                Code.NOT_DELIVERED,
                _("%(title)s has not been delivered yet: it can be returned once it arrives.")
                % {"title": found.line.title},
                field,
            )
        if not policies.window_open(found.policy, now=now):
            raise _refused(
                Code.WINDOW_CLOSED,
                _("The return window of %(title)s closed on %(date)s.")
                % {"title": found.line.title, "date": found.window_ends.date().isoformat()},
                field,
            )
        if not 0 < units <= found.remaining:
            raise _refused(
                Code.INVALID_QUANTITY,
                _("%(title)s: you can return 1 to %(max)d units.")
                % {"title": found.line.title, "max": found.remaining},
                field,
            )
        chosen.append((found, units))
    if not chosen:
        raise _refused(Code.NOTHING_CHOSEN, _("Choose at least one unit to return."), "lines")
    return chosen


def open_return(
    *, order, quantities, reason, kind=ReturnRequest.Kind.RETURN, details="", photos=(), user=None, now=None
):
    """The shopper asks to return (or exchange) units of delivered lines: `quantities` maps order
    line ids to units. Refused, with nothing written, for a line not delivered, outside its window,
    more units than are left, an unknown reason or kind, bad text or photos."""
    now = now or timezone.now()
    if reason not in ReturnReason.values:
        raise _refused(Code.INVALID_REASON, _("Choose a reason from the list."), "reason")
    if kind not in ReturnRequest.Kind.values:
        raise _refused(Code.INVALID_REASON, _("Choose a return or an exchange."), "kind")
    details = _clean_text(details, field="details")
    cleaned = clean_photos(photos)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        chosen = _checked_quantities(selectors.returnable_lines(order), quantities, now)
        names = store_photos(cleaned)
        thread = Thread.objects.create(
            subject=_("Return for order %(number)s") % {"number": order.number}, created_at=now
        )
        request = ReturnRequest.objects.create(
            token=secrets.token_urlsafe(18),
            order=order,
            user=_actor(user),
            kind=kind,
            reason=reason,
            reason_text=details,
            photos=names,
            thread=thread,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            policy={"lines": {str(found.line.line_number): found.policy for found, _units in chosen}},
            created_at=now,
            updated_at=now,
        )
        ReturnLine.objects.bulk_create(
            ReturnLine(request=request, order_line=found.line, quantity=units) for found, units in chosen
        )
        _event(request, Status.REQUESTED, at=now, reason=reason)
        _notify_shopper(request, Status.REQUESTED)
        _tell_partners(request, "opened", at=now)
        if reason in SELF_APPROVED:
            _approve(request, actor=None, note=AUTO_APPROVED_NOTE, at=now)
            _issue_label(request, actor=None, at=now)
    return request


# --- ops: approve, reject, label ------------------------------------------------------------------


def _approve(request, *, actor, note, at=None):
    _require(request, Status.REQUESTED)
    _move(request, Status.APPROVED, actor=actor, note=note, at=at)


def _issue_label(request, *, actor, at=None):
    _require(request, Status.APPROVED)
    warehouse = home_warehouse()
    if warehouse is None:
        raise _refused(Code.NO_WAREHOUSE, _("There is no active warehouse here to send returns to."), "warehouse", 409)
    request.warehouse = warehouse
    request.label_number = f"RL-{settings.PLATFORM_CODE.upper()}-{request.pk:06d}-{secrets.token_hex(2).upper()}"
    _move(request, Status.LABEL_ISSUED, actor=actor, at=at, warehouse=warehouse.code, label=request.label_number)


def approve_return(*, request, actor=None, note=""):
    with transaction.atomic():
        request = _lock(request)
        _approve(request, actor=actor, note=_clean_text(note, field="note", limit=300))
    return request


def reject_return(*, request, reason, actor=None):
    """Refuse a return that waits for approval; its units can be asked for again. The reason is
    required: the shopper reads it."""
    reason = _clean_text(reason, field="reason", limit=300)
    if not reason:
        raise _refused(Code.INVALID_TEXT, _("Say why the return is refused: the shopper reads it."), "reason")
    with transaction.atomic():
        request = _lock(request)
        _require(request, Status.REQUESTED)
        _move(request, Status.REJECTED, actor=actor, note=reason)
    return request


def issue_label(*, request, actor=None):
    """The return label and the drop-off point: our home warehouse, where the goods are inspected."""
    with transaction.atomic():
        request = _lock(request)
        if request.status == Status.REQUESTED:
            _approve(request, actor=actor, note="")
        _issue_label(request, actor=actor)
    return request


# --- the warehouse: receive, grade ------------------------------------------------------------------


def receive_return(*, request, counts, actor=None, now=None):
    """The parcel arrived: `counts` maps returned-line ids to the units counted. One ReturnUnit per
    unit counted (owned by the partner for its goods); a count short of what was announced is
    recorded on the timeline. More than announced, or nothing at all, is refused."""
    now = now or timezone.now()
    with transaction.atomic():
        request = _lock(request)
        _require(request, Status.APPROVED, Status.LABEL_ISSUED)
        lines = list(request.lines.select_related("order_line").order_by("order_line__line_number"))
        counted, mismatches = {}, []
        for line in lines:
            field = f"count-{line.pk}"
            raw = counts.get(line.pk, counts.get(str(line.pk), 0))
            try:
                units = int(str(raw).strip() or 0)
            except ValueError:
                raise _refused(Code.INVALID_COUNT, _("Enter a whole number of units."), field) from None
            if not 0 <= units <= line.quantity:
                raise _refused(
                    Code.INVALID_COUNT,
                    _("%(sku)s: 0 to %(max)d units were announced; counted %(units)s.")
                    % {"sku": line.order_line.sku, "max": line.quantity, "units": raw},
                    field,
                )
            counted[line.pk] = units
            if units != line.quantity:
                mismatches.append({"line": line.order_line.line_number, "expected": line.quantity, "counted": units})
        if not any(counted.values()):
            raise _refused(Code.INVALID_COUNT, _("Count at least one unit received."), "counts")
        ReturnUnit.objects.bulk_create(
            ReturnUnit(
                line=line,
                number=number,
                partnership=line.order_line.partnership if line.order_line.is_partner else None,
                received_at=now,
            )
            for line in lines
            for number in range(1, counted[line.pk] + 1)
        )
        note = _("counted fewer units than announced") if mismatches else ""
        _move(request, Status.RECEIVED, actor=actor, note=note, at=now, mismatches=mismatches)
        _tell_partners(request, "received", at=now)
    return request


def after_inspection(*, request, units, actor):
    """Every unit of the return is graded (called in grade_units' transaction): the agreement's
    disposition rules, narrowed by the country's, take over the graded units. A refusal of the rules
    (no stock level to put a unit back in, say) does not undo the grading: it is rolled back alone,
    logged, and the units wait for ops to decide them in the returned units' admin."""
    try:
        with transaction.atomic():
            disposition.apply_rules(units, actor=actor)
    except DomainError as exc:
        log.warning("return %s: disposition rules not applied, units wait for ops: %s", request.pk, exc.detail)


def grade_units(*, request, grades, actor=None, now=None):
    """Inspect units: `grades` maps unit ids to (grade, notes) or (grade, notes, photo names). A
    grade not in the scale is refused naming the unit's field, and nothing is written. Once every
    unit is graded, the return is INSPECTED and the disposition rules run (after_inspection)."""
    now = now or timezone.now()
    with transaction.atomic():
        request = _lock(request)
        _require(request, Status.RECEIVED)
        units = {unit.pk: unit for unit in ReturnUnit.objects.select_for_update().filter(line__request=request)}
        for unit_id, values in grades.items():
            grade, notes, *rest = (*values, "") if len(values) == 1 else values
            unit = units.get(int(unit_id)) if str(unit_id).isdigit() else None
            if unit is None:
                raise _refused(Code.INVALID_GRADE, _("This return has no such unit."), "unit")
            if grade not in Grade.values:
                raise _refused(
                    Code.INVALID_GRADE,
                    _("%(grade)r is not a grade; grades are %(grades)s.")
                    % {"grade": grade, "grades": ", ".join(Grade.values)},
                    f"grade-{unit.pk}",
                )
            unit.grade = grade
            unit.notes = _clean_text(notes, field=f"notes-{unit.pk}")
            if rest and rest[0]:
                unit.photos = list(rest[0])
            unit.inspected_at, unit.inspected_by = now, _actor(actor)
            unit.save(update_fields=["grade", "notes", "photos", "inspected_at", "inspected_by"])
        if all(unit.grade for unit in units.values()):
            graded = sorted(units.values(), key=lambda u: (u.line_id, u.number))
            _move(
                request,
                Status.INSPECTED,
                actor=actor,
                at=now,
                grades={str(u.pk): u.grade for u in graded},
            )
            _tell_partners(request, "graded", at=now)
            after_inspection(request=request, units=graded, actor=actor)
    return request


# --- the refund -------------------------------------------------------------------------------------


def refund_reference(line):
    return f"return:{line.request.reference}:{line.order_line.line_number}:refund"


def chargeback_reference(line):
    return f"{line.order_line.reference}:return:{line.request.reference}"


def _refunded_units_before(line):
    """Units of the same order line refunded by earlier returns (the caller holds the order line's
    lock): this line's units come after them in the per-unit split, so no unit's share is ever
    refunded or charged back twice. Kept on the line as `units_before`."""
    return (
        ReturnUnit.objects.filter(line__order_line=line.order_line_id, line__refund__isnull=False)
        .exclude(line=line)
        .count()
    )


def _unit_slice(total, quantity, start, count):
    shares = money.allocate(total, [1] * quantity)[start : start + count]
    return sum(shares[1:], shares[0])


def _units_of(line):
    return sorted(line.units.all(), key=lambda unit: unit.number)


def _policy_of(request, line):
    return request.policy["lines"][str(line.order_line.line_number)]


def refund_due(request, line, *, shipping_charged):
    """(paid for the received units, deduction, why, whether it took the return shipping) of one
    returned line, by its policy. The return shipping is deducted once per return."""
    order_line, units = line.order_line, _units_of(line)
    before = line.units_before
    paid = _unit_slice(order_line.total, order_line.quantity, before, len(units))
    policy = _policy_of(request, line)
    reasons, deduction = [], Decimal(0)
    currency = str(paid.currency)
    percent = policies.restocking_percent(policy, reason=request.reason, opened_at=request.created_at)
    opened = [unit for unit in units if unit.grade != Grade.NEW]
    if percent and opened:
        goods = money.allocate(order_line.goods, [1] * order_line.quantity)[before : before + len(units)]
        opened_goods = sum(
            (share.amount for share, unit in zip(goods, units, strict=True) if unit.grade != Grade.NEW), Decimal(0)
        )
        fee = money.quantize(opened_goods * percent / 100, currency)
        deduction += fee
        reasons.append(
            _("restocking fee %(percent)s%% of %(n)d opened unit(s)")
            % {"percent": format(percent.normalize(), "f"), "n": len(opened)}
        )
    shipping = Decimal(policy["return_shipping_fee"])
    takes_shipping = bool(shipping) and not shipping_charged
    if takes_shipping and policies.shopper_pays_shipping(policy, reason=request.reason):
        deduction += money.quantize(shipping, currency)
        reasons.append(_("return shipping"))
    else:
        takes_shipping = False
    deduction = min(deduction, paid.amount)
    return paid, Money(deduction, currency), "; ".join(reasons), takes_shipping


def _order_payment(order):
    return (
        Payment.objects.filter(checkout_reference=str(order.checkout.reference), state__in=REFUNDABLE)
        .order_by("created_at", "pk")
        .first()
    )


def _checked_amount(raw, *, paid, floor, field):
    try:
        amount = money.parse_amount(raw, str(paid.currency), field=field)
    except DomainError:
        raise _refused(Code.REFUND_TOO_LARGE, _("Enter an amount such as 12.50."), field) from None
    if amount > paid.amount:
        raise _refused(
            Code.REFUND_TOO_LARGE,
            _("At most %(paid)s was paid for these units.") % {"paid": paid},
            field,
        )
    if amount < floor.amount:
        raise _refused(
            Code.REFUND_BELOW_POLICY,
            _("The policy allows a refund of no less than %(floor)s: a larger deduction is not allowed.")
            % {"floor": floor},
            field,
        )
    return Money(amount, str(paid.currency))


REFUND_FIELDS = ["refund", "refund_currency", "deduction", "deduction_currency", "deduction_reason"]


def _prepare_refund(request, amounts):
    """Fix each line's refund and deduction (committed before any provider is called)."""
    with transaction.atomic(durable=True):
        request = _lock(request)
        if request.status == Status.REFUNDED:
            raise _refused(Code.ALREADY_REFUNDED, _("This return was already refunded."), "status", 409)
        _require(request, Status.INSPECTED)
        lines = list(
            request.lines.select_related("order_line").prefetch_related("units").order_by("order_line__line_number")
        )
        payment = _order_payment(request.order)
        if payment is None:
            raise _refused(Code.NO_PAYMENT, _("No payment of this order can take a refund."), "payment", 409)
        # Returns of the same order line are refunded one after the other (primary-key order).
        list(OrderLine.objects.select_for_update().filter(pk__in=[line.order_line_id for line in lines]).order_by("pk"))
        shipping_charged = False
        for line in lines:
            if line.refund is not None or not _units_of(line):
                continue
            line.units_before = _refunded_units_before(line)
            with translation.override(request.language or None):
                paid, deduction, why, took = refund_due(request, line, shipping_charged=shipping_charged)
            shipping_charged = shipping_charged or took
            refund = paid - deduction
            field = f"amount-{line.pk}"
            if amounts and (amounts.get(line.pk) not in (None, "") or amounts.get(str(line.pk)) not in (None, "")):
                raw = amounts.get(line.pk, amounts.get(str(line.pk)))
                refund = _checked_amount(raw, paid=paid, floor=refund, field=field)
                deduction = paid - refund
                why = why if deduction.amount else ""
            line.refund, line.deduction, line.deduction_reason = refund, deduction, why[:200]
            line.save(update_fields=[*REFUND_FIELDS, "units_before"])
    return request, payment, lines


def refund_return(*, request, actor=None, amounts=None):
    """Refund an inspected return through the payment the shopper used: for each returned line,
    what was paid for its received units less the deduction its policy allows (`amounts`: ops may
    refund more, up to what was paid, never less). Then the books, the partner's charge-back and
    the fees, each once. A second refund of the same return is refused and moves no money."""
    request, payment, lines = _prepare_refund(request, amounts)
    for line in lines:
        if line.refund is not None and line.refund.amount > 0:
            payments.refund_payment(
                payment=payment,
                amount=line.refund.amount,
                reason=f"{payments_hooks.TOLD_BY_CALLER}{request.token}",
                key=f"return-line:{line.pk}",
            )
    return _record_refund(request=request, payment=payment, actor=actor)


def _provider_confirmed(payment, line):
    if line.refund.amount == 0:
        return True
    return ProviderCall.objects.filter(
        payment=payment, idempotency_key=f"{payment.token}:return-line:{line.pk}", status=ProviderCall.Status.SUCCEEDED
    ).exists()


def _charge_partner(request, line, *, actor):
    order_line = line.order_line
    if not order_line.is_partner or LedgerTransaction.objects.filter(reference=chargeback_reference(line)).exists():
        return
    units = _units_of(line)
    policy = _policy_of(request, line)
    percent = policies.restocking_percent(policy, reason=request.reason, opened_at=request.created_at)
    charges.charge_back_return(
        line=order_line,
        quantity=len(units),
        reference=chargeback_reference(line),
        units_before=line.units_before,
        opened=len([u for u in units if u.grade != Grade.NEW]) if line.deduction and line.deduction.amount else 0,
        kept_percent=percent if line.deduction and line.deduction.amount else Decimal(0),
        actor=actor,
    )


def _charge_return_shipping(request, lines):
    """The partner pays the return shipping of its goods when the shopper's reason does not make
    the shopper pay it (a fault): billed once per return, in our currency, settled with the rest."""
    partner_lines = [line for line in lines if line.order_line.is_partner]
    if not partner_lines:
        return
    policy = _policy_of(request, partner_lines[0])
    fee = Decimal(policy["return_shipping_fee"])
    if not fee or policies.shopper_pays_shipping(policy, reason=request.reason):
        return
    currency = str(request.order.total.currency)
    charges.charge_partner(
        partnership=partner_lines[0].order_line.partnership,
        reference=f"return:{request.reference}:shipping",
        kind="logistics_fee",
        amount=Money(money.quantize(fee, currency), currency),
    )


def _record_refund(*, request, payment, actor):
    with transaction.atomic(durable=True):
        request = _lock(request)
        if request.status == Status.REFUNDED:
            return request
        lines = list(
            request.lines.select_related("order_line__partnership__partner", "order_line__order", "request")
            .prefetch_related("units")
            .order_by("order_line__line_number")
        )
        done = [line for line in lines if line.refund is not None]
        if not all(_provider_confirmed(payment, line) for line in done):
            return request  # a provider refund is not confirmed yet: asking again finishes it
        for line in done:
            paid = line.refund + (line.deduction or Money(0, str(line.refund.currency)))
            ledger.record_return_refund(reference=refund_reference(line), paid=paid, refunded=line.refund)
            _charge_partner(request, line, actor=actor)
            if not line.order_line.is_partner:  # our merchant's goods: it gives the returned units' share back
                merchant_money.debit_returned_units(
                    order_line=line.order_line, quantity=len(_units_of(line)), reference=refund_reference(line)
                )
        if not LedgerTransaction.objects.filter(reference=f"return:{request.reference}:shipping").exists():
            _charge_return_shipping(request, done)
        total = sum((line.refund.amount for line in done), Decimal(0))
        now = timezone.now()
        _move(request, Status.REFUNDED, actor=actor, at=now, refund=str(total), currency=str(payment.currency))
        _tell_partners(request, "refunded", at=now)
    return request


# --- the exchange -----------------------------------------------------------------------------------


def _ship_replacements(request, lines, actor):
    shipments = []
    for line in lines:
        units = len(_units_of(line))
        if not units:
            continue
        order_line = line.order_line
        shipments.append(
            last_leg.allocate_local(
                order_line=f"{order_line.reference}:exchange:{request.pk}",
                sku=order_line.sku,
                quantity=units,
                recipient=request.order.recipient,
                owner=order_line.partnership.partner if order_line.is_partner else None,
                actor=getattr(actor, "username", "") or "returns",
            )
        )
    return shipments


def exchange_return(*, request, actor=None):
    """Send an inspected exchange's replacements from local stock (our own, or the partner's
    consignment stock for its goods) through the last leg. When a replacement is not in stock, the
    shopper is refunded instead, and told so in the thread."""
    with transaction.atomic(durable=True):
        request = _lock(request)
        _require(request, Status.INSPECTED)
        if request.kind != ReturnRequest.Kind.EXCHANGE:
            raise _refused(Code.INVALID_STATE, _("This return asks for a refund, not an exchange."), "kind", 409)
        lines = list(request.lines.select_related("order_line__partnership__partner").prefetch_related("units"))
        try:
            with transaction.atomic():
                shipments = _ship_replacements(request, lines, actor)
        except DomainError as refused:
            if refused.code != LogisticsErrorCode.INSUFFICIENT_STOCK:
                raise
            shipments = None
        if shipments is not None:
            now = timezone.now()
            _move(
                request,
                Status.EXCHANGED,
                actor=actor,
                at=now,
                shipments=[str(shipment.reference) for shipment in shipments],
            )
            _tell_partners(request, "exchanged", at=now)
            return request
        request.kind = ReturnRequest.Kind.RETURN
        request.save(update_fields=["kind"])
        note = _("No replacement is in stock here, so we refund you instead.")
        _event(request, Status.INSPECTED, actor=actor, note=note)
        threads.post_message(thread=request.thread, author="system", body=note)
    return refund_return(request=request, actor=actor)


# --- the thread ------------------------------------------------------------------------------------


def write_on_return(*, request, body, by="shopper", staff=None, attachments=()):
    """A message on the return's thread; the shopper is e-mailed when the platform answers."""
    cleaned = clean_photos(attachments, field="attachments")
    with transaction.atomic():
        message = threads.post_message(
            thread=request.thread, author=by, body=body, staff=staff, attachments=store_photos(cleaned, "messages")
        )
        if by != "shopper":
            notify(
                key=f"return:{request.token}:message:{message.pk}",
                to=request.order.email,
                template="return_message",
                language=request.language or None,
                context={"order_number": request.order.number, "url": return_url(request), "body": message.body},
            )
    return message
