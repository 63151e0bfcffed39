"""Resale of returned units as graded offers: a partner's unit in its zone listing (under the
cross-border rules, the partner credited the proceeds less the agreed resale fee, not the export
price), ours on our product page; graded units never sold as new, nor new units as graded."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from aftersales.choices import Grade
from aftersales.models import ReceivedDisposition
from aftersales.returns.services import disposition
from crossborder.errors import DomainError
from crossborder.models import OutboxMessage
from crossborder.money import BANKERS, quantize
from logistics.models import Reservation, StockLevel
from logistics.services import stock
from partner_zone.graded import graded_offers
from partner_zone.models import PartnerListing
from partner_zone.services import pricing
from payments.models import CartLine, Checkout, LedgerTransaction, Posting
from payments.shop.services import cart as carts
from payments.shop.services import checkout as checkouts
from payments.shop.services import orders
from tests.logistics.factories import make_level
from tests.payments import shop_factories
from tests.payments.shop_factories import BUYER, CONTACT, own_variant, partner_listing, session_key, set_up_shop

from .factories import paid_line, returned_units

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db, settings):
    return set_up_shop(settings)


def local_listing(warehouse):
    """A us listing with new units in our warehouse too, so its shown price is the local one."""
    listing = partner_listing(export_price="20.00")
    sku = listing.variants[0]["sku"]
    make_level(warehouse=warehouse, sku=sku, owner=listing.partnership.partner, on_hand=2)
    PartnerListing.objects.filter(pk=listing.pk).update(local_stock=2, ships_from="local")
    return pricing.price_listing(PartnerListing.objects.get(pk=listing.pk))


def resold(item, grade=Grade.LIKE_NEW):
    """A unit of `item` bought, returned graded `grade` and put to resale by the rules."""
    [unit] = returned_units(paid_line(item), grade)
    disposition.apply_rules([unit])
    return unit


def graded_checkout(item, grade, **buyer):
    key = session_key()
    if hasattr(item, "partnership_id"):
        carts.add_to_cart(session_key=key, listing_id=item.pk, grade=grade, quantity=1)
    else:
        carts.add_to_cart(session_key=key, sku=item.sku, grade=grade, quantity=1)
    return shop_factories.start_checkout(cart=CartLine.objects.get(cart__session_key=key).cart, **CONTACT, **buyer)


def pay(checkout):
    order = checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))
    orders.mark_paid(order=order, payment_reference=f"pay-{order.number}", amount=order.total)
    return order


def test_a_resold_partner_unit_is_offered_on_its_listing_marked_and_discounted_by_grade(shop):
    listing = local_listing(shop)
    resold(listing, Grade.LIKE_NEW)

    [offer] = graded_offers(PartnerListing.objects.select_related("partnership__partner").get(pk=listing.pk))

    assert (offer.grade, offer.units, offer.discount_percent) == ("like_new", 1, Decimal(15))
    assert offer.list_price == listing.list_price
    # 173.90 less 15 % is 147.82, shown rounded like every zone price (below CNY 1000: the nearest
    # price ending in .9).
    assert quantize(listing.list_price.amount * Decimal("0.85"), "CNY") == Decimal("147.82")
    assert offer.price.amount == Decimal("147.90")


def test_a_graded_partner_unit_is_bought_under_the_cbec_rules_and_the_partner_is_credited_proceeds_less_fee(shop):
    listing = local_listing(shop)
    resold(listing, Grade.LIKE_NEW)
    expected_unit = Decimal("147.90")  # 173.90 less 15 %, rounded by the zone's rule

    with pytest.raises(DomainError) as no_id:
        graded_checkout(listing, Grade.LIKE_NEW)  # no real name and ID number: China's rules
    assert no_id.value.field.startswith("buyer")
    checkout = graded_checkout(listing, Grade.LIKE_NEW, **BUYER)
    line = checkout.lines.get()
    assert (line.grade, line.fulfilment, line.unit_price.amount) == ("like_new", "consignment", expected_unit)
    assert line.reservation.stock.grade == "like_new"
    assert checkout.buyer_id_number and checkout.cbec_value is not None

    order = pay(checkout)

    sold = order.lines.get()
    assert sold.grade == "like_new"
    fee = quantize(sold.goods.amount * Decimal("0.10"), "CNY", rounding=BANKERS)
    credited = Posting.objects.filter(partnership=listing.partnership, transaction__reference=sold.reference)
    assert credited.aggregate(t=Sum("amount"))["t"] == -(sold.goods.amount - fee)
    assert LedgerTransaction.objects.get(reference=sold.reference).kind == "partner_goods_resale"
    assert not LedgerTransaction.objects.filter(reference__startswith=f"{sold.reference}:").exists()  # no fees
    forwarded = OutboxMessage.objects.filter(message_type="order.forwarded").order_by("seq").last()
    [sent] = forwarded.payload["lines"]
    assert sent["grade"] == "like_new"
    assert sent["export_amount"] == {"amount": str(sold.goods.amount - fee), "currency": "CNY"}
    graded = StockLevel.objects.get(owner=listing.partnership.partner, grade="like_new")
    assert (graded.on_hand, graded.reserved) == (1, 1)  # allocated to the order, not yet picked


def test_the_exporter_records_a_resold_units_proceeds_less_fee_with_no_commission(shop):
    listing = partner_listing()
    payload = {
        "order": "2b1f4c52-8d0e-4b8e-9a55-2f0a3c1d9e01",
        "number": "77",
        "placed_at": "2026-12-01T10:00:00+00:00",
        "lines": [
            {
                "reference": "order:cn:77:1",
                "product": str(listing.reference),
                "sku": listing.variants[0]["sku"],
                "title": "Bottle",
                "quantity": 1,
                "fulfilment": "consignment",
                "export_amount": {"amount": "91.80", "currency": "CNY"},
                "grade": "like_new",
            }
        ],
    }

    orders.receive_forwarded_order(partnership=listing.partnership, payload=payload)

    owed = Posting.objects.filter(partnership=listing.partnership, transaction__reference="order:cn:77:1")
    assert owed.get().amount == Decimal("91.80")


def test_our_own_returned_unit_is_sold_at_its_grade_on_our_product_page_and_never_as_new(shop):
    variant = own_variant(shop, stock=3, price="99.00")
    resold(variant, Grade.GOOD)
    variant.refresh_from_db()
    assert variant.stock == 2  # the graded unit is not counted as new

    checkout = graded_checkout(variant, Grade.GOOD)

    line = checkout.lines.get()
    assert (line.grade, line.unit_price.amount) == ("good", Decimal("69.30"))  # 99.00 less 30 %
    assert line.reservation.stock.grade == "good"
    order = pay(checkout)
    assert order.lines.get().grade == "good"
    variant.refresh_from_db()
    assert variant.stock == 2


def test_a_grade_with_no_units_offered_is_refused_and_changes_nothing(shop):
    variant = own_variant(shop, stock=3)
    before = (CartLine.objects.count(), Checkout.objects.count(), Reservation.objects.count())

    for grade, code in (("like_new", "not_orderable"), ("mint", "invalid")):
        with pytest.raises(DomainError) as refused:
            carts.add_to_cart(session_key=session_key(), sku=variant.sku, grade=grade, quantity=1)
        assert (refused.value.code, refused.value.field) == (code, "grade")

    assert (CartLine.objects.count(), Checkout.objects.count(), Reservation.objects.count()) == before


def test_the_exporter_records_each_disposition_once_and_keeps_the_latest(shop):
    listing = partner_listing()
    base = {
        "unit": "return:abc:1:1",
        "return": "2b1f4c52-8d0e-4b8e-9a55-2f0a3c1d9e01",
        "order_line": "order:cn:5:1",
        "product": str(listing.reference),
        "sku": "US-SKU-1",
        "grade": "like_new",
        "by_rule": True,
        "reason": "rule",
        "resale_discount_percent": Decimal("15"),
        "resale_fee_rate": Decimal("0.10"),
    }
    from aftersales.handlers.resale import DispositionPayload

    def received(**changes):
        serializer = DispositionPayload(data={**base, **changes})
        serializer.is_valid(raise_exception=True)
        return disposition.record_partner_disposition(
            partnership=listing.partnership, payload=serializer.validated_data
        )

    received(disposition="resell", decided_at="2026-12-01T10:00:00Z")
    received(disposition="resell", decided_at="2026-12-01T10:00:00Z")
    received(disposition="repair", by_rule=False, decided_at="2026-12-02T10:00:00Z")
    received(disposition="dispose", decided_at="2026-11-30T10:00:00Z")  # older: ignored

    row = ReceivedDisposition.objects.get()
    assert (row.disposition, row.by_rule) == ("repair", False)


def test_the_listing_and_product_pages_show_graded_offers_in_a_fixed_number_of_queries(
    shop, client, django_assert_max_num_queries
):
    listing = local_listing(shop)
    variant = own_variant(shop, stock=2)
    partner, sku = listing.partnership.partner, listing.variants[0]["sku"]
    for n, grade in enumerate(("like_new", "good", "acceptable")):
        stock.put_back_returned(warehouse=shop, sku=sku, owner=partner, grade=grade, reference=f"p{n}")
        stock.put_back_returned(warehouse=shop, sku=variant.sku, variant=variant, grade=grade, reference=f"o{n}")

    with django_assert_max_num_queries(30):
        zone_page = client.get(f"/en/zone/us/p/{listing.reference}/")
    with django_assert_max_num_queries(30):
        own_page = client.get(f"/en/p/{variant.product.reference}/")

    for page in (zone_page, own_page):
        assert page.status_code == 200
        assert page.content.decode().count('class="graded-offer"') == 3
