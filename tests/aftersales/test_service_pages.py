"""The service pages through the test client: the provider's page and its ticket (a signed link;
bad, revoked and expired links refused), the shopper's ticket page (messages, rating), the request
for a repair from a delivered order's page, refusals shown at their field and writing nothing, and
a fixed number of queries whatever the number of tickets, events and messages."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.models import Message, ServiceTicket
from aftersales.service.services import links, tickets
from tests.partners import table_counts

from .service_factories import (
    checkout_with_installation,
    deliver,
    installable_variant,
    make_provider,
    place_and_pay,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def open_tickets(warehouse, count):
    washer = installable_variant(warehouse, stock=50)
    return [
        ServiceTicket.objects.get(order=place_and_pay(checkout_with_installation((washer, 1)))) for _ in range(count)
    ]


def provider_home(provider):
    return reverse("service:provider_home", args=[links.link_token(provider)])


def provider_ticket(ticket):
    return reverse("service:provider_ticket", args=[links.link_token(ticket.provider), ticket.reference])


def busy(ticket, messages=3):
    tickets.accept(ticket=ticket, provider=ticket.provider)
    for n in range(messages):
        tickets.write_message(ticket=ticket, author=Message.Author.SHOPPER, body=f"Question {n}")


def test_the_providers_page_lists_its_tickets_in_a_fixed_number_of_queries(
    service_shop, client, django_assert_max_num_queries
):
    provider = make_provider()
    open_tickets(service_shop, 2)
    with django_assert_max_num_queries(8) as few:
        client.get(provider_home(provider))
    open_tickets(service_shop, 5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(provider_home(provider))
    assert page.status_code == 200 and page.content.decode().count("data-ticket=") == 7
    assert page["Referrer-Policy"] == "same-origin" and "no-store" in page["Cache-Control"]


def test_a_ticket_page_costs_the_same_queries_with_more_events_and_messages(
    service_shop, client, django_assert_max_num_queries
):
    make_provider()
    first, second = open_tickets(service_shop, 2)
    busy(second, messages=6)
    with django_assert_max_num_queries(10) as few:
        client.get(provider_ticket(first))
        client.get(reverse("service:ticket", args=[first.token]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(provider_ticket(second))
        page = client.get(reverse("service:ticket", args=[second.token]))
    assert page.content.decode().count('data-author="shopper"') == 6


def test_the_provider_accepts_and_writes_through_its_page(service_shop, client):
    make_provider()
    (ticket,) = open_tickets(service_shop, 1)
    url = provider_ticket(ticket)

    assert client.post(url, {"action": "accept"}).status_code == 302
    assert client.post(url, {"action": "message", "body": "I can come tomorrow morning."}).status_code == 302

    ticket.refresh_from_db()
    assert ticket.status == "accepted" and ticket.thread.messages.get().author == "provider"
    shopper = client.get(reverse("service:ticket", args=[ticket.token])).content.decode()
    assert "I can come tomorrow morning." in shopper


def test_a_schedule_in_the_past_is_shown_at_its_field_and_changes_nothing(service_shop, client):
    make_provider()
    (ticket,) = open_tickets(service_shop, 1)
    tickets.accept(ticket=ticket, provider=ticket.provider)
    before = table_counts()

    page = client.post(provider_ticket(ticket), {"action": "schedule", "scheduled_for": "2020-01-01T10:00"})

    assert page.status_code == 400 and "The appointment must be in the future." in page.content.decode()
    assert table_counts() == before


@pytest.mark.parametrize("token", ["nonsense", "a" * 200, "eyJwIjoiMSJ9:1abc:def"])
def test_a_bad_provider_link_is_a_page_saying_so_and_nothing_more(service_shop, client, token):
    page = client.get(reverse("service:provider_home", args=[token]))
    assert page.status_code == 404 and "data-link-refused" in page.content.decode()


def test_an_expired_provider_link_says_so(service_shop, client, settings):
    provider = make_provider()
    token = links.link_token(provider)
    settings.SERVICE_TICKETS = {**settings.SERVICE_TICKETS, "PROVIDER_LINK_DAYS": -1}

    page = client.get(reverse("service:provider_home", args=[token]))

    assert page.status_code == 403 and "expired" in page.content.decode()


def test_a_revoked_link_opens_nothing_and_another_providers_ticket_is_not_found(service_shop, client):
    provider = make_provider()
    (ticket,) = open_tickets(service_shop, 1)
    old = links.link_token(provider)
    links.issue_new_link(provider=provider)
    assert client.get(reverse("service:provider_home", args=[old])).status_code == 404

    stranger = make_provider("Other Fitters", city="Suzhou")
    foreign = reverse("service:provider_ticket", args=[links.link_token(stranger), ticket.reference])
    before = table_counts()
    assert client.post(foreign, {"action": "accept"}).status_code == 404
    assert table_counts() == before


def test_the_shopper_rates_on_the_page_only_once_it_is_done(service_shop, client):
    make_provider()
    (ticket,) = open_tickets(service_shop, 1)
    url = reverse("service:ticket", args=[ticket.token])
    before = table_counts()

    early = client.post(url, {"action": "rate", "rating": "5"})
    assert early.status_code == 409 and table_counts() == before

    tickets.accept(ticket=ticket, provider=ticket.provider)
    tickets.schedule(ticket=ticket, provider=ticket.provider, at=timezone.now() + dt.timedelta(hours=2))
    tickets.complete(ticket=ticket, provider=ticket.provider)
    assert "rating-form" in client.get(url).content.decode()
    assert client.post(url, {"action": "rate", "rating": "9"}).status_code == 400
    assert client.post(url, {"action": "rate", "rating": "5", "comment": "Great"}).status_code == 302
    assert ServiceTicket.objects.get().rating == 5


def test_a_delivered_order_offers_a_repair_and_the_request_opens_a_ticket(service_shop, client):
    make_provider(postcode_prefix="2001")  # Pudong's postcodes, not all of Shanghai
    order = deliver(place_and_pay(checkout_with_installation((installable_variant(service_shop), 1), install=False)))
    order_page = client.get(reverse("payments:order", args=[order.token])).content.decode()
    assert "data-request-service" in order_page
    url = reverse("service:request", args=[order.token])
    form = client.get(url)
    assert form.status_code == 200 and "Li Wei" in form.content.decode()

    data = {
        "skill": "repair", "line": "1", "problem": "It leaks at the door seal.", "name": "Li Wei",
        "phone": "+86 138 0013 8000", "email": "li.wei@example.com", "address": "88 Century Avenue",
        "city": "Shanghai", "postcode": "200120",
    }  # fmt: skip
    before = table_counts()
    # The repair goes to the order's province (Shanghai): a district there that nobody serves.
    refused = client.post(url, {**data, "postcode": "201100"})
    assert (
        refused.status_code == 400 and "No service provider does repair in Shanghai 201100" in refused.content.decode()
    )
    assert table_counts() == before

    opened = client.post(url, data)
    ticket = ServiceTicket.objects.get()
    assert opened["Location"] == reverse("service:ticket", args=[ticket.token])
    assert ticket.source == "order" and ticket.status == "dispatched"


def test_an_unknown_order_or_ticket_is_not_found(service_shop, client):
    assert client.get(reverse("service:ticket", args=["nope"])).status_code == 404
    assert client.get(reverse("service:request", args=["nope"])).status_code == 404


def test_the_checkout_form_offers_installation_only_for_goods_that_need_it(service_shop, client):
    from tests.payments.shop_factories import own_variant

    make_provider()
    plain = own_variant(service_shop, stock=5)
    client.post(reverse("payments:cart_add"), {"sku": plain.sku, "quantity": "1"})
    assert 'name="services"' not in client.get(reverse("payments:checkout")).content.decode()
    washer = installable_variant(service_shop)
    client.post(reverse("payments:cart_add"), {"sku": washer.sku, "quantity": "1"})
    assert client.get(reverse("payments:checkout")).content.decode().count('name="services"') == 1


def test_a_checkout_asking_installation_outside_every_area_is_shown_at_the_installation(service_shop, client):
    make_provider(city="Beijing")
    washer = installable_variant(service_shop)
    client.post(reverse("payments:cart_add"), {"sku": washer.sku, "quantity": "1"})
    line = client.get(reverse("payments:checkout")).content.decode().split('name="services" value="')[1].split('"')[0]
    form = {
        "name": "Li Wei", "address": "88 Century Avenue", "country_area": "上海市", "city": "Shanghai", "postcode": "200120", "country": "CN",
        "email": "li.wei@example.com", "phone": "+86 138 0013 8000", "services": line,
    }  # fmt: skip
    before = table_counts()

    page = client.post(reverse("payments:checkout"), form)

    assert page.status_code == 400 and "No service provider does installation in Shanghai" in page.content.decode()
    assert table_counts() == before


def test_the_admin_lists_tickets_with_their_sla_in_a_fixed_number_of_queries(
    service_shop, admin_client, django_assert_max_num_queries
):
    make_provider()
    open_tickets(service_shop, 2)
    url = reverse("admin:aftersales_serviceticket_changelist")
    with django_assert_max_num_queries(30) as few:
        admin_client.get(url)
    open_tickets(service_shop, 4)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = admin_client.get(url)
    assert page.status_code == 200 and page.content.decode().count("on time") >= 6


def test_the_admin_shows_a_ticket_with_its_conversation_and_sends_it_where_ops_choose(service_shop, admin_client):
    make_provider()
    other = make_provider("Other Fitters", city="Suzhou", prices={"installation": "95.00"})
    (ticket,) = open_tickets(service_shop, 1)
    tickets.write_message(ticket=ticket, author=Message.Author.SHOPPER, body="Braces {like this} & <b>tags</b>")

    page = admin_client.get(reverse("admin:aftersales_serviceticket_change", args=[ticket.pk]))
    assert page.status_code == 200 and "Braces {like this} &amp; &lt;b&gt;tags&lt;/b&gt;" in page.content.decode()

    changelist = reverse("admin:aftersales_serviceticket_changelist")
    sent = admin_client.post(
        changelist, {"action": "dispatch_to_chosen", "_selected_action": [ticket.pk], "provider": other.pk}
    )
    assert sent.status_code == 302
    ticket.refresh_from_db()
    assert ticket.provider == other and ticket.dispatched_by_ops


def test_ops_answer_in_a_tickets_thread_from_the_admin_and_the_shopper_and_provider_are_told(
    service_shop, admin_client
):
    from crossborder.models import Notification

    make_provider()
    (ticket,) = open_tickets(service_shop, 1)
    change = admin_client.get(reverse("admin:aftersales_serviceticket_change", args=[ticket.pk]))
    url = reverse("admin:aftersales_serviceticket_message", args=[ticket.pk])
    assert url in change.content.decode()

    empty = admin_client.post(url, {"body": "   "})
    assert empty.status_code == 200 and "errorlist" in empty.content.decode()
    assert not ticket.thread.messages.exists()
    sent = admin_client.post(url, {"body": "The provider will call you today."})

    assert sent.status_code == 302
    message = ticket.thread.messages.get()
    assert (message.author, message.staff.username, message.body) == (
        "staff",
        "admin",
        "The provider will call you today.",
    )
    told = set(Notification.objects.filter(template="service_message").values_list("to", flat=True))
    assert told == {ticket.email, ticket.provider.email}


def test_a_providers_monthly_statement_lists_each_completed_ticket_and_what_is_owed(service_shop, admin_client):
    provider = make_provider()
    done, later_done, open_one = open_tickets(service_shop, 3)
    for ticket in (done, later_done):
        tickets.accept(ticket=ticket, provider=provider)
        tickets.schedule(ticket=ticket, provider=provider, at=timezone.now() + dt.timedelta(hours=2))
        tickets.complete(ticket=ticket, provider=provider)
    next_month = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    ServiceTicket.objects.filter(pk=later_done.pk).update(
        completed_at=timezone.make_aware(dt.datetime.combine(next_month, dt.time(10)))
    )
    url = reverse("admin:aftersales_serviceprovider_statement", args=[provider.pk])

    page = admin_client.get(url).content.decode()

    assert f'data-ticket="{done.number}"' in page and done.ledger_reference in page
    assert f'data-ticket="{later_done.number}"' not in page and f'data-ticket="{open_one.number}"' not in page
    assert 'data-total="CNY"' in page and "80.00 CNY" in page
    following = admin_client.get(url, {"month": next_month.strftime("%Y-%m")}).content.decode()
    assert f'data-ticket="{later_done.number}"' in following
    assert admin_client.get(url, {"month": "December"}).status_code == 400
