"""Sums of money stay exact Decimals on every database, and balances show in the currency's minor units."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.db.models import DecimalField, Sum

from payments.admin.ledger import AccountAdmin
from payments.ledger.amounts import MoneySum
from payments.ledger.services import ledger
from payments.models import Account
from tests.payments.factories import cny

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_accounts():
    ledger.forget_accounts()
    yield
    ledger.forget_accounts()


def post_ten_twenty_minus_thirty_cents():
    for n, cents in enumerate(("0.10", "0.20", "-0.30")):
        ledger.post(
            reference=f"sum-test:{n}",
            kind="test",
            entries=[ledger.Entry("psp_clearing", cny(cents)), ledger.Entry("sales_revenue", -cny(cents))],
        )


def test_an_account_balance_of_ten_plus_twenty_minus_thirty_cents_is_a_decimal_zero_shown_as_0_00(client):
    post_ten_twenty_minus_thirty_cents()
    admin = AccountAdmin(Account, None)
    clearing = admin.get_queryset(None).get(code="psp_clearing", currency="CNY")
    assert isinstance(clearing.balance_sum, Decimal) and clearing.balance_sum == 0
    assert isinstance(admin.balance(clearing), Decimal) and str(admin.balance(clearing)) == "0.00"

    client.force_login(get_user_model().objects.create_superuser("ops", "ops@example.com", "pw"))
    page = client.get("/admin/payments/account/").content.decode()
    cells = re.findall(r'<td class="field-balance">([^<]*)</td>', page)
    assert cells and set(cells) == {"0.00"}


def sqlite_result(aggregate, raw):
    """What Django hands back for `aggregate` when SQLite's SUM returns the float `raw`."""
    converters = SQLiteWrapper.ops_class(None).get_db_converters(aggregate) + aggregate.get_db_converters(connection)
    for convert in converters:
        raw = convert(raw, aggregate, connection)
    return raw


def test_on_sqlite_a_money_sum_loses_the_float_residue_a_plain_decimal_sum_keeps():
    residue = 0.1 + 0.2 - 0.3  # what SQLite's SUM over its float-stored decimals gives
    plain = Sum("amount", output_field=DecimalField(max_digits=20, decimal_places=4))
    assert sqlite_result(plain, residue) != 0  # the cause: 5.55E-17
    exact = sqlite_result(MoneySum("amount"), round(residue, 4))  # SQLite's ROUND(SUM(amount), 4)
    assert isinstance(exact, Decimal) and exact == 0 and str(exact) == "0.0000"
    assert sqlite_result(MoneySum("amount"), round(1234567.1 + 0.2, 4)) == Decimal("1234567.3000")
