"""The shopper's return pages through Django's test client: the order page offers "Return or
exchange" for delivered lines only; the form opens a return and shows a refusal next to its field;
the return's page shows the timeline, the label and drop-off point, the refund and the thread, and
takes a message. Query counts stay fixed however many lines and messages there are."""

import pytest
from django.urls import reverse
from django.utils import translation

from aftersales.models import Message, ReturnRequest
from aftersales.returns.services import returns
from tests.partners import table_counts
from tests.payments.shop_factories import own_variant

from .factories import delivered_order, own_and_partner_order, received_and_graded

pytestmark = pytest.mark.django_db


def test_the_order_page_offers_a_return_only_once_the_goods_are_delivered(cn, client):
    order, _variant, _listing = own_and_partner_order(client, cn)
    page = client.get(reverse("payments:order", args=[order.token])).content.decode()

    assert "data-start-return" in page and reverse("aftersales:new_return", args=[order.token]) in page


def test_a_shopper_opens_a_return_from_the_form_and_lands_on_its_page(cn, client):
    order, _variant, _listing = own_and_partner_order(client, cn)
    own, partner = order.lines.order_by("line_number")

    response = client.post(
        reverse("aftersales:new_return", args=[order.token]),
        {f"quantity-{own.pk}": "1", f"quantity-{partner.pk}": "2", "reason": "no_reason", "kind": "return",
         "details": "Changed my mind"},
    )  # fmt: skip

    found = ReturnRequest.objects.get()
    assert response.status_code == 302 and response.url == reverse("aftersales:return", args=[found.token])
    page = client.get(response.url).content.decode()
    assert found.label_number in page and "data-return-label" in page
    assert 'data-step="requested"' in page and 'data-step="label_issued"' in page
    order_page = client.get(reverse("payments:order", args=[order.token])).content.decode()
    assert reverse("aftersales:return", args=[found.token]) in order_page


def test_a_refused_request_is_shown_next_to_its_field_and_nothing_is_written(cn, client):
    order, _variant, _listing = own_and_partner_order(client, cn)
    own = order.lines.get(line_number=1)
    before = table_counts()

    response = client.post(
        reverse("aftersales:new_return", args=[order.token]), {f"quantity-{own.pk}": "9", "reason": "no_reason"}
    )

    page = response.content.decode()
    assert response.status_code == 400 and f'data-error-field="quantity-{own.pk}"' in page
    assert "you can return 1 to 2 units" in page and "has-error" in page
    assert table_counts() == before


def test_the_shopper_writes_on_the_return_and_reads_the_answer(cn, client):
    variant = own_variant(cn, stock=3)
    order = delivered_order(client, (variant, 1))
    request = returns.open_return(order=order, quantities={order.lines.get().pk: 1}, reason="defective")
    url = reverse("aftersales:return", args=[request.token])

    client.post(reverse("aftersales:write_message", args=[request.token]), {"body": "The switch is broken."})
    returns.write_on_return(request=request, body="Sorry! Send it back, we pay the shipping.", by="staff")
    empty = client.post(reverse("aftersales:write_message", args=[request.token]), {"body": "  "})

    page = client.get(url).content.decode()
    assert "The switch is broken." in page and "Sorry! Send it back" in page
    assert empty.status_code == 400 and Message.objects.count() == 2


def test_the_refund_and_its_deduction_are_shown_on_the_return_page(cn, client):
    from .factories import partner_goods

    listing = partner_goods(cn, fees={"return_shipping_fee": "15"})
    order = delivered_order(client, (listing, 1))
    request = received_and_graded(
        returns.open_return(order=order, quantities={order.lines.get().pk: 1}, reason="no_reason"), ["new"]
    )
    returns.refund_return(request=request)

    page = client.get(reverse("aftersales:return", args=[request.token])).content.decode()
    line = request.lines.get()
    assert "data-refund" in page and f"{line.refund.amount} CNY refunded" in page
    assert "return shipping" in page


def test_the_return_page_runs_a_fixed_number_of_queries(cn, client, django_assert_max_num_queries):
    order, _variant, _listing = own_and_partner_order(client, cn)
    own, partner = order.lines.order_by("line_number")
    request = returns.open_return(order=order, quantities={own.pk: 2, partner.pk: 3}, reason="no_reason")
    received_and_graded(request, ["good"] * 5)
    for n in range(6):
        returns.write_on_return(request=request, body=f"message {n}", by="staff" if n % 2 else "shopper")

    with django_assert_max_num_queries(12):
        response = client.get(reverse("aftersales:return", args=[request.token]))
    assert response.status_code == 200


def test_a_return_for_a_fault_offers_a_repair_by_a_local_provider_instead(cn, client):
    order = delivered_order(client, (own_variant(cn, stock=3), 1))
    defective = returns.open_return(order=order, quantities={order.lines.get().pk: 1}, reason="defective")
    page = client.get(reverse("aftersales:return", args=[defective.token])).content.decode()
    assert f"{reverse('service:request', args=[order.token])}?return={defective.token}" in page

    other = delivered_order(client, (own_variant(cn, stock=3), 1))
    changed_mind = returns.open_return(order=other, quantities={other.lines.get().pk: 1}, reason="no_reason")
    page = client.get(reverse("aftersales:return", args=[changed_mind.token])).content.decode()
    assert "data-repair-instead" not in page


def test_the_automatic_approval_reads_in_the_language_of_whoever_reads_the_timeline(cn, client):
    """Opened by a shopper reading Chinese, read later in English: the system's note is stored
    untranslated and shown in the reader's language, never in the opener's."""
    order, _variant, _listing = own_and_partner_order(client, cn)
    own = order.lines.get(line_number=1)
    with translation.override("zh-hans"):
        opened = client.post(
            reverse("aftersales:new_return", args=[order.token]),
            {f"quantity-{own.pk}": "1", "reason": "no_reason", "kind": "return"},
        )
    found = ReturnRequest.objects.get()
    with translation.override("en"):
        english = reverse("aftersales:return", args=[found.token])

    page = client.get(english).content.decode()

    assert opened.status_code == 302 and opened.url.startswith("/zh-hans/") and '<html lang="en">' in page
    assert found.events.get(status="approved").note == returns.AUTO_APPROVED_NOTE
    assert "approved: within the return window</li>" in page
