"""Property-based fuzz of the pages people type into: the shopper's cart, checkout, search and
order pages, and the merchant's product, variant and offer forms, posted through the test client
with hostile values (hostile.py) in some fields and sensible values in the rest. The class under
test: no input is a server error, and a refused one (the form shown again, 4xx, 404) changes no
row of any table."""

from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from tests.catalog.factories import make_merchant, make_product, make_user
from tests.payments.shop_factories import own_variant, partner_listing, set_up_shop

from . import hostile
from .support import changed, fixed, row_counts

pytestmark = pytest.mark.django_db

as_text = hostile.url_value.map(str)
DECIMALS = [
    "9" * 30,
    "9" * 12 + ".99",
    "1" + "0" * 13,
    "0.001",
    "1e999",
    "1E+30",
    "NaN",
    "Infinity",
    "-0",
    "١٢",
    "0x1F",
]
hostile_field = as_text | st.sampled_from(DECIMALS) | st.just("[" * 200)


def mutated(data, draw):
    """`data` with one to three fields given a hostile value."""
    names = draw(st.lists(st.sampled_from(sorted(data)), min_size=1, max_size=3, unique=True))
    return {**data, **{name: draw(hostile_field) for name in names}}


def assert_no_server_error_and_no_change_on_refusal(response, before, described, *, saved=(302,)):
    assert response.status_code < 500, described
    if response.status_code not in saved:
        difference = changed(before, row_counts())
        assert not difference, f"{described}: refused ({response.status_code}) but changed {difference}"


# --- the shopper -------------------------------------------------------------------------------


@pytest.fixture
def shop(settings):
    warehouse = set_up_shop(settings)
    return {"variant": own_variant(warehouse, stock=10_000), "listing": partner_listing()}


def test_shopper_forms_and_queries_never_fail_and_a_refusal_changes_nothing(shop):
    client = Client()
    variant, listing = shop["variant"], shop["listing"]
    client.post("/en/cart/add/", {"sku": variant.sku, "quantity": "1"})  # the shopper's session and cart
    line = variant.cartline_set.first() if hasattr(variant, "cartline_set") else None
    line_id = line.pk if line is not None else 1
    checkout = {
        "name": "Li Wei",
        "address": "88 Century Avenue",
        "country_area": "上海市",
        "city": "Shanghai",
        "postcode": "200120",
        "country": "CN",
        "email": "li.wei@example.com",
        "phone": "+86 138 0013 8000",
        "buyer_name": "",
        "buyer_id_number": "",
    }
    pages = {
        "cart_add": ("post", "/en/cart/add/", {"sku": variant.sku, "listing": str(listing.pk), "quantity": "1"}),
        "cart_line": ("post", f"/en/cart/lines/{line_id}/", {"quantity": "2"}),
        "checkout": ("post", "/en/checkout/", checkout),
        "search": ("get", "/en/search/", {"q": "bottle", "page": "1"}),
        "category": ("get", "/en/c/537/", {"brand": "Acme", "price_min": "1", "price_max": "9", "sort": "price"}),
        "zone_search": ("get", "/en/zone/us/search/", {"q": "bottle", "page": "1"}),
        "zone_category": ("get", "/en/zone/us/c/537/", {"sort": "price", "local": "1"}),
    }

    @fixed(120)
    @given(page=st.sampled_from(sorted(pages)), data=st.data())
    def run(page, data):
        method, path, fields = pages[page]
        values = mutated(fields, data.draw)
        before = row_counts()
        response = getattr(client, method)(path, values)
        saved = (302,) if method == "post" else (200,)
        assert_no_server_error_and_no_change_on_refusal(response, before, f"{method} {path} {values!r}", saved=saved)

    run()


def test_hostile_token_segments_are_a_404_that_changes_nothing(shop):
    client = Client()

    @fixed(40)
    @given(
        prefix=st.sampled_from(
            [
                "/en/orders/",
                "/en/pay/",
                "/api/shop/v1/orders/",
                "/en/pay/sandbox/card/",
                "/en/reviews/",
                "/en/reviews/write/",
                "/en/service/tickets/",
                "/en/service/provider/",
                "/en/service/orders/",
            ]
        ),
        token=hostile.url_text.filter(bool),
        suffix=st.sampled_from(["", "pay/", "status/", "return/"]),
    )
    def run(prefix, token, suffix):
        path = f"{prefix}{quote(token, safe='')}/{suffix}"
        before = row_counts()
        response = client.get(path)
        assert response.status_code == 404, path
        assert not changed(before, row_counts()), path

    run()


def test_the_review_forms_never_fail_and_a_refusal_changes_nothing(shop):
    """The review form of a delivered line and the review page's edit form (issue 15)."""
    from aftersales.reviews import services as reviews
    from tests.aftersales.review_factories import delivered, review_input

    client = Client()
    order, reviewed = delivered((shop["variant"], 1)), delivered((shop["variant"], 1))
    review = reviews.write_review(order_token=reviewed.token, line_number=1, data=review_input())
    fields = {"rating": "4", "title": "Sturdy", "text": "Bright light.", "author_name": "Wei", "language": "en"}
    pages = {"write": f"/en/reviews/write/{order.token}/1/", "edit": f"/en/reviews/{review.token}/"}

    @fixed(60)
    @given(page=st.sampled_from(sorted(pages)), data=st.data())
    def run(page, data):
        values = mutated(fields, data.draw)
        before = row_counts()
        response = client.post(pages[page], values)
        assert_no_server_error_and_no_change_on_refusal(response, before, f"{page} {values!r}")
        reviews.ProductReview.objects.filter(order_line__order=order).delete()  # the form again next time

    run()


# --- the merchant ------------------------------------------------------------------------------


@pytest.fixture
def merchant_client(remote):
    user = make_user()
    merchant = make_merchant(name="Panda Baby", users=[user])
    client = Client()
    client.force_login(user)
    product = make_product(merchant, price="99.00", stock=5)
    return client, product, remote.partnership


def product_form(code, variant_rows, *, initial_forms=0):
    data = {
        "code": code,
        "category": "537",
        "brand": "Acme",
        "hs_code": "392410",
        "country_of_origin": "CN",
        "weight_grams": "250",
        "length_mm": "100",
        "width_mm": "80",
        "height_mm": "60",
        "original_language": "en",
        "status": "active",
        "title_en": "Baby bottle",
        "description_en": "Glass",
        "title_zh-hans": "奶瓶",
        "description_zh-hans": "玻璃",
        "variants-TOTAL_FORMS": str(len(variant_rows)),
        "variants-INITIAL_FORMS": str(initial_forms),
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "100",
    }
    for index, row in enumerate(variant_rows):
        data.update({f"variants-{index}-{name}": value for name, value in row.items()})
    return data


def test_merchant_forms_never_fail_and_a_refusal_changes_nothing(merchant_client):
    client, product, partnership = merchant_client
    variant = product.variants.get()
    row = {"sku": "NEW-S", "size": "S", "colour": "blue", "price": "99.00", "stock": "5", "is_active": "on"}
    existing = {"sku": variant.sku, "size": "", "colour": "", "price": "99.00", "stock": "5", "is_active": "on"}
    prefix = f"offer-{partnership.pk}"
    forms = {
        "new": (
            lambda n: "/en/merchant/products/new/",
            lambda n: product_form(f"FUZZ-{n}", [{**row, "sku": f"F-{n}"}]),
        ),
        "edit": (
            lambda n: f"/en/merchant/products/{product.reference}/",
            lambda n: product_form(product.code, [existing], initial_forms=1),
        ),
        "offers": (
            lambda n: f"/en/merchant/products/{product.reference}/offers/",
            lambda n: {f"{prefix}-is_offered": "on", f"{prefix}-export_price": "80.00", f"{prefix}-direct_stock": "5"},
        ),
        "list": (lambda n: "/en/merchant/", lambda n: {"q": "bottle", "status": "active"}),
    }
    counter = iter(range(10**6))

    @fixed(120)
    @given(form=st.sampled_from(sorted(forms)), data=st.data())
    def run(form, data):
        n = next(counter)
        url, fields = forms[form][0](n), forms[form][1](n)
        values = mutated(fields, data.draw)
        before = row_counts()
        response = client.get(url, values) if form == "list" else client.post(url, values)
        saved = (200,) if form == "list" else (302,)
        assert_no_server_error_and_no_change_on_refusal(response, before, f"{form} {values!r}", saved=saved)

    run()


# --- local service providers and service tickets ---------------------------------------------


@pytest.mark.postgres
def test_service_pages_never_fail_and_a_refusal_changes_nothing(settings):
    """The provider's ticket page (each step), the shopper's ticket page (message, rating) and the
    shopper's request for a repair of a delivered order, with hostile values."""
    from aftersales.models import ServiceTicket
    from aftersales.service.services import links
    from tests.aftersales.service_factories import (
        checkout_with_installation,
        deliver,
        installable_variant,
        make_provider,
        place_and_pay,
        set_up_service,
    )

    warehouse = set_up_service(settings)
    make_provider()
    washer = installable_variant(warehouse, stock=100)
    order = deliver(place_and_pay(checkout_with_installation((washer, 1))))
    ticket = ServiceTicket.objects.get(order=order)
    client = Client()
    provider_page = f"/en/service/provider/{links.link_token(ticket.provider)}/tickets/{ticket.reference}/"
    forms = {
        "provider": (
            provider_page,
            {
                "action": "schedule",
                "scheduled_for": "2031-05-01T10:30",
                "note": "done",
                "reason": "no parts",
                "body": "hi",
            },
        ),
        "shopper": (
            f"/en/service/tickets/{ticket.token}/",
            {"action": "rate", "rating": "5", "comment": "ok", "body": "hi"},
        ),
        "request": (
            f"/en/service/orders/{order.token}/request/",
            {
                "skill": "repair",
                "line": "1",
                "problem": "It leaks.",
                "name": "Li Wei",
                "phone": "+86 138 0013 8000",
                "email": "li.wei@example.com",
                "address": "88 Century Avenue",
                "city": "Shanghai",
                "postcode": "200120",
            },
        ),  # fmt: skip
    }

    @fixed(90)
    @given(form=st.sampled_from(sorted(forms)), data=st.data())
    def run(form, data):
        path, fields = forms[form]
        values = mutated(fields, data.draw)
        before = row_counts()
        response = client.post(path, values)
        assert_no_server_error_and_no_change_on_refusal(response, before, f"{form} {values!r}")

    run()
