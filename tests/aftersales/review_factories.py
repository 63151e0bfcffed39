"""Factories for the shared-review tests: orders of our goods and a partner's, paid and delivered
(or not), and review inputs."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from djmoney.money import Money
from PIL import Image

from aftersales.reviews import services
from catalog import services as catalog_services
from payments.shop.services import checkout as checkouts
from payments.shop.services import orders
from tests.payments.shop_factories import cart_with, checkout_of


def placed(*items, **buyer):
    checkout = checkout_of(cart_with(*items), **buyer)
    return checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))


def paid(*items, **buyer):
    order = placed(*items, **buyer)
    orders.mark_paid(order=order, payment_reference=f"pay-{order.number}")
    order.refresh_from_db()
    return order


def delivered(*items, **buyer):
    """A paid order the shop marked shipped then delivered."""
    order = paid(*items, **buyer)
    for status in ("shipped", "delivered"):
        order = orders.change_order_status(order=order, status=status)
    return order


def offer(variant, partnership, *, price="20.00"):
    """Offer our product to the partner (an export offer, as its feed would carry it)."""
    product = variant.product
    return catalog_services.set_export_offer(
        merchant=product.merchant, product=product, partnership=partnership, is_offered=True,
        export_price=Money(price, "CNY"),
    )  # fmt: skip


def review_input(**changes):
    values = {
        "rating": 4,
        "title": "Sturdy and bright",
        "text": "Used it on two camping trips; the battery lasts.",
        "author_name": "Wei L.",
        "language": "en",
    }
    return services.ReviewInput(**{**values, **changes})


def photo(name="photo.png", kind="PNG"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 90, 20)).save(out, kind)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def shared_payload(product, *, product_of="receiver", **changes):
    """A review.shared body as the partner sends it."""
    import uuid

    values = {
        "reference": str(uuid.uuid4()),
        "product": str(product),
        "product_of": product_of,
        "language": "en",
        "rating": 5,
        "title": "Great lantern",
        "text": "Bright, light, and the handle folds flat.",
        "author_name": "Sam C.",
        "photos": ["https://us.example.com/media/reviews/2026/12/a.jpg"],
        "version": 1,
        "written_at": "2026-12-01T08:00:00Z",
    }
    return {**values, **changes}
