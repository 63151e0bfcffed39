"""Saved addresses: chosen on the checkout page itself (a GET form, no JavaScript needed) or saved
from it with a checkbox, and added, changed and deleted in My account through the checkout's own
address form (its per-country fields and validation)."""

import pytest

from accounts.models import SavedAddress
from payments.shop.services import cart as carts
from tests.payments.shop_factories import own_variant, set_up_shop

from .factories import shopper

pytestmark = pytest.mark.django_db

HOME = {
    "name": "Li Wei",
    "phone": "+8613800138000",
    "country": "CN",
    "country_area": "上海市",
    "city": "Shanghai",
    "city_area": "",
    "address_lines": ["88 Century Avenue"],
    "postcode": "200120",
}
OFFICE = {**HOME, "name": "Wang Fang", "country_area": "浙江省", "city": "Hangzhou", "address_lines": ["1 Lake Road"]}
POSTED = {
    "label": "Home",
    "name": "Li Wei",
    "phone": "138 0013 8000",
    "country": "CN",
    "country_area": "上海市",
    "city": "Shanghai",
    "address": "88 Century Avenue\nFlat 1201",
    "postcode": "200120",
}


@pytest.fixture
def warehouse(settings):
    return set_up_shop(settings)


def _with_cart(user, warehouse):
    carts.add_to_cart(user=user, sku=own_variant(warehouse, stock=5).sku, quantity=1)


def test_checkout_offers_the_saved_addresses_and_the_chosen_one_fills_the_form_without_javascript(client, warehouse):
    user = shopper()
    home = SavedAddress.objects.create(user=user, fields=HOME, label="Home")
    office = SavedAddress.objects.create(user=user, fields=OFFICE, label="Office")
    _with_cart(user, warehouse)
    client.force_login(user)

    page = client.get("/en/checkout/").content.decode()
    assert 'name="address"' in page and f'value="{home.pk}"' in page and f'value="{office.pk}"' in page
    assert "Home: Li Wei" in page and "Office: Wang Fang" in page
    assert 'value="sam@example.com"' in page  # the account's e-mail address

    chosen = client.get(f"/en/checkout/?address={office.pk}").content.decode()
    assert 'value="Hangzhou"' in chosen and "1 Lake Road" in chosen and 'value="Shanghai"' not in chosen
    assert f'<option value="{office.pk}" selected>' in chosen


def test_another_shoppers_address_number_fills_nothing_at_checkout(client, warehouse):
    owner, other = shopper("owner@example.com"), shopper("other@example.com")
    theirs = SavedAddress.objects.create(user=owner, fields=OFFICE)
    _with_cart(other, warehouse)
    client.force_login(other)

    page = client.get(f"/en/checkout/?address={theirs.pk}").content.decode()

    assert "Hangzhou" not in page and "1 Lake Road" not in page and "Wang Fang" not in page


def test_a_guest_sees_neither_saved_addresses_nor_the_box_to_save_one(client, warehouse):
    client.post("/en/cart/add/", {"sku": own_variant(warehouse).sku, "quantity": "1"})

    page = client.get("/en/checkout/").content.decode()

    assert "Delivery address" in page and 'name="save_address"' not in page and "saved-address" not in page


def _checkout(client, **extra):
    return client.post(
        "/en/checkout/",
        {
            "name": "Li Wei",
            "country_area": "上海市",  # the province, where the checkout's form asks for it
            "address": "88 Century Avenue",
            "city": "Shanghai",
            "postcode": "200120",
            "country": "CN",
            "email": "sam@example.com",
            "phone": "+86 138 0013 8000",
            **extra,
        },
    )


def test_ticking_save_keeps_the_checkouts_address_on_the_account(client, warehouse):
    user = shopper()
    _with_cart(user, warehouse)
    client.force_login(user)

    response = _checkout(client, save_address="1")

    assert response.status_code == 302, response.content.decode()[-1500:]
    saved = SavedAddress.objects.get(user=user)
    assert saved.fields["city"] == "Shanghai" and saved.fields["address_lines"] == ["88 Century Avenue"]
    assert saved.fields["phone"]  # as the checkout cleaned it


def test_without_the_box_the_checkouts_address_is_not_saved(client, warehouse):
    user = shopper()
    _with_cart(user, warehouse)
    client.force_login(user)

    assert _checkout(client).status_code == 302
    assert not SavedAddress.objects.filter(user=user).exists()


def test_an_address_is_added_through_the_checkouts_address_form_with_its_country_fields(client):
    user = shopper()
    client.force_login(user)

    page = client.get("/en/account/addresses/new/").content.decode()
    assert 'name="country_area"' in page and "上海市" in page and 'name="postcode"' in page

    response = client.post("/en/account/addresses/new/", POSTED)

    assert response.status_code == 302 and response["Location"].endswith("/account/addresses/")
    saved = SavedAddress.objects.get(user=user)
    assert saved.label == "Home"
    assert saved.fields["country_area"] == "上海市" and saved.fields["phone"] == "+8613800138000"
    assert saved.fields["address_lines"] == ["88 Century Avenue", "Flat 1201"]


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("postcode", "2001", "Postal code 2001 is not valid"),
        ("country_area", "", "This field is required"),
        ("city", "", "This field is required"),
        ("label", "x" * 61, "At most 60 characters"),
    ],
)
def test_a_wrong_address_is_refused_by_the_checkouts_rules_and_nothing_is_saved(client, field, value, says):
    user = shopper()
    client.force_login(user)

    response = client.post("/en/account/addresses/new/", {**POSTED, field: value})

    assert response.status_code == 400 and says in response.content.decode()
    assert not SavedAddress.objects.filter(user=user).exists()


def test_an_address_is_changed_with_the_form_filled_from_it(client):
    user = shopper()
    saved = SavedAddress.objects.create(user=user, fields=HOME, label="Home")
    client.force_login(user)

    page = client.get(f"/en/account/addresses/{saved.pk}/edit/").content.decode()
    assert 'value="Shanghai"' in page and "88 Century Avenue" in page and 'value="Home"' in page
    assert '<option value="上海市" selected>' in page

    response = client.post(
        f"/en/account/addresses/{saved.pk}/edit/", {**POSTED, "label": "Office", "address": "1 Nanjing Road"}
    )

    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.label == "Office" and saved.fields["address_lines"] == ["1 Nanjing Road"]
    assert SavedAddress.objects.filter(user=user).count() == 1


def test_someone_elses_address_cannot_be_changed(client):
    owner, other = shopper("owner@example.com"), shopper("other@example.com")
    saved = SavedAddress.objects.create(user=owner, fields=HOME)
    client.force_login(other)

    assert client.get(f"/en/account/addresses/{saved.pk}/edit/").status_code == 404
    assert client.post(f"/en/account/addresses/{saved.pk}/edit/", POSTED).status_code == 404
    saved.refresh_from_db()
    assert saved.fields == HOME


def test_an_address_is_deleted_from_the_list(client):
    user = shopper()
    saved = SavedAddress.objects.create(user=user, fields=HOME)
    client.force_login(user)

    page = client.get("/en/account/addresses/").content.decode()
    assert f"/account/addresses/{saved.pk}/edit/" in page and f"/account/addresses/{saved.pk}/delete/" in page
    assert client.post(f"/en/account/addresses/{saved.pk}/delete/").status_code == 302
    assert not SavedAddress.objects.filter(user=user).exists()
