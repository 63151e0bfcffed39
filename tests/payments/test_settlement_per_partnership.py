"""Several partnerships on one platform: each closes its own period in its own settlement currency
(cn-us in USD, cn-jp in JPY, yen amounts whole), and neither's postings land in the other's batch."""

import datetime as dt
from decimal import Decimal

import pytest
from djmoney.money import Money

from crossborder.models import ExchangeRate
from payments.ledger.services import ledger, settlement
from tests.partner_zone.factories import make_partnership
from tests.payments.factories import cny, sell_partner_goods

pytestmark = pytest.mark.django_db

UTC = dt.UTC
CUTOFF = dt.datetime(2026, 11, 30, 23, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_accounts():
    ledger.forget_accounts()
    yield
    ledger.forget_accounts()


def at(moment):
    from unittest import mock

    return mock.patch("django.utils.timezone.now", return_value=moment)


def jpy(amount):
    return Money(Decimal(str(amount)), "JPY")


def test_each_partnership_settles_its_own_postings_in_its_own_currency_with_whole_yen():
    us = make_partnership("us", currency="USD", country="US")
    jp = make_partnership("jp", currency="JPY", country="JP", languages=("ja", "en"))
    ExchangeRate.objects.create(base="CNY", quote="JPY", rate=Decimal("21.37"), as_of=CUTOFF - dt.timedelta(days=1))
    with at(CUTOFF - dt.timedelta(hours=2)):
        sell_partner_goods(us, "order:cn:1:1", partner="90.00")  # we owe us 81.00 USD
        ledger.record_partner_goods_sale(
            reference="order:cn:2:1",
            partnership=jp,
            shopper_amount=cny("700.00"),
            taxes=cny("60.00"),
            partner_amount=jpy("9000"),
            commission_rate=Decimal("0.10"),
        )  # we owe jp 8,100 JPY
        ledger.record_partner_charge(reference="fee:jp:1", partnership=jp, amount=cny("70.00"), kind="logistics_fee")

    us_batch = settlement.close_period(partnership=us, period_end=CUTOFF, now=CUTOFF + dt.timedelta(hours=1))
    jp_batch = settlement.close_period(partnership=jp, period_end=CUTOFF, now=CUTOFF + dt.timedelta(hours=1))

    assert (us_batch.currency, us_batch.net_amount) == ("USD", Decimal("-81.00"))
    assert set(us_batch.lines.values_list("event_reference", flat=True)) == {"order:cn:1:1"}
    assert jp_batch.currency == "JPY"
    # 70 CNY at 21.37 is 1,495.9 JPY: converted once, to whole yen.
    assert jp_batch.currency_totals["CNY"]["converted"] == "1496"
    assert jp_batch.net_amount == Decimal("-8100") + Decimal("1496")
    assert jp_batch.net_amount == jp_batch.net_amount.to_integral_value()
    assert set(jp_batch.lines.values_list("event_reference", flat=True)) == {"order:cn:2:1", "fee:jp:1"}
