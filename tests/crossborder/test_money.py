"""The core's money tools (crossborder.money, ADR 0011): minor units per currency, quantizing,
checking an amount from outside, largest-remainder allocation and the rate book; a currency without
decimals (JPY) and one with three (KWD) work everywhere money goes: the ledger, settlement and the
zone's landed price. The last test is the contract that nothing else defines money rounding."""

import ast
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib import admin
from djmoney.money import Money
from hypothesis import given
from hypothesis import strategies as st

from crossborder import money
from crossborder.models import ExchangeRate
from crossborder.money import MoneyError
from partner_zone import rules
from partner_zone.models import DutyRule, Festival, FestivalDate, RoundingRule
from partner_zone.services import pricing
from payments.ledger.services import ledger, settlement
from payments.models import Posting
from tests.partner_zone.factories import make_listing, make_partnership
from tests.source_rules import call_name, findings, parse

ROOT = Path(__file__).resolve().parents[2]
UTC = dt.UTC


def rate(base, quote, value, *, as_of=None):
    as_of = as_of or dt.datetime.now(UTC) - dt.timedelta(hours=1)
    return ExchangeRate.objects.create(base=base, quote=quote, rate=Decimal(value), as_of=as_of)


# --- minor units and quantizing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "digits"),
    [("JPY", 0), ("KRW", 0), ("USD", 2), ("CNY", 2), ("EUR", 2), ("KWD", 3), ("BHD", 3), ("jod", 3), ("OMR", 3)],
)
def test_minor_digits_follow_iso_4217(currency, digits):
    assert money.minor_digits(currency) == digits
    assert money.quantum(currency) == Decimal(1).scaleb(-digits)


def test_an_unknown_currency_is_refused_naming_the_currency():
    with pytest.raises(MoneyError) as refused:
        money.minor_digits("XXQ")
    assert (refused.value.code, refused.value.field) == ("unknown_currency", "currency")


def test_quantize_puts_an_amount_in_its_currencys_minor_units_half_up_by_default():
    assert money.quantize(Decimal("1500.5"), "JPY") == Decimal("1501")
    assert money.quantize(Decimal("2.0005"), "KWD") == Decimal("2.001")
    assert money.quantize(Decimal("2.005"), "CNY") == Decimal("2.01")
    assert money.quantize(Decimal("2.005"), "CNY", rounding=money.BANKERS) == Decimal("2.00")
    assert money.money("9.9999", "KWD") == Money(Decimal("10.000"), "KWD")


@given(
    value=st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=6),
    currency=st.sampled_from(["JPY", "USD", "KWD"]),
)
def test_quantize_is_within_half_a_minor_unit_and_idempotent(value, currency):
    rounded = money.quantize(value, currency)
    assert abs(rounded - value) <= money.quantum(currency) / 2
    assert money.has_minor_units_only(rounded, currency)
    assert money.quantize(rounded, currency) == rounded


# --- amounts from outside -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "currency", "code"),
    [
        ("1.5", "JPY", "too_many_decimals"),
        ("1.0005", "KWD", "too_many_decimals"),
        ("10.001", "CNY", "too_many_decimals"),
        ("NaN", "USD", "invalid_amount"),
        ("Infinity", "USD", "invalid_amount"),
        ("ten", "USD", "invalid_amount"),
        (None, "USD", "invalid_amount"),
        ("1e16", "USD", "invalid_amount"),  # beyond the money columns (20 digits, 4 decimals)
        ("1e40", "JPY", "invalid_amount"),
    ],
)
def test_a_bad_amount_is_refused_with_a_code_naming_the_field(value, currency, code):
    with pytest.raises(MoneyError) as refused:
        money.parse_amount(value, currency, field="lines[0].amount")
    assert (refused.value.code, refused.value.field) == (code, "lines[0].amount")


def test_a_good_amount_comes_back_in_the_currencys_minor_units():
    assert money.parse_amount("1500", "JPY") == Decimal("1500")
    assert money.parse_amount("12.345", "KWD") == Decimal("12.345")
    assert money.parse_amount(Decimal("-7.5"), "USD") == Decimal("-7.50")
    assert str(money.parse_amount("3", "KWD")) == "3.000"


def test_a_positive_amount_is_required_where_asked():
    with pytest.raises(MoneyError) as refused:
        money.parse_amount("0", "JPY", positive=True)
    assert refused.value.code == "invalid_amount"
    assert money.parse_amount("1", "JPY", positive=True) == Decimal("1")


# --- allocation -----------------------------------------------------------------------------------


def test_allocation_in_yen_and_in_dinars_hands_the_remainder_to_the_largest_remainders():
    assert money.allocate(Money(Decimal("100"), "JPY"), [1, 1, 1]) == [
        Money(Decimal("34"), "JPY"),
        Money(Decimal("33"), "JPY"),
        Money(Decimal("33"), "JPY"),
    ]
    assert money.allocate(Decimal("1.000"), [1, 1, 1], "KWD") == [Decimal("0.334"), Decimal("0.333"), Decimal("0.333")]
    with pytest.raises(MoneyError):
        money.allocate(Decimal("1.5"), [1, 1], "JPY")


@given(
    currency=st.sampled_from(["JPY", "USD", "KWD"]),
    units=st.integers(min_value=-(10**12), max_value=10**12),
    weights=st.lists(st.decimals(min_value=0, max_value=1000, places=3), min_size=1, max_size=12).filter(
        lambda ws: sum(ws) > 0
    ),
)
def test_allocated_parts_sum_to_the_whole_each_within_one_minor_unit_of_its_share(currency, units, weights):
    whole = Decimal(units).scaleb(-money.minor_digits(currency))
    parts = money.allocate(whole, weights, currency)
    assert sum(parts) == whole
    for part, weight in zip(parts, weights, strict=True):
        assert money.has_minor_units_only(part, currency)
        assert abs(part - whole * weight / sum(weights)) < money.quantum(currency)


# --- the rate book --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_conversion_into_yen_and_into_dinars_ends_in_their_minor_units():
    rate("USD", "JPY", "150.25")
    rate("USD", "KWD", "0.3071")
    assert money.convert(Money(Decimal("10.01"), "USD"), "USD", "JPY") == Money(Decimal("1504"), "JPY")
    assert money.convert(Decimal("10.00"), "USD", "KWD") == Decimal("3.071")
    assert money.convert(Decimal("1504"), "JPY", "USD") == Decimal("10.01")  # inverted


@pytest.mark.django_db
def test_a_rate_is_the_newest_at_the_moment_and_a_missing_pair_is_refused_naming_it():
    now = dt.datetime.now(UTC)
    rate("EUR", "JPY", "160", as_of=now - dt.timedelta(days=2))
    rate("EUR", "JPY", "165", as_of=now - dt.timedelta(hours=1))
    rate("EUR", "KWD", "0.33", as_of=now - dt.timedelta(days=2))
    assert money.latest_rate("EUR", "JPY", at=now - dt.timedelta(days=1)) == Decimal("160")
    assert money.latest_rate("JPY", "KWD") == Decimal("0.00200000")  # 1/165 x 0.33, through EUR
    with pytest.raises(MoneyError) as refused:
        money.latest_rate("JPY", "BHD")
    assert refused.value.code == "no_exchange_rate" and "JPY to BHD" in str(refused.value.detail)


def test_the_rate_book_is_the_cores_model_on_its_old_table_and_ops_still_edit_it_in_the_admin():
    assert ExchangeRate._meta.app_label == "crossborder"
    assert ExchangeRate._meta.db_table == "partner_zone_exchangerate"
    assert admin.site.is_registered(ExchangeRate)


# --- everywhere money goes ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("currency", "amount"), [("JPY", "1500"), ("KWD", "12.345")])
def test_a_ledger_transaction_in_yen_or_dinars_balances_in_its_minor_units(currency, amount):
    ledger.forget_accounts()
    posted = ledger.record_payment_captured(reference=f"payment:{currency}", amount=Money(Decimal(amount), currency))
    postings = list(Posting.objects.filter(transaction=posted))
    assert sorted(p.amount for p in postings) == [-Decimal(amount), Decimal(amount)]
    assert all(p.currency == currency for p in postings)
    with pytest.raises(MoneyError) as refused:
        ledger.record_payment_captured(
            reference=f"payment:{currency}:2", amount=Money(Decimal(amount) + money.quantum(currency) / 10, currency)
        )
    assert refused.value.code == "too_many_decimals"
    ledger.forget_accounts()


@pytest.mark.django_db
def test_a_settlement_line_in_yuan_is_converted_into_whole_yen():
    ledger.forget_accounts()
    cutoff = dt.datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    partnership = make_partnership("jp", currency="JPY", country="JP", settlement_cutoff=dt.time(23, 0))
    rate("CNY", "JPY", "21.37", as_of=cutoff - dt.timedelta(days=1))
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=cutoff - dt.timedelta(hours=2)):
        ledger.record_partner_charge(
            reference="fee:jp:1", partnership=partnership, amount=Money(Decimal("70.00"), "CNY"), kind="logistics_fee"
        )
    batch = settlement.close_period(partnership=partnership, period_end=cutoff, now=cutoff + dt.timedelta(hours=2))
    assert batch.currency == "JPY"
    assert batch.currency_totals["CNY"]["converted"] == "1496"  # 70 x 21.37 = 1495.9
    assert batch.net_amount == Decimal("1496")
    ledger.forget_accounts()


@pytest.fixture
def cn_rules(db, settings):
    settings.PLATFORM_COUNTRY, settings.PLATFORM_CURRENCY = "CN", "CNY"
    rules.load(DutyRule=DutyRule, RoundingRule=RoundingRule, Festival=Festival, FestivalDate=FestivalDate)


def test_a_yen_partnerships_listing_gets_a_landed_price(cn_rules):
    partnership = make_partnership(
        "jp", currency="JPY", country="JP", fee_schedule={"fx_margin": "0.02", "zone_fee_per_item": "5"}
    )
    rate("JPY", "CNY", "0.048")
    listing = make_listing(partnership, export_price=Money(Decimal("2000"), "JPY"))
    pricing.price_listing(listing)
    listing.refresh_from_db()
    assert listing.pricing_problem == ""
    assert listing.price_breakdown["goods"] == "97.92"  # 2000 x 0.048 x 1.02
    assert listing.price.currency.code == "CNY" and listing.price.amount >= Decimal("97.92")


def test_a_zone_priced_in_yen_shows_whole_yen(cn_rules, settings):
    settings.PLATFORM_CURRENCY = "JPY"
    partnership = make_partnership("us", fee_schedule={"fx_margin": "0.02", "zone_fee_per_item": "5"})
    rate("USD", "JPY", "150.37")
    rate("CNY", "JPY", "21.37")
    listing = make_listing(partnership, export_price=Money(Decimal("20.00"), "USD"))
    pricing.price_listing(listing)
    listing.refresh_from_db()
    assert listing.pricing_problem == ""
    breakdown = listing.price_breakdown
    assert breakdown["currency"] == "JPY"
    assert breakdown["goods"] == "3068"  # 20 x 150.37 x 1.02 = 3067.548
    assert all("." not in breakdown[k] for k in ("goods", "shipping", "fees", "vat", "list_price", "price"))
    assert listing.price == Money(Decimal(breakdown["price"]), "JPY")


# --- the contract ---------------------------------------------------------------------------------

MONEY_MODULE = "crossborder/money.py"
MINOR_UNIT = re.compile(r"^[+]?0*\.0*1$")  # "0.01", ".001", "0.0001": a quantum spelled out


def _is_quantum(node):
    """Decimal("0.01"), Decimal(1), Decimal("1e-2"), Decimal(1).scaleb(-2): an exponent to round to."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "scaleb":
        return _is_quantum(node.func.value) or call_name(node.func.value) == "Decimal"
    if call_name(node) != "Decimal" or len(node.args) != 1 or not isinstance(node.args[0], ast.Constant):
        return False
    value = str(node.args[0].value).strip()
    return value in {"1", "1.", "1.0"} or bool(MINOR_UNIT.match(value)) or value.lower().startswith("1e-")


def money_rounding(tree):
    """(node, what) for each rounding that belongs in crossborder.money: a rounding mode named
    (ROUND_*, imported or used), a Decimal quantized to a spelled-out exponent, a minor-unit
    constant defined (CENT = Decimal("0.01"))."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name.startswith("ROUND_"):
                    yield node, f"imports {alias.name}"
        elif isinstance(node, ast.Name) and node.id.startswith("ROUND_"):
            yield node, f"uses {node.id}"
        elif isinstance(node, ast.Attribute) and node.attr.startswith("ROUND_"):
            yield node, f"uses {node.attr}"
        elif call_name(node) in {"quantize", "scaleb"} and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            if not (isinstance(receiver, ast.Name) and receiver.id == "money") and any(map(_is_quantum, node.args)):
                yield node, f"{node.func.attr} to a literal exponent"
        elif isinstance(node, ast.Assign) and _is_quantum(node.value):
            yield node, "defines a minor-unit constant"


def test_nothing_outside_the_money_module_defines_money_rounding():
    found = findings(money_rounding, exempt={MONEY_MODULE})
    assert found == [], "round money through crossborder.money:\n" + "\n".join(map(str, found))


def test_the_rounding_check_sees_what_it_forbids_and_names_its_line():
    for rounding in [
        "from decimal import ROUND_HALF_UP",
        "amount.quantize(Decimal('0.01'), rounding=decimal.ROUND_DOWN)",
        'price.quantize(Decimal("0.01"))',
        "value.quantize(Decimal(1))",
        "value.quantize(Decimal(1).scaleb(-2))",
        'CENT = Decimal("0.01")',
        'MILL = Decimal(".001")',
    ]:
        assert list(money_rounding(parse(rounding))), rounding
    for fine in [
        "money.quantize(amount, currency)",
        "money.round_to(value, 2)",
        'Decimal("0.02")',
        'limit = Decimal("1e12")',
        "value.quantize(money.quantum(currency))",
    ]:
        assert list(money_rounding(parse(fine))) == [], fine
    (node, _what), *_rest = money_rounding(parse("x = 1\ny = v.quantize(Decimal('0.01'))\n"))
    assert node.lineno == 2
    assert list(money_rounding(parse((ROOT / MONEY_MODULE).read_text())))


@pytest.mark.parametrize(
    ("amount", "currency", "units"),
    [("1200", "JPY", 1200), ("12.34", "USD", 1234), ("5.125", "KWD", 5125), ("0.5", "BHD", 500)],
)
def test_an_amount_goes_to_whole_minor_units_and_back_exactly(amount, currency, units):
    assert money.to_minor_units(Decimal(amount), currency) == units
    assert money.from_minor_units(units, currency) == Decimal(amount)
    assert money.from_minor_units(units, currency).as_tuple().exponent == -money.minor_digits(currency)


@pytest.mark.parametrize(("amount", "currency"), [("12.5", "JPY"), ("1.005", "USD"), ("5.1255", "KWD")])
def test_an_amount_with_more_decimals_than_its_minor_units_is_refused_not_rounded(amount, currency):
    with pytest.raises(money.MoneyError) as refused:
        money.to_minor_units(Decimal(amount), currency)
    assert refused.value.code == "too_many_decimals"
