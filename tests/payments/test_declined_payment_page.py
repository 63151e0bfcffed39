"""A payment the provider declines is told where the shopper looks: the order page says the
payment was declined, why in plain words (the provider's code), offers another method first to
pay again, and its timeline records it once; the order still awaits a payment."""

import pytest
from django.urls import reverse
from django.utils import translation

from payments.models import Order, OrderEvent

from . import payment_factories as pf
from .paying_factories import CN_FORM, add_to_cart, check_out, order_of, payment_of, place, set_up_cn
from .payment_factories import sandbox_webhooks_through_test_client  # noqa: F401
from .shop_factories import own_variant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cn(db, settings):
    return set_up_cn(settings)


def test_a_declined_payment_is_told_on_the_order_page_with_its_reason_and_another_method_to_pay(cn, client):
    add_to_cart(client, (own_variant(cn), 1))
    checkout = check_out(client, CN_FORM)
    place(client, checkout)
    order = order_of(checkout)
    payment = payment_of(order)

    pf.decline(payment)

    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING_PAYMENT
    [event] = order.events.filter(kind=OrderEvent.Kind.PAYMENT_DECLINED)
    assert event.detail == {"payment": payment.token, "provider": payment.provider, "code": "payer_declined"}
    with translation.override("en"):
        page = client.get(reverse("payments:order", args=[order.token]))
    html = page.content.decode()
    assert page.context["payment_status"] == "declined"
    assert 'data-decline-code="payer_declined"' in html
    assert "Payment declined: waiting for a new payment" in html
    assert "Why: the payment was declined in the wallet app." in html
    assert "data-pay-now" in html
    # Another method than the one declined is offered first.
    assert page.context["chosen"] and page.context["chosen"] != payment.provider


def test_an_order_whose_payment_was_not_declined_says_nothing_of_a_decline(cn, client):
    add_to_cart(client, (own_variant(cn), 1))
    checkout = check_out(client, CN_FORM)
    place(client, checkout)
    order = order_of(checkout)

    with translation.override("en"):
        html = client.get(reverse("payments:order", args=[order.token])).content.decode()

    assert "data-payment-declined" not in html and "Payment declined" not in html
