"""What a shopper is told about a discounted order and where it goes: the campaign's discount is
its own line on the quote, the order page, the order e-mail and in the admin (ADR 0026), the
lines still add up to the total; the full address (province, city, district, postal code) shows
on the order page, the e-mail, the admin and the customs record; the checkout form refuses a bad
address naming the field, with the country's own labels."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from crossborder.models import Notification
from crossborder.notifications import render
from partner_zone.models import Campaign
from partner_zone.services import pricing
from payments.shop.forms import AddressForm
from payments.shop.services import checkout as checkouts

from .shop_factories import BUYER, cart_with, checkout_of, partner_listing, set_up_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(settings):
    return set_up_shop(settings)


def on_campaign(listing, percent=20):
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        partnership=listing.partnership,
        status=Campaign.Status.ACCEPTED,
        title="Black Friday",
        local_title="黑五特惠",
        starts_on=today,
        ends_on=today + dt.timedelta(days=3),
        suggested_discount_percent=Decimal(percent),
        discount_percent=Decimal(percent),
        partner_share_percent=Decimal("50"),
    )
    campaign.listings.add(listing)
    return pricing.price_listing(listing)


def test_the_quote_and_the_order_show_the_campaign_discount_as_its_own_line(shop, client, admin_client):
    listing = on_campaign(partner_listing(export_price="20.00"))
    off = (listing.list_price - listing.price) * 2
    checkout = checkout_of(cart_with((listing, 2)), **BUYER)
    [line] = checkout.lines.all()
    assert Decimal(line.taxes_detail["discount"]) == off.amount
    assert line.taxes_detail["discount_title"] == "黑五特惠" and line.taxes_detail["discount_percent"] == "20.00"
    order = checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))

    with translation.override("en"):
        order_page = client.get(reverse("payments:order", args=[order.token])).content.decode()
    assert "黑五特惠: 20% off" in order_page and f'data-discount="-{off.amount}"' in order_page
    # The goods are net of it: the order's parts still add up to its total.
    assert order.goods + order.taxes + order.shipping + order.extras == order.total

    note = Notification.objects.get(template="order_placed")
    _subject, text, _html = render(note)
    assert "黑五特惠" in text and str(off.amount) in text

    admin_page = admin_client.get(reverse("admin:payments_order_change", args=[order.pk])).content.decode()
    assert "黑五特惠" in admin_page and str(off.amount) in admin_page


def test_the_full_address_shows_on_the_order_page_the_email_and_the_customs_record(shop, client):
    listing = partner_listing(export_price="20.00")
    checkout = checkout_of(cart_with((listing, 1)), **BUYER)
    order = checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))

    assert order.recipient["country_area"] == "上海市" and order.recipient["city_area"] == "浦东新区"
    assert order.recipient["phone"] == "+8613800138000"  # E.164 for the carriers
    page = client.get(reverse("payments:order", args=[order.token])).content.decode()
    assert "200120" in page and "上海市" in page and "浦东新区" in page and "88 Century Avenue" in page
    _subject, text, _html = render(Notification.objects.get(template="order_placed"))
    assert "上海市" in text and "200120" in text and "88 Century Avenue" in text
    record = order.customs_declaration.order_record
    assert record["consignee_province"] == "上海市" and record["consignee_postcode"] == "200120"
    assert "浦东新区" in record["consignee_address"]


def form(country, **data):
    with translation.override("en"):
        bound = AddressForm(data, country=country)
        bound.is_valid()
        return bound


US_ADDRESS = {
    "name": "Ann Lee",
    "phone": "(512) 555-0100",
    "country_area": "TX",
    "city": "Austin",
    "address": "1 Main St",
    "postcode": "78701",
}
CN_ADDRESS = {
    "name": "李伟",
    "phone": "138 0013 8000",
    "country_area": "广东省",
    "city": "深圳",
    "city_area": "南山区",
    "address": "科技园路 1 号",
    "postcode": "518057",
}


def test_the_address_form_has_the_parts_and_labels_of_the_country():
    with translation.override("en"):
        us, cn = AddressForm(country="US"), AddressForm(country="CN")
    assert us.fields["country_area"].label == "State" and us.fields["postcode"].label == "ZIP code"
    assert "city_area" not in us.fields
    assert ("TX", "Texas") in us.fields["country_area"].choices
    assert cn.fields["country_area"].label == "Province" and cn.fields["city_area"].label == "District"
    assert cn.fields["postcode"].label == "Postal code"
    assert any(value == "广东省" for value, _label in cn.fields["country_area"].choices)


def test_a_good_address_is_cleaned_to_a_flat_dict():
    cleaned = form("CN", **CN_ADDRESS).cleaned_data
    assert cleaned == {
        "name": "李伟",
        "phone": "+8613800138000",
        "country": "CN",
        "country_area": "广东省",
        "city": "深圳",  # as the shopper wrote it: it names a city of the province
        "city_area": "南山区",
        "address": "科技园路 1 号",
        "postcode": "518057",
    }
    assert form("US", **US_ADDRESS).cleaned_data["phone"] == "+15125550100"


@pytest.mark.parametrize(
    ("country", "change", "field", "says"),
    [
        ("US", {"country_area": ""}, "country_area", "required"),
        ("US", {"postcode": "7870"}, "postcode", "ZIP code 7870 is not valid"),
        ("US", {"postcode": "94043"}, "postcode", "ZIP code 94043 is not in TX"),
        ("US", {"phone": "555"}, "phone", "not a phone number the courier can call"),
        ("CN", {"postcode": "51805"}, "postcode", "Postal code 51805 is not valid"),
        ("CN", {"city": "杭州"}, "city", "is not a city of 广东省"),
        ("CN", {"country_area": "Atlantis"}, "country_area", "valid choice"),
        ("CN", {"address": ""}, "address", "required"),
    ],
)
def test_a_bad_address_is_refused_naming_the_field(country, change, field, says):
    data = {**(US_ADDRESS if country == "US" else CN_ADDRESS), **change}
    bound = form(country, **data)
    assert not bound.is_valid()
    assert field in bound.errors
    assert says in " ".join(bound.errors[field])
