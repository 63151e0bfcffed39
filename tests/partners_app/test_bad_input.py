"""Bad input is refused with the reason and changes nothing: weights that do not sum to 100 or
miss a part, thresholds out of range, impossible prospect figures (negative counts, a part above
its whole, growth from no history), from ops or in a signed partner.metrics message."""

import pytest

from crossborder.models import OutboxMessage
from partners.errors import PartnersError
from partners.models import PartnerScore, Prospect
from partners.services import policy, prospects
from tests.partners import api, own_key, remote, table_counts  # noqa: F401

GOOD = {
    "settlements": 12,
    "settlements_late": 3,
    "sales_to_partner_previous": 200,
    "sales_to_partner_current": 260,
    "sales_to_partner_growth_percent": "30",
    "catalog_live": 400,
    "catalog_in_our_language": 100,
}


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"credit_weights": {"settlement_on_time": 100}}, "credit_weights", "invalid_weights"),
        (
            {
                "potential_weights": {
                    "sales_to_partner": 30,
                    "sales_from_partner": 20,
                    "shoppers": 20,
                    "catalog": 15,
                    "sell_through": 5,
                }
            },
            "potential_weights",
            "invalid_weights",
        ),
        (
            {
                "localization_weights": {
                    "texts_in_our_language": 130,
                    "local_logistics": -30,
                    "local_payment": 0,
                    "local_service": 0,
                    "returns": 0,
                    "reviews": 0,
                }
            },
            "localization_weights",
            "invalid_weights",
        ),
        ({"window_days": 0}, "window_days", "invalid_threshold"),
        ({"max_return_rate_percent": 101}, "max_return_rate_percent", "invalid_threshold"),
        ({"warn_after": 3, "suspend_after": 3}, "suspend_after", "invalid_threshold"),
        ({"suspend_fast": 1}, "suspend_fast", "invalid_threshold"),
    ],
)
def test_a_bad_policy_is_refused_naming_the_field_and_nothing_changes(db, changes, field, code):
    policy.current_policy()
    before = table_counts()
    with pytest.raises(PartnersError) as refused:
        policy.update_policy(**changes)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert table_counts() == before
    assert policy.current_policy().suspend_after == 3


def test_a_valid_policy_change_is_kept_with_its_history(db):
    weights = {"settlement_on_time": 40, "statements_agree": 10, "stock_reports_agree": 10, "receipts_complete": 10,
               "orders_acknowledged": 10, "orders_shipped": 10, "tracking_given": 0, "return_decisions": 10}  # fmt: skip
    changed = policy.update_policy(credit_weights=weights, warn_after=1, suspend_after=2)
    assert changed.credit_weights == weights
    latest = changed.history.first()  # the migration made the policy; this change is recorded
    assert (latest.history_type, latest.credit_weights, latest.warn_after) == ("~", weights, 1)


@pytest.mark.parametrize(
    ("figures", "field", "code"),
    [
        ({**GOOD, "settlements": -1}, "settlements", "invalid_figures"),
        ({**GOOD, "settlements_late": 13}, "settlements_late", "invalid_figures"),
        ({**GOOD, "reviews": 2, "rating_sum": 11}, "rating_sum", "invalid_figures"),
        ({**GOOD, "catalog_live": "many"}, "catalog_live", "invalid_figures"),
        ({**GOOD, "sales_to_partner_previous": 0}, "sales_to_partner_growth_percent", "growth_without_history"),
        (
            {"shoppers_current": 50, "shoppers_growth_percent": "12"},
            "shoppers_growth_percent",
            "growth_without_history",
        ),
        ({**GOOD, "profit": 3}, "profit", "invalid_figures"),
    ],
)
def test_impossible_prospect_figures_are_refused_with_the_reason_and_nothing_is_stored(db, figures, field, code):
    before = table_counts()
    with pytest.raises(PartnersError) as refused:
        prospects.save_prospect(code="kr", name="Hanbit Market", figures=figures)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert table_counts() == before


def test_a_prospect_entered_by_ops_is_scored_at_once(db):
    prospect, rows = prospects.save_prospect(code="kr", name="Hanbit Market", country="kr", figures=GOOD)
    by_kind = {row.kind: row for row in rows}
    # 9 of 12 on time -> 75 (the only credit part with data); +30% -> 50 + 50 x 30/50 = 80;
    # 100 of 400 in our language -> 25 (no other localization figure).
    assert {kind: str(row.value) for kind, row in by_kind.items()} == {
        "credit": "75.00",
        "potential": "80.00",
        "localization": "25.00",
    }
    assert prospect.country == "KR" and prospect.source == Prospect.Source.OPS


def test_a_signed_metrics_message_makes_the_sender_a_scored_prospect(remote, api):  # noqa: F811
    response = remote.post_message(api, "partner.metrics", {"figures": GOOD})
    assert response.status_code == 200, response.content
    result = response.json()["result"]
    assert result == {"prospect": "us", "scores": {"credit": "75.00", "potential": "80.00", "localization": "25.00"}}
    prospect = Prospect.objects.get(code="us")
    assert prospect.source == Prospect.Source.MESSAGE and prospect.partner == remote.partner


@pytest.mark.parametrize(
    ("figures", "field"),
    [
        ({**GOOD, "settlements": -4}, "payload.figures.settlements"),
        ({**GOOD, "sales_to_partner_previous": 0}, "payload.figures.sales_to_partner_growth_percent"),
        ({**GOOD, "orders": 4}, "payload.figures.orders"),
    ],
)
def test_a_metrics_message_with_impossible_values_is_refused_naming_the_figure(remote, api, figures, field):  # noqa: F811
    before = table_counts()
    response = remote.post_message(api, "partner.metrics", {"figures": figures})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid_payload" and body["field"] == field
    counts = table_counts()
    assert counts["partners.Prospect"] == before["partners.Prospect"] == 0
    assert counts["partners.PartnerScore"] == PartnerScore.objects.count() == 0


def test_our_figures_go_to_the_partner_validated_and_impossible_ones_queue_nothing(remote):  # noqa: F811
    before = table_counts()
    with pytest.raises(PartnersError):
        prospects.send_metrics(partnership=remote.partnership, figures={"settlements": -1})
    assert table_counts() == before
    message = prospects.send_metrics(partnership=remote.partnership, figures={"settlements": 3, "settlements_late": 1})
    assert OutboxMessage.objects.get(pk=message.pk).payload == {"figures": {"settlements": 3, "settlements_late": 1}}
