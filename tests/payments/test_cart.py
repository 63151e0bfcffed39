"""The cart: adding own and partner goods, refusing what cannot be ordered, merging on login."""

import pytest
from django.urls import reverse

from crossborder.errors import DomainError
from crossborder.models import Partnership
from payments.models import Cart, CartLine
from payments.shop.services import cart as carts
from tests.catalog.factories import make_user

from .shop_factories import cart_with, own_variant, partner_listing, session_key, set_up_shop


@pytest.fixture
def shop(db, settings):
    return set_up_shop(settings)


pytestmark = pytest.mark.django_db


def test_adding_the_same_goods_twice_adds_to_the_quantity(shop):
    variant = own_variant(shop)
    key = session_key()

    carts.add_to_cart(session_key=key, sku=variant.sku, quantity=2)
    line = carts.add_to_cart(session_key=key, sku=variant.sku, quantity="3")

    assert line.quantity == 5
    assert CartLine.objects.filter(cart__session_key=key).count() == 1


def test_own_and_partner_goods_share_one_cart(shop):
    cart = cart_with((own_variant(shop), 1), (partner_listing(), 2))

    assert sorted(cart.lines.values_list("origin", "quantity")) == [("own", 1), ("partner", 2)]


def test_a_withdrawn_listing_is_refused_with_the_reason(shop):
    listing = partner_listing()
    listing.is_active = False
    listing.save(update_fields=["is_active"])

    with pytest.raises(DomainError) as refused:
        carts.add_to_cart(session_key=session_key(), listing_id=listing.pk, quantity=1)

    assert refused.value.code == "not_orderable"
    assert "withdrawn" in refused.value.detail
    assert not CartLine.objects.exists()


def test_a_listing_of_a_suspended_partner_is_refused_with_the_reason(shop):
    listing = partner_listing()
    Partnership.objects.filter(pk=listing.partnership_id).update(status=Partnership.Status.SUSPENDED)

    with pytest.raises(DomainError) as refused:
        carts.add_to_cart(session_key=session_key(), listing_id=listing.pk, quantity=1)

    assert refused.value.code == "not_orderable"
    assert "suspended" in refused.value.detail


@pytest.mark.parametrize("quantity", [0, -1, "two", "1.5", 1.5, True, 100, ""])
def test_a_quantity_must_be_a_whole_number_from_one(shop, quantity):
    variant = own_variant(shop)

    with pytest.raises(DomainError) as refused:
        carts.add_to_cart(session_key=session_key(), sku=variant.sku, quantity=quantity)

    assert (refused.value.code, refused.value.field) == ("invalid_quantity", "quantity")


def test_the_anonymous_cart_is_merged_into_the_shoppers_cart_on_login(shop, client):
    tea, cup = own_variant(shop), own_variant(shop)
    user = make_user()
    carts.add_to_cart(user=user, sku=tea.sku, quantity=1)
    client.post(reverse("payments:cart_add"), {"sku": tea.sku, "quantity": "2"})
    client.post(reverse("payments:cart_add"), {"sku": cup.sku, "quantity": "1"})

    client.force_login(user)
    page = client.get(reverse("payments:cart"))

    assert page.status_code == 200
    mine = Cart.objects.get(user=user, status=Cart.Status.OPEN)
    assert sorted(mine.lines.values_list("sku", "quantity")) == sorted([(tea.sku, 3), (cup.sku, 1)])
    assert Cart.objects.filter(status=Cart.Status.MERGED, merged_into=mine).count() == 1


def test_the_cart_page_lists_both_kinds_of_goods_in_a_fixed_number_of_queries(
    shop, client, django_assert_max_num_queries
):
    listings = [partner_listing() for _ in range(3)]
    variants = [own_variant(shop) for _ in range(3)]
    for item in [*listings, *variants]:
        data = {"listing": item.pk} if hasattr(item, "partnership_id") else {"sku": item.sku}
        client.post(reverse("payments:cart_add"), {**data, "quantity": "1"})

    with django_assert_max_num_queries(8):
        page = client.get(reverse("payments:cart"))

    assert page.status_code == 200
    assert page.content.decode().count('data-line="') == 6


def test_a_refused_addition_is_shown_on_the_cart_page(shop, client):
    listing = partner_listing()
    listing.is_active = False
    listing.save(update_fields=["is_active"])

    page = client.post(reverse("payments:cart_add"), {"listing": listing.pk, "quantity": "1"})

    assert page.status_code == 400
    assert "withdrawn" in page.content.decode()
