"""An order a partner forwards carries each line's export amount in its currency's decimals: fils of
a KWD exporter arrive whole, and an amount with more decimals than its currency is refused by name
(the payload serializer the message registry runs)."""

from decimal import Decimal

import pytest

from payments.handlers.orders import ExportAmountPayload


@pytest.mark.parametrize(
    ("amount", "currency", "kept"), [("5.125", "KWD", "5.125"), ("20.5", "USD", "20.50"), ("1200", "JPY", "1200")]
)
def test_a_forwarded_amount_is_kept_in_its_currencys_decimals(amount, currency, kept):
    payload = ExportAmountPayload(data={"amount": amount, "currency": currency})

    assert payload.is_valid(), payload.errors
    assert str(payload.validated_data["amount"]) == kept
    assert payload.validated_data["amount"] == Decimal(amount)


@pytest.mark.parametrize(("amount", "currency"), [("20.001", "USD"), ("1200.5", "JPY"), ("5.1255", "KWD")])
def test_a_forwarded_amount_with_more_decimals_than_its_currency_is_refused_by_name(amount, currency):
    payload = ExportAmountPayload(data={"amount": amount, "currency": currency})

    assert not payload.is_valid()
    assert "amount" in payload.errors
