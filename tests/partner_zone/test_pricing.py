"""The landed price of partner listings: exchange rates (direct, inverse, through EUR; the ECB file),
China's and the United States' duties and import taxes, the markets' rounding, and the price of a
listing end to end."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from djmoney.money import Money

from crossborder.models import ExchangeRate
from partner_zone import rules
from partner_zone.errors import PartnerZoneErrorCode
from partner_zone.models import DutyRule, Festival, FestivalDate, PartnerListing, RoundingRule
from partner_zone.services import PartnerZoneError, pricing, sync
from partner_zone.tasks import reprice_all
from tests.partners import table_counts

from .factories import feed_item, make_listing, make_partnership

ECB_FILE = Path(__file__).parent / "data" / "eurofxref-daily.xml"
FEES = {
    "fx_margin": "0.02",
    "duties_included": "1",
    "zone_fee_per_item": "5",
    "shipping_local_per_item": "8",
    "shipping_direct_per_item": "30",
}


@pytest.fixture(autouse=True)
def shipped_rules(db, settings):
    """The rules migration 0003 loads (loading again is a no-op), on the cn platform."""
    settings.PLATFORM_COUNTRY, settings.PLATFORM_CURRENCY = "CN", "CNY"
    rules.load(DutyRule=DutyRule, RoundingRule=RoundingRule, Festival=Festival, FestivalDate=FestivalDate)


def rate(base, quote, value, *, hours_ago=1, source=ExchangeRate.Source.MANUAL):
    return ExchangeRate.objects.create(
        base=base, quote=quote, rate=Decimal(value), source=source, as_of=timezone.now() - dt.timedelta(hours=hours_ago)
    )


def cny(amount):
    return Money(Decimal(amount), "CNY")


def usd(amount):
    return Money(Decimal(amount), "USD")


# --- exchange rates -------------------------------------------------------------------------------


def test_a_direct_rate_is_used_as_entered_and_its_inverse_for_the_other_direction():
    rate("USD", "CNY", "7.2")

    assert pricing.latest_rate("USD", "CNY") == Decimal("7.20000000")
    assert pricing.latest_rate("CNY", "USD") == Decimal("0.13888889")
    assert pricing.latest_rate("CNY", "CNY") == Decimal(1)


def test_a_pair_without_its_own_rate_is_crossed_through_eur():
    rate("EUR", "USD", "1.0850")
    rate("EUR", "CNY", "7.8600")

    assert pricing.latest_rate("USD", "CNY") == Decimal("7.24423963")
    assert pricing.latest_rate("CNY", "USD") == Decimal("0.13804071")


def test_the_newest_rate_at_or_before_the_moment_is_used():
    rate("USD", "CNY", "7.10", hours_ago=48)
    rate("USD", "CNY", "7.20", hours_ago=2)

    assert pricing.latest_rate("USD", "CNY") == Decimal("7.2")
    assert pricing.latest_rate("USD", "CNY", at=timezone.now() - dt.timedelta(hours=24)) == Decimal("7.1")


def test_a_missing_rate_is_refused_naming_the_pair():
    rate("EUR", "USD", "1.0850")

    with pytest.raises(PartnerZoneError) as refused:
        pricing.latest_rate("USD", "CNY")

    assert refused.value.code == PartnerZoneErrorCode.NO_EXCHANGE_RATE
    assert "USD to CNY" in str(refused.value.detail)


def test_the_ecb_daily_file_is_stored_as_euro_rates_once_and_crosses_to_our_pairs():
    count = pricing.import_ecb_rates(ECB_FILE.read_bytes())
    pricing.import_ecb_rates(ECB_FILE.read_bytes())

    assert count == 29
    assert ExchangeRate.objects.filter(source=ExchangeRate.Source.ECB).count() == 29
    usd_rate = ExchangeRate.objects.get(base="EUR", quote="USD")
    assert usd_rate.rate == Decimal("1.0850")
    assert timezone.localtime(usd_rate.as_of, dt.UTC) == dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)  # 16:00 CET
    assert pricing.latest_rate("USD", "CNY") == Decimal("7.24423963")


def test_the_import_command_reads_the_file_and_reports_the_count(capsys):
    call_command("import_ecb_rates", str(ECB_FILE))

    assert "29 ECB rates imported" in capsys.readouterr().out
    assert ExchangeRate.objects.get(base="EUR", quote="CNY").rate == Decimal("7.86")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"<gesmes:Envelope xmlns:gesmes='http://www.gesmes.org/xml/2002-08-01'><Cube>", "not well-formed XML"),
        (b"<rates><Cube time='2026-11-24'/></rates>", "not a gesmes:Envelope"),
        (ECB_FILE.read_bytes().replace(b"'1.0850'", b"'1,0850'"), "USD rate '1,0850'"),
        (ECB_FILE.read_bytes().replace(b"2026-11-24", b"24.11.2026"), "'24.11.2026' is not YYYY-MM-DD"),
        (b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "DTD"),
    ],
)
def test_a_malformed_rate_file_is_refused_with_the_reason_and_stores_nothing(content, reason):
    before = table_counts()

    with pytest.raises(PartnerZoneError) as refused:
        pricing.import_ecb_rates(content)

    assert refused.value.code == PartnerZoneErrorCode.RATE_FILE_INVALID
    assert reason in str(refused.value.detail)
    assert table_counts() == before


def test_the_import_command_fails_with_the_reason_on_a_malformed_file(tmp_path):
    bad = tmp_path / "rates.xml"
    bad.write_bytes(b"<not-xml")

    with pytest.raises(CommandError, match="not well-formed XML"):
        call_command("import_ecb_rates", str(bad))


# --- rounding -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("0.01", "0.90"),  # never rounds to zero or below: the next charm price up
        ("23.40", "23.90"),  # a tie goes up
        ("23.90", "23.90"),
        ("23.91", "23.90"),
        ("99.95", "99.90"),
        ("100.00", "99.90"),
        ("197.98", "197.90"),
        ("999.95", "999.90"),
        ("1000.00", "999.00"),
        ("1017.81", "1019.00"),
        ("1012.20", "1009.00"),
        ("1099.00", "1099.00"),
        ("1099.01", "1099.00"),
    ],
)
def test_yuan_prices_round_to_the_nearest_price_ending_in_9(amount, shown):
    assert pricing.round_price(cny(amount)) == cny(shown)


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("0.50", "0.99"),
        ("23.40", "22.99"),
        ("23.60", "23.99"),
        ("23.99", "23.99"),
        ("99.99", "99.99"),
        ("100.00", "99.99"),
        ("121.00", "119.99"),
        ("123.40", "124.99"),
    ],
)
def test_dollar_prices_round_to_the_nearest_99_cents_and_above_100_to_4_99_or_9_99(amount, shown):
    assert pricing.round_price(usd(amount)) == usd(shown)


def test_a_yuan_1099_item_is_never_rounded_by_tens_of_yuan():
    """The shopper's report: a "price rounding" of 82.19 yuan on a 1,099 yuan item."""
    computed = cny("1016.81")
    shown = pricing.round_price(computed)
    assert shown == cny("1019.00")
    assert abs(shown.amount - computed.amount) <= Decimal("5")


def test_a_currency_without_a_rule_rounds_to_the_cent_half_up():
    assert pricing.round_price(Money(Decimal("10.005"), "EUR")) == Money(Decimal("10.01"), "EUR")
    assert pricing.round_price(Money(Decimal("10.004"), "EUR")) == Money(Decimal("10.00"), "EUR")


# --- duties and import taxes ----------------------------------------------------------------------


def test_china_cbec_under_the_limits_charges_no_tariff_and_70_percent_of_vat():
    taxes = pricing.duties_and_taxes(country="CN", hs_code="392410", customs_value=cny("200"))

    assert taxes["regime"] == "cn_cbec"
    assert taxes["duty"] == cny("0")
    assert taxes["vat"] == cny("18.20")  # 200 x 13 % x 70 %
    assert taxes["consumption_tax"] == cny("0")
    assert taxes["total"] == cny("18.20")


def test_china_cbec_cosmetics_pay_consumption_tax_on_the_composite_value():
    taxes = pricing.duties_and_taxes(country="CN", hs_code="330499", customs_value=cny("300"))

    # consumption tax = 300 / (1 - 15 %) x 15 % = 52.941176..., x 70 % = 37.06
    # VAT = (300 + 52.941176...) x 13 % = 45.882352..., x 70 % = 32.12
    assert taxes["consumption_tax"] == cny("37.06")
    assert taxes["vat"] == cny("32.12")
    assert taxes["duty"] == cny("0")
    # the same as value x (vat + ct) / (1 - ct) x 70 % = 300 x 0.28 / 0.85 x 0.7 = 69.176...
    assert taxes["total"] == cny("69.18")


def test_china_above_the_per_transaction_limit_pays_general_trade_duty_and_full_taxes():
    taxes = pricing.duties_and_taxes(country="CN", hs_code="392410", customs_value=cny("6000"))

    assert taxes["regime"] == "general"
    assert taxes["duty"] == cny("360.00")  # 6 % MFN
    assert taxes["vat"] == cny("826.80")  # (6000 + 360) x 13 %
    assert taxes["total"] == cny("1186.80")


def test_china_general_trade_cosmetics_pay_duty_then_consumption_tax_then_vat():
    taxes = pricing.duties_and_taxes(country="CN", hs_code="330499", customs_value=cny("6000"))

    assert taxes["duty"] == cny("180.00")  # 3 %
    assert taxes["consumption_tax"] == cny("1090.59")  # 6180 / 0.85 x 0.15
    assert taxes["vat"] == cny("945.18")  # (6180 + 1090.588...) x 13 %
    assert taxes["total"] == cny("2215.77")


def test_china_above_the_shoppers_annual_limit_pays_general_trade():
    within = pricing.duties_and_taxes(
        country="CN", hs_code="392410", customs_value=cny("200"), shopper_annual_total=cny("25000")
    )
    above = pricing.duties_and_taxes(
        country="CN", hs_code="392410", customs_value=cny("200"), shopper_annual_total=cny("25900")
    )

    assert within["regime"] == "cn_cbec"
    assert above["regime"] == "general"
    assert above["total"] == cny("39.56")  # duty 12 + VAT 212 x 13 % = 27.56


@pytest.mark.parametrize(
    ("hs_code", "duty"),
    [("392410", "5.30"), ("640399", "10.00"), ("610910", "16.00"), ("330499", "0.00"), ("950300", "4.00")],
)
def test_united_states_duty_follows_the_hs_chapter(hs_code, duty):
    taxes = pricing.duties_and_taxes(country="US", hs_code=hs_code, customs_value=usd("100"))

    assert taxes["regime"] == "us"
    assert taxes["duty"] == usd(duty)
    assert taxes["vat"] == usd("0")
    assert taxes["total"] == usd(duty)


def test_united_states_de_minimis_is_off_as_shipped_and_ops_can_switch_it_on():
    assert pricing.duties_and_taxes(country="US", hs_code="392410", customs_value=usd("100"))["duty"] == usd("5.30")

    DutyRule.objects.filter(country="US", hs_prefix="").update(de_minimis_applies=True)

    below = pricing.duties_and_taxes(country="US", hs_code="392410", customs_value=usd("100"))
    above = pricing.duties_and_taxes(country="US", hs_code="392410", customs_value=usd("900"))
    assert below["total"] == usd("0")
    assert "de minimis" in str(below["explanation"])
    assert above["duty"] == usd("47.70")


def test_a_country_without_duty_rules_is_refused():
    with pytest.raises(PartnerZoneError) as refused:
        pricing.duties_and_taxes(country="KR", hs_code="392410", customs_value=Money(100, "KRW"))

    assert refused.value.code == PartnerZoneErrorCode.NO_DUTY_RULE


def jpy(amount):
    return Money(Decimal(str(amount)), "JPY")


def test_japan_charges_duty_then_10_percent_consumption_tax_above_the_small_value_exemption():
    above = pricing.duties_and_taxes(country="JP", hs_code="640399", customs_value=jpy("20000"))
    below = pricing.duties_and_taxes(country="JP", hs_code="640399", customs_value=jpy("9000"))

    assert above["regime"] == "general"
    assert (above["duty"], above["vat"]) == (jpy("6000"), jpy("2600"))  # 30 % leather footwear, 10 % on value + duty
    assert below["total"] == jpy("0")


@pytest.mark.parametrize(
    ("amount", "shown"),
    [("873", "870"), ("876", "880"), ("1234", "1280"), ("1219", "1180"), ("12345", "11980"), ("12600", "12980")],
)
def test_yen_prices_round_to_whole_tens_hundreds_ending_80_and_thousands_ending_980(amount, shown):
    rounded = pricing.round_price(jpy(amount))
    assert rounded == jpy(shown)
    assert rounded.amount == rounded.amount.to_integral_value()


def test_loading_the_shipped_rules_again_keeps_ops_edits_and_adds_nothing():
    DutyRule.objects.filter(country="US", hs_prefix="39").update(duty_rate=Decimal("0.07"))
    counts = (DutyRule.objects.count(), RoundingRule.objects.count(), FestivalDate.objects.count())

    created = rules.load(DutyRule=DutyRule, RoundingRule=RoundingRule, Festival=Festival, FestivalDate=FestivalDate)

    assert created == 0
    assert (DutyRule.objects.count(), RoundingRule.objects.count(), FestivalDate.objects.count()) == counts
    assert DutyRule.objects.get(country="US", hs_prefix="39").duty_rate == Decimal("0.07")


# --- the landed price -----------------------------------------------------------------------------


@pytest.fixture
def partnership():
    return make_partnership("us", currency="USD", country="US", fee_schedule=dict(FEES))


def test_a_listing_is_priced_with_fx_margin_shipping_fees_and_cbec_taxes_included(partnership):
    rate("USD", "CNY", "7.2")
    listing = make_listing(partnership, export_price=usd("20.00"), hs_code="392410")

    pricing.price_listing(listing)
    listing.refresh_from_db()

    # goods 20 x 7.2 x 1.02 = 146.88; shipping 30; fee 5; VAT (146.88 + 30) x 13 % x 70 % = 16.10
    assert listing.list_price == cny("197.90")  # 197.98 to the nearest price ending in 9
    assert listing.price == cny("197.90")
    assert listing.pricing_problem == ""
    assert listing.priced_at is not None
    breakdown = listing.price_breakdown
    assert {k: breakdown[k] for k in ("goods", "shipping", "fees", "duties", "vat", "taxes_total", "rounding")} == {
        "goods": "146.88",
        "shipping": "30.00",
        "fees": "5.00",
        "duties": "0.00",
        "vat": "16.10",
        "taxes_total": "16.10",
        "rounding": "-0.08",
    }
    assert breakdown["currency"] == "CNY"
    assert breakdown["duties_included"] is True
    assert breakdown["fx_rate"] == "7.20000000"
    assert breakdown["fx_margin"] == "0.02"
    assert breakdown["regime"] == "cn_cbec"
    assert breakdown["ships_from"] == "direct"
    assert breakdown["delivery_days"] == "7-15"
    assert listing.is_orderable


def test_without_ddp_the_taxes_are_shown_but_added_at_checkout(partnership):
    partnership.fee_schedule = {**FEES, "duties_included": "0"}
    partnership.save()
    rate("USD", "CNY", "7.2")
    listing = make_listing(partnership, export_price=usd("20.00"), hs_code="392410")

    pricing.price_listing(listing)

    assert listing.price == cny("181.90")  # 146.88 + 30 + 5 = 181.88, taxes not included
    assert listing.price_breakdown["duties_included"] is False
    assert listing.price_breakdown["taxes_total"] == "16.10"


def test_a_listing_in_our_local_warehouse_uses_local_shipping_and_delivery_days(partnership):
    rate("USD", "CNY", "7.2")
    listing = make_listing(
        partnership, export_price=usd("20.00"), hs_code="392410", ships_from=PartnerListing.ShipsFrom.LOCAL
    )

    pricing.price_listing(listing)

    # 146.88 + 8 + 5 + VAT (154.88 x 13 % x 70 % = 14.09) = 173.97
    assert listing.price == cny("173.90")
    assert listing.price_breakdown["delivery_days"] == "1-3"


def test_the_us_platform_prices_chinese_goods_in_dollars_with_us_duty(settings):
    settings.PLATFORM_COUNTRY, settings.PLATFORM_CURRENCY = "US", "USD"
    cn = make_partnership("cn", currency="CNY", country="CN", fee_schedule={"fx_margin": "0", "duties_included": "1"})
    pricing.import_ecb_rates(ECB_FILE.read_bytes())
    listing = make_listing(cn, export_price=cny("786.00"), hs_code="640399")

    pricing.price_listing(listing)

    # 786 CNY x (1.085 / 7.86) = 108.50 USD; footwear 10 % = 10.85; 119.35 -> 119.99
    assert listing.price_breakdown["goods"] == "108.50"
    assert listing.price_breakdown["duties"] == "10.85"
    assert listing.price == usd("119.99")


def test_a_listing_without_an_exchange_rate_gets_no_price_and_the_problem(partnership):
    listing = make_listing(partnership, export_price=usd("20.00"), price=cny("100"), list_price=cny("100"))

    pricing.price_listing(listing)
    listing.refresh_from_db()

    assert listing.price is None
    assert listing.list_price is None
    assert "No exchange rate from USD to CNY" in listing.pricing_problem
    assert not listing.is_orderable


def test_an_invalid_fee_schedule_is_a_pricing_problem_not_a_crash(partnership):
    partnership.fee_schedule = {**FEES, "fx_margin": "lots"}
    partnership.save()
    rate("USD", "CNY", "7.2")
    listing = make_listing(partnership)

    pricing.price_listing(listing)

    assert listing.price is None
    assert "fx_margin" in listing.pricing_problem


def test_pricing_any_number_of_listings_runs_the_same_number_of_queries(partnership):
    rate("USD", "CNY", "7.2")
    few = [make_listing(partnership).pk for _ in range(3)]
    many = [make_listing(partnership).pk for _ in range(30)]

    with CaptureQueriesContext(connection) as few_queries:
        pricing.price_listings(few)
    with CaptureQueriesContext(connection) as many_queries:
        pricing.price_listings(many)

    assert len(few_queries) == len(many_queries)
    assert PartnerListing.objects.filter(pk__in=few + many, price=cny("197.90")).count() == 33


def test_a_new_rate_entered_in_the_admin_reprices_the_listings(partnership, admin_client):
    rate("USD", "CNY", "7.2", hours_ago=3)
    listing = make_listing(partnership, export_price=usd("20.00"))
    pricing.price_listing(listing)
    now = timezone.localtime()

    response = admin_client.post(
        reverse("admin:crossborder_exchangerate_add"),
        {
            "base": "usd",
            "quote": "CNY",
            "rate": "8.0",
            "source": "manual",
            "as_of_0": now.date().isoformat(),
            "as_of_1": (now - dt.timedelta(minutes=1)).strftime("%H:%M:%S"),
        },
    )

    assert response.status_code == 302
    listing.refresh_from_db()
    # goods 20 x 8 x 1.02 = 163.20; + 30 + 5 + VAT (193.20 x 13 % x 70 % = 17.58) = 215.78
    assert listing.price == cny("215.90")


def test_a_feed_page_is_priced_in_the_transaction_that_writes_it(partnership, django_capture_on_commit_callbacks):
    rate("USD", "CNY", "7.2")
    item = feed_item()
    with django_capture_on_commit_callbacks(execute=False):  # nothing waits for the commit
        sync.apply_page(partnership, [item])
        listing = PartnerListing.objects.get(reference=item["id"])
        assert listing.price == cny("197.90") and listing.priced_at is not None

        changed = feed_item(item["id"], version=2, export_price={"amount": "30.00", "currency": "USD"})
        sync.apply_page(partnership, [changed])
        listing.refresh_from_db()
        # goods 30 x 7.2 x 1.02 = 220.32; + 30 + 5 + VAT (250.32 x 13 % x 70 % = 22.78) = 278.10
        assert listing.price == cny("277.90")


def test_a_feed_item_without_a_rate_is_written_with_the_reason_it_has_no_price(partnership):
    item = feed_item()

    sync.apply_page(partnership, [item])

    listing = PartnerListing.objects.get(reference=item["id"])
    assert listing.price is None and "USD" in listing.pricing_problem and listing.is_active


def test_listings_changed_outside_a_feed_page_are_priced_after_the_change(partnership):
    rate("USD", "CNY", "7.2")
    listing = make_listing(partnership, export_price=usd("20.00"))

    sync.after_change([listing.pk])

    listing.refresh_from_db()
    assert listing.price == cny("197.90")


def test_the_nightly_task_reprices_every_active_listing(partnership):
    rate("USD", "CNY", "7.2")
    active = make_listing(partnership, export_price=usd("20.00"))
    inactive = make_listing(partnership, export_price=usd("20.00"), is_active=False)

    assert reprice_all.run() == 1

    active.refresh_from_db()
    inactive.refresh_from_db()
    assert active.price == cny("197.90")
    assert inactive.price is None


def test_the_reprice_command_reports_listings_without_a_price(partnership, capsys):
    make_listing(partnership)

    call_command("reprice_listings", "--partner", "us")

    assert "1 listings repriced, 1 without a price" in capsys.readouterr().out


@pytest.mark.parametrize(("country", "home"), [("CN", "CNY"), ("JP", "JPY")])
def test_a_batch_reprice_stores_exactly_what_pricing_computes_in_every_currency(partnership, settings, country, home):
    """The batch writer (COPY into a staging table, one UPDATE ... FROM) stores each listing's price,
    list price, breakdown and problem as landed_price computes them one by one: export prices in
    dollars, euros, yen (no minor unit) and dinars (three decimals), shipped direct and from the
    local warehouse, under several duty rules and rounding bands, and a currency without a rate."""
    settings.PLATFORM_COUNTRY, settings.PLATFORM_CURRENCY = country, home
    for quote, value in (("CNY", "7.81"), ("USD", "1.0843"), ("JPY", "161.37"), ("KWD", "0.3321")):
        rate("EUR", quote, value)
    prices = [
        usd("0.99"), usd("19.99"), usd("20.00"), usd("149.95"), usd("1234.56"),
        Money(Decimal("7.50"), "EUR"), Money(Decimal("89.90"), "EUR"), Money(Decimal("999.99"), "EUR"),
        jpy("120"), jpy("2980"), jpy("45800"),
        Money(Decimal("1.125"), "KWD"), Money(Decimal("37.999"), "KWD"), Money(Decimal("250.005"), "KWD"),
        Money(Decimal("10.00"), "GBP"),  # no rate: no price, and the reason
    ]  # fmt: skip
    hs_codes = ["392410", "330499", "640399", "610910", "851712"]
    ships = [PartnerListing.ShipsFrom.DIRECT, PartnerListing.ShipsFrom.LOCAL]
    ids = [
        make_listing(partnership, export_price=price, hs_code=hs_codes[n % 5], ships_from=ships[n % 2]).pk
        for n, price in enumerate(prices * 2)
    ]

    assert pricing.reprice_affected(currencies={"EUR"}) == len(ids)

    stored = list(PartnerListing.objects.filter(pk__in=ids).select_related("partnership").order_by("pk"))
    context = pricing.PricingContext.load(ids, currencies={"USD", "EUR", "JPY", "KWD", "GBP"})
    for listing in stored:
        if listing.export_price.currency.code == "GBP":
            assert (listing.price, listing.list_price, listing.price_breakdown) == (None, None, {})
            assert "GBP" in listing.pricing_problem
            continue
        list_price, price, landed = pricing.landed_price(listing, context)
        assert (listing.price, listing.list_price, listing.pricing_problem) == (price, list_price, "")
        assert listing.price_breakdown == landed.as_dict()
        assert listing.price.currency.code == home
        assert listing.price.amount == listing.price.amount.quantize(Decimal(1) if home == "JPY" else Decimal("0.01"))
        assert listing.priced_at is not None
    exported = {listing.price_breakdown.get("export_price", {}).get("amount") for listing in stored}
    assert exported >= {"1.125", "250.005", "45800"}
