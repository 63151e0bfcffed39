"""A service ticket's life after dispatch: the provider accepts, schedules and completes it (or
hands it back); the SLA sweep records each missed deadline once and tells ops; the shopper rates
it; the cost posts to the ledger once by who pays; ops send a ticket to a provider they choose.
Repairs asked for after delivery and from a return are dispatched like the rest."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import signing
from django.utils import timezone
from djmoney.money import Money

from aftersales.models import Message, ReturnRequest, ServiceTicket, Thread, TicketEvent
from aftersales.service.services import links, sla, tickets
from crossborder.errors import DomainError
from crossborder.models import Notification, OutboxMessage
from payments.models import LedgerTransaction, Posting
from tests.partners import table_counts
from tests.payments.shop_factories import FEES, VALID_ID, partner_listing

from .service_factories import (
    OPS,
    checkout_with_installation,
    deliver,
    installable_variant,
    make_provider,
    place_and_pay,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def dispatched(service_shop):
    provider = make_provider()
    order = place_and_pay(checkout_with_installation((installable_variant(service_shop), 1)))
    return ServiceTicket.objects.get(order=order), provider


def postings_of(reference):
    return sorted(
        (p.account.code, p.amount, p.currency)
        for p in Posting.objects.filter(transaction__reference=reference).select_related("account")
    )


def test_the_provider_accepts_schedules_and_completes_and_the_shopper_paid_service_posts_once(dispatched):
    ticket, provider = dispatched
    at = timezone.now() + dt.timedelta(days=1)

    tickets.accept(ticket=ticket, provider=provider)
    tickets.schedule(ticket=ticket, provider=provider, at=at)
    tickets.complete(ticket=ticket, provider=provider, note="installed and tested")

    ticket.refresh_from_db()
    assert ticket.status == "completed" and ticket.scheduled_for == at and ticket.completed_at is not None
    assert [e.kind for e in ticket.events.all()] == ["requested", "dispatched", "accepted", "scheduled", "completed"]
    # Revenue for what the shopper paid with the order, and the provider's price owed to it.
    assert postings_of(ticket.ledger_reference) == sorted(
        [
            ("shopper_prepayments", Money("80.00", "CNY").amount, "CNY"),
            ("service_revenue", Money("-80.00", "CNY").amount, "CNY"),
            ("service_costs", Money("80.00", "CNY").amount, "CNY"),
            ("provider_payables", Money("-80.00", "CNY").amount, "CNY"),
        ]
    )
    assert Notification.objects.filter(to=ticket.email, template="service_completed").exists()
    # Completing again is refused and posts nothing more.
    with pytest.raises(DomainError):
        tickets.complete(ticket=ticket, provider=provider)
    assert LedgerTransaction.objects.filter(reference__startswith=ticket.ledger_reference).count() == 1


def test_another_providers_link_cannot_touch_the_ticket(dispatched):
    ticket, _provider = dispatched
    stranger = make_provider("Other Fitters")
    before = table_counts()

    with pytest.raises(DomainError) as refused:
        tickets.accept(ticket=ticket, provider=stranger)

    assert refused.value.status == 404 and table_counts() == before


def test_a_schedule_in_the_past_is_refused_and_changes_nothing(dispatched):
    ticket, provider = dispatched
    tickets.accept(ticket=ticket, provider=provider)
    before = table_counts()

    with pytest.raises(DomainError) as refused:
        tickets.schedule(ticket=ticket, provider=provider, at=timezone.now() - dt.timedelta(minutes=5))

    assert (refused.value.code, refused.value.field) == ("schedule_in_past", "scheduled_for")
    assert table_counts() == before and ServiceTicket.objects.get().scheduled_for is None


@pytest.mark.parametrize("rating", ["0", "6", "4.5", "", "five", None])
def test_a_rating_out_of_range_is_refused(dispatched, rating):
    ticket, provider = dispatched
    tickets.accept(ticket=ticket, provider=provider)
    tickets.schedule(ticket=ticket, provider=provider, at=timezone.now() + dt.timedelta(hours=3))
    tickets.complete(ticket=ticket, provider=provider)
    before = table_counts()

    with pytest.raises(DomainError) as refused:
        tickets.rate(ticket=ticket, rating=rating)

    assert refused.value.code == "invalid_rating" and table_counts() == before


def test_a_rating_before_completion_is_refused_and_once_done_it_is_recorded_once(dispatched):
    ticket, provider = dispatched
    before = table_counts()
    with pytest.raises(DomainError) as refused:
        tickets.rate(ticket=ticket, rating=5)
    assert refused.value.code == "invalid_ticket_state" and table_counts() == before

    tickets.accept(ticket=ticket, provider=provider)
    tickets.schedule(ticket=ticket, provider=provider, at=timezone.now() + dt.timedelta(hours=3))
    tickets.complete(ticket=ticket, provider=provider)
    tickets.rate(ticket=ticket, rating="4", comment="Quick and tidy")

    ticket.refresh_from_db()
    assert (ticket.rating, ticket.rating_comment) == (4, "Quick and tidy")
    with pytest.raises(DomainError):
        tickets.rate(ticket=ticket, rating=1)
    assert ServiceTicket.objects.get().rating == 4


def test_the_sla_sweep_records_each_missed_deadline_once_and_tells_ops(dispatched):
    ticket, provider = dispatched
    tickets.accept(ticket=ticket, provider=provider)
    past_schedule = ticket.schedule_due_at + dt.timedelta(minutes=1)

    assert sla.mark_breaches(now=ticket.schedule_due_at - dt.timedelta(minutes=1)) == 0
    assert sla.mark_breaches(now=past_schedule) == 1
    assert sla.mark_breaches(now=past_schedule + dt.timedelta(minutes=5)) == 0  # the beat fired again

    ticket.refresh_from_db()
    assert ticket.schedule_breached_at == past_schedule and ticket.complete_breached_at is None
    assert TicketEvent.objects.filter(ticket=ticket, kind="sla_breached", note="schedule").count() == 1
    assert Notification.objects.filter(to=OPS, template="service_breached").count() == 1

    # Scheduled late, then not completed in time either: that is the second breach, also once.
    tickets.schedule(
        ticket=ticket, provider=provider, at=ticket.complete_due_at + dt.timedelta(hours=2), now=past_schedule
    )
    assert sla.mark_breaches(now=ticket.complete_due_at + dt.timedelta(minutes=1)) == 1
    ticket.refresh_from_db()
    assert ticket.complete_breached_at is not None and ticket.breached


def test_a_completed_ticket_never_breaches(dispatched):
    ticket, provider = dispatched
    tickets.accept(ticket=ticket, provider=provider)
    tickets.schedule(ticket=ticket, provider=provider, at=timezone.now() + dt.timedelta(hours=1))
    tickets.complete(ticket=ticket, provider=provider)

    assert sla.mark_breaches(now=ticket.complete_due_at + dt.timedelta(days=30)) == 0


def test_escalating_hands_the_ticket_to_ops_who_send_it_to_a_provider_they_choose(dispatched, admin_user):
    ticket, provider = dispatched
    tickets.escalate(ticket=ticket, provider=provider, reason="The wall is too thin to mount it")
    other = make_provider("Other Fitters", city="Suzhou", prices={"installation": "95.00"})

    tickets.dispatch(ticket=ticket, provider=other, staff=admin_user)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.provider, ticket.cost, ticket.dispatched_by_ops) == (
        "dispatched", other, Money("95.00", "CNY"), True,
    )  # fmt: skip
    assert Notification.objects.filter(to=OPS, template="service_escalated").exists()
    assert Message.objects.filter(thread=ticket.thread, author="provider").exists()
    assert ticket.events.last().detail["rule"] == "ops"


def test_ops_cannot_send_a_ticket_to_a_provider_without_the_skill(dispatched, admin_user):
    ticket, _provider = dispatched
    painter = make_provider("Painters", prices={"maintenance": "40.00"})
    before = table_counts()

    with pytest.raises(DomainError) as refused:
        tickets.dispatch(ticket=ticket, provider=painter, staff=admin_user)

    assert refused.value.code == "provider_cannot_serve" and table_counts() == before


def test_the_dispatch_rule_takes_the_cheapest_then_the_least_loaded(service_shop):
    busy = make_provider("Busy Fitters", prices={"installation": "80.00"})
    idle = make_provider("Idle Fitters", prices={"installation": "80.00"})
    washer = installable_variant(service_shop, stock=10)

    first = ServiceTicket.objects.get(order=place_and_pay(checkout_with_installation((washer, 1))))
    second = ServiceTicket.objects.get(order=place_and_pay(checkout_with_installation((washer, 1))))

    assert first.provider == busy  # equal price and load: the first registered
    assert second.provider == idle  # equal price: the one with fewer open tickets


def test_postcode_areas_count_as_much_as_cities(service_shop):
    from aftersales.models import Skill
    from aftersales.service.services import offers

    by_postcode = make_provider("Postcode Fitters", city="", postcode_prefix="2001")
    found = offers.offers(skill=Skill.objects.get(code="repair"), city="Anywhere", postcode="200 120")
    assert [offer.provider for offer in found] == [by_postcode]
    assert offers.offers(skill=Skill.objects.get(code="repair"), city="Anywhere", postcode="300120") == []


# --- after delivery, from a return, who pays ---------------------------------------------------


def repair_of(order, **extra):
    values = {
        "order": order, "skill": "repair", "line_number": 1, "name": "Li Wei", "email": "li.wei@example.com",
        "phone": "+86 138 0013 8000", "address": "88 Century Avenue", "city": "Shanghai", "postcode": "200120",
        "problem": "The drum makes a loud noise when spinning.",
    }  # fmt: skip
    return tickets.request_service(**{**values, **extra})


def test_a_repair_of_our_goods_after_delivery_is_dispatched_and_the_platform_pays(service_shop):
    provider = make_provider()
    order = deliver(place_and_pay(checkout_with_installation((installable_variant(service_shop), 1), install=False)))

    ticket = repair_of(order)

    assert (ticket.source, ticket.status, ticket.provider, ticket.payer) == (
        "order",
        "dispatched",
        provider,
        "platform",
    )
    assert ticket.thread.messages.get().body.startswith("The drum")
    tickets.accept(ticket=ticket, provider=provider)
    tickets.schedule(ticket=ticket, provider=provider, at=timezone.now() + dt.timedelta(hours=5))
    tickets.complete(ticket=ticket, provider=provider)
    assert postings_of(ticket.ledger_reference) == sorted(
        [
            ("service_costs", Money("120.00", "CNY").amount, "CNY"),
            ("provider_payables", Money("-120.00", "CNY").amount, "CNY"),
        ]
    )


def test_a_partners_goods_repaired_under_its_warranty_is_charged_to_the_partner(service_shop):
    from tests.partner_zone.factories import make_partnership

    partnership = make_partnership("us", currency="USD", fee_schedule=dict(FEES))
    listing = partner_listing(partnership, direct_stock=5)
    provider = make_provider()
    order = deliver(
        place_and_pay(
            checkout_with_installation((listing, 1), install=False, buyer_name="李伟", buyer_id_number=VALID_ID)
        )
    )
    ticket = repair_of(order)
    assert ticket.payer == "partner"  # the agreement's default for repairs

    tickets.accept(ticket=ticket, provider=provider)
    tickets.schedule(ticket=ticket, provider=provider, at=timezone.now() + dt.timedelta(hours=5))
    tickets.complete(ticket=ticket, provider=provider)

    charge = postings_of(f"{ticket.ledger_reference}:partner")
    assert charge == sorted(
        [
            ("partner_balance", Money("120.00", "CNY").amount, "CNY"),
            ("service_fee_income", Money("-120.00", "CNY").amount, "CNY"),
        ]
    )
    assert postings_of(ticket.ledger_reference)[0][0] == "provider_payables"
    # The partner is told in the same transaction (outbox), so both statements carry the charge.
    (notice,) = [
        m for m in OutboxMessage.objects.filter(message_type="charge.notice") if m.payload["kind"] == "service_fee"
    ]
    assert (notice.payload["amount"], notice.payload["currency"]) == ("120.00", "CNY")


def test_a_repair_asked_from_a_return_is_linked_to_it(service_shop):
    make_provider()
    order = deliver(place_and_pay(checkout_with_installation((installable_variant(service_shop), 1), install=False)))
    returned = ReturnRequest.objects.create(
        token="ret-token-1", order=order, reason="defective", thread=Thread.objects.create(subject="R")
    )

    ticket = repair_of(order, return_request=returned)

    assert ticket.source == "return" and returned.service_tickets.get() == ticket


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"skill": "painting"}, "unknown_skill"),
        ({"skill": "installation"}, "service_not_offered"),
        ({"city": "Lhasa", "postcode": "850000"}, "invalid_address"),  # not a city of the order's province
        ({"city": "Pudong Xinqu", "postcode": "201200"}, "service_out_of_area"),
        ({"line_number": "9"}, "invalid_service_request"),
        ({"problem": ""}, "invalid_service_request"),
        ({"email": "not-an-address"}, "invalid"),
        ({"phone": "call me"}, "invalid_address"),
    ],
)
def test_a_bad_request_is_refused_with_the_reason_and_writes_nothing(service_shop, change, code):
    make_provider()
    order = deliver(place_and_pay(checkout_with_installation((installable_variant(service_shop), 1), install=False)))
    before = table_counts()

    with pytest.raises(DomainError) as refused:
        repair_of(order, **change)

    assert refused.value.code == code, refused.value.detail
    assert table_counts() == before


def test_a_repair_before_delivery_is_refused(service_shop):
    make_provider()
    order = place_and_pay(checkout_with_installation((installable_variant(service_shop), 1), install=False))
    before = table_counts()

    with pytest.raises(DomainError) as refused:
        repair_of(order)

    assert refused.value.code == "service_line_not_delivered" and table_counts() == before


# --- the provider's link ---------------------------------------------------------------------


def test_a_provider_link_names_its_provider_until_revoked_or_expired(service_shop, settings):
    provider = make_provider()
    token = links.link_token(provider)
    assert links.provider_for_token(token) == provider

    fresh = links.issue_new_link(provider=provider)
    with pytest.raises(DomainError) as revoked:
        links.provider_for_token(token)
    assert revoked.value.code == "bad_provider_link"
    assert links.provider_for_token(fresh) == provider

    settings.SERVICE_TICKETS = {**settings.SERVICE_TICKETS, "PROVIDER_LINK_DAYS": 0}
    with pytest.raises(DomainError) as expired:
        links.provider_for_token(signing.dumps({"p": str(provider.reference), "v": 2}, salt=links.SALT))
    assert expired.value.code in ("provider_link_expired", "bad_provider_link")


@pytest.mark.parametrize(
    "token", ["", "x" * 400, "abc", signing.dumps({"p": "nope", "v": 1}, salt="aftersales.service.provider-link")]
)
def test_a_bad_provider_link_is_refused(service_shop, token):
    with pytest.raises(DomainError) as refused:
        links.provider_for_token(token)
    assert refused.value.code == "bad_provider_link"


def test_an_inactive_providers_link_is_refused(service_shop):
    provider = make_provider(is_active=False)
    with pytest.raises(DomainError):
        links.provider_for_token(links.link_token(provider))


def test_the_demo_adds_its_providers_once_and_flags_the_car_seats(service_shop):
    from aftersales.service import demo
    from catalog.models import Product
    from tests.catalog.factories import make_product

    seat = make_product(code="SEA-acme-1", price="899.00")

    assert demo.ensure_demo_providers() == (2, 1)
    assert demo.ensure_demo_providers() == (0, 0)
    assert Product.objects.get(pk=seat.pk).needs_installation


def test_a_prepaid_service_called_off_while_the_order_goes_on_refunds_its_price_once(
    service_shop, client, sandbox_webhooks_through_test_client
):
    from payments.models import CartLine, Payment, ProviderCall
    from tests.payments.paying_factories import CN_FORM, add_to_cart, check_out, order_of, place
    from tests.payments.payment_factories import path_of

    make_provider()
    washer = installable_variant(service_shop)
    add_to_cart(client, (washer, 1))
    line = CartLine.objects.order_by("-pk").first()
    checkout = check_out(client, CN_FORM, services=[str(line.pk)])
    place(client, checkout)
    order = order_of(checkout)
    payment = Payment.objects.get(checkout_reference=str(order.checkout.reference))
    client.post(path_of(payment.next_action["qr_payload"]), {"decision": "approve"})
    ticket = ServiceTicket.objects.get(order=order)
    assert ticket.paid_in_order and str(ticket.price.amount) == "80.00"

    tickets.cancel(ticket=ticket, reason="the shopper installed it")
    tickets.refund_cancelled_ticket(ticket=ticket)
    tickets.refund_cancelled_ticket(ticket=ticket)  # asked again: found, not made twice

    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("80.00")
    assert ProviderCall.objects.filter(payment=payment, operation="refund").count() == 1
    order.refresh_from_db()
    assert order.status == "paid"


def test_an_open_or_unpaid_ticket_refunds_nothing(dispatched):
    ticket, _provider = dispatched
    assert tickets.refund_cancelled_ticket(ticket=ticket) is None  # not cancelled
