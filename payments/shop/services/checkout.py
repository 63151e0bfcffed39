"""Checkout: price the cart now, lock the quote for a while, hold the stock for it, and place the
order for exactly the quoted total.

Stock is held in one transaction per checkout, by one call of the stock service
(logistics.services.stock.hold_for_checkout), which owns the locks and their order: local stock
levels (our own goods, and partners' consignment stock in our warehouses) are locked in
primary-key order before availability is read, then the listings by id: concurrent buyers queue on
the rows, and the last units go to exactly as many checkouts as there are units. Partner goods
without enough local stock ship cross-border direct, limited by the listing's direct-sale stock.

The holds last until the quote expires plus the payment window: an order placed from the quote
still has its stock while the shopper pays. The beat task (tasks/checkout.py) releases the holds of
quotes nobody ordered, and of orders not paid in time, as soon as they lapse."""

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from crossborder import addresses, money
from crossborder.db import retry_on_conflict
from crossborder.errors import DomainError
from crossborder.grades import Grade, graded_price
from crossborder.notifications import supported_language
from crossborder.terms import DEFAULT_GRADE_DISCOUNTS
from logistics.services import last_leg, stock
from partner_zone import graded
from partner_zone import selectors as zone_selectors
from partner_zone.models import PartnerListing
from partner_zone.services import PartnerZoneError, pricing

from ... import hooks
from ...errors import CheckoutErrorCode as Code
from ...ledger.services.ledger import resale_fee
from ..extras import ExtraRequest
from ..models import Cart, CartLine, Checkout, CheckoutExtra, CheckoutLine, Fulfilment, Order, Origin
from . import china_rules, orders, paying, unpaid_limits
from .cart import listing_refusal, variant_refusal
from .orders import holdings, release_holds


def shop_setting(name):
    return settings.SHOP[name]


def china_rules_apply(has_partner_goods):
    """China's cross-border retail import rules bind checkouts of partner goods on a `cn` platform."""
    return has_partner_goods and settings.PLATFORM_COUNTRY == "CN"


# --- contact and address -------------------------------------------------------------------------


def check_contact(*, recipient, email, phone, known_place=False):
    """The recipient checked by the address rules of the country we deliver to (its parts, its
    postal code, a phone number the courier can call: crossborder.addresses), normalised, and the
    e-mail; the first wrong part is refused naming it. `known_place`: see clean_recipient."""
    recipient = addresses.clean_recipient(
        {**(recipient or {}), "phone": phone}, country=settings.PLATFORM_COUNTRY, known_place=known_place
    )
    recipient = last_leg.validate_recipient(recipient)
    email = str(email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(Code.INVALID, _("Enter a valid e-mail address."), field="email") from None
    return recipient, email


# --- the quote -----------------------------------------------------------------------------------


@dataclass
class Quote:
    """One line's locked figures, before it is stored."""

    cart_line: CartLine
    fulfilment: str
    title: str
    hs_code: str
    unit_price: Money
    goods: Money
    taxes: Money
    shipping: Money
    dutiable_value: Money | None = None
    taxes_detail: dict = field(default_factory=dict)
    export_amount: Money | None = None
    held: stock.Held | None = None

    @property
    def total(self):
        return self.goods + self.taxes + self.shipping


def _money(amount, currency=None):
    return money.money(amount, currency or settings.PLATFORM_CURRENCY)


def _own_title(variant, language):
    from catalog.selectors import pick_text

    text, _fallback = pick_text(variant.product.texts.all(), language, variant.product.original_language)
    label = variant.attributes_label(language)
    title = text.title if text else variant.product.code
    return f"{title} ({label})" if label else title


def _partner_title(line, language):
    """A partner good's line title: its title and the chosen variant in the shopper's language."""
    title = zone_selectors.listing_line_title(line.listing, line.sku, language)
    return graded_title(title, line.grade) if line.grade else title


def graded_title(title, grade):
    """A graded line's title says it is a returned unit and its grade, wherever it is shown."""
    return _("%(title)s (returned, %(grade)s)") % {"title": title, "grade": Grade(grade).label}


def _quote_own(line, *, shipping, language):
    variant = line.variant
    if str(variant.price.currency) != settings.PLATFORM_CURRENCY:
        raise DomainError(
            Code.NO_PRICE, _("%(sku)s has no price in our currency.") % {"sku": variant.sku}, field="lines"
        )
    unit_price, detail = variant.price, {}
    if line.grade:  # a returned unit of ours resold at its grade, at the platform's grade discount
        percent = DEFAULT_GRADE_DISCOUNTS[line.grade]
        unit_price, detail = graded_price(variant.price, percent), {"grade": line.grade, "grade_discount": str(percent)}
    goods = _money(unit_price.amount * line.quantity)
    return Quote(
        cart_line=line,
        fulfilment=Fulfilment.OWN_STOCK,
        title=(
            graded_title(_own_title(variant, language), line.grade) if line.grade else _own_title(variant, language)
        )[:300],
        hs_code=variant.product.hs_code,
        unit_price=unit_price,
        taxes_detail=detail,
        goods=goods,
        taxes=_money(0),
        shipping=shipping,
    )


def _priced_refusal(listing, error):
    return DomainError(
        Code.NO_PRICE,
        _("%(title)s cannot be priced at the moment: %(reason)s") % {"title": listing.title, "reason": error.detail},
        field="lines",
    )


def _quote_partner(line, *, fulfilment, context):
    """The listing's landed price as it ships (local or direct), now; the duties and taxes of the
    whole line on its dutiable value (goods and freight), by the partner zone's pricing rules."""
    if line.grade:
        return _quote_graded_partner(line, context=context)
    listing = line.listing
    listing.ships_from = (
        PartnerListing.ShipsFrom.LOCAL if fulfilment == Fulfilment.CONSIGNMENT else PartnerListing.ShipsFrom.DIRECT
    )
    try:
        _list_price, price, landed = pricing.landed_price(listing, context, sku=line.sku, quantity=line.quantity)
        quote = _landed_quote(line, fulfilment=fulfilment, price=price, goods_unit=landed.goods, landed=landed)
    except PartnerZoneError as error:
        raise _priced_refusal(listing, error) from None
    quote.taxes_detail["campaign"] = landed.campaign.reference if landed.campaign is not None else ""
    quote.taxes_detail.update(_discount_detail(landed, price, line.quantity))
    # An agreed markdown of the partner's aged stock is the exporter's: it is owed its export price
    # marked down by the same percent for these units.
    markdown = landed.markdown
    quote.taxes_detail["markdown"] = markdown.reference if markdown is not None else ""
    export_unit = listing.export_price.amount
    if markdown is not None:
        export_unit = export_unit * (100 - Decimal(markdown.percent)) / 100
    quote.export_amount = money.money(export_unit * line.quantity, listing.export_price.currency.code)
    return quote


def _discount_detail(landed, price, quantity):
    """The line's campaign or markdown discount, kept with the line so that the quote, the order,
    its e-mails and the admin show it as its own line: the amount off the whole line (list price
    less price, times the quantity), and what it is (kind, title, percent)."""
    part = landed.discount
    off = (landed.list_price - price.amount) * quantity
    if part is None or off <= 0:
        return {}
    if landed.campaign is not None:
        kind, title, percent = "campaign", landed.campaign.title, str(landed.campaign.discount_percent)
    else:
        kind, title, percent = "markdown", "", str(landed.markdown.percent)
    return {
        "discount": str(money.quantize(off, landed.currency)),
        "discount_kind": kind,
        "discount_title": title,
        "discount_percent": percent,
        "list_unit_price": str(landed.list_price),
    }


def _quote_graded_partner(line, *, context):
    """A returned unit of the partner's resold at its grade (from the partner's graded stock in our
    warehouse): the listing's landed price from here less the grade's agreed discount, taxed on the
    discounted goods, under the same cross-border rules. The partner is owed the proceeds (the
    goods, without taxes and freight) less the agreed resale fee, in our currency."""
    listing = line.listing
    try:
        price, _list, landed, percent = graded.graded_quote(listing, context, line.grade, sku=line.sku)
        goods_unit = graded.graded_goods_value(landed, percent)
        quote = _landed_quote(
            line, fulfilment=Fulfilment.CONSIGNMENT, price=price, goods_unit=goods_unit, landed=landed
        )
    except PartnerZoneError as error:
        raise _priced_refusal(listing, error) from None
    quote.taxes_detail.update({"campaign": "", "markdown": "", "grade": line.grade, "grade_discount": str(percent)})
    quote.title = graded_title(listing.title, line.grade)[:300]
    fee = resale_fee(quote.goods, listing.partnership.terms.resale_fee_rate)
    quote.export_amount = quote.goods - fee
    return quote


def _landed_quote(line, *, fulfilment, price, goods_unit, landed):
    """A partner line's quote at `price` a unit: duties and taxes of the whole line on its dutiable
    value (`goods_unit` and freight per unit), the goods what is left after freight and taxes."""
    listing = line.listing
    dutiable = _money((goods_unit + landed.shipping) * line.quantity)
    taxes = pricing.duties_and_taxes(country=settings.PLATFORM_COUNTRY, hs_code=listing.hs_code, customs_value=dutiable)
    charged = price * line.quantity
    shipping = _money(landed.shipping * line.quantity)
    tax_total = taxes["total"]
    # The shopper pays the shown price (taxes included when the agreement says so, DDP), or the
    # shown price plus the taxes; goods are what is left of it after freight and taxes.
    total = charged if landed.duties_included else charged + tax_total
    return Quote(
        cart_line=line,
        fulfilment=fulfilment,
        title=listing.title[:300],
        hs_code=listing.hs_code,
        unit_price=price,
        goods=total - shipping - tax_total,
        taxes=tax_total,
        shipping=shipping,
        dutiable_value=dutiable,
        taxes_detail={
            "regime": taxes["regime"],
            "duty": str(taxes["duty"].amount),
            "vat": str(taxes["vat"].amount),
            "consumption_tax": str(taxes["consumption_tax"].amount),
            "explanation": str(taxes["explanation"]),
        },
    )


# --- stock ---------------------------------------------------------------------------------------


def _out_of_stock(title, available):
    return DomainError(
        Code.INSUFFICIENT_STOCK,
        _("Only %(available)d of %(title)s left: please lower the quantity.") % {"available": available, "title": title}
        if available > 0
        else _("%(title)s is sold out.") % {"title": title},
        field="lines",
        status=409,
    )


def _hold_until(now):
    """Holds last until the quote expires plus the payment window."""
    return now + dt.timedelta(minutes=shop_setting("QUOTE_MINUTES") + shop_setting("PAYMENT_MINUTES"))


def _hold(lines, *, reference, replacing=(), language, now):
    """Hold the stock of every line, giving back what the replaced checkouts held, in one call of
    the stock service (its locks, its order): {line number: stock.Held}. A line nothing can serve
    is refused with its title and the units left."""
    wanted = [
        stock.Wanted(
            number=number,
            sku=line.sku,
            quantity=line.quantity,
            owner_id=line.partnership.partner_id if line.origin == Origin.PARTNER else None,
            # a partner's goods ship direct when no local level can serve them; graded units never
            listing_id=line.listing_id if line.origin == Origin.PARTNER and not line.grade else None,
            grade=line.grade,
        )
        for number, line in enumerate(lines, start=1)
    ]
    try:
        return stock.hold_for_checkout(
            reference=f"checkout:{reference}", wanted=wanted, replacing=replacing, expires_at=_hold_until(now), at=now
        )
    except stock.StockShort as short:
        line = lines[short.number - 1]
        title = _partner_title(line, language) if line.origin == Origin.PARTNER else _own_title(line.variant, language)
        raise _out_of_stock(title, short.available) from None


def _replace_open_checkouts(cart):
    """Mark the cart's earlier open checkouts replaced; returns what they hold, for the new
    checkout's hold to give back first (in the stock service's one lock order)."""
    previous = list(Checkout.objects.select_for_update().filter(cart=cart, status=Checkout.Status.OPEN).order_by("pk"))
    if not previous:
        return []
    held = CheckoutLine.objects.filter(checkout__in=previous).filter(
        Q(reservation__isnull=False) | Q(direct_units__gt=0)
    )
    Checkout.objects.filter(pk__in=[checkout.pk for checkout in previous]).update(status=Checkout.Status.REPLACED)
    return holdings(held.select_related("reservation"))


# --- starting a checkout -------------------------------------------------------------------------


def _cart_lines(cart):
    lines = list(
        CartLine.objects.filter(cart=cart)
        .select_related("variant__product", "listing__partnership__partner", "partnership__partner")
        .prefetch_related("variant__product__texts")
        .order_by("pk")
    )
    if not lines:
        raise DomainError(Code.EMPTY_CART, _("Your cart is empty."), field="lines")
    for line in lines:
        refusal = listing_refusal(line.listing) if line.origin == Origin.PARTNER else variant_refusal(line.variant)
        if refusal:
            raise DomainError(Code.NOT_ORDERABLE, refusal, field="lines")
    return lines


@dataclass
class _Priced:
    quotes: list
    buyer_name: str
    buyer_id_number: str
    cbec_value: Money | None
    extras: list = field(default_factory=list)  # shop.extras.PricedExtra


def _price_extras(priced, *, chosen, recipient, language):
    """The extras the shopper chose (`chosen`: cart line ids) priced for the address by the app that
    offers them (hooks.checkout_extras); a line not in the cart is refused naming it."""
    chosen = {int(line_id) for line_id in chosen}
    if not chosen:
        return []
    numbered = {q.cart_line.pk: (number, q) for number, q in enumerate(priced.quotes, start=1)}
    unknown = sorted(chosen - set(numbered))
    if unknown:
        raise DomainError(Code.INVALID, _("Your cart has no line %(line)s.") % {"line": unknown[0]}, field="services")
    requests = []
    for line_id in sorted(chosen, key=lambda pk: numbered[pk][0]):
        number, quote = numbered[line_id]
        line = quote.cart_line
        requests.append(
            ExtraRequest(
                line_number=number,
                origin=line.origin,
                sku=line.sku,
                title=quote.title,
                quantity=line.quantity,
                product_id=line.variant.product_id if line.variant_id else None,
                listing_id=line.listing_id,
                partnership_id=line.partnership_id,
            )
        )
    answers = hooks.checkout_extras.fire(requests=requests, recipient=recipient, language=language)
    return [extra for answer in answers for extra in answer or []]


def _price(lines, *, held, buyer_name, buyer_id_number, language, now):
    """Every line priced now, as the stock `held` for it serves it ({line number: stock.Held}),
    China's rules checked for partner goods on a `cn` platform. Reads; writes nothing."""
    partner_lines = [line for line in lines if line.origin == Origin.PARTNER]
    cross_border = china_rules_apply(bool(partner_lines))
    if cross_border:
        buyer_name, buyer_id_number = china_rules.check_buyer(name=buyer_name, id_number=buyer_id_number)
    else:
        buyer_name, buyer_id_number = "", ""

    context = None
    if partner_lines:
        context = pricing.PricingContext.load(
            [line.listing_id for line in partner_lines],
            at=now,
            currencies={line.listing.export_price.currency.code for line in partner_lines},
        )
    own_shipping = _money(shop_setting("OWN_SHIPPING_PER_ORDER"))
    quotes = []
    for number, line in enumerate(lines, start=1):
        holding = held[number]
        if line.origin == Origin.OWN:
            shipping = own_shipping if not any(q.fulfilment == Fulfilment.OWN_STOCK for q in quotes) else _money(0)
            quote = _quote_own(line, shipping=shipping, language=language)
        else:
            fulfilment = Fulfilment.CONSIGNMENT if holding.reservation is not None else Fulfilment.DIRECT
            quote = _quote_partner(line, fulfilment=fulfilment, context=context)
            quote.title = _partner_title(line, language)[:300]
        quote.held = holding
        quotes.append(quote)

    cbec_value = None
    if cross_border:
        cbec_value = sum((q.dutiable_value for q in quotes if q.dutiable_value is not None), _money(0))
        china_rules.check_limits(value=cbec_value, id_number=buyer_id_number, at=now)
    return _Priced(quotes=quotes, buyer_name=buyer_name, buyer_id_number=buyer_id_number, cbec_value=cbec_value)


def _check_limits(priced, shopper, *, now):
    unpaid_limits.check_unpaid_limits(
        shopper,
        [(q.cart_line.partnership_id, q.cart_line.sku, q.title, q.cart_line.quantity) for q in priced.quotes],
        now=now,
    )


def _record_checkout(
    priced, *, reference, cart, user, recipient, email, now, client_ip=None, status=Checkout.Status.OPEN
):
    """Store the locked quote with the stock held for it. Returns the checkout and its lines."""
    quotes = priced.quotes
    expires_at = now + dt.timedelta(minutes=shop_setting("QUOTE_MINUTES"))
    zero = _money(0)
    extras = sum((extra.amount for extra in priced.extras), zero)
    checkout = Checkout.objects.create(
        reference=reference,
        cart=cart,
        user=user if user is not None and user.is_authenticated else None,
        status=status,
        goods=sum((q.goods for q in quotes), zero),
        taxes=sum((q.taxes for q in quotes), zero),
        shipping=sum((q.shipping for q in quotes), zero),
        extras=extras,
        total=sum((q.total for q in quotes), zero) + extras,
        cbec_value=priced.cbec_value,
        recipient=recipient,
        email=email,
        buyer_name=priced.buyer_name,
        buyer_id_number=priced.buyer_id_number,
        client_ip=client_ip,
        language=supported_language(),
        expires_at=expires_at,
        created_at=now,
    )
    lines = CheckoutLine.objects.bulk_create(
        CheckoutLine(
            checkout=checkout,
            line_number=number,
            origin=quote.cart_line.origin,
            fulfilment=quote.fulfilment,
            variant=quote.cart_line.variant,
            listing=quote.cart_line.listing,
            partnership=quote.cart_line.partnership,
            sku=quote.cart_line.sku,
            title=quote.title,
            hs_code=quote.hs_code,
            quantity=quote.cart_line.quantity,
            unit_price=quote.unit_price,
            goods=quote.goods,
            taxes=quote.taxes,
            shipping=quote.shipping,
            total=quote.total,
            dutiable_value=quote.dutiable_value,
            taxes_detail=quote.taxes_detail,
            export_amount=quote.export_amount,
            grade=quote.cart_line.grade,
            reservation=quote.held.reservation,
            direct_units=quote.held.direct_units,
        )
        for number, quote in enumerate(quotes, start=1)
    )
    CheckoutExtra.objects.bulk_create(
        CheckoutExtra(
            checkout=checkout,
            line_number=extra.line_number,
            kind=extra.kind,
            code=extra.code,
            title=extra.title[:300],
            amount=extra.amount,
            detail=extra.detail,
        )
        for extra in priced.extras
    )
    return checkout, lines


def _quote(
    lines, *, cart, buyer, contact, shopper, language, now, replacing=(), services=(), posted_total=None, status=None
):
    """The one way a quote is made, in the caller's transaction: hold the stock of every line
    (giving back what `replacing` held), price the lines as the stock held serves them and the
    extras chosen for them (`services`: cart line ids), refuse a `posted_total` that is not the
    quote's goods, check the shopper's limits, and store the checkout (OPEN unless `status`).
    Returns the checkout and its lines."""
    reference = uuid.uuid4()
    held = _hold(lines, reference=reference, replacing=replacing, language=language, now=now)
    priced = _price(
        lines, held=held, buyer_name=buyer.name, buyer_id_number=buyer.id_number, language=language, now=now
    )
    if services:
        priced.extras = _price_extras(priced, chosen=services, recipient=contact["recipient"], language=language)
    if posted_total is not None:
        _check_total(parse_total(posted_total), sum((q.total for q in priced.quotes), _money(0)))
    _check_limits(priced, shopper, now=now)
    return _record_checkout(
        priced, reference=reference, cart=cart, now=now, status=status or Checkout.Status.OPEN, **contact
    )


@dataclass(frozen=True)
class Buyer:
    """Who orders, as the storefront's checkout form or the shop API received them: the delivery
    address and contact, the real name and resident ID number China's cross-border rules ask of
    partner goods (blank elsewhere), and who is asking (the signed-in user, the client's address),
    which the unpaid-order limits count with the email and phone."""

    recipient: dict
    email: str
    phone: str = ""
    name: str = ""
    id_number: str = ""
    user: object = None
    client_ip: str | None = None

    def checked(self):
        """The contact as a checkout stores it (address normalised for its country, email checked)
        and the shopper whose unpaid orders are counted; a DomainError naming the field otherwise."""
        recipient, email = check_contact(recipient=self.recipient, email=self.email, phone=self.phone)
        shopper = unpaid_limits.Shopper.of(ip=self.client_ip, user=self.user, email=email, phone=recipient["phone"])
        return {"user": self.user, "recipient": recipient, "email": email, "client_ip": shopper.ip}, shopper


@retry_on_conflict
def start_checkout(*, cart, buyer, language=None, services=(), now=None):
    """Price every line of the cart now for `buyer` (a Buyer), hold its stock, and lock the quote
    for the configured minutes. `services`: the cart lines (ids) the shopper wants installed by a
    local provider, priced for the address into the quote (hooks.checkout_extras; refused when
    nobody serves it). Refuses (changing nothing) an empty cart, goods that cannot be ordered or
    are not in stock, a bad address or contact, more unpaid holds than one shopper may have
    (unpaid_limits), and, for partner goods on a `cn` platform, a missing or invalid real name and
    resident ID number or a purchase above the per-order or annual limit. A transaction that loses
    a deadlock is run again (DatabaseBusy when it keeps losing)."""
    now = now or timezone.now()
    language = language or settings.LANGUAGE_CODE
    contact, shopper = buyer.checked()
    with transaction.atomic():
        unpaid_limits.queue_shopper(shopper)
        cart = Cart.objects.select_for_update().get(pk=cart.pk)
        lines = _cart_lines(cart)
        checkout, _lines = _quote(
            lines,
            cart=cart,
            replacing=_replace_open_checkouts(cart),
            services=services,
            buyer=buyer,
            contact=contact,
            shopper=shopper,
            language=language,
            now=now,
        )
    return checkout


# --- placing the order ---------------------------------------------------------------------------


def parse_total(posted_total):
    """The total the shopper's page posted, as an exact Decimal, or a DomainError."""
    try:
        value = posted_total if isinstance(posted_total, Decimal) else Decimal(str(posted_total).strip())
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite():
        raise DomainError(Code.TOTAL_MISMATCH, _("The total sent with the order is not an amount."), field="total")
    return value


def _check_total(posted, total):
    if posted != total.amount:
        raise DomainError(
            Code.TOTAL_MISMATCH,
            _("The total you confirmed (%(posted)s) is not this quote's total (%(total)s): please review the order.")
            % {"posted": posted, "total": total},
            field="total",
            status=409,
        )


@retry_on_conflict
def place_order_now(*, lines, buyer, posted_total, language=None, now=None):
    """Checkout and order in one transaction, for clients that show the total themselves (the shop
    API): price `lines` (unsaved CartLines: no cart is written) for `buyer` (a Buyer), refuse a
    posted total that differs from the price by any amount, hold the stock and place the order
    awaiting payment. The same rules as start_checkout then place_order; either the order exists
    with its stock held, or nothing was written. Its checkout is stored already ORDERED, as the
    record of the quote."""
    now = now or timezone.now()
    language = language or settings.LANGUAGE_CODE
    if not lines:
        raise DomainError(Code.EMPTY_CART, _("Your cart is empty."), field="lines")
    contact, shopper = buyer.checked()
    with transaction.atomic():
        unpaid_limits.queue_shopper(shopper)
        checkout, checkout_lines = _quote(
            lines,
            cart=None,
            buyer=buyer,
            contact=contact,
            shopper=shopper,
            language=language,
            now=now,
            posted_total=posted_total,
            status=Checkout.Status.ORDERED,
        )
        # The shop API offers no extras (installation is chosen on the storefront's checkout).
        return orders.create_order(checkout=checkout, lines=checkout_lines, extras=[], now=now)


@retry_on_conflict
def place_order(*, checkout, posted_total, now=None):
    """Turn a locked quote into an order awaiting payment, for exactly the quoted total. Refuses an
    expired quote and a posted total that differs from the quote's by any amount. Placing the same
    checkout again returns its order (a double-clicked button)."""
    now = now or timezone.now()
    posted = parse_total(posted_total)
    with transaction.atomic():
        checkout = Checkout.objects.select_for_update().get(pk=checkout.pk)
        if checkout.status == Checkout.Status.ORDERED:
            return Order.objects.get(checkout=checkout)
        if checkout.status != Checkout.Status.OPEN or checkout.is_expired(now):
            raise DomainError(
                Code.QUOTE_EXPIRED,
                _("This quote has expired: please check out again to get a new quote."),
                field="checkout",
                status=409,
            )
        _check_total(posted, checkout.total)
        if checkout.buyer_id_number and checkout.cbec_value is not None:
            # Another order for the same ID may have been placed since the quote.
            china_rules.check_limits(value=checkout.cbec_value, id_number=checkout.buyer_id_number, at=now)
        order = orders.create_order(checkout=checkout, now=now)
        checkout.status = Checkout.Status.ORDERED
        checkout.save(update_fields=["status"])
        if checkout.cart_id:
            CartLine.objects.filter(cart_id=checkout.cart_id).delete()
    return order


def start_payment(*, order, return_url, provider=None):
    """The one seam between the shop and the payment providers: open a payment for the order's
    total under its checkout's reference at `provider` (default: the platform's local method) and
    say where the shopper goes to pay (paying.py). `return_url` is where the shopper comes back to
    once the payment is decided: the order's page. Call it outside any transaction."""
    return paying.start_order_payment(order=order, return_url=return_url, provider=provider)


# --- lapsed quotes and unpaid orders -------------------------------------------------------------


def expire_checkout(checkout, *, now=None):
    """Close one quote nobody ordered once it lapsed, releasing its holds. Idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Checkout.objects.select_for_update(skip_locked=True).filter(pk=checkout.pk).first()
        if locked is None or locked.status != Checkout.Status.OPEN or not locked.is_expired(now):
            return False
        release_holds(locked.lines.select_related("reservation"), expired=True)
        locked.status = Checkout.Status.EXPIRED
        locked.save(update_fields=["status"])
    return True


def expire_checkouts(*, now=None, batch=500):
    """Expire lapsed quotes and unpaid orders past their payment window, giving their stock back.
    Safe to run twice at once. Returns (quotes expired, orders expired)."""
    now = now or timezone.now()
    due = list(Checkout.objects.filter(status=Checkout.Status.OPEN, expires_at__lte=now).order_by("expires_at")[:batch])
    quotes = sum(expire_checkout(checkout, now=now) for checkout in due)
    unpaid = list(
        Order.objects.filter(status=Order.Status.AWAITING_PAYMENT, payment_due_at__lte=now).order_by("payment_due_at")[
            :batch
        ]
    )
    lapsed = sum(orders.expire_unpaid_order(order, now=now) for order in unpaid)
    return quotes, lapsed
