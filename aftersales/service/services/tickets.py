"""A service ticket's life, one transaction per step: requested (at checkout, after delivery, from
a return, or for a returned unit ops decided to repair), dispatched to a provider (by the rule in offers.py or by ops), accepted, scheduled and
completed by the provider on its page, or escalated to ops; rated by the shopper once done. Every
step is an event on the ticket's timeline and tells the people concerned (crossborder.notifications).
A refused step changes nothing."""

import datetime as dt
import secrets
import unicodedata
import uuid

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from crossborder import money
from crossborder.errors import DomainError
from crossborder.notifications import notify
from payments.models import Order, OrderLine, Payment
from payments.providers.services import payment as payments
from payments.shop.services.checkout import check_contact

from ...errors import ServiceErrorCode as Code
from ...models import Message, ServiceTicket, Skill, Thread, TicketEvent
from . import charges, offers
from .links import link_token

Status = ServiceTicket.Status
Kind = TicketEvent.Kind
Actor = TicketEvent.Actor
MAX_SCHEDULE_AHEAD = dt.timedelta(days=90)
REFUNDABLE = (Payment.State.CAPTURED, Payment.State.PARTIALLY_REFUNDED)
# What a shopper may ask for after delivery (installation is chosen at checkout).
AFTER_DELIVERY_SKILLS = (Skill.Code.REPAIR, Skill.Code.MAINTENANCE)


# --- shared pieces -------------------------------------------------------------------------------


def _event(ticket, kind, actor, *, note="", staff=None, at=None, **detail):
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        staff=staff if getattr(staff, "is_authenticated", False) else None,
        note=note[:300],
        detail=detail,
        created_at=at or timezone.now(),
    )


def _absolute(path):
    return settings.PLATFORM_BASE_URL.rstrip("/") + path


def shopper_url(ticket, language=None):
    with translation.override(language or ticket.language):
        return _absolute(reverse("service:ticket", args=[ticket.token]))


def provider_url(ticket, provider=None):
    provider = provider or ticket.provider
    with translation.override(provider.language):
        return _absolute(reverse("service:provider_ticket", args=[link_token(provider), ticket.reference]))


def _context(ticket, language):
    with translation.override(language):
        return {
            "number": ticket.number,
            "title": ticket.title,
            "skill": str(ticket.skill.get_code_display()),
            "status": str(ticket.get_status_display()),
            "scheduled_for": timezone.localtime(ticket.scheduled_for).strftime("%Y-%m-%d %H:%M")
            if ticket.scheduled_for
            else "",
            "city": ticket.city,
            "provider": ticket.provider.name if ticket.provider_id else "",
        }


def _tell(ticket, *, who, to, language, template, key, **extra):
    """Notify one person of a step of the ticket, once per `key`, in their language."""
    notify(
        key=f"service:{ticket.pk}:{who}:{key}",
        to=to,
        template=template,
        context={**_context(ticket, language), **extra},
        language=language,
    )


def _tell_shopper(ticket, template, key, **extra):
    language = ticket.language
    _tell(ticket, who="shopper", to=ticket.email, language=language, template=template, key=key,
          url=shopper_url(ticket), **extra)  # fmt: skip


def _tell_provider(ticket, template, key, **extra):
    provider = ticket.provider
    _tell(ticket, who=f"provider:{provider.pk}", to=provider.email, language=provider.language,
          template=template, key=key, url=provider_url(ticket), **extra)  # fmt: skip


def tell_ops(ticket, template, key, **extra):
    _tell(ticket, who="ops", to=settings.SERVICE_TICKETS["OPS_EMAIL"], language=settings.LANGUAGE_CODE,
          template=template, key=key, **extra)  # fmt: skip


def _locked(ticket):
    return ServiceTicket.objects.select_for_update(of=("self",)).select_related("skill", "provider").get(pk=ticket.pk)


def _require(ticket, allowed, doing):
    if ticket.status not in allowed:
        raise DomainError(
            Code.INVALID_STATE,
            _("Ticket %(number)s is %(status)s: it cannot be %(doing)s now.")
            % {"number": ticket.number, "status": ticket.get_status_display(), "doing": doing},
            field="status",
            status=409,
        )


def _require_provider(ticket, provider):
    if provider is None or ticket.provider_id != provider.pk:
        raise DomainError(Code.BAD_LINK, _("This ticket is not yours."), field="ticket", status=404)


def clean_text(value, *, field, limit, required=True):
    """Text a person typed: trimmed, at most `limit` characters, no control characters but line breaks."""
    text = str(value or "").strip()
    if required and not text:
        raise DomainError(Code.INVALID, _("Please write something."), field=field)
    if len(text) > limit:
        raise DomainError(Code.INVALID, _("At most %(limit)d characters, please.") % {"limit": limit}, field=field)
    if any(unicodedata.category(char) in ("Cc", "Cs", "Co") and char not in "\n\r\t" for char in text):
        raise DomainError(Code.INVALID, _("The text contains characters that cannot be shown."), field=field)
    return text


def _new_ticket(*, skill, source, title, contact, language, now, **fields):
    """The ticket, its thread and its first event; not yet dispatched."""
    thread = Thread.objects.create(subject=title[:200], created_at=now)
    recipient = contact["recipient"]
    ticket = ServiceTicket.objects.create(
        token=secrets.token_urlsafe(18),
        skill=skill,
        source=source,
        title=title[:300],
        name=recipient["name"],
        email=contact["email"],
        phone=recipient["phone"],
        address={key: recipient.get(key) for key in ("address_lines", "city", "postcode", "country")},
        city=recipient["city"],
        postcode=recipient.get("postcode", ""),
        language=language,
        schedule_due_at=now + dt.timedelta(hours=skill.hours_to_schedule),
        complete_due_at=now + dt.timedelta(hours=skill.hours_to_complete),
        thread=thread,
        requested_at=now,
        updated_at=now,
        **fields,
    )
    _event(ticket, Kind.REQUESTED, Actor.SHOPPER if source != ServiceTicket.Source.OPS else Actor.STAFF, at=now)
    return ticket


def _assign(ticket, offer, *, staff=None, now, tell_owner=True):
    """Send the (locked) ticket to the offer's provider and tell both sides (and a returned unit's
    partner, unless the caller tells it in its own message)."""
    ticket.provider = offer.provider
    ticket.cost = offer.unit_price * ticket.quantity
    ticket.status = Status.DISPATCHED
    ticket.dispatched_by_ops = staff is not None
    ticket.updated_at = now
    ticket.save(update_fields=["provider", "cost", "cost_currency", "status", "dispatched_by_ops", "updated_at"])
    _event(
        ticket,
        Kind.DISPATCHED,
        Actor.STAFF if staff is not None else Actor.SYSTEM,
        staff=staff,
        at=now,
        provider=offer.provider.name,
        rule="ops" if staff is not None else "cheapest",
        cost=str(ticket.cost.amount),
    )
    _tell_provider(ticket, "service_dispatched", f"dispatched:{now.isoformat()}")
    _tell_shopper(ticket, "service_update", f"dispatched:{offer.provider.pk}:{now.isoformat()}")
    if tell_owner:
        _tell_unit_owner(ticket, "repair_dispatched", now)


def _tell_unit_owner(ticket, step, now):
    """A returned unit's repair: its partner learns each step (return.disposition)."""
    if ticket.return_unit_id:
        # The disposition service opens these tickets (it imports this module), so it is read here.
        from ...returns.services import disposition

        disposition.tell_repair_step(ticket=ticket, step=step, now=now)


# --- requesting ----------------------------------------------------------------------------------


def request_service(
    *, order, skill, line_number, name, email, phone, address, city, postcode="", problem="", language=None,
    return_request=None, now=None,
):  # fmt: skip
    """A shopper asks for a repair or maintenance of a delivered line of an order (from the order's
    page, or from a return of it): checked, priced for the address by the provider dispatch takes,
    paid by whom the agreement says, and sent to that provider at once. Refused, writing nothing:
    an unknown skill, a line not delivered, a bad contact or address, an address nobody serves."""
    now = now or timezone.now()
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    skill = offers.skill_for(skill)
    if skill.code not in AFTER_DELIVERY_SKILLS:
        raise DomainError(
            Code.NOT_OFFERED,
            _("After delivery you can ask for a repair or maintenance; installation is chosen at checkout."),
            field="skill",
        )
    line = _delivered_line(order, line_number)
    problem = clean_text(problem, field="problem", limit=2000)
    # The order's province and district go with the address asked for (the request's form asks
    # the street, city and postal code); an older order's address had none.
    delivered_to = order.recipient or {}
    recipient, email = check_contact(
        recipient={"name": name, "address_lines": str(address or "").splitlines(), "city": city,
                   "postcode": postcode, "country": settings.PLATFORM_COUNTRY,
                   "country_area": delivered_to.get("country_area", ""),
                   "city_area": delivered_to.get("city_area", "")},
        email=email, phone=phone, known_place=not delivered_to.get("country_area"),
    )  # fmt: skip
    offer = offers.best_offer(skill=skill, city=recipient["city"], postcode=recipient.get("postcode", ""))
    payer = offers.payer_for(skill=skill, partnership=line.partnership)
    with transaction.atomic():
        ticket = _new_ticket(
            skill=skill,
            source=ServiceTicket.Source.RETURN if return_request is not None else ServiceTicket.Source.ORDER,
            title=f"{capfirst(skill.get_code_display())}: {line.title}",
            contact={"recipient": recipient, "email": email},
            language=language,
            now=now,
            order=order,
            order_line=line,
            product=line.variant.product if line.variant_id else None,
            partnership=line.partnership,
            return_request=return_request,
            problem=problem,
            payer=payer,
            price=offer.unit_price,
        )
        Message.objects.create(thread=ticket.thread, author=Message.Author.SHOPPER, body=problem, created_at=now)
        ticket = _locked(ticket)
        if payer == ServiceTicket.Payer.SHOPPER and offer.unit_price.amount > 0:
            # The shopper pays the quoted price first (start_ticket_payment); it is sent on once paid.
            ticket.status = Status.AWAITING_PAYMENT
            ticket.save(update_fields=["status"])
        else:
            _assign(ticket, offer, now=now)
        _tell_shopper(ticket, "service_requested", "requested")
    return ticket


def _delivered_line(order, line_number):
    if not isinstance(order, Order) or order.status != Order.Status.DELIVERED:
        raise DomainError(
            Code.NOT_DELIVERED,
            _("A repair or maintenance can be asked for once the order is delivered."),
            field="line",
        )
    try:
        number = int(str(line_number).strip())
    except (TypeError, ValueError):
        number = None
    line = (
        OrderLine.objects.filter(order=order, line_number=number).select_related("partnership", "variant").first()
        if number is not None and 0 < number < 32768
        else None
    )
    if line is None:
        raise DomainError(Code.INVALID, _("Choose one of the order's goods."), field="line")
    line.order = order
    return line


def open_checkout_tickets(*, order, extras):
    """payments.hooks.extras_paid: one ticket per installation paid with the order, dispatched at
    once. The money is secured, so nothing here refuses the payment: a ticket nobody can take now
    (its provider left the area meanwhile) stays requested and ops are told."""
    now = order.paid_at or timezone.now()
    lines = {line.line_number: line for line in order.lines.select_related("partnership", "variant")}
    skills = {skill.code: skill for skill in Skill.objects.all()}
    opened = []
    for extra in extras:
        skill = skills.get(extra.detail.get("skill") or extra.code)
        line = lines.get(extra.line_number)
        if extra.kind != "service" or skill is None or line is None:
            continue
        if ServiceTicket.objects.filter(order_line=line, skill=skill, source=ServiceTicket.Source.CHECKOUT).exists():
            continue  # the same payment reported again
        opened.append(_open_paid_ticket(order, line, skill, extra, now))
    return opened


def _open_paid_ticket(order, line, skill, extra, now):
    recipient = {
        **order.recipient,
        "phone": order.recipient.get("phone", ""),
        "postcode": order.recipient.get("postcode", ""),
    }
    price = money.money(extra.detail.get("price") or extra.amount.amount, str(extra.amount.currency))
    ticket = _new_ticket(
        skill=skill,
        source=ServiceTicket.Source.CHECKOUT,
        title=extra.title,
        contact={"recipient": recipient, "email": order.email},
        language=extra.detail.get("language") or settings.LANGUAGE_CODE,
        now=now,
        order=order,
        order_line=line,
        product=line.variant.product if line.variant_id else None,
        partnership=line.partnership,
        payer=extra.detail.get("payer") or ServiceTicket.Payer.SHOPPER,
        price=price,
        paid_in_order=bool(extra.amount.amount),
        quantity=max(1, int(extra.detail.get("quantity") or 1)),
    )
    ticket = _locked(ticket)
    try:
        offer = offers.best_offer(skill=skill, city=ticket.city, postcode=ticket.postcode)
    except DomainError as refusal:
        _event(ticket, Kind.NOT_DISPATCHED, Actor.SYSTEM, note=str(refusal.detail), at=now)
        tell_ops(ticket, "service_not_dispatched", "not-dispatched", reason=str(refusal.detail))
    else:
        _assign(ticket, offer, now=now)
    _tell_shopper(ticket, "service_requested", "requested")
    return ticket


def open_repair_ticket(*, unit, warehouse, reason, now):
    """Disposition repair of a returned unit (aftersales.returns.services.disposition, in its transaction):
    a repair ticket at the address of the warehouse holding the unit, paid by whom the agreement
    says for repairs (`service_repair_payer`; ours by OWN_GOODS_PAYERS), the platform when that is
    the shopper, who gave the unit back. Dispatched at once to the provider the rule picks; when
    nobody serves the warehouse it stays requested and ops are told (the decision stands)."""
    skill = offers.skill_for(Skill.Code.REPAIR)
    line = unit.line.order_line
    payer = offers.payer_for(skill=skill, partnership=unit.partnership)
    if payer == ServiceTicket.Payer.SHOPPER:
        payer = ServiceTicket.Payer.PLATFORM
    recipient = {
        "name": warehouse.name,
        "phone": "",
        "address_lines": [part for part in warehouse.address.splitlines() if part.strip()],
        "city": warehouse.city,
        "postcode": warehouse.postcode,
        "country": str(warehouse.country),
    }
    try:
        offer = offers.best_offer(skill=skill, city=warehouse.city, postcode=warehouse.postcode)
    except DomainError as refusal:
        offer, refused = None, str(refusal.detail)
    ticket = _new_ticket(
        skill=skill,
        source=ServiceTicket.Source.RETURNED_UNIT,
        title=f"{capfirst(skill.get_code_display())}: {line.title} ({warehouse.code})",
        contact={"recipient": recipient, "email": ""},
        language=settings.LANGUAGE_CODE,
        now=now,
        order=line.order,
        order_line=line,
        product=line.variant.product if line.variant_id else None,
        partnership=unit.partnership,
        return_request=unit.line.request,
        return_unit=unit,
        problem=(unit.notes or reason)[:2000],
        payer=payer,
        price=offer.unit_price if offer else money.money(0, settings.PLATFORM_CURRENCY),
    )
    ticket = _locked(ticket)
    if offer is None:
        _event(ticket, Kind.NOT_DISPATCHED, Actor.SYSTEM, note=refused, at=now)
        tell_ops(ticket, "service_not_dispatched", "not-dispatched", reason=refused)
    else:
        _assign(ticket, offer, now=now, tell_owner=False)  # the decision's message says so
    return ticket


# --- dispatch (the rule, or ops) -----------------------------------------------------------------


def dispatch(*, ticket, provider=None, staff=None, now=None):
    """Send a ticket to the provider the rule picks (offers.py: the cheapest serving the address),
    or to `provider` when ops choose one (it must be active and have the skill priced; ops may send
    it outside its area). A ticket not yet accepted, or escalated, may be sent again."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked(ticket)
        _require(ticket, (Status.REQUESTED, Status.DISPATCHED, Status.ACCEPTED, Status.ESCALATED), _("dispatched"))
        if provider is None:
            offer = offers.best_offer(skill=ticket.skill, city=ticket.city, postcode=ticket.postcode)
        else:
            offer = _ops_offer(ticket, provider)
        _assign(ticket, offer, staff=staff if provider is not None else None, now=now)
    return ticket


def _ops_offer(ticket, provider):
    price = provider.skills.filter(skill=ticket.skill, price_currency=settings.PLATFORM_CURRENCY).first()
    if not provider.is_active or price is None:
        raise DomainError(
            Code.PROVIDER_CANNOT,
            _("%(provider)s is not active or does not do %(skill)s.")
            % {"provider": provider.name, "skill": ticket.skill.get_code_display()},
            field="provider",
        )
    return offers.Offer(provider=provider, unit_price=price.price, open_tickets=0)


# --- the provider's steps (its page) -------------------------------------------------------------


def accept(*, ticket, provider, now=None):
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_provider(ticket, provider)
        if ticket.status == Status.ACCEPTED:
            return ticket
        _require(ticket, (Status.DISPATCHED,), _("accepted"))
        _move(ticket, Status.ACCEPTED, Kind.ACCEPTED, now=now)
        _tell_shopper(ticket, "service_update", f"accepted:{provider.pk}")
    return ticket


def _move(ticket, status, kind, *, now, actor=Actor.PROVIDER, note="", fields=(), **detail):
    ticket.status = status
    ticket.updated_at = now
    ticket.save(update_fields=["status", "updated_at", *fields])
    return _event(ticket, kind, actor, note=note, at=now, **detail)


def parse_moment(value, *, field):
    """A date and time as a form or a client sends it (ISO 8601; without an offset it is the
    platform's local time)."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value or "").strip())
        except ValueError:
            raise DomainError(Code.INVALID, _("Give a date and time such as 2026-12-24 14:30."), field=field) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def schedule(*, ticket, provider, at, now=None):
    """The provider sets (or moves) the appointment: in the future, within 90 days."""
    now = now or timezone.now()
    at = parse_moment(at, field="scheduled_for")
    if at <= now:
        raise DomainError(Code.SCHEDULE_IN_PAST, _("The appointment must be in the future."), field="scheduled_for")
    if at > now + MAX_SCHEDULE_AHEAD:
        raise DomainError(Code.INVALID, _("The appointment must be within 90 days."), field="scheduled_for")
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_provider(ticket, provider)
        _require(ticket, (Status.ACCEPTED, Status.SCHEDULED), _("scheduled"))
        ticket.scheduled_for = at
        _move(ticket, Status.SCHEDULED, Kind.SCHEDULED, now=now, fields=["scheduled_for"], appointment=at.isoformat())
        _tell_shopper(ticket, "service_update", f"scheduled:{at.isoformat()}")
        _tell_unit_owner(ticket, "repair_scheduled", now)
    return ticket


def complete(*, ticket, provider, note="", now=None):
    """The provider did the job: the ticket is completed, its cost posts to the ledger (once,
    charges.py) and the shopper is asked to rate it. A returned unit's repair: the unit is released
    and goes on by the rules (restock or resale), and its partner is told."""
    now = now or timezone.now()
    note = clean_text(note, field="note", limit=300, required=False)
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_provider(ticket, provider)
        _require(ticket, (Status.SCHEDULED,), _("completed"))
        _finish(ticket, repaired=True, kind=Kind.COMPLETED, note=note, now=now)
        _tell_shopper(ticket, "service_completed", "completed")
    return ticket


def report_unrepairable(*, ticket, provider, note, now=None):
    """The provider looked at a returned unit and cannot repair it (with why): the ticket is done
    (its cost, the provider's call, posts like any), and the unit is disposed of, its partner told.
    Only a returned unit's repair ticket, accepted or scheduled."""
    now = now or timezone.now()
    note = clean_text(note, field="note", limit=300)
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_provider(ticket, provider)
        if not ticket.return_unit_id:
            raise DomainError(
                Code.INVALID_STATE,
                _("Only a returned unit's repair can be reported as impossible; escalate this ticket instead."),
                field="status",
                status=409,
            )
        _require(ticket, (Status.ACCEPTED, Status.SCHEDULED), _("closed as not repairable"))
        _finish(ticket, repaired=False, kind=Kind.UNREPAIRABLE, note=note, now=now)
    return ticket


def _finish(ticket, *, repaired, kind, note, now):
    fields = ["completed_at"]
    ticket.completed_at = now
    if ticket.return_unit_id:
        ticket.repaired = repaired
        fields.append("repaired")
    _move(ticket, Status.COMPLETED, kind, now=now, note=note, fields=fields)
    charges.post_ticket_cost(ticket)
    if ticket.return_unit_id:
        from ...returns.services import disposition  # see _tell_unit_owner

        disposition.after_repair(ticket=ticket, repaired=repaired, note=note, now=now)


def escalate(*, ticket, provider, reason, now=None):
    """The provider cannot do it (parts, access, beyond its skill): ops take over, with the reason."""
    now = now or timezone.now()
    reason = clean_text(reason, field="reason", limit=300)
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_provider(ticket, provider)
        _require(ticket, (Status.DISPATCHED, Status.ACCEPTED, Status.SCHEDULED), _("escalated"))
        _move(ticket, Status.ESCALATED, Kind.ESCALATED, now=now, note=reason)
        Message.objects.create(thread=ticket.thread, author=Message.Author.PROVIDER, body=reason, created_at=now)
        tell_ops(ticket, "service_escalated", f"escalated:{now.isoformat()}", reason=reason)
        _tell_shopper(ticket, "service_update", f"escalated:{now.isoformat()}")
    return ticket


# --- the conversation and the rating -------------------------------------------------------------


def write_message(*, ticket, author, body, provider=None, staff=None, now=None):
    """A message in the ticket's thread from the shopper, its provider or staff; the other side is told."""
    now = now or timezone.now()
    body = clean_text(body, field="body", limit=4000)
    if author == Message.Author.PROVIDER:
        _require_provider(ticket, provider)
    with transaction.atomic():
        ticket = _locked(ticket)
        message = Message.objects.create(
            thread=ticket.thread,
            author=author,
            staff=staff if getattr(staff, "is_authenticated", False) else None,
            body=body,
            created_at=now,
        )
        if author != Message.Author.SHOPPER:
            _tell_shopper(ticket, "service_message", f"message:{message.pk}")
        if author != Message.Author.PROVIDER and ticket.provider_id:
            _tell_provider(ticket, "service_message", f"message:{message.pk}")
    return message


def parse_rating(value):
    try:
        rating = int(str(value).strip())
    except (TypeError, ValueError):
        rating = None
    if rating is None or not 1 <= rating <= 5:
        raise DomainError(Code.INVALID_RATING, _("A rating is a whole number from 1 to 5."), field="rating")
    return rating


def rate(*, ticket, rating, comment="", now=None):
    """The shopper rates the done job, once, 1 to 5."""
    now = now or timezone.now()
    rating = parse_rating(rating)
    comment = clean_text(comment, field="comment", limit=2000, required=False)
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status != Status.COMPLETED:
            raise DomainError(
                Code.INVALID_STATE, _("You can rate the service once it is completed."), field="rating", status=409
            )
        if ticket.rating is not None:
            raise DomainError(Code.INVALID_STATE, _("You have rated this service already."), field="rating", status=409)
        ticket.rating, ticket.rating_comment, ticket.rated_at, ticket.updated_at = rating, comment, now, now
        ticket.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
        _event(ticket, Kind.RATED, Actor.SHOPPER, at=now, rating=rating)
    return ticket


# --- cancelling ----------------------------------------------------------------------------------


def cancel(*, ticket, reason="", staff=None, now=None, allowed=ServiceTicket.OPEN, actor=None):
    """Ops (or a cancelled order) call a ticket off before it is done; its provider is told."""
    now = now or timezone.now()
    reason = clean_text(reason, field="reason", limit=300, required=False)
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status == Status.CANCELLED:
            return ticket
        _require(ticket, allowed, _("cancelled"))
        actor = actor or (Actor.STAFF if staff else Actor.SYSTEM)
        _move(ticket, Status.CANCELLED, Kind.CANCELLED, now=now, actor=actor, note=reason)
        if ticket.provider_id:
            _tell_provider(ticket, "service_cancelled", "cancelled")
        _tell_shopper(ticket, "service_update", "cancelled")
    return ticket


def cancel_by_shopper(*, ticket, now=None):
    """The shopper calls off a ticket not yet sent to a provider (awaiting payment, or paid and
    waiting for ops to find a provider); what it paid goes back once (refund_cancelled_ticket)."""
    if ticket.source not in (ServiceTicket.Source.ORDER, ServiceTicket.Source.RETURN):
        raise DomainError(
            Code.INVALID_STATE, _("Please write to us to cancel this service."), field="cancel", status=409
        )
    cancel(
        ticket=ticket,
        reason=_("cancelled by the shopper"),
        now=now,
        allowed=(Status.AWAITING_PAYMENT, Status.REQUESTED),
        actor=Actor.SHOPPER,
    )
    return refund_cancelled_ticket(ticket=ticket)


def refund_cancelled_ticket(*, ticket):
    """A service the shopper paid for with the order, called off before it was done while the order
    goes on: its price goes back through the payment the shopper used, once (the refund's key names
    the ticket: asking again finds it, done or still to be confirmed). The payment service records
    the refund in the ledger (the prepayment was never turned into revenue) and mails the shopper.
    Calls the provider, so it runs outside any transaction, after the cancellation committed. A
    cancelled order refunds its whole total itself: nothing here then. Returns the payment, or None
    when there is nothing to refund."""
    ticket = ServiceTicket.objects.select_related("order__checkout").get(pk=ticket.pk)
    if ticket.status == Status.CANCELLED and not ticket.paid_in_order:
        return _give_back_own_payment(ticket)
    order = ticket.order
    if ticket.status != Status.CANCELLED or not ticket.paid_in_order or not ticket.price.amount or order is None:
        return None
    if order.status == Order.Status.CANCELLED:
        return None
    payment = (
        Payment.objects.filter(checkout_reference=str(order.checkout.reference), state__in=REFUNDABLE)
        .order_by("created_at", "pk")
        .first()
    )
    if payment is None:
        raise DomainError(
            Code.INVALID_STATE,
            _("Order %(number)s has no payment to refund the service from.") % {"number": order.number},
            field="ticket",
            status=409,
        )
    return payments.refund_payment(
        payment=payment,
        amount=ticket.price.amount,
        reason=f"service {ticket.number} cancelled",
        key=f"service-ticket:{ticket.reference}",
    )


def _give_back_own_payment(ticket):
    """A cancelled ticket the shopper paid for by a payment of its own: the captured price goes back
    once (the refund's key names the ticket), an authorisation not yet captured is released, and a
    payment still waiting for the shopper is voided so it can no longer be approved."""
    refunded = None
    for payment in Payment.objects.filter(checkout_reference=ticket.payment_reference).order_by("created_at", "pk"):
        if payment.state in REFUNDABLE and payment.token == ticket.payment_token:
            refunded = payments.refund_payment(
                payment=payment,
                amount=ticket.price.amount,
                reason=f"service {ticket.number} cancelled",
                key=f"service-ticket:{ticket.reference}",
            )
        elif payment.state in (*Payment.OPEN_STATES, Payment.State.AUTHORISED):
            payments.cancel_payment(payment=payment, reason=f"service {ticket.number} cancelled")
    return refunded


# --- the shopper's own payment for a repair or maintenance asked for after delivery --------------


def start_ticket_payment(*, ticket, return_url, provider=None, now=None):
    """Open a payment of the ticket's quoted price at `provider` (default: the platform's local
    method) under the ticket's own reference (`service:<reference>`, never an order's checkout), or
    go back to one still waiting at that provider. Refused unless the ticket awaits payment. Calls
    the provider, so outside any transaction."""
    from payments.shop.services.paying import chosen_provider

    now = now or timezone.now()
    ticket = ServiceTicket.objects.get(pk=ticket.pk)
    _require(ticket, (Status.AWAITING_PAYMENT,), _("paid for"))
    provider = chosen_provider(provider)
    waiting = (
        Payment.objects.filter(
            checkout_reference=ticket.payment_reference,
            provider=provider,
            state__in=Payment.OPEN_STATES,
            expires_at__gt=now,
        )
        .exclude(provider_payment_id="")
        .order_by("-created_at")
        .first()
    )
    if waiting is not None:
        return waiting
    return payments.start_payment(
        checkout_reference=ticket.payment_reference,
        amount=ticket.price.amount,
        currency=str(ticket.price.currency),
        provider=provider,
        return_url=return_url,
        description=_("Service %(number)s") % {"number": ticket.number},
        now=now,
    )


def latest_payment(ticket):
    """The newest payment made for the ticket, or None."""
    return Payment.objects.filter(checkout_reference=ticket.payment_reference).order_by("-created_at", "-pk").first()


def take_ticket_payment(*, payment):
    """payments.hooks.money_secured: a payment under a ticket's reference holds the money. The
    ticket awaiting payment takes it (the payment is marked placed, so the beat never voids it as
    abandoned), its SLA clock starts, and it is dispatched by the rule (nobody serving the address
    now: it stays requested and ops are told); then the money is captured, which posts the
    shopper's payment to the ledger once. A ticket that no longer waits (cancelled, or paid by
    another payment) leaves the payment unplaced: the beat voids or refunds it. Idempotent."""
    reference = str(payment.checkout_reference or "")
    if not reference.startswith("service:"):
        return None
    ticket = ServiceTicket.objects.filter(reference=_uuid_or_none(reference.removeprefix("service:"))).first()
    if ticket is None:
        return None
    try:
        ticket = _take_payment(ticket, payment, timezone.now())
    except DomainError:  # the payment is being voided as abandoned meanwhile: it stays unplaced
        return None
    if ticket is None:
        return None
    payment = Payment.objects.get(pk=payment.pk)
    if payment.state == Payment.State.AUTHORISED:
        try:
            payments.capture_payment(payment=payment)
        except DomainError:
            pass  # the beat (payments.settle_secured_payments) captures a placed payment later
    return ticket


def _take_payment(ticket, payment, now):
    with transaction.atomic(durable=True):
        ticket = _locked(ticket)
        if ticket.payment_token != payment.token:
            if ticket.status != Status.AWAITING_PAYMENT:
                return None
            paid = Payment.objects.get(pk=payment.pk)
            if paid.amount != ticket.price.amount or paid.currency != str(ticket.price.currency):
                return None
            payment = payments.mark_order_placed(payment=paid, at=now)
            ticket.payment_token, ticket.paid_at, ticket.status = payment.token, now, Status.REQUESTED
            ticket.schedule_due_at = now + dt.timedelta(hours=ticket.skill.hours_to_schedule)
            ticket.complete_due_at = now + dt.timedelta(hours=ticket.skill.hours_to_complete)
            ticket.updated_at = now
            ticket.save(
                update_fields=["payment_token", "paid_at", "status", "schedule_due_at", "complete_due_at", "updated_at"]
            )
            _event(ticket, Kind.PAID, Actor.SHOPPER, at=now, amount=str(ticket.price.amount), provider=payment.provider)
            try:
                offer = offers.best_offer(skill=ticket.skill, city=ticket.city, postcode=ticket.postcode)
            except DomainError as refusal:
                _event(ticket, Kind.NOT_DISPATCHED, Actor.SYSTEM, note=str(refusal.detail), at=now)
                tell_ops(ticket, "service_not_dispatched", "not-dispatched", reason=str(refusal.detail))
            else:
                _assign(ticket, offer, now=now)
    return ticket


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def cancel_order_tickets(*, order):
    """payments.hooks.paid_order_cancelled: the order's open tickets are called off (its money,
    the service's included, goes back to the shopper)."""
    for ticket in ServiceTicket.objects.filter(order=order, status__in=ServiceTicket.OPEN).order_by("pk"):
        cancel(ticket=ticket, reason=_("order %(number)s cancelled") % {"number": order.number})
