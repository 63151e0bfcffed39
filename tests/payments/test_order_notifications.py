"""The shopper's e-mails about an order, read from a real SMTP server (aiosmtpd): placed, paid,
each parcel shipped with its tracking and delivered, a refund, a declined payment; in the
language the shopper used at checkout, plain text and HTML, sent after the commit by Celery, and
never twice for one event however often the event is reported."""

import json
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone, translation

from crossborder import notifications
from crossborder.models import Notification
from logistics.models import Shipment
from logistics.services import last_leg
from payments.models import Order
from payments.providers.services import payment as payments
from payments.shop.services import orders
from tests.payments.test_production_providers import PYTHON, production_env, run

from . import payment_factories as pf
from .paying_factories import CN_FORM, add_to_cart, check_out, order_of, payment_of, place, set_up_cn
from .payment_factories import sandbox_webhooks_through_test_client  # noqa: F401
from .shop_factories import own_variant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cn(db, settings):
    return set_up_cn(settings)


def paid_order(client, warehouse, *, language):
    """A shopper's order of one own product (2 units), checked out in the storefront's `language`
    and paid with the QR wallet."""
    add_to_cart(client, (own_variant(warehouse, stock=5, price="99.00"), 2))
    with translation.override(language):
        checkout_url = reverse("payments:checkout")
    response = client.post(checkout_url, CN_FORM)
    assert response.status_code == 302, response.content.decode()[:2000]
    checkout = order_checkout()
    place(client, checkout)
    order = order_of(checkout)
    pf.approve(payment_of(order))
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    return order


def order_checkout():
    from payments.models import Checkout

    return Checkout.objects.order_by("-created_at").first()


def ship_and_deliver(order, *, tracking_number="SF1234567890"):
    shipment = Shipment.objects.get(order_line=order.lines.get().reference)
    last_leg.pick_shipment(shipment)
    last_leg.pack_shipment(shipment)
    last_leg.ship_shipment(shipment, tracking_number=tracking_number)
    for _twice in range(2):  # the carrier reports delivery twice: one e-mail
        last_leg.record_tracking_event(
            shipment=shipment, event_id="dlv-1", status="delivered", occurred_at=timezone.now()
        )
    return shipment


def bodies(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_an_order_mails_the_shopper_once_per_event_from_placing_to_refund_over_smtp(cn, client, smtp_server):
    order = paid_order(client, cn, language="en")
    shipment = ship_and_deliver(order)
    payment = payment_of(order)
    orders.mark_paid(order=order, payment_reference=payment.token)  # the same payment reported again
    payments.refund_payment(payment=payment, amount=Decimal("50.00"), reason="goodwill", key="goodwill")
    payments.refund_payment(payment=payment, amount=Decimal("50.00"), reason="goodwill", key="goodwill")

    number = order.number
    assert smtp_server.subjects() == [
        f"Order {number} placed: waiting for your payment",
        f"Payment received for order {number}",
        f"Order {number}: {order.lines.get().title} has shipped",
        f"Order {number}: {order.lines.get().title} was delivered",
        f"Refund of 50.00 CNY for order {number}",
    ]
    assert all(message["To"] == CN_FORM["email"] for message in smtp_server.messages)
    shipped_text, shipped_html = bodies(smtp_server.messages[2])
    assert "Tracking number: SF1234567890" in shipped_text and "SF1234567890" in shipped_html
    assert f"2 x {order.lines.get().title}" in shipped_text
    order_url = f"{django_settings.PLATFORM_BASE_URL}/en/orders/{order.token}/"
    paid_text, paid_html = bodies(smtp_server.messages[1])
    assert order_url in paid_text and f'href="{order_url}"' in paid_html
    assert '<html lang="en">' in paid_html
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.SENT}
    assert Notification.objects.filter(key__contains=str(shipment.reference)).count() == 2


def test_the_language_the_shopper_checked_out_in_is_the_language_of_every_mail(cn, client, smtp_server):
    order = paid_order(client, cn, language="zh-hans")

    assert order.language == order.checkout.language == "zh-hans"
    assert set(Notification.objects.values_list("language", flat=True)) == {"zh-hans"}
    _text, html = bodies(smtp_server.messages[0])
    assert '<html lang="zh-hans">' in html
    assert (
        f'href="{django_settings.PLATFORM_BASE_URL}/orders/{order.token}/"' in html
    )  # the page in Chinese (no prefix)


def test_a_declined_payment_mails_the_shopper_that_nothing_was_charged(cn, client, smtp_server):
    add_to_cart(client, (own_variant(cn), 1))
    checkout = check_out(client, CN_FORM | {"email": "ann@example.com"})
    client.cookies.load({"django_language": "en"})
    place(client, checkout)
    order = order_of(checkout)

    pf.decline(payment_of(order))

    assert smtp_server.subjects()[-1] == f"Your payment for order {order.number} was declined"
    text, _html = bodies(smtp_server.messages[-1])
    assert "nothing was charged" in text
    assert "Why: the payment was declined in the wallet app." in text  # the provider's reason, in plain words
    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING_PAYMENT


def test_a_mail_server_that_is_down_loses_nothing_and_ops_can_send_again(cn, client, smtp_server, settings):
    settings.EMAIL_PORT = 1  # nobody listens there
    add_to_cart(client, (own_variant(cn), 1))
    place(client, check_out(client, CN_FORM))
    note = Notification.objects.get()
    assert note.status == Notification.Status.FAILED and note.attempts == 1 and note.last_error
    assert smtp_server.messages == []

    settings.EMAIL_PORT = smtp_server.port  # the server is back
    assert notifications.resend(note.pk) is True
    assert notifications.resend(note.pk) is False  # sent now: never twice

    note.refresh_from_db()
    assert note.status == Notification.Status.SENT
    assert len(smtp_server.messages) == 1


# What a production process has wired, asked of a process started with production's environment.
WIRING = """
import json
import django
django.setup()
from django.conf import settings
from crossborder import hooks
every = hooks.all_hooks()
print(json.dumps({
    "subscribers": {name: [s.__module__ + "." + s.__qualname__ for s in every[name].subscribers]
                    for name in ("payments.payment_declined", "payments.payment_refunded",
                                 "logistics.shipment_progressed")},
    "beat": {entry["task"]: str(entry["schedule"]) for entry in settings.CELERY_BEAT_SCHEDULE.values()},
}))
"""


def test_in_production_each_order_notice_has_its_subscriber_and_the_retry_sweep_is_scheduled(tmp_path):
    result = run([PYTHON, "-c", WIRING], production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    wiring = json.loads(result.stdout.strip().splitlines()[-1])

    assert wiring["subscribers"] == {
        "payments.payment_declined": [
            "payments.shop.services.notices.payment_declined",
            "payments.shop.services.paying.record_payment_declined",
        ],
        "payments.payment_refunded": ["payments.shop.services.notices.payment_refunded"],
        "logistics.shipment_progressed": ["payments.shop.services.notices.shipment_progressed"],
    }
    assert 0 < float(wiring["beat"]["crossborder.tasks.send_due_notifications"]) <= 300
