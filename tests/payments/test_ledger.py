"""The double-entry ledger: balanced, append-only (in the database too), posted once per event,
reversed rather than edited, and split without losing a cent."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from djmoney.money import Money
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossborder import money
from crossborder.errors import DomainError
from payments.ledger.amounts import MoneySum
from payments.ledger.services import ledger
from payments.models import Account, LedgerIsAppendOnly, LedgerTransaction, Posting
from tests.partner_zone.factories import make_partnership
from tests.payments.factories import cny, sell_partner_goods, usd

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_accounts():
    ledger.forget_accounts()
    yield
    ledger.forget_accounts()


def balances_per_transaction_and_currency():
    return list(
        Posting.objects.values("transaction_id", "currency").annotate(total=MoneySum("amount")).exclude(total=0)
    )


def test_a_partner_goods_sale_balances_in_each_currency_and_owes_the_partner_its_price_less_commission():
    partnership = make_partnership()
    posted = sell_partner_goods(partnership, "order:cn:1001:1")
    assert balances_per_transaction_and_currency() == []
    assert posted.postings.count() == 7
    owed = Posting.objects.filter(partnership=partnership).aggregate(total=MoneySum("amount"))["total"]
    assert owed == Decimal("-81.0000")  # 90 USD less 10% commission, owed to the partner
    assert {p.event_reference for p in posted.postings.all()} == {"order:cn:1001:1"}


def test_unbalanced_entries_are_refused_and_nothing_is_posted():
    with pytest.raises(DomainError) as refused:
        ledger.post(
            reference="bad",
            kind="test",
            entries=[ledger.Entry("psp_clearing", cny("10.00")), ledger.Entry("sales_revenue", cny("-9.99"))],
        )
    assert refused.value.code == "unbalanced" and "0.01 CNY" in refused.value.detail
    assert not LedgerTransaction.objects.exists()


def test_an_amount_with_more_decimals_than_its_currency_is_refused_naming_the_field():
    with pytest.raises(DomainError) as refused:
        ledger.record_payment_captured(reference="payment:1", amount=cny("10.001"))
    assert refused.value.code == "too_many_decimals" and refused.value.field == "amount"
    with pytest.raises(DomainError) as refused:
        ledger.record_payment_captured(reference="payment:1", amount=Money(Decimal("1.5"), "JPY"))
    assert refused.value.code == "too_many_decimals"
    assert not LedgerTransaction.objects.exists()


def test_an_unknown_currency_is_refused():
    with pytest.raises(DomainError) as refused:
        money.parse_amount(Decimal("1.00"), "XYZ")
    assert refused.value.code == "unknown_currency"


def test_posting_the_same_event_again_returns_the_first_transaction_and_posts_nothing_more():
    first = ledger.record_payment_captured(reference="payment:7:capture", amount=cny("99.00"))
    again = ledger.record_payment_captured(reference="payment:7:capture", amount=cny("99.00"))
    assert again.pk == first.pk
    assert Posting.objects.count() == 2


def test_posting_the_same_event_with_other_amounts_is_refused():
    ledger.record_payment_captured(reference="payment:7:capture", amount=cny("99.00"))
    with pytest.raises(DomainError) as refused:
        ledger.record_payment_captured(reference="payment:7:capture", amount=cny("98.00"))
    assert refused.value.code == "already_posted" and refused.value.status == 409
    assert Posting.objects.count() == 2


def test_a_correction_is_a_reversing_transaction_and_the_original_stays():
    original = ledger.record_payment_captured(reference="payment:8:capture", amount=cny("50.00"))
    reversal = ledger.reverse(original=original, reason="captured twice by mistake")
    assert reversal.reverses_id == original.pk and reversal.reference == "reversal:payment:8:capture"
    assert Posting.objects.filter(transaction=original).count() == 2
    for code in ("psp_clearing", "shopper_prepayments"):
        assert Posting.objects.filter(account__code=code).aggregate(t=MoneySum("amount"))["t"] == 0
    with pytest.raises(DomainError) as refused:
        ledger.reverse(original=original, reason="again")
    assert refused.value.code == "already_reversed"


def test_python_refuses_to_change_or_delete_ledger_rows():
    posted = ledger.record_payment_captured(reference="payment:9:capture", amount=cny("5.00"))
    posting = posted.postings.first()
    posting.amount = Decimal("6.00")
    with pytest.raises(LedgerIsAppendOnly):
        posting.save()
    with pytest.raises(LedgerIsAppendOnly):
        posting.delete()
    with pytest.raises(LedgerIsAppendOnly):
        Posting.objects.filter(pk=posting.pk).update(amount=Decimal("7.00"))
    with pytest.raises(LedgerIsAppendOnly):
        LedgerTransaction.objects.all().delete()


def test_the_database_refuses_to_update_a_posting_even_in_raw_sql():
    posted = ledger.record_payment_captured(reference="payment:10:capture", amount=cny("5.00"))
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE payments_posting SET amount = 6 WHERE transaction_id = %s", [posted.pk])
    assert sorted(posted.postings.values_list("amount", flat=True)) == [Decimal("-5.0000"), Decimal("5.0000")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row DELETE triggers are PostgreSQL's")
def test_postgresql_refuses_to_delete_ledger_rows_in_raw_sql():
    posted = ledger.record_payment_captured(reference="payment:11:capture", amount=cny("5.00"))
    for table in ("payments_posting", "payments_ledgertransaction"):
        column = "transaction_id" if table == "payments_posting" else "id"
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [posted.pk])  # noqa: S608
    assert posted.postings.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the deferred balance trigger is PostgreSQL's")
def test_postgresql_refuses_at_commit_a_transaction_inserted_around_the_service_that_does_not_balance():
    account = ledger.account("psp_clearing", "CNY")
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        posted = LedgerTransaction.objects.create(reference="raw", kind="test")
        Posting.objects.create(
            transaction=posted, account=account, amount=Decimal("1.00"), currency="CNY", kind="t", event_reference="raw"
        )
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert not LedgerTransaction.objects.filter(reference="raw").exists()


def test_partner_balance_needs_its_partnership_and_other_accounts_take_none():
    with pytest.raises(DomainError):
        ledger.account("partner_balance", "USD")
    with pytest.raises(DomainError):
        ledger.account("no_such_account", "USD")


def test_allocation_hands_the_remainder_cents_to_the_largest_remainders():
    parts = money.allocate(cny("100.00"), [1, 1, 1])
    assert parts == [cny("33.34"), cny("33.33"), cny("33.33")]
    assert money.allocate(Money(Decimal("-10.00"), "USD"), [Decimal("0.5"), Decimal("0.3"), Decimal("0.2")]) == [
        usd("-5.00"),
        usd("-3.00"),
        usd("-2.00"),
    ]


@given(
    total=st.decimals(min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=2),
    weights=st.lists(st.decimals(min_value=0, max_value=1000, places=3), min_size=1, max_size=12).filter(
        lambda ws: sum(ws) > 0
    ),
)
def test_allocated_parts_always_sum_to_the_whole_and_stay_within_a_cent_of_their_share(total, weights):
    parts = money.allocate(Money(total, "USD"), weights)
    assert sum(p.amount for p in parts) == total
    whole = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part.amount - total * weight / whole) < Decimal("0.01")


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    events=st.lists(
        st.tuples(st.sampled_from(["sale", "capture", "refund", "fee"]), amounts, amounts, amounts),
        min_size=1,
        max_size=8,
    )
)
def test_every_transaction_balances_and_each_balance_is_the_sum_of_its_postings(events):
    with transaction.atomic():
        partnership = make_partnership()
        for index, (kind, a, b, c) in enumerate(events):
            reference = f"hyp:{LedgerTransaction.objects.count()}:{index}"
            if kind == "sale":
                sell_partner_goods(partnership, reference, shopper=a + b, taxes=b, partner=c)
            elif kind == "capture":
                ledger.record_payment_captured(reference=reference, amount=cny(a))
            elif kind == "refund":
                ledger.record_refund(reference=reference, amount=cny(a))
            else:
                ledger.record_partner_charge(
                    reference=reference, partnership=partnership, amount=usd(a), kind="warehouse_fee"
                )
        assert balances_per_transaction_and_currency() == []
        for account in Account.objects.all():
            assert account.postings.aggregate(t=MoneySum("amount"))["t"] == sum(
                p.amount for p in Posting.objects.filter(account=account)
            )
        per_currency = Posting.objects.values("currency").annotate(total=MoneySum("amount"))
        assert all(row["total"] == 0 for row in per_currency)
        transaction.set_rollback(True)
    ledger.forget_accounts()
