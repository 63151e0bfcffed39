"""The landed price a shopper reads adds up, and the market's rounding stays small (ADR 0026): for
many export prices, rates, ways of shipping, with and without duties included and with campaign
or markdown discounts, the lines (goods, service fee, duties and taxes once, shipping, discount)
sum to the total exactly, and the rounding moves the computed price by at most half its band's
step (at most 5 yuan, 2.50 dollars)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from djmoney.money import Money
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossborder.models import ExchangeRate
from partner_zone import rules
from partner_zone.models import Campaign, DutyRule, Festival, FestivalDate, Markdown, PartnerListing, RoundingRule
from partner_zone.services import pricing

from .factories import make_listing, make_partnership

FEES = {
    "fx_margin": "0.02",
    "duties_included": "1",
    "zone_fee_per_item": "5",
    "shipping_local_per_item": "8",
    "shipping_direct_per_item": "30",
}
# Largest move the shipped bands allow, per currency: half the widest step.
BOUND = {"CNY": Decimal("5"), "USD": Decimal("2.50")}

PRICES = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("4000.00"), places=2)
HS_CODES = st.sampled_from(["392410", "330499", "950300", "640399", "940540"])
DISCOUNTS = st.one_of(st.none(), st.integers(min_value=1, max_value=50))


@pytest.fixture
def priced(db, settings):
    """A cn platform with the shipped rules, a USD rate, and one listing to price in memory."""
    settings.PLATFORM_COUNTRY, settings.PLATFORM_CURRENCY = "CN", "CNY"
    rules.load(DutyRule=DutyRule, RoundingRule=RoundingRule, Festival=Festival, FestivalDate=FestivalDate)
    ExchangeRate.objects.create(
        base="USD", quote="CNY", rate=Decimal("7.1234"), source="manual", as_of=timezone.now() - dt.timedelta(hours=1)
    )
    partnership = make_partnership("us", currency="USD", country="US", fee_schedule=dict(FEES))
    listing = make_listing(partnership, export_price=Money(Decimal("20.00"), "USD"), hs_code="392410")
    return listing, pricing.PricingContext.load([listing.pk], currencies={"USD"})


def _campaign(percent):
    return Campaign(
        title="Black Friday",
        local_title="黑五特惠",
        discount_percent=Decimal(percent),
        suggested_discount_percent=Decimal(percent),
        partner_share_percent=Decimal(50),
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    export=PRICES,
    hs_code=HS_CODES,
    local=st.booleans(),
    included=st.booleans(),
    campaign=DISCOUNTS,
    markdown=DISCOUNTS,
)
def test_the_lines_a_shopper_reads_add_up_to_the_total_and_rounding_stays_small(
    priced, export, hs_code, local, included, campaign, markdown
):
    listing, context = priced
    listing.export_price = Money(export, "USD")
    listing.hs_code = hs_code
    listing.ships_from = PartnerListing.ShipsFrom.LOCAL if local else PartnerListing.ShipsFrom.DIRECT
    listing.partnership.fee_schedule = {**FEES, "duties_included": "1" if included else "0"}
    context.campaigns = {listing.pk: _campaign(campaign)} if campaign else {}
    context.markdowns = (
        {listing.pk: [Markdown(listing=listing, sku="SKU", percent=markdown, quantity=10, sold=0)]} if markdown else {}
    )

    _list_price, price, landed = pricing.landed_price(listing, context)
    lines, total = landed.shopper_lines()

    assert sum((line.amount for line in lines), Decimal(0)) == total
    assert total == landed.price + (0 if landed.duties_included else landed.taxes_total)
    assert [line.key for line in lines].count("taxes") <= 1
    assert all(line.amount > 0 for line in lines if line.key != "discount")
    assert all(line.amount < 0 for line in lines if line.key == "discount")
    # The rounding of the list price: at most half the band's step, up or down.
    computed = landed.list_price - landed.rounding
    bound = pricing.rounding_bound(context.rounding, Money(computed, "CNY"))
    assert abs(landed.rounding) <= bound <= BOUND["CNY"]
    assert price.amount <= landed.list_price


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amount=st.decimals(min_value=Decimal("1.00"), max_value=Decimal("100000"), places=2))
def test_rounding_never_moves_a_price_by_more_than_half_its_bands_step(priced, amount):
    """From one yuan or dollar up (below the first charm price, 0.90 or 0.99, a price goes up to it:
    never to zero)."""
    shipped = [
        RoundingRule(currency=c, min_amount=low, max_amount=high, step=step, ending_offset=offset)
        for c, low, high, step, offset in rules.rounding_rules()
    ]
    for currency in ("CNY", "USD"):
        value = Money(amount, currency)
        shown = pricing._round_with(shipped, value)
        bound = pricing.rounding_bound(shipped, value)
        assert abs(shown.amount - amount) <= bound <= BOUND[currency]
        assert shown.amount > 0
        offset = next(r.ending_offset for r in shipped if r.currency == currency and r.min_amount <= amount
                      and (r.max_amount is None or amount < r.max_amount))  # fmt: skip
        assert (shown.amount + offset) % 1 == 0  # a charm price of its band: x.9, x9, x.99, x4.99 or x9.99
