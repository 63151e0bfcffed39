"""The score formulas on a known set of figures: each part and each score equal the values worked
out by hand (docs/adr/0035-partners-scores-and-compliance.md), missing data is flagged, never
guessed."""

from decimal import Decimal

from partners import scoring
from partners.models import ScoringPolicy

FIGURES = scoring.Figures(
    settlements=4,
    settlements_late=1,
    statements=4,
    statements_disputed=1,
    stock_reports=10,
    stock_reports_disagreeing=2,
    receipt_lines=20,
    receipt_lines_short_or_damaged=1,
    orders_forwarded=8,
    orders_acknowledged_late=2,
    orders_shipped=5,
    orders_shipped_late=1,
    shipped_lines=10,
    shipped_lines_untracked=0,
    return_decisions=0,
    return_decisions_late=0,
    sales_to_partner_previous=100,
    sales_to_partner_current=125,
    sales_from_partner_previous=40,
    sales_from_partner_current=30,
    shoppers_previous=0,
    shoppers_current=10,
    catalog_previous=200,
    catalog_current=400,
    consignment_sold=30,
    consignment_on_hand=90,
    catalog_live=200,
    catalog_in_our_language=150,
    catalog_stocked_here=50,
    local_payment_percent=100,
    needs_installation=3,
    installation_providers=2,
    units_sold=100,
    units_returned=6,
    reviews=10,
    rating_sum=42,
)


def parts(score):
    return {part.key: part.value for part in score.parts}


def test_credit_is_the_weighted_mean_of_the_parts_with_data_and_flags_the_missing_one():
    score = scoring.compute("credit", FIGURES, ScoringPolicy())
    # By hand: 1 of 4 statements late -> 75; 1 of 4 disputed -> 75; 2 of 10 reports disagree -> 80;
    # 1 of 20 lines short -> 95; 2 of 8 acknowledged late -> 75; 1 of 5 shipped late -> 80; all 10
    # lines tracked -> 100; no aged-stock decision due -> missing.
    assert parts(score) == {
        "settlement_on_time": Decimal("75.00"),
        "statements_agree": Decimal("75.00"),
        "stock_reports_agree": Decimal("80.00"),
        "receipts_complete": Decimal("95.00"),
        "orders_acknowledged": Decimal("75.00"),
        "orders_shipped": Decimal("80.00"),
        "tracking_given": Decimal("100.00"),
        "return_decisions": None,
    }
    # (25x75 + 15x75 + 10x80 + 10x95 + 15x75 + 10x80 + 5x100) / (100 - 10) = 7175 / 90 = 79.7222...
    assert score.value == Decimal("79.72")
    assert score.missing == ["return_decisions"]
    assert "missing data" in score.parts[-1].evidence


def test_development_potential_scores_growth_around_fifty_and_cannot_grow_from_nothing():
    score = scoring.compute("potential", FIGURES, ScoringPolicy())
    # +25% -> 50 + 50 x 25/50 = 75; -25% -> 25; shoppers from 0 -> missing; +100% -> capped at 100;
    # 30 sold of 30 + 90 -> 25.
    assert parts(score) == {
        "sales_to_partner": Decimal("75.00"),
        "sales_from_partner": Decimal("25.00"),
        "shoppers": None,
        "catalog": Decimal("100.00"),
        "sell_through": Decimal("25.00"),
    }
    # (30x75 + 20x25 + 15x100 + 15x25) / 80 = 4625 / 80 = 57.8125
    assert score.value == Decimal("57.81")
    assert score.missing == ["shoppers"]


def test_localization_counts_texts_logistics_payment_service_returns_and_reviews():
    score = scoring.compute("localization", FIGURES, ScoringPolicy())
    # 150/200 -> 75; 50/200 -> 25; 100; providers for the 3 needing installation -> 100;
    # 6% returned of a 20% ceiling -> 70; mean 4.2 -> (4.2 - 1) / 4 -> 80.
    assert parts(score) == {
        "texts_in_our_language": Decimal("75.00"),
        "local_logistics": Decimal("25.00"),
        "local_payment": Decimal("100"),
        "local_service": Decimal("100"),
        "returns": Decimal("70.00"),
        "reviews": Decimal("80.00"),
    }
    # (30x75 + 20x25 + 10x100 + 10x100 + 15x70 + 15x80) / 100 = 7000 / 100
    assert score.value == Decimal("70.00")


def test_a_score_with_no_data_at_all_has_no_value_and_says_every_part_is_missing():
    score = scoring.compute("credit", scoring.Figures(), ScoringPolicy())
    assert score.value is None
    assert score.missing == list(scoring.PARTS["credit"])


def test_other_weights_change_the_score_as_the_policy_says():
    policy = ScoringPolicy(credit_weights=dict.fromkeys(scoring.PARTS["credit"], 0) | {"receipts_complete": 100})
    assert scoring.compute("credit", FIGURES, policy).value == Decimal("95.00")
