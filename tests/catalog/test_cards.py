"""The listing kit's card (catalog.cards), rendered without the template engine: every value a
merchant or partner writes is escaped, the badges and prices are those of the item, a price reads
as the shopper's language writes it however often it was formatted before, and a card's link is the
item's page."""

import uuid
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from djmoney.money import Money

from catalog.cards import cards_html
from catalog.selectors import ProductCard, reference_urls
from partner_zone.selectors import ZoneCard


def zone_card(**changes):
    values = {
        "url": "/zone/cn/p/1/",
        "title": "Tent",
        "title_language": "",
        "brand": "",
        "price": Money(Decimal("120.00"), "USD"),
        "list_price": None,
        "image": "",
        "reference": str(uuid.uuid4()),
        "ships_local": False,
        "partner_code": "cn",
    }
    return ZoneCard(**{**values, **changes})


def product_card(**changes):
    values = {
        "url": "/p/1/",
        "title": "Bottle",
        "title_language": "",
        "brand": "",
        "price": Money(Decimal("89.00"), "CNY"),
        "image": None,
        "reference": str(uuid.uuid4()),
        "price_varies": False,
        "in_stock": True,
    }
    return ProductCard(**{**values, **changes})


def test_what_a_partner_writes_is_escaped_in_its_card():
    html = cards_html(
        [zone_card(title='<script>alert("x")</script>', brand="B&O", image='https://img.example/a.jpg?"onerror=x')],
        zone_card=True,
    )

    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<span class="card-brand">B&amp;O</span>' in html
    assert 'src="https://img.example/a.jpg?&quot;onerror=x"' in html and 'referrerpolicy="no-referrer"' in html


def test_a_zone_card_shows_the_local_warehouse_the_campaign_and_the_struck_list_price():
    with translation.override("en"):
        html = cards_html(
            [zone_card(ships_local=True, list_price=Money(Decimal("150.00"), "USD"), title_language="zh-hans")],
            zone_card=True,
        )
        plain = cards_html([zone_card()], zone_card=True)

    assert '<li class="card zone-card"' in html and 'lang="zh-hans"' in html
    assert (
        '<span class="badge local">Local warehouse</span>' in html
        and '<span class="badge deal">Campaign</span>' in html
    )
    assert '<p class="card-price">$120.00 <s class="list-price">$150.00</s></p>' in html
    assert "badge" not in plain and 'class="placeholder"' in plain and '<p class="card-price">$120.00</p>' in plain


def test_a_product_card_says_sold_out_from_which_price_and_not_on_sale():
    image = SimpleNamespace(image=SimpleNamespace(url="/media/a.jpg"), alt_text="", width=640, height=480)
    with translation.override("en"):
        html = cards_html(
            [
                product_card(in_stock=False, price_varies=True, image=image, title="Bottle <2>"),
                product_card(price=None),
            ]
        )

    assert html.count('<li class="card"') == 2 and "zone-card" not in html
    assert '<span class="badge sold-out">Out of stock</span>' in html
    assert '<img src="/media/a.jpg" alt="Bottle &lt;2&gt;" loading="lazy" width="640" height="480">' in html
    assert '<p class="card-price">from CN¥89.00</p>' in html
    assert '<span class="unavailable">Not on sale</span>' in html


def test_a_price_reads_as_each_language_writes_it_even_after_it_was_formatted_in_another():
    price = Money(Decimal("89.00"), "CNY")
    card = product_card(price=price)
    shown = {}
    for language in [code for code, _name in settings.LANGUAGES] * 2:
        with translation.override(language):
            html = cards_html([card])
            expected = str(Money(Decimal("89.00"), "CNY")).replace(" ", "\xa0")
        shown.setdefault(language, html)
        assert f'<p class="card-price">{expected}</p>' in html
        assert shown[language] == html


def test_a_cards_link_is_the_items_page():
    reference = uuid.uuid4()

    assert reference_urls("catalog:product")(reference) == reverse("catalog:product", args=[reference])
    assert reference_urls("partner_zone:product", "cn")(reference) == reverse(
        "partner_zone:product", args=["cn", reference]
    )
