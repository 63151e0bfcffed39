"""The shop's storefront pages: cart, checkout with its locked quote, order confirmation and the
shopper's orders. Each view parses the request, calls one service and renders; a refused input is
shown next to its field, in the shopper's language."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST

from crossborder.errors import DomainError
from crossborder.http import client_ip

from .. import hooks as payments_hooks
from ..providers import declines
from . import selectors as selectors
from .discounts import discount_lines
from .forms import AddressForm
from .models import Origin
from .services import cancel as cancels
from .services import cart as carts
from .services import checkout as checkouts
from .services import paying

CART_KEY = "shop_cart"
ORDERS_KEY = "shop_orders"
# Where a service's field name shows on the checkout form.
FORM_FIELDS = {
    "recipient.name": "name",
    "recipient.phone": "phone",
    "recipient.address_lines": "address",
    "recipient.country_area": "country_area",
    "recipient.city": "city",
    "recipient.city_area": "city_area",
    "recipient.postcode": "postcode",
    "recipient.country": "country",
    "email": "email",
    "buyer_name": "buyer_name",
    "buyer_id_number": "buyer_id_number",
    "services": "services",
}


def shopper(request):
    """Who the cart belongs to: the logged-in user (an anonymous cart kept in this session joins
    theirs), else this session's cart key."""
    key = request.session.get(CART_KEY, "")
    if request.user.is_authenticated:
        if key:
            carts.merge_carts(user=request.user, session_key=key)
            del request.session[CART_KEY]
        return {"user": request.user, "session_key": ""}
    if not key:
        key = carts.new_session_key()
        request.session[CART_KEY] = key
    return {"user": None, "session_key": key}


def _current_cart(request):
    return carts.find_cart(**shopper(request))


def _cart_page(request, *, error=None, line_errors=None, status=200):
    cart = _current_cart(request)
    rows = selectors.cart_rows(cart, get_language())
    context = {
        "rows": rows,
        "estimate": selectors.cart_estimate(rows),
        "all_included": all(row.all_included for row in rows),
        "error": error,
        "line_errors": line_errors or {},
        "has_problem": any(row.problem for row in rows),
    }
    return render(request, "payments/cart.html", context, status=status)


def cart(request):
    return _cart_page(request)


@require_POST
def cart_add(request):
    listing = request.POST.get("listing", "").strip()
    try:
        carts.add_to_cart(
            **shopper(request),
            sku=request.POST.get("sku", ""),
            listing_id=int(listing) if listing.isascii() and listing.isdigit() and len(listing) <= 18 else None,
            quantity=request.POST.get("quantity", "1"),
            grade=request.POST.get("grade", ""),
        )
    except DomainError as error:
        return _cart_page(request, error=error.detail, status=_refused_status(error))
    return redirect(reverse("payments:cart"))


@require_POST
def cart_line(request, line_id):
    try:
        if "remove" in request.POST:
            carts.remove_cart_line(**shopper(request), line_id=line_id)
        else:
            carts.change_cart_line(**shopper(request), line_id=line_id, quantity=request.POST.get("quantity", ""))
    except DomainError as error:
        return _cart_page(request, line_errors={line_id: error.detail}, status=400 if error.status < 500 else 500)
    return redirect(reverse("payments:cart"))


# --- checkout ------------------------------------------------------------------------------------


def _checkout_form(request, cart, *, form=None, values=None, errors=None, status=200):
    rows = selectors.cart_rows(cart, get_language())
    if not rows:
        return redirect(reverse("payments:cart"))
    errors = errors or {}
    prefill = payments_hooks.checkout_prefill_values(request)
    form = form or AddressForm(initial=dict(prefill))
    for name, error in errors.items():  # a refusal of the service, on the address field it names
        if name in form.fields and not form.has_error(name):
            form.errors.setdefault(name, form.error_class()).append(error)
    context = {
        "rows": rows,
        "estimate": selectors.cart_estimate(rows),
        "address_form": form,
        "values": values or prefill,
        "errors": errors,
        "needs_id": checkouts.china_rules_apply(any(row.origin == Origin.PARTNER for row in rows)),
        "offers_installation": any(row.offers_installation for row in rows),
        "address_sections": payments_hooks.checkout_address_snippets(request),
    }
    return render(request, "payments/checkout.html", context, status=status)


@require_http_methods(["GET", "POST"])
def checkout(request):
    who = shopper(request)
    cart = carts.find_cart(**who)
    if cart is None:
        return redirect(reverse("payments:cart"))
    if request.method == "GET":
        return _checkout_form(request, cart)
    form = AddressForm(request.POST)
    values = {name: request.POST.get(name, "").strip() for name in ("email", "buyer_name", "buyer_id_number")}
    values["services"] = request.POST.getlist("services")
    if not form.is_valid():
        return _checkout_form(request, cart, form=form, values=values, status=400)
    try:
        started = checkouts.start_checkout(
            cart=cart,
            buyer=checkouts.Buyer(
                recipient=form.recipient(),
                email=values["email"],
                phone=form.cleaned_data["phone"],
                name=values["buyer_name"],
                id_number=values["buyer_id_number"],
                user=who["user"],
                client_ip=client_ip(request),
            ),
            language=get_language(),
            services=[pk for pk in values["services"] if pk.isascii() and pk.isdigit() and len(pk) <= 18],
        )
    except DomainError as error:
        field = FORM_FIELDS.get(error.field or "", "form")
        return _checkout_form(
            request, cart, form=form, values=values, errors={field: error.detail}, status=_refused_status(error)
        )
    payments_hooks.checkout_started.fire(request=request, checkout=started)
    return redirect(reverse("payments:quote", args=[started.reference]))


def _own_checkout(request, reference):
    found = selectors.checkout_quote(reference)
    cart = _current_cart(request)
    if found is None or cart is None or found.cart_id != cart.pk:
        raise Http404("No such checkout")
    return found


def quote(request, reference, *, error=None, status=200):
    found = _own_checkout(request, reference)
    if found.status == found.Status.ORDERED:
        return redirect(reverse("payments:order", args=[found.order.token]))
    context = {
        "checkout": found,
        "lines": list(found.lines.all()),
        "discounts": discount_lines(found.lines.all(), str(found.total.currency)),
        "expired": found.status != found.Status.OPEN or found.is_expired(),
        "masked_id": selectors.masked_id(found.buyer_id_number),
        "methods": paying.payment_methods(),
        "chosen": request.POST.get("provider", ""),
        "error": error,
    }
    return render(request, "payments/quote.html", context, status=status)


def _refused_status(error):
    return error.status if error.status in (409, 429) else 503 if error.status >= 500 else 400


@require_POST
def place(request, reference):
    found = _own_checkout(request, reference)
    try:
        provider = paying.chosen_provider(request.POST.get("provider", ""))
        order = checkouts.place_order(checkout=found, posted_total=request.POST.get("total", ""))
    except DomainError as error:
        return quote(request, reference, error=error.detail, status=_refused_status(error))
    tokens = [token for token in request.session.get(ORDERS_KEY, []) if token != order.token]
    request.session[ORDERS_KEY] = [*tokens, order.token][-50:]
    return _pay(request, order, provider)


def _pay(request, found, provider):
    """Open the order's payment and send the shopper to pay; the order's page with the reason when
    the provider cannot be reached (its "pay now" tries again)."""
    try:
        started = checkouts.start_payment(
            order=found, return_url=reverse("payments:order", args=[found.token]), provider=provider
        )
    except DomainError as error:
        return _order_page(request, found.token, error=error.detail, status=_refused_status(error))
    return redirect(started.redirect_url)


# --- orders --------------------------------------------------------------------------------------


def _order_page(request, token, *, error=None, status=200):
    found = selectors.order_by_token(token, with_extras=True)
    if found is None or selectors.someone_elses(found, request.user):
        raise Http404("No such order")
    awaiting = found.status == found.Status.AWAITING_PAYMENT
    lines = selectors.with_deliveries(list(found.lines.all()))
    events = list(found.events.all())
    blocked = selectors.payment_blocked(found) if awaiting else None
    declined = paying.declined_payment(found) if awaiting else None
    for event in events:  # a declined payment's reason in plain words, on the timeline
        if event.kind == event.Kind.PAYMENT_DECLINED:
            event.reason = declines.decline_reason(event.detail.get("code"))
    methods = paying.payment_methods() if awaiting and not blocked else []
    context = {
        "order": found,
        "lines": lines,
        "discounts": discount_lines(lines, str(found.total.currency)),
        "events": events,
        "masked_id": selectors.masked_id(found.buyer_id_number),
        "payment_status": "declined" if declined and not blocked else selectors.payment_status(found),
        "declined": declined,
        "methods": methods,
        # After a decline, another method is offered first (the one declined is still there).
        "chosen": request.POST.get("provider", "")
        or (next((m.code for m in methods if m.code != declined.provider), "") if declined else ""),
        "payment_blocked": blocked,
        "cancellable": selectors.can_cancel(found, lines, events),
        "refund": cancels.refund_status(found) if found.status == found.Status.CANCELLED else None,
        "error": error,
        "order_sections": payments_hooks.order_snippets(request, found, lines),
    }
    return render(request, "payments/order.html", context, status=status)


def order(request, token):
    return _order_page(request, token)


@require_http_methods(["GET", "POST"])
def pay(request, token):
    """Pay now: a new payment for an order still awaiting one (or back to the one under way). The
    order page's button posts the chosen method; the shop API's `payment_url` is this page, which
    the shopper's app opens (GET, the platform's local method unless `?provider=`) when the shopper
    goes to pay: only then is the provider called, outside the order's transaction."""
    found = selectors.order_by_token(token)
    if found is None:
        raise Http404("No such order")
    try:
        provider = paying.chosen_provider(
            (request.POST if request.method == "POST" else request.GET).get("provider", "")
        )
    except DomainError as error:
        return _order_page(request, token, error=error.detail, status=400)
    return _pay(request, found, provider)


@require_http_methods(["GET", "POST"])
def cancel(request, token):
    """Cancel an order before its goods ship: GET asks for confirmation (or says why it cannot be
    cancelled), POST cancels it (the stock and the money go back) and shows the order with its
    refund."""
    found = selectors.order_by_token(token)
    if found is None:
        raise Http404("No such order")
    if request.method == "GET":
        context = {"order": found, "refusal": cancels.cancellation_refusal(found)}
        return render(request, "payments/cancel.html", context)
    try:
        cancels.cancel_order(order=found, actor=request.user, reason=request.POST.get("reason", ""), by="shopper")
    except DomainError as error:
        return _order_page(request, token, error=error.detail, status=_refused_status(error))
    return redirect(reverse("payments:order", args=[found.token]))


def orders(request):
    found = selectors.shopper_orders(user=request.user, tokens=request.session.get(ORDERS_KEY, []))
    return render(request, "payments/orders.html", {"orders": list(found)})


# --- on the home catalog's product page (registered in handlers/pages.py) ------------------------


def graded_offers_section(request, product):
    """Our own returned units resold as graded items, under the product's "Add to cart"."""
    offers = selectors.own_graded_offers(product)
    if not offers:
        return []
    return [
        {"template": "payments/_graded_offers.html", "context": {"offers": offers, "listing": None}, "place": "buy"}
    ]


def add_to_cart_section(request, product):
    """The buying box's form ("place": "buy"): each option with the units left, none when sold out."""
    variants = [variant for variant in product.variants.all() if variant.is_active]
    if not variants or product.status != product.Status.ACTIVE:
        return []
    in_stock = [variant for variant in variants if variant.stock > 0]
    context = {
        "product": product,
        "variants": variants,
        "chosen": in_stock[0] if in_stock else None,
        "max_quantity": carts.MAX_QUANTITY,
    }
    return [{"template": "payments/_add_to_cart.html", "context": context, "place": "buy"}]
