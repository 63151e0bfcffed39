"""Reads of the shop's pages: the cart, a checkout's quote, the shopper's orders. Each builds its
page with a fixed number of queries, whatever the number of lines."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Prefetch, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils.translation import gettext as _
from djmoney.money import Money

from catalog.models import ProductText
from catalog.selectors import pick_text
from crossborder.fields import masked
from crossborder.grades import RESALE_GRADES, Grade, graded_price
from crossborder.terms import DEFAULT_GRADE_DISCOUNTS
from logistics.models import Shipment
from logistics.selectors import graded_stock
from logistics.services import last_leg
from partner_zone import selectors as zone_selectors
from partner_zone.graded import zone_graded_price

from .models import Cart, CartLine, Checkout, ForwardedLine, Order, OrderEvent, OrderLine, Origin
from .services import orders
from .services.cancel import PARTNER_SHIPPED
from .services.cart import listing_refusal, variant_refusal
from .services.checkout import graded_title


@dataclass
class CartRow:
    line: CartLine
    title: str
    url: str
    unit_price: Money | None
    total: Money | None
    problem: str | None
    origin: str
    offers_installation: bool = False
    # What the price includes, in the product page's words, and whether anything is added later.
    price_note: str = ""
    all_included: bool = False


def _graded_estimate(line, price):
    """A graded line's price before checkout: the shown price less the grade's discount (the
    checkout prices a partner's unit from our warehouse, which is what the listing page shows)."""
    if price is None:
        return None
    if line.origin == Origin.OWN:
        return graded_price(price, DEFAULT_GRADE_DISCOUNTS[line.grade])
    listing = line.listing
    return zone_graded_price(listing.list_price or price, listing.partnership.terms.grade_discount(line.grade))


def cart_rows(cart, language):
    """The cart's lines with today's price and anything that stops them being ordered."""
    if cart is None:
        return []
    lines = (
        CartLine.objects.filter(cart=cart)
        .select_related("variant__product", "listing__partnership__partner")
        .prefetch_related(
            Prefetch(
                "variant__product__texts", queryset=ProductText.objects.only("id", "product_id", "language", "title")
            )
        )
        .defer("listing__search_document", "listing__search_vector")
        .order_by("added_at", "pk")
    )
    rows = []
    for line in lines:
        if line.origin == Origin.OWN:
            product = line.variant.product
            text, _fallback = pick_text(product.texts.all(), language, product.original_language)
            label = line.variant.attributes_label(language)
            title = (text.title if text else product.code) + (f" ({label})" if label else "")
            url = reverse("catalog:product", args=[product.reference])
            price, problem = line.variant.price, variant_refusal(line.variant)
            installation = product.needs_installation
            note, included = _("Delivery is worked out at checkout."), False
        else:
            listing = line.listing
            title = zone_selectors.listing_line_title(listing, line.sku, language)
            url = reverse("partner_zone:product", args=[listing.partnership.partner.code, listing.reference])
            price, problem = listing.price, listing_refusal(listing)
            installation = listing.needs_installation
            note, included = partner_price_note(listing)
        if line.grade:
            title, price = graded_title(title, line.grade), _graded_estimate(line, price)
        rows.append(
            CartRow(
                line=line,
                title=title,
                url=url,
                unit_price=price,
                total=price * line.quantity if price is not None else None,
                problem=problem,
                origin=line.origin,
                offers_installation=installation,
                price_note=note,
                all_included=included,
            )
        )
    return rows


def partner_price_note(listing):
    """What a partner product's delivered price includes, as its product page says it."""
    if (listing.price_breakdown or {}).get("duties_included", True):
        return _("Delivered price: duties, import taxes and shipping included."), True
    return _("Shipping included; duties and import taxes are added at checkout."), False


def cart_estimate(rows):
    prices = [row.total for row in rows if row.total is not None and not row.problem]
    return sum(prices, Money(0, settings.PLATFORM_CURRENCY)) if prices else None


def checkout_quote(reference):
    """A checkout with its lines: two queries."""
    return Checkout.objects.filter(reference=reference).prefetch_related("lines", "extra_lines").first()


def order_by_token(token, *, with_extras=False):
    """An order with its lines and timeline: three queries; with its priced extras (installation),
    four."""
    return (
        Order.objects.filter(token=token)
        .prefetch_related(
            "lines",
            *(["extra_lines"] if with_extras else []),
            Prefetch("events", queryset=OrderEvent.objects.order_by("created_at", "pk")),
        )
        .first()
    )


def with_deliveries(lines):
    """Each order line with its deliveries as the shopper sees them (status, carrier, tracking number,
    latest event), from logistics in two queries whatever the number of lines."""
    tracking = last_leg.tracking_for_order_lines([line.reference for line in lines])
    for line in lines:
        line.deliveries = tracking.get(line.reference, [])
    return lines


def someone_elses(order, user):
    """An order of another account, asked for by a signed-in shopper: not found for them, exactly like
    an order that does not exist (its token alone does not make it theirs)."""
    return bool(order.user_id and user.is_authenticated and not user.is_staff and order.user_id != user.pk)


def shopper_orders(*, user=None, tokens=()):
    """The shopper's orders, newest first: a logged-in shopper's, else the ones this session placed."""
    if user is not None and user.is_authenticated:
        return Order.objects.filter(user=user).order_by("-placed_at")[:100]
    return Order.objects.filter(token__in=list(tokens)[-50:]).order_by("-placed_at")


# Where the shopper's payment for an order stands, whatever the order's status since.
PAYMENT_STATUS = {
    Order.Status.AWAITING_PAYMENT: "awaiting",
    Order.Status.PAID: "paid",
    Order.Status.SHIPPED: "paid",
    Order.Status.DELIVERED: "paid",
    Order.Status.EXPIRED: "expired",
    Order.Status.CANCELLED: "cancelled",
}


def payment_status(order):
    """awaiting, paid, expired or cancelled: what the order page says about the payment."""
    return PAYMENT_STATUS[Order.Status(order.status)]


def masked_id(number):
    """A resident ID number as shown back to the shopper: only its last four characters."""
    return masked(number)


def payment_blocked(order):
    """Why an order awaiting payment cannot be paid now (its partner's partnership is suspended),
    or None. One query, none for an order of our own goods only."""
    if not order.has_partner_goods:
        return None
    suspended = orders.suspended_partnerships(order.lines.all())
    return orders.suspended_refusal(order, suspended).detail if suspended else None


def can_cancel(order, lines, events):
    """Whether the order page offers "Cancel order": awaiting payment, or paid with nothing shipped
    (read from the deliveries and the timeline the page already has; the cancel service checks
    again under the order's lock)."""
    if order.status == Order.Status.AWAITING_PAYMENT:
        return True
    if order.status != Order.Status.PAID:
        return False
    still_here = {*orders.CANCELLABLE_SHIPMENTS, Shipment.Status.CANCELLED}
    if any(delivery["status"] not in still_here for line in lines for delivery in line.deliveries):
        return False
    return not any(
        event.kind == OrderEvent.Kind.PARTNER_STATUS and event.detail.get("partner_status") in PARTNER_SHIPPED
        for event in events
    )


@dataclass(frozen=True)
class OwnGradedOffer:
    """Our returned units of one variant offered at one grade on our product page."""

    variant: object
    grade: str
    units: int
    discount_percent: object
    list_price: Money
    price: Money

    @property
    def label(self):
        return Grade(self.grade).label

    @property
    def sku(self):
        return self.variant.sku

    @property
    def option_label(self):
        return self.variant.attributes_label()


def own_graded_offers(product):
    """The product's graded offers (our own returned units for sale at a grade), best grade first,
    at the platform's grade discounts; one query (the product's variants are prefetched)."""
    variants = {variant.sku: variant for variant in product.variants.all() if variant.is_active}
    if not variants or product.status != product.Status.ACTIVE:
        return []
    units = graded_stock(own=True, skus=list(variants))
    order = {grade: index for index, grade in enumerate(RESALE_GRADES)}
    return [
        OwnGradedOffer(
            variant=variants[sku],
            grade=grade,
            units=count,
            discount_percent=DEFAULT_GRADE_DISCOUNTS[grade],
            list_price=variants[sku].price,
            price=graded_price(variants[sku].price, DEFAULT_GRADE_DISCOUNTS[grade]),
        )
        for (sku, grade), count in sorted(units.items(), key=lambda item: (order[item[0][1]], item[0][0]))
    ]


def cart_item_count(*, user=None, session_key=""):
    """How many units the shopper's open cart holds (the header's count): one aggregate query over
    the signed-in shopper's cart and the one kept in this session (not merged yet)."""
    whose = Q(cart__user=user) if user is not None and user.is_authenticated else Q(pk__in=[])
    if session_key:
        whose |= Q(cart__session_key=session_key)
    if whose == Q(pk__in=[]):
        return 0
    lines = CartLine.objects.filter(whose, cart__status=Cart.Status.OPEN)
    return lines.aggregate(units=Sum("quantity"))["units"] or 0


# --- a partner's record, for the partners app ----------------------------------------------------


def forwarded_record(*, partnership, since):
    """Orders we forwarded to the partner at or after `since`: when, when the partner first reported
    a status (its acknowledgement), when it first reported lines shipped, and those lines. Two
    queries."""
    code = partnership.partner.code
    forwarded = (
        OrderEvent.objects.filter(kind=OrderEvent.Kind.FORWARDED, detail__partner=code, created_at__gte=since)
        .order_by("created_at", "id")
        .values_list("order_id", "order__number", "created_at")
    )
    record = {
        order_id: {"order": number, "forwarded_at": at, "acknowledged_at": None, "shipped_at": None, "lines": []}
        for order_id, number, at in forwarded
    }
    answers = (
        OrderEvent.objects.filter(order_id__in=record, kind=OrderEvent.Kind.PARTNER_STATUS, detail__partner=code)
        .order_by("created_at", "id")
        .values_list("order_id", "created_at", "detail")
    )
    for order_id, at, detail in answers:
        entry = record[order_id]
        entry["acknowledged_at"] = entry["acknowledged_at"] or at
        if detail.get("partner_status") in PARTNER_SHIPPED and entry["shipped_at"] is None:
            entry["shipped_at"] = at
            entry["lines"] = [str(line) for line in detail.get("lines") or []]
    return list(record.values())


def partner_goods_sales(*, partnership, start, end):
    """Units of the partner's goods our shoppers bought (paid orders) in [start, end), and how many
    distinct shoppers (by e-mail) bought them. One query."""
    paid = ("paid", "shipped", "delivered")
    figures = OrderLine.objects.filter(
        partnership=partnership, order__status__in=paid, order__paid_at__gte=start, order__paid_at__lt=end
    )
    found = figures.aggregate(units=Sum("quantity"), shoppers=Count("order__email", distinct=True))
    return {"units": found["units"] or 0, "shoppers": found["shoppers"] or 0}


def partner_sales_of_our_goods(*, partnership, start, end):
    """Units of our goods the partner sold (orders it forwarded us) received in [start, end). One
    query."""
    found = ForwardedLine.objects.filter(
        order__partnership=partnership, order__received_at__gte=start, order__received_at__lt=end
    ).aggregate(units=Sum("quantity"))
    return found["units"] or 0


# --- the ops dashboard's reads (one query each, whatever the number of partners or days) ----------


def partner_goods_sold_per_day(*, since, partner_code=None):
    """What we sold of partners' goods: per day of payment (the current time zone) and partner, the
    units and the shoppers' totals in our currency of partner lines in orders paid since `since`
    and not cancelled. [{day, partner, partner_name, currency, units, amount}]"""
    lines = OrderLine.objects.filter(origin=Origin.PARTNER, order__paid_at__gte=since).exclude(
        order__status=Order.Status.CANCELLED
    )
    if partner_code:
        lines = lines.filter(partnership__partner__code=partner_code)
    rows = (
        lines.annotate(day=TruncDate("order__paid_at"))
        .values("day", "partnership__partner__code", "partnership__partner__name", "total_currency")
        .annotate(units=Sum("quantity"), amount=Sum("total"))
        .order_by("day", "partnership__partner__code", "total_currency")
    )
    return [
        {
            "day": row["day"],
            "partner": row["partnership__partner__code"],
            "partner_name": row["partnership__partner__name"],
            "currency": row["total_currency"],
            "units": row["units"],
            "amount": row["amount"],
        }
        for row in rows
    ]


def our_goods_sold_by_partners_per_day(*, since, partner_code=None):
    """What partners sold of our goods: per day the partner's shopper ordered (its forwarded orders),
    partner and currency, the units of the lines not cancelled and the export amount they owe us,
    for orders placed since `since`. [{day, partner, partner_name, units, amount, currency}]"""
    lines = ForwardedLine.objects.filter(order__placed_at__gte=since).exclude(status=ForwardedLine.Status.CANCELLED)
    if partner_code:
        lines = lines.filter(order__partnership__partner__code=partner_code)
    rows = (
        lines.annotate(day=TruncDate("order__placed_at"))
        .values(
            "day", "order__partnership__partner__code", "order__partnership__partner__name", "export_amount_currency"
        )
        .annotate(units=Sum("quantity"), amount=Sum("export_amount"))
        .order_by("day", "order__partnership__partner__code", "export_amount_currency")
    )
    return [
        {
            "day": row["day"],
            "partner": row["order__partnership__partner__code"],
            "partner_name": row["order__partnership__partner__name"],
            "units": row["units"],
            "amount": row["amount"],
            "currency": row["export_amount_currency"],
        }
        for row in rows
    ]
