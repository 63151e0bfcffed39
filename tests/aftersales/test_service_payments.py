"""A repair or maintenance the shopper pays for, asked for after delivery: the ticket waits for a
payment of its own (under `service:<reference>`, never voided as abandoned once the ticket took
it), is dispatched when the money is secured, and the shopper's payment posts to the ledger once;
a declined payment leaves it waiting and its page says so; calling it off before dispatch gives
the money back once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.models import ServiceProvider, ServiceTicket, TicketEvent
from aftersales.service.services import tickets
from payments.models import LedgerTransaction, Payment, ProviderCall, WebhookReceipt
from payments.providers.services import payment as payments
from tests.payments.payment_factories import SENT, deliver_with_test_client, path_of

from .service_factories import checkout_with_installation, deliver, installable_variant, make_provider, place_and_pay
from .test_service_tickets import postings_of

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

RETURN_URL = "http://testserver/service/back"


def maintenance_of(order, **extra):
    """Maintenance of our own washing machine: the shopper pays (OWN_GOODS_PAYERS)."""
    values = {
        "order": order, "skill": "maintenance", "line_number": 1, "name": "Li Wei", "email": "li.wei@example.com",
        "phone": "+86 138 0013 8000", "address": "88 Century Avenue", "city": "Shanghai", "postcode": "200120",
        "problem": "Yearly check of the drum and the seals, please.",
    }  # fmt: skip
    return tickets.request_service(**{**values, **extra})


@pytest.fixture
def awaiting(service_shop):
    provider = make_provider()
    order = deliver(place_and_pay(checkout_with_installation((installable_variant(service_shop), 1), install=False)))
    return maintenance_of(order), provider


def decide(client, payment, decision):
    """The shopper approves or declines at the sandbox wallet; its webhook reaches us."""
    client.post(path_of(payment.next_action["qr_payload"]), {"decision": decision})
    payment.refresh_from_db()
    return payment


def captures(payment):
    return LedgerTransaction.objects.filter(reference=f"payment:{payment.token}:capture").count()


def test_a_shopper_paid_service_waits_for_its_payment_and_posts_nothing(awaiting):
    ticket, _provider = awaiting

    assert (ticket.status, ticket.provider, ticket.payer, ticket.price.amount) == (
        "unpaid",
        None,
        "shopper",
        Decimal("60.00"),
    )
    assert not LedgerTransaction.objects.filter(reference__startswith=ticket.ledger_reference).exists()
    with pytest.raises(Exception, match="cannot be dispatched"):
        tickets.dispatch(ticket=ticket)


def test_paying_dispatches_the_ticket_and_posts_the_payment_once_however_often_it_is_reported(awaiting, client):
    ticket, provider = awaiting
    payment = tickets.start_ticket_payment(ticket=ticket, return_url=RETURN_URL)
    assert (payment.checkout_reference, payment.amount, payment.currency) == (
        f"service:{ticket.reference}",
        Decimal("60.00"),
        "CNY",
    )
    assert tickets.start_ticket_payment(ticket=ticket, return_url=RETURN_URL) == payment  # a second click

    payment = decide(client, payment, "approve")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.provider, ticket.payment_token) == ("dispatched", provider, payment.token)
    assert payment.state == "captured" and payment.order_placed_at is not None
    assert captures(payment) == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind="paid").count() == 1

    # The same webhook delivered again, and the hook fired again (a poll racing the webhook).
    url, body, headers, _status = next(sent for sent in SENT if b"captured" in sent[1] or b"authorised" in sent[1])
    deliver_with_test_client(url, body, headers)
    tickets.take_ticket_payment(payment=payment)
    assert captures(payment) == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind="paid").count() == 1
    assert WebhookReceipt.objects.filter(payment=payment).count() >= 1

    # The beat never voids it: the ticket took it.
    later = timezone.now() + dt.timedelta(days=3)
    assert payments.void_abandoned_payments(now=later) == {"voided": 0, "refunded": 0, "failed": 0}

    # Done: the prepayment becomes service revenue and the provider is owed its price, once.
    tickets.accept(ticket=ticket, provider=provider)
    tickets.schedule(ticket=ticket, provider=provider, at=timezone.now() + dt.timedelta(hours=5))
    tickets.complete(ticket=ticket, provider=provider)
    assert postings_of(ticket.ledger_reference) == sorted(
        [
            ("service_costs", Decimal("60.00"), "CNY"),
            ("provider_payables", Decimal("-60.00"), "CNY"),
            ("shopper_prepayments", Decimal("60.00"), "CNY"),
            ("service_revenue", Decimal("-60.00"), "CNY"),
        ]
    )


def test_a_declined_payment_leaves_the_ticket_awaiting_payment_and_its_page_says_so(awaiting, client):
    ticket, _provider = awaiting
    payment = decide(client, tickets.start_ticket_payment(ticket=ticket, return_url=RETURN_URL), "decline")

    ticket.refresh_from_db()
    assert payment.state == "declined" and ticket.status == "unpaid" and ticket.provider is None
    page = client.get(reverse("service:ticket", args=[ticket.token]))
    assert b"data-payment-failed" in page.content and b"data-pay" in page.content
    assert not LedgerTransaction.objects.filter(reference__startswith=f"payment:{payment.token}").exists()

    # Paying again works.
    payment = decide(client, tickets.start_ticket_payment(ticket=ticket, return_url=RETURN_URL), "approve")
    ticket.refresh_from_db()
    assert ticket.status == "dispatched" and ticket.payment_token == payment.token


def test_the_pay_button_opens_the_payment_and_the_provider_sends_the_shopper_back(awaiting, client):
    ticket, _provider = awaiting
    page = client.post(reverse("service:ticket", args=[ticket.token]), {"action": "pay"})
    payment = Payment.objects.get(checkout_reference=ticket.payment_reference)
    assert page.status_code == 302 and page["Location"] == reverse("payments:payment", args=[payment.token])
    assert payment.return_url.endswith(reverse("service:ticket", args=[ticket.token]))


def test_a_paid_ticket_nobody_can_take_cancelled_by_the_shopper_refunds_once(awaiting, client):
    ticket, provider = awaiting
    ServiceProvider.objects.filter(pk=provider.pk).update(is_active=False)
    payment = decide(client, tickets.start_ticket_payment(ticket=ticket, return_url=RETURN_URL), "approve")
    ticket.refresh_from_db()
    assert ticket.status == "requested" and ticket.payment_token == payment.token  # paid; ops are told

    response = client.post(reverse("service:ticket", args=[ticket.token]), {"action": "cancel"})
    assert response.status_code == 302
    tickets.refund_cancelled_ticket(ticket=ticket)  # asked again: found, not made twice

    payment.refresh_from_db()
    ticket.refresh_from_db()
    assert ticket.status == "cancelled" and payment.refunded_amount == Decimal("60.00")
    assert ProviderCall.objects.filter(payment=payment, operation="refund").count() == 1
    assert LedgerTransaction.objects.filter(reference__startswith=f"payment:{payment.token}:refund").count() == 1


def test_the_shopper_cannot_cancel_once_dispatched(awaiting, client):
    ticket, _provider = awaiting
    decide(client, tickets.start_ticket_payment(ticket=ticket, return_url=RETURN_URL), "approve")
    response = client.post(reverse("service:ticket", args=[ticket.token]), {"action": "cancel"})
    ticket.refresh_from_db()
    assert response.status_code == 409 and ticket.status == "dispatched"


def test_a_payment_arriving_after_the_ticket_was_cancelled_is_left_for_the_beat_to_give_back(awaiting, client):
    ticket, _provider = awaiting
    payment = tickets.start_ticket_payment(ticket=ticket, return_url=RETURN_URL)
    ServiceTicket.objects.filter(pk=ticket.pk).update(status="cancelled")

    payment = decide(client, payment, "approve")

    ticket.refresh_from_db()
    assert ticket.payment_token == "" and payment.order_placed_at is None
    later = timezone.now() + dt.timedelta(days=3)
    done = payments.void_abandoned_payments(now=later)
    assert done["voided"] + done["refunded"] == 1
