"""Demo after-sales: the demo service providers, and one demo shopper's delivered order of our own
goods (bought with the sandbox wallet, shipped from the warehouse) with a review, a return received
and graded, another return just asked for, and a repair ticket. Everything goes through the same
services a shopper, the warehouse and ops use. Safe to run again: a second run adds nothing."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from catalog import services as catalog_services
from catalog.models import ProductVariant
from crossborder.errors import DomainError
from crossborder.models import Partnership
from logistics.models import Shipment
from logistics.services import last_leg
from partner_zone.models import SHOWN, PartnerListing
from payments.models import Order, OrderLine
from payments.providers import get_provider
from payments.providers.models import Payment
from payments.providers.services import payment as payments
from payments.shop.services import cart as carts
from payments.shop.services import checkout as checkouts
from payments.shop.services import orders, paying

from .choices import Grade, ReturnReason
from .models import ProductReview, ReturnRequest, ReturnUnit, ServiceTicket
from .returns.services import returns
from .reviews import services as reviews
from .service import demo as service_demo
from .service.services import tickets

logger = logging.getLogger(__name__)

# The demo shopper of each platform, in the city the demo service providers serve.
SHOPPERS = {
    "CNY": {
        "language": "zh-hans",
        "recipient": {"name": "王芳", "address_lines": ["长宁路 1018 号"], "country_area": "上海市", "city": "上海", "postcode": "200050",
                      "country": "CN"},
        "email": "wang.fang@shoppers.example",
        "phone": "+86 139 1234 5678",
        # Cross-border retail imports into China are declared under the buyer's real name and ID.
        "buyer": ("王芳", "11010519491231002X"),
        "review": (5, "质量很好，宝宝很喜欢", "做工扎实，没有异味，发货也很快。会再回购。", "王女士"),
        "requested": "收到时外盒破损，其中一件有划痕。",
        "problem": "用了两周后卡扣松动，希望上门检查维修。",
    },
    "USD": {
        "language": "en",
        "recipient": {"name": "Jamie Rivera", "address_lines": ["88 Pine St"], "country_area": "OR", "city": "Portland",
                      "postcode": "97204", "country": "US"},
        "email": "jamie.rivera@shoppers.example",
        "phone": "+1 503 555 0123",
        "review": (5, "Solid and well made", "Sturdy, exactly as pictured, and it arrived two days early.", "Jamie R."),
        "requested": "The box was crushed and one of them has a dent.",
        "problem": "A buckle came loose after two weeks; please come and have a look.",
    },
    "JPY": {
        "language": "ja",
        "recipient": {"name": "佐藤 花子", "address_lines": ["平和島1-1-1"], "country_area": "東京都", "city": "大田区",
                      "postcode": "143-0006", "country": "JP"},
        "email": "hanako.sato@shoppers.example",
        "phone": "+81 90 1234 5678",
        "review": (5, "切れ味がすばらしい", "しっかりした作りで、写真のとおりでした。届くのも早かったです。", "花子"),
        "requested": "箱がつぶれていて、ひとつに傷がありました。",
        "problem": "2週間使ったら留め具がゆるみました。点検をお願いします。",
    },
}  # fmt: skip
DEMO_PAYMENT = "sandbox_wallet"


@dataclass
class DemoAftersales:
    order: Order
    created: int  # orders, reviews, returns and tickets made by this run
    returns: list
    ticket: ServiceTicket | None

    def summary(self):
        base = settings.PLATFORM_BASE_URL.rstrip("/")
        urls = [f"order {base}{reverse('payments:order', args=[self.order.token])}"]
        urls += [f"return {base}{reverse('aftersales:return', args=[request.token])}" for request in self.returns]
        if self.ticket is not None:
            urls.append(f"ticket {base}{reverse('service:ticket', args=[self.ticket.token])}")
        return f"demo after-sales: {self.created} added; " + "  ".join(urls)


def _shopper():
    return SHOPPERS.get(settings.PLATFORM_CURRENCY, SHOPPERS["USD"])


def _goods(count=2):
    """Our own goods with room in stock, one installable (the car seats) or not: the first few by code."""
    variants = (
        ProductVariant.objects.filter(is_active=True, product__status="active", stock__gte=5)
        .select_related("product")
        .order_by("product__code", "sku")
    )
    chosen, products = [], set()
    for variant in variants[:50]:
        if variant.product_id not in products:
            chosen.append(variant)
            products.add(variant.product_id)
        if len(chosen) == count:
            break
    return chosen


def _buy(shopper, goods, *, deliver=True):
    """Cart, locked quote, order, paid with the sandbox wallet (approved at the wallet), shipped
    from the warehouse and delivered (unless `deliver` is false: paid, its stock allocated)."""
    session = carts.new_session_key()
    for index, variant in enumerate(goods):
        carts.add_to_cart(session_key=session, sku=variant.sku, quantity=2 if index == 0 else 1)
    order = _pay(shopper, session)
    if not deliver:
        return order
    return _deliver(shopper, order)


def _pay(shopper, session):
    """The cart of `session` checked out and paid with the sandbox wallet (approved at the wallet);
    partner goods in it are forwarded to their platforms by the payment's hooks."""
    buyer_name, buyer_id_number = shopper.get("buyer", ("", ""))
    checkout = checkouts.start_checkout(
        cart=carts.find_cart(session_key=session),
        buyer=checkouts.Buyer(
            recipient=shopper["recipient"],
            email=shopper["email"],
            phone=shopper["phone"],
            name=buyer_name,
            id_number=buyer_id_number,
        ),
        language=shopper["language"],
    )
    order = checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))
    back = settings.PLATFORM_BASE_URL.rstrip("/") + reverse("payments:order", args=[order.token])
    started = checkouts.start_payment(order=order, return_url=back, provider=DEMO_PAYMENT)
    payment = Payment.objects.get(token=started.payment_reference)
    get_provider(payment.provider).approve(payment.provider_payment_id)
    payment = payments.refresh_payment(payment=payment)
    order.refresh_from_db()
    if order.status == Order.Status.AWAITING_PAYMENT:  # no hook placed it in this process
        paying.place_paid_order(payment=payment)
    order.refresh_from_db()
    return order


def _deliver(shopper, order):
    """Our warehouse ships the order's own goods and the carrier delivers them."""
    references = [line.reference for line in order.lines.all()]
    for shipment in Shipment.objects.filter(order_line__in=references, kind=Shipment.Kind.LOCAL):
        last_leg.pick_shipment(shipment)
        last_leg.pack_shipment(shipment)
        shipment = last_leg.ship_shipment(shipment)
        last_leg.record_tracking_event(
            shipment=shipment,
            event_id=f"{shipment.tracking_number}-delivered",
            status=Shipment.Status.DELIVERED,
            location=shopper["recipient"]["city"],
            occurred_at=timezone.now(),
        )
    orders.change_order_status(order=order, status=Order.Status.SHIPPED)
    orders.change_order_status(order=order, status=Order.Status.DELIVERED)
    order.refresh_from_db()
    return order


def _review(shopper, line):
    rating, title, text, author = shopper["review"]
    review = reviews.write_review(
        order_token=line.order.token,
        line_number=line.line_number,
        data=reviews.ReviewInput(
            rating=rating, title=title, text=text, author_name=author, language=shopper["language"]
        ),
    )
    return reviews.approve_review(review=review)


def _graded_return(line):
    """One unit sent back without a reason (approved at once, label issued), received, graded like new."""
    request = returns.open_return(order=line.order, quantities={line.pk: 1}, reason=ReturnReason.NO_REASON)
    request = returns.receive_return(request=request, counts={returned.pk: 1 for returned in request.lines.all()})
    units = ReturnUnit.objects.filter(line__request=request)
    return returns.grade_units(request=request, grades={unit.pk: (Grade.LIKE_NEW, "") for unit in units})


def _merchant_to_ship(shopper, line):
    """The merchant of the delivered order's first goods ships its home orders itself and has a
    second order of them paid and waiting to be shipped: its orders page shows a line to ship beside
    the delivered one with its return. Returns how many orders it made (0 or 1)."""
    merchant = line.variant.product.merchant
    if not merchant.ships_itself:
        catalog_services.set_ships_itself(merchant=merchant, ships_itself=True)
    if Order.objects.filter(email=shopper["email"]).count() > 1:
        return 0
    _buy(shopper, [line.variant], deliver=False)
    return 1


def fill_aftersales():
    """The demo's after-sales state on this platform; returns what it made and where to see it."""
    service_demo.ensure_demo_providers()
    shopper = _shopper()
    created = 0
    with translation.override(shopper["language"]):
        order = Order.objects.filter(email=shopper["email"]).order_by("placed_at", "pk").first()
        if order is None:
            goods = _goods()
            if len(goods) < 2:
                raise RuntimeError("the demo catalog has no own goods in stock: run demo_catalog first")
            order = _buy(shopper, goods)
            created += 1
        lines = list(order.lines.order_by("line_number"))
        first, last = lines[0], lines[-1]
        if not ProductReview.objects.filter(order_line=first).exists():
            _review(shopper, first)
            created += 1
        if not ReturnRequest.objects.filter(order=order).exists():
            _graded_return(last)
            returns.open_return(
                order=order, quantities={first.pk: 1}, reason=ReturnReason.DAMAGED, details=shopper["requested"]
            )
            created += 2
        ticket = ServiceTicket.objects.filter(order=order).first()
        if ticket is None:
            ticket = tickets.request_service(
                order=order,
                skill="repair",
                line_number=first.line_number,
                name=shopper["recipient"]["name"],
                email=shopper["email"],
                phone=shopper["phone"],
                address="\n".join(shopper["recipient"]["address_lines"]),
                city=shopper["recipient"]["city"],
                postcode=shopper["recipient"]["postcode"],
                problem=shopper["problem"],
                language=shopper["language"],
            )
            created += 1
        created += _merchant_to_ship(shopper, lines[0])
    made = list(ReturnRequest.objects.filter(order=order).order_by("created_at", "pk"))
    return DemoAftersales(order=order, created=created, returns=made, ticket=ticket)


# Demo shoppers of each platform buying partners' goods in its zones: (partner code, quantities).
ZONE_ORDERS = ((1, 2), (1,), (3,), (1, 1))


def buy_partner_goods():
    """A few paid orders of partners' goods in each zone of this platform (each forwarded to the
    partner by the payment's hooks), so that the ops dashboard's sales both ways and the partner
    scores have something to show. Safe to run again: a zone with demo orders gets no more. An
    order the checkout refuses (a listing sold out meanwhile) is skipped with its reason.
    Returns how many orders it placed."""
    shopper = _shopper()
    placed = 0
    with translation.override(shopper["language"]):
        for partnership in Partnership.objects.filter(status=Partnership.Status.ACTIVE).select_related("partner"):
            goods = [
                (pk, next((v["sku"] for v in variants or [] if v.get("is_active", True)), ""))
                for pk, variants in PartnerListing.objects.filter(SHOWN, partnership=partnership, direct_stock__gte=5)
                .order_by("reference")
                .values_list("pk", "variants")[: 2 * len(ZONE_ORDERS)]
            ]
            done = OrderLine.objects.filter(order__email=shopper["email"], partnership=partnership)
            if len(goods) < 2 * len(ZONE_ORDERS) or done.exists():
                continue
            for index, quantities in enumerate(ZONE_ORDERS):
                session = carts.new_session_key()
                try:
                    for offset, quantity in enumerate(quantities):
                        listing_id, sku = goods[2 * index + offset]
                        carts.add_to_cart(session_key=session, listing_id=listing_id, sku=sku, quantity=quantity)
                    _pay(shopper, session)
                except DomainError as error:
                    logger.warning("demo zone order in %s skipped: %s", partnership.partner.code, error.detail)
                    continue
                placed += 1
    return placed
