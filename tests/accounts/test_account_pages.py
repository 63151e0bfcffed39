"""My account: orders with status and tracking (each only for its owner), returns and tickets, saved
addresses that prefill checkout, reviews, clearing the history, the export of one's data, and deleting
the account (orders kept without the person; resident ID numbers never shown unmasked)."""

import json

import pytest
from django.contrib.auth import get_user_model

from accounts.models import SavedAddress
from aftersales.models import Message, ReturnRequest, Thread
from partner_zone.models import ShopperEvent
from payments.shop.models import Order
from payments.shop.services import cart as carts
from payments.shop.services import checkout as checkouts
from payments.shop.services import orders
from payments.shop.services.shoppers import ERASED_EMAIL
from tests.payments.shop_factories import BUYER, VALID_ID, cart_with, checkout_of, partner_listing, set_up_shop

from .factories import guest_order, shopper

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def warehouse(settings):
    return set_up_shop(settings)


def owned_order(warehouse, user, **extra):
    order = guest_order(warehouse, email=user.email, **extra)
    Order.objects.filter(pk=order.pk).update(user=user)
    order.refresh_from_db()
    return order


def partner_order(user):
    """An order of partner goods, declared to customs with the buyer's resident ID number."""
    checkout = checkout_of(cart_with((partner_listing(), 1)), email=user.email, **BUYER)
    order = checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))
    Order.objects.filter(pk=order.pk).update(user=user)
    return order


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_every_account_page_answers_in_both_languages(client, warehouse, prefix):
    user = shopper()
    order = owned_order(warehouse, user)
    client.force_login(user)
    for path in (
        "",
        "orders/",
        f"orders/{order.number}/",
        "returns/",
        "addresses/",
        "reviews/",
        "details/",
        "privacy/",
    ):
        response = client.get(f"{prefix}/account/{path}")
        assert response.status_code == 200, path
    page = client.get(f"{prefix}/account/orders/").content.decode()
    assert str(order.number) in page and 'data-status="awaiting_payment"' in page
    assert ("我的账户" if not prefix else "My account") in page


def test_signed_out_shoppers_are_sent_to_the_storefront_sign_in_not_the_admin(client):
    response = client.get("/en/account/orders/")
    assert response.status_code == 302 and response["Location"].startswith("/en/account/login/")


def test_someone_elses_order_is_not_found_and_shows_nothing_of_it(client, warehouse):
    owner, other = shopper("owner@example.com"), shopper("other@example.com")
    order = owned_order(warehouse, owner)
    client.force_login(other)
    by_number = client.get(f"/en/account/orders/{order.number}/")
    assert by_number.status_code == 404
    body = by_number.content.decode()
    assert "owner@example.com" not in body and str(order.total.amount) not in body
    assert client.get(f"/en/account/orders/{order.number + 1000}/").status_code == 404  # same as none
    assert client.get(f"/en/orders/{order.token}/").status_code == 404  # nor by its token
    assert client.post(f"/en/account/orders/{order.number}/save-address/").status_code == 404
    assert not SavedAddress.objects.exists()


def test_an_order_page_shows_status_and_offers_the_return_flow_once_delivered(client, warehouse):
    user = shopper()
    order = owned_order(warehouse, user)
    client.force_login(user)
    page = client.get(f"/en/account/orders/{order.number}/").content.decode()
    assert "awaiting payment" in page
    assert f"/returns/order/{order.token}/" not in page  # nothing delivered: no return offered
    assert f"/orders/{order.token}/" in page


def test_an_orders_address_is_saved_and_prefills_checkout(client, warehouse):
    user = shopper()
    order = owned_order(warehouse, user)
    client.force_login(user)
    response = client.post(f"/en/account/orders/{order.number}/save-address/")
    assert response.status_code == 302
    saved = SavedAddress.objects.get(user=user)
    assert saved.fields == order.recipient  # as the checkout cleaned it, whatever its fields
    client.post(f"/en/account/orders/{order.number}/save-address/")
    assert SavedAddress.objects.filter(user=user).count() == 1  # the same address kept once
    carts.add_to_cart(user=user, sku=order.lines.get().sku, quantity=1)
    response = client.post(f"/en/account/addresses/{saved.pk}/use/")
    assert response.status_code == 302 and response["Location"].endswith("/checkout/")
    form = client.get(response["Location"]).content.decode()
    assert 'value="Shanghai"' in form and "88 Century Avenue" in form


def test_someone_elses_saved_address_cannot_be_used_or_deleted(client, warehouse):
    owner, other = shopper("owner@example.com"), shopper("other@example.com")
    saved = SavedAddress.objects.create(
        user=owner, fields={"name": "A", "city": "Shanghai", "address_lines": ["1 Road"]}
    )
    client.force_login(other)
    assert client.post(f"/en/account/addresses/{saved.pk}/use/").status_code == 404
    assert client.post(f"/en/account/addresses/{saved.pk}/delete/").status_code == 404
    assert SavedAddress.objects.filter(pk=saved.pk).exists()


def test_clear_my_history_deletes_only_mine(client):
    user, other = shopper(), shopper("other@example.com")
    ShopperEvent.objects.create(kind="search", user=user, query="mine")
    ShopperEvent.objects.create(kind="search", user=other, query="theirs")
    client.force_login(user)
    response = client.post("/en/account/privacy/history/clear/")
    assert response.status_code == 302
    assert list(ShopperEvent.objects.values_list("query", flat=True)) == ["theirs"]


def test_the_export_holds_my_data_with_the_resident_id_masked(client, warehouse):
    user = shopper("exp@example.com", first_name="Li")
    order = partner_order(user)
    ShopperEvent.objects.create(kind="search", user=user, query="rice cooker")
    client.force_login(user)
    response = client.get("/en/account/privacy/export/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    raw = response.content.decode()
    assert VALID_ID not in raw  # never unmasked
    data = json.loads(raw)
    assert data["account"]["first_name"] == "Li"
    assert data["account"]["emails"][0]["email"] == "exp@example.com"
    (exported,) = data["orders"]
    assert exported["number"] == order.number and exported["buyer_id_number"].endswith(VALID_ID[-4:])
    assert exported["buyer_id_number"].startswith("*")
    assert data["browsing_history"][0]["query"] == "rice cooker"


def test_delete_my_account_needs_the_word_and_changes_nothing_without_it(client, warehouse):
    user = shopper()
    client.force_login(user)
    response = client.post("/en/account/privacy/delete/", {"confirmation": "yes"})
    assert response.status_code == 400 and "Type DELETE to confirm" in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


def test_delete_my_account_erases_the_person_and_keeps_the_orders(client, warehouse):
    user = shopper("gone@example.com")
    order = partner_order(user)
    SavedAddress.objects.create(user=user, fields={"city": "Shanghai", "address_lines": ["1 Road"]})
    ShopperEvent.objects.create(kind="search", user=user, query="mine")
    thread = Thread.objects.create(subject="return")
    Message.objects.create(thread=thread, author=Message.Author.SHOPPER, body="Call me on 13800138000")
    opened = ReturnRequest.objects.create(
        token="t" * 32, order=order, user=user, reason="no_reason", reason_text="Li Wei, room 5", thread=thread
    )
    client.force_login(user)
    response = client.post("/en/account/privacy/delete/", {"confirmation": "delete"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert not SavedAddress.objects.exists() and not ShopperEvent.objects.exists()
    order.refresh_from_db()
    assert order.user is None and order.email == ERASED_EMAIL
    assert order.buyer_id_number == "" and order.buyer_name == ""
    assert order.recipient == {"country": "CN"}
    assert order.total.amount > 0  # the accounts keep the amounts
    assert "_auth_user_id" not in client.session
    opened.refresh_from_db()
    assert opened.user is None and opened.reason_text == "" and opened.order_id == order.pk  # kept, without the person
    assert "13800138000" not in thread.messages.get().body


def test_details_change_the_name_and_refuse_a_name_too_long(client):
    user = shopper()
    client.force_login(user)
    response = client.post("/en/account/details/", {"first_name": "Mei", "last_name": "Lin", "language": "zh-hans"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.shopper_profile.language) == ("Mei", "Lin", "zh-hans")
    response = client.post("/en/account/details/", {"first_name": "x" * 151, "last_name": "", "language": "xx"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "At most 150 characters." in body and "Choose one of the languages offered." in body
    user.refresh_from_db()
    assert user.first_name == "Mei"


def test_a_delivered_order_offers_the_return_flow_and_its_return_is_listed_with_its_status(client, warehouse):
    user = shopper()
    order = owned_order(warehouse, user)
    orders.mark_paid(order=order, payment_reference=f"pay-{order.number}", amount=order.total)
    orders.change_order_status(order=order, status=Order.Status.SHIPPED)
    orders.change_order_status(order=order, status=Order.Status.DELIVERED)
    client.force_login(user)
    page = client.get(f"/en/account/orders/{order.number}/").content.decode()
    assert f'href="/en/returns/order/{order.token}/"' in page  # the after-sales return flow
    opened = ReturnRequest.objects.create(
        token="r" * 32, order=order, reason="no_reason", thread=Thread.objects.create(subject="return")
    )
    listed = client.get("/en/account/returns/").content.decode()
    assert f'href="/en/returns/{opened.token}/"' in listed and 'data-status="requested"' in listed
