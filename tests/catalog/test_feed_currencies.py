"""Export prices in any currency's decimals cross the catalog feed exactly, end to end: the exporter
sends JPY in whole yen, USD in cents, KWD and BHD in fils (3 decimals); the importer's mirror keeps
them as sent and prices them; an amount with more decimals than its currency has is refused by
name and changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from djmoney.money import Money

from catalog import feed as catalog_feed
from catalog import services
from catalog.models import ExportOffer
from crossborder.models import ExchangeRate
from partner_zone.models import PartnerListing
from partner_zone.services import sync
from tests.partner_zone.factories import feed_item, make_partnership
from tests.partners import body_json

from .factories import make_merchant, make_product

pytestmark = pytest.mark.django_db


def exported_item(api, remote, settings, currency, amount):
    """The feed item the exporter (a platform in `currency`) sends for an offer at `amount`."""
    settings.PLATFORM_CURRENCY = currency
    merchant = make_merchant()
    product = make_product(merchant, price="9")
    services.set_export_offer(
        merchant=merchant,
        product=product,
        partnership=remote.partnership,
        is_offered=True,
        export_price=Money(Decimal(amount), currency),
        direct_stock=3,
    )
    response = remote.send(api, remote.sign("GET", catalog_feed.FEED_PATH))
    assert response.status_code == 200, response.content
    (item,) = body_json(response)["items"]
    return item


def mirror(monkeypatch, partnership, items):
    """The importer's sync of these feed items, as one page."""

    def pages(partnership, *, updated_since=None, limit=None, cursor=None):
        yield catalog_feed.ReceivedPage(items=items, next_cursor=None, has_more=False, watermark=None)

    monkeypatch.setattr(catalog_feed, "iter_partner_feed", pages)
    return sync.sync_partnership(partnership)


@pytest.mark.parametrize(
    ("currency", "country", "amount", "sent"),
    [("KWD", "KW", "5.125", "5.125"), ("BHD", "BH", "12.5", "12.500"), ("JPY", "JP", "1200", "1200"),
     ("USD", "US", "20", "20.00")],
)  # fmt: skip
def test_an_export_price_crosses_the_feed_in_its_currencys_decimals_and_is_mirrored_exactly(
    api, remote, settings, monkeypatch, currency, country, amount, sent
):
    item = exported_item(api, remote, settings, currency, amount)

    assert item["export_price"] == {"amount": sent, "currency": currency}
    assert ExportOffer.objects.get().export_price == Money(Decimal(amount), currency)

    settings.PLATFORM_CURRENCY, settings.LANGUAGE_CODE = "CNY", "zh-hans"
    partnership = make_partnership(code=f"m{country.lower()}", currency=currency, country=country)
    ExchangeRate.objects.create(
        base=currency, quote="CNY", rate=Decimal("0.05"), as_of=timezone.now() - dt.timedelta(hours=1)
    )
    run = mirror(monkeypatch, partnership, [item])

    assert run.rejected == 0
    listing = PartnerListing.objects.get(reference=item["id"])
    assert listing.export_price == Money(Decimal(amount), currency)
    # read back in the currency's decimals, as it was sent (the column keeps 3 for all)
    assert str(listing.export_price.amount) == str(ExportOffer.objects.get().export_price.amount) == sent
    assert listing.price is not None and listing.price.currency.code == "CNY"


@pytest.mark.parametrize(("currency", "amount"), [("KWD", "5.1255"), ("JPY", "1200.5"), ("USD", "20.001")])
def test_a_mirrored_export_price_with_more_decimals_than_its_currency_is_rejected_by_name(
    monkeypatch, settings, currency, amount
):
    settings.LANGUAGE_CODE = "en"
    partnership = make_partnership(code="xx", currency=currency, country="US")
    item = feed_item(export_price={"amount": amount, "currency": currency})

    run = mirror(monkeypatch, partnership, [item])

    assert run.rejected == 1
    assert "decimals" in run.rejections[0]["reason"] and amount in run.rejections[0]["reason"]
    assert not PartnerListing.objects.exists()
