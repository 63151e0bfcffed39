"""What the shop tells a shopper by e-mail about an order: placed, paid, payment declined, a parcel
shipped (with its tracking) or delivered, money refunded. Each is one `crossborder.notifications`
row keyed by its event (so the same event never mails twice), written in the transaction of the
change that caused it, in the language the shopper used at checkout (`Order.language`), and sent
by Celery after the commit. Templates: `templates/notifications/order_<event>.*`."""

import re
import uuid

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from crossborder import money
from crossborder.addresses import address_lines
from crossborder.notifications import notify, supported_language

from ... import hooks
from ...providers import declines
from ..discounts import discount_lines
from ..models import Order

# The order line a shipment serves is named `order:<platform>:<number>:<line>` (OrderLine.reference).
_LINE_REFERENCE = re.compile(r"^order:(?P<platform>[^:]+):(?P<number>\d+):(?P<line>\d+)$")


def _amount(value, currency):
    return f"{money.quantize(value, currency)} {currency}"


def _order_url(order, language):
    """The shopper's order page, absolute, in their language (its token is the access)."""
    with translation.override(language):
        path = reverse("payments:order", kwargs={"token": order.token})
    return settings.PLATFORM_BASE_URL + path


def _tell(order, event, template, **context):
    language = supported_language(order.language or settings.LANGUAGE_CODE)
    return notify(
        key=f"order:{order.reference}:{event}",
        to=order.email,
        template=template,
        language=language,
        context={
            "number": order.number,
            "total": _amount(order.total.amount, str(order.total.currency)),
            "order_url": _order_url(order, language),
            "platform": settings.PLATFORM_NAME,
            **context,
        },
    )


def _summary(order, lines=None):
    """The order's discounts as their own lines and its delivery address, in the shopper's
    language, for the e-mails that confirm it."""
    language = supported_language(order.language or settings.LANGUAGE_CODE)
    currency = str(order.total.currency)
    with translation.override(language):
        found = discount_lines(order.lines.all() if lines is None else lines, currency)
        discounts = [{"label": line.label, "amount": _amount(line.amount.amount, currency)} for line in found]
    return {"discounts": discounts, "address": [order.recipient.get("name", ""), *address_lines(order.recipient)]}


def order_placed(order, *, lines=None):
    return _tell(order, "placed", "order_placed", **_summary(order, lines))


def payment_received(order):
    return _tell(order, "paid", "order_paid", **_summary(order))


def order_of_payment(payment):
    """The shop's order a payment was made for (under its checkout's reference), or None."""
    try:
        reference = uuid.UUID(str(payment.checkout_reference))
    except ValueError:
        return None  # a payment not made by the shop's checkout
    return Order.objects.filter(checkout__reference=reference).first()


def payment_declined(*, payment):
    """Subscriber of payments.hooks.payment_declined: the shopper may try again while the order waits."""
    order = order_of_payment(payment)
    if order is None:
        return None
    transition = payment.transitions.filter(to_state=payment.State.DECLINED).order_by("-pk").first()
    code = declines.decline_code(transition.provider_data if transition else {})
    language = supported_language(order.language or settings.LANGUAGE_CODE)
    with translation.override(language):
        reason = str(declines.decline_reason(code))
    return _tell(order, f"payment:{payment.token}:declined", "order_payment_declined", reason=reason)


def payment_refunded(*, payment, amount, number, reason=""):
    """Subscriber of payments.hooks.payment_refunded: money of the order's payment went back (a
    return's refund is told by the return's own e-mail: hooks.TOLD_BY_CALLER)."""
    if (reason or "").startswith(hooks.TOLD_BY_CALLER):
        return None
    order = order_of_payment(payment)
    if order is None:
        return None
    return _tell(
        order,
        f"payment:{payment.token}:refund:{number}",
        "order_refunded",
        amount=_amount(amount, payment.currency),
    )


def order_of_shipment(shipment):
    """The order and line number a shipment serves when it is one of our shoppers' orders (not a
    partner's order we fulfil: that shopper is the partner's to tell)."""
    found = _LINE_REFERENCE.match(shipment.order_line or "")
    if found is None or found["platform"] != settings.PLATFORM_CODE:
        return None, None
    order = Order.objects.filter(number=int(found["number"])).first()
    return order, int(found["line"])


def shipment_progressed(*, shipment, status):
    """Subscriber of logistics.hooks.shipment_progressed: a parcel of the shopper's order was handed
    to the carrier (with its tracking number) or delivered. Other steps are not mailed."""
    if status not in ("shipped", "delivered"):
        return None
    order, line_number = order_of_shipment(shipment)
    if order is None:
        return None
    line = order.lines.filter(line_number=line_number).only("title").first()
    return _tell(
        order,
        f"shipment:{shipment.reference}:{status}",
        f"order_{status}",
        item=line.title if line else shipment.sku,
        quantity=shipment.quantity,
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
    )
