"""The shopper's cart: add, change and remove lines of own variants and partner-zone listings, and
merge an anonymous cart into the shopper's own when they log in. A withdrawn listing or one whose
partnership is suspended is refused with the reason (PartnerListing.is_orderable decides)."""

import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from catalog.models import Product, ProductVariant
from catalog.selectors import pick_text
from crossborder.errors import DomainError
from crossborder.grades import RESALE_GRADES, Grade
from crossborder.models import Partnership
from logistics.selectors import graded_stock, largest_sellable_level
from partner_zone.models import PartnerListing

from ...errors import CheckoutErrorCode as Code
from ..models import Cart, CartLine

MAX_QUANTITY = 99


def new_session_key():
    """The key an anonymous cart is found by, kept in the shopper's session (it survives the
    session key's rotation at login, which Django does to prevent session fixation)."""
    return secrets.token_urlsafe(24)


def _is_ascii_number(text):
    """Digits 0-9 only, and few of them: str.isdigit() also says yes to '²' and '١', which int()
    refuses, and a thousand-digit number is no quantity."""
    return text.isascii() and text.isdigit() and len(text) <= 9


def check_quantity(value, *, field="quantity"):
    """A whole number of units from 1 to MAX_QUANTITY, from a form's text or a number."""
    quantity = None
    if isinstance(value, int) and not isinstance(value, bool):
        quantity = value
    elif isinstance(value, str) and _is_ascii_number(value.strip()):
        quantity = int(value.strip())
    if quantity is None or not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError(
            Code.INVALID_QUANTITY,
            _("The quantity must be a whole number from 1 to %(max)d.") % {"max": MAX_QUANTITY},
            field=field,
        )
    return quantity


def listing_refusal(listing):
    """Why a partner listing cannot be ordered now, or None when it can."""
    if listing.is_orderable:
        return None
    if not listing.is_active:
        return _("%(title)s has been withdrawn by the partner and can no longer be ordered.") % {"title": listing.title}
    if listing.partnership.status != Partnership.Status.ACTIVE:
        return _("%(partner)s's goods cannot be ordered at the moment: the partnership is suspended.") % {
            "partner": listing.partnership.partner.name
        }
    return _("%(title)s has no delivered price at the moment and cannot be ordered.") % {"title": listing.title}


def variant_refusal(variant):
    if not variant.is_active or variant.product.status != Product.Status.ACTIVE:
        return _("%(sku)s is not on sale any more.") % {"sku": variant.sku}
    return None


def _open_cart(*, user=None, session_key="", create=True):
    if user is not None and user.is_authenticated:
        cart = Cart.objects.select_for_update().filter(user=user, status=Cart.Status.OPEN).first()
        if cart is None and create:
            try:
                with transaction.atomic():
                    cart = Cart.objects.create(user=user)
            except IntegrityError:  # created by a parallel request of the same shopper
                cart = Cart.objects.select_for_update().get(user=user, status=Cart.Status.OPEN)
        return cart
    if not session_key:
        raise DomainError(Code.INVALID, _("An anonymous cart needs its session key."), field="session_key")
    cart = Cart.objects.select_for_update().filter(session_key=session_key, status=Cart.Status.OPEN).first()
    if cart is None and create:
        try:
            with transaction.atomic():
                cart = Cart.objects.create(session_key=session_key)
        except IntegrityError:
            cart = Cart.objects.select_for_update().get(session_key=session_key, status=Cart.Status.OPEN)
    return cart


def _touch(cart):
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())


def check_grade(grade, *, owner_id, sku, title, field="grade"):
    """A graded offer's grade ("" for new goods): one of the resale grades, with returned units of
    that grade in our warehouse for sale."""
    grade = str(grade or "").strip()
    if not grade:
        return ""
    if grade not in RESALE_GRADES:
        raise DomainError(
            Code.INVALID,
            _("%(grade)r is not a grade offered: choose one of %(grades)s.")
            % {"grade": grade, "grades": ", ".join(RESALE_GRADES)},
            field=field,
        )
    units = graded_stock(owner=owner_id, own=owner_id is None, skus=[sku])
    if not units.get((sku, grade)):
        raise DomainError(
            Code.NOT_ORDERABLE,
            _("No %(grade)s units of %(title)s are offered any more.") % {"grade": Grade(grade).label, "title": title},
            field=field,
        )
    return grade


def _partner_source(listing_id, sku, grade=""):
    listing = (
        PartnerListing.objects.select_related("partnership__partner")
        .defer("search_document", "search_vector")
        .filter(pk=listing_id)
        .first()
    )
    if listing is None:
        raise DomainError(Code.NOT_ORDERABLE, _("This partner product does not exist."), field="listing")
    refusal = listing_refusal(listing)
    if refusal:
        raise DomainError(Code.NOT_ORDERABLE, refusal, field="listing")
    skus = [v["sku"] for v in listing.variants or [] if v.get("is_active", True)]
    if not sku and len(skus) == 1:
        sku = skus[0]
    if sku not in skus:
        raise DomainError(Code.NOT_ORDERABLE, _("Choose one of this product's options."), field="sku")
    grade = check_grade(grade, owner_id=listing.partnership.partner_id, sku=sku, title=listing.title)
    return {"origin": "partner", "listing": listing, "partnership": listing.partnership, "sku": sku, "grade": grade}


def _own_source(sku, variant=False, grade=""):
    if variant is False:
        variant = ProductVariant.objects.select_related("product").filter(sku=sku).first()
    if variant is None:
        raise DomainError(Code.NOT_ORDERABLE, _("No product option %(sku)s.") % {"sku": sku}, field="sku")
    refusal = variant_refusal(variant)
    if refusal:
        raise DomainError(Code.NOT_ORDERABLE, refusal, field="sku")
    grade = check_grade(grade, owner_id=None, sku=variant.sku, title=variant.sku)
    return {"origin": "own", "variant": variant, "sku": variant.sku, "grade": grade}


def units_left(source):
    """How many units of a cart line's goods can be sold now, read where the checkout reads them:
    our own goods from the catalog's sellable figure (kept by the stock service, ADR 0016); a
    partner's from its largest consignment level here or the listing's direct-sale stock, whichever
    serves more (a line is served by one of them); a graded offer from its graded units."""
    if source["grade"]:
        owner = source["partnership"].partner_id if source["origin"] == "partner" else None
        units = graded_stock(owner=owner, own=owner is None, skus=[source["sku"]])
        return units.get((source["sku"], source["grade"]), 0)
    if source["origin"] == "own":
        return max(source["variant"].stock, 0)
    listing = source["listing"]
    local = largest_sellable_level(owner=source["partnership"].partner_id, skus=[source["sku"]])
    return max(local.get(source["sku"], 0), listing.direct_stock)


def _source_title(source):
    """The goods' title in the language the refusal is written in, with the option chosen."""
    if source["origin"] == "partner":
        return source["listing"].title
    variant = source["variant"]
    product = variant.product
    text, _fallback = pick_text(product.texts.all(), get_language(), product.original_language)
    title = text.title if text else product.code
    label = variant.attributes_label()
    return f"{title} ({label})" if label else title


def check_units_left(source, *, wanted, in_cart=0):
    """Refuse more units than can be sold now, at the button rather than at checkout, naming how
    many are left (and how many of them the cart holds already)."""
    left = units_left(source)
    if wanted + in_cart <= left:
        return
    title = _source_title(source)
    if left <= 0:
        detail = _("%(title)s is sold out.") % {"title": title}
    elif in_cart:
        detail = _("Only %(available)d of %(title)s left, and your cart holds %(in_cart)d of them already.") % {
            "available": left,
            "title": title,
            "in_cart": in_cart,
        }
    else:
        detail = _("Only %(available)d of %(title)s left: please lower the quantity.") % {
            "available": left,
            "title": title,
        }
    raise DomainError(Code.INSUFFICIENT_STOCK, detail, field="quantity", status=409)


@transaction.atomic
def add_to_cart(*, quantity, user=None, session_key="", sku="", listing_id=None, grade=""):
    """Add units of an own variant (`sku`) or of a partner listing's SKU (`listing_id`, `sku`
    optional when the listing has one option) to the shopper's cart; with `grade`, of its graded
    offer (returned units resold at that grade). Adding what is already there adds to its
    quantity. More units than are left (with those in the cart) are refused, changing nothing.
    Returns the cart line."""
    quantity = check_quantity(quantity)
    sku = str(sku or "").strip()
    source = _partner_source(listing_id, sku, grade) if listing_id else _own_source(sku, grade=grade)
    cart = _open_cart(user=user, session_key=session_key)
    line = (
        CartLine.objects.select_for_update()
        .filter(cart=cart, origin=source["origin"], sku=source["sku"], grade=source["grade"])
        .first()
    )
    check_units_left(source, wanted=quantity, in_cart=line.quantity if line else 0)
    if line is None:
        line = CartLine.objects.create(cart=cart, quantity=quantity, **source)
    else:
        check_quantity(line.quantity + quantity)
        CartLine.objects.filter(pk=line.pk).update(quantity=F("quantity") + quantity)
        line.refresh_from_db()
    _touch(cart)
    return line


def _in_item(error, index):
    """A refusal about one of several items names the item: `items[1].sku`."""
    field = f"items[{index}].{error.field}" if error.field else f"items[{index}]"
    return DomainError(error.code, error.detail, field=field, status=error.status)


def unsaved_lines(items):
    """The lines of a cart that is never stored, for an order placed in one call (the shop API):
    `items` is [{"sku": ..., "quantity": n}] for our goods, [{"listing": id, "sku": ..., "quantity":
    n}] for a partner's. The same checks as add_to_cart, each refusal naming its item
    (`items[1].sku`); the same goods twice add up. Reads only: our goods in one query (with the
    titles the quote shows), a partner's listing by listing."""
    own_skus = {str(item.get("sku") or "").strip() for item in items if not item.get("listing")}
    variants = {}
    if own_skus:
        found = ProductVariant.objects.select_related("product").prefetch_related("product__texts")
        variants = {variant.sku: variant for variant in found.filter(sku__in=own_skus)}
    lines = {}
    for index, item in enumerate(items):
        try:
            quantity = check_quantity(item.get("quantity", 1))
            sku = str(item.get("sku") or "").strip()
            grade = item.get("grade") or ""
            if item.get("listing"):
                source = _partner_source(item["listing"], sku, grade)
            else:
                source = _own_source(sku, variants.get(sku), grade)
            key = (source["origin"], source["sku"], source["grade"])
            line = lines.get(key)
            if line is None:
                lines[key] = CartLine(quantity=quantity, **source)
            else:
                line.quantity = check_quantity(line.quantity + quantity)
        except DomainError as error:
            raise _in_item(error, index) from None
    return list(lines.values())


def _own_line(line_id, user, session_key):
    cart = _open_cart(user=user, session_key=session_key, create=False)
    line = CartLine.objects.select_for_update().filter(pk=line_id, cart=cart).first() if cart else None
    if line is None:
        raise DomainError(Code.INVALID, _("This line is not in your cart."), field="line", status=404)
    return line


@transaction.atomic
def change_cart_line(*, line_id, quantity, user=None, session_key=""):
    """Set a line's quantity (a whole number from 1); raising it past the units left is refused."""
    quantity = check_quantity(quantity)
    line = _own_line(line_id, user, session_key)
    if quantity > line.quantity:
        source = {
            "origin": line.origin,
            "variant": line.variant,
            "listing": line.listing,
            "partnership": line.partnership,
            "sku": line.sku,
            "grade": line.grade,
        }
        check_units_left(source, wanted=quantity)
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    _touch(line.cart)
    return line


@transaction.atomic
def remove_cart_line(*, line_id, user=None, session_key=""):
    line = _own_line(line_id, user, session_key)
    line.delete()
    _touch(line.cart)


@transaction.atomic
def merge_carts(*, user, session_key):
    """The shopper logged in: their anonymous cart's lines join their own cart (quantities of the
    same goods add up, up to the maximum), and the anonymous cart is closed as MERGED. Returns the
    shopper's cart (None when neither exists)."""
    anonymous = None
    if session_key:
        anonymous = (
            Cart.objects.select_for_update()
            .filter(session_key=session_key, user__isnull=True, status=Cart.Status.OPEN)
            .first()
        )
    if anonymous is None:
        return _open_cart(user=user, create=False)
    own = _open_cart(user=user)
    mine = {(line.origin, line.sku, line.grade): line for line in CartLine.objects.select_for_update().filter(cart=own)}
    for line in CartLine.objects.filter(cart=anonymous).order_by("pk"):
        existing = mine.get((line.origin, line.sku, line.grade))
        if existing is None:
            CartLine.objects.filter(pk=line.pk).update(cart=own)
        else:
            existing.quantity = min(existing.quantity + line.quantity, MAX_QUANTITY)
            existing.save(update_fields=["quantity"])
            line.delete()
    anonymous.status = Cart.Status.MERGED
    anonymous.merged_into = own
    anonymous.session_key = ""
    anonymous.user = user
    anonymous.save(update_fields=["status", "merged_into", "session_key", "user"])
    _touch(own)
    return own


def find_cart(*, user=None, session_key=""):
    """The shopper's open cart, or None (reads only)."""
    if user is not None and user.is_authenticated:
        return Cart.objects.filter(user=user, status=Cart.Status.OPEN).first()
    if session_key:
        return Cart.objects.filter(session_key=session_key, status=Cart.Status.OPEN).first()
    return None
