"""End to end on one instance, through the pages: a shopper orders a washing machine that needs
installation, chooses the installation at checkout (priced for Shanghai into the quote), pays with
the QR wallet; the ticket is dispatched to the cheapest Shanghai provider, which accepts through
its own page but misses the scheduling SLA; the sweep records the breach, shown on the provider's
page, the shopper's page and the admin's list; the provider then schedules and completes it, the
shopper rates it, and the ledger holds the service's cost once, with the books balanced."""

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from djmoney.money import Money

from aftersales.models import ServiceTicket
from aftersales.service.services import sla
from crossborder.models import Notification
from payments.models import LedgerTransaction, Order
from tests.payments.paying_factories import (
    CN_FORM,
    add_to_cart,
    balance,
    check_out,
    payment_of,
    place,
    set_up_cn,
    unbalanced_transactions,
)
from tests.payments.payment_factories import path_of, sandbox_webhooks_through_test_client  # noqa: F401

from .service_factories import OPS, installable_variant, make_provider

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def shop(settings):
    warehouse = set_up_cn(settings)
    settings.SERVICE_TICKETS = {**settings.SERVICE_TICKETS, "OPS_EMAIL": OPS}
    settings.PLATFORM_BASE_URL = "http://testserver"
    settings.LANGUAGE_CODE = "en"
    return warehouse


def pay_with_the_wallet(client, placed, order):
    payment = payment_of(order)
    approval = path_of(payment.next_action["qr_payload"])
    assert client.post(approval, {"decision": "approve"}).status_code == 302
    order.refresh_from_db()
    return order


def test_an_installation_chosen_at_checkout_misses_its_sla_is_completed_rated_and_posted_once(
    shop, client, admin_client
):
    make_provider("Costly Fitters", prices={"installation": "150.00"})
    provider = make_provider("Pudong Home Services", prices={"installation": "80.00"})
    washer = installable_variant(shop, price="1999.00")

    # The shopper: cart, checkout with the installation ticked, the quote, the order, the wallet.
    add_to_cart(client, (washer, 1))
    form = client.get(reverse("payments:checkout")).content.decode()
    line_id = re.search(r'name="services" value="(\d+)"', form).group(1)
    checkout = check_out(client, CN_FORM, services=line_id)
    quote = client.get(reverse("payments:quote", args=[checkout.reference])).content.decode()
    assert 'data-extra="installation"' in quote and "Installation:" in quote
    assert checkout.total == Money("1999.00", "CNY") + Money("10.00", "CNY") + Money("80.00", "CNY")
    placed = place(client, checkout)
    order = pay_with_the_wallet(client, placed, Order.objects.get(checkout=checkout))
    assert order.status == Order.Status.PAID and order.total.amount == Decimal("2089.00")

    # The ticket went to the cheapest provider in Shanghai, with a link to its page by e-mail.
    ticket = ServiceTicket.objects.get(order=order)
    assert (ticket.status, ticket.provider) == ("dispatched", provider)
    link = Notification.objects.get(to=provider.email, template="service_dispatched").context["url"]
    provider_page = path_of(link)
    page = client.get(provider_page)
    assert page.status_code == 200 and 'data-step="accept"' in page.content.decode()
    assert client.post(provider_page, {"action": "accept"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "accepted"

    # Nobody schedules it in time: the beat's sweep records the breach (and a second run does not).
    late = ticket.schedule_due_at + dt.timedelta(minutes=10)
    assert sla.mark_breaches(now=late) == 1 and sla.mark_breaches(now=late) == 0
    assert "data-breached" in client.get(provider_page).content.decode()
    shopper_page = reverse("service:ticket", args=[ticket.token])
    assert 'data-breach="schedule"' in client.get(shopper_page).content.decode()
    listed = admin_client.get(
        reverse("admin:aftersales_serviceticket_changelist"), {"sla": "breached"}
    ).content.decode()
    assert ticket.number in listed and "data-breach" in listed
    assert Notification.objects.filter(to=OPS, template="service_breached").count() == 1

    # The provider sets the appointment and completes the job through its page.
    appointment = timezone.localtime() + dt.timedelta(days=1)
    scheduled = client.post(
        provider_page, {"action": "schedule", "scheduled_for": appointment.strftime("%Y-%m-%dT%H:%M")}
    )
    assert scheduled.status_code == 302, scheduled.content.decode()[:3000]
    assert (
        client.post(provider_page, {"action": "complete", "note": "Installed, levelled, test wash run"}).status_code
        == 302
    )

    # The shopper rates it on the ticket's page.
    assert client.post(shopper_page, {"action": "rate", "rating": "4", "comment": "Late, but tidy"}).status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating, ticket.schedule_breached_at) == ("completed", 4, late)
    assert 'data-rating="4"' in client.get(shopper_page).content.decode()

    # The books: the service's cost once, the shopper's prepayment for the order fully used.
    assert list(LedgerTransaction.objects.filter(reference__startswith="service:").values_list("kind", flat=True)) == [
        "service_done"
    ]
    assert balance("service_revenue", "CNY") == Decimal("-80.00")
    assert balance("provider_payables", "CNY") == Decimal("-80.00")
    assert balance("shopper_prepayments", "CNY") == Decimal("0")
    assert unbalanced_transactions() == {}
    # The order's page links the ticket.
    assert ticket.number in client.get(reverse("payments:order", args=[order.token])).content.decode()
    # The provider's link opens its page in its own language (Chinese).
    assert urlsplit(link).path.startswith("/zh-hans/service/provider/")
