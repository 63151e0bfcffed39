"""The agreement is typed: one Terms parsed at proposal, in the admin and when a stored row is read."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from crossborder import services
from crossborder.admin import PartnershipForm
from crossborder.errors import DomainError
from crossborder.models import Partner, Partnership
from crossborder.terms import FEE_TERMS, Terms, TermsError
from tests.partners import body_json, table_counts

from .test_keys_and_partnerships import proposal, propose, prospect  # noqa: F401 (prospect: a fixture)

BASE = {"settlement_currency": "USD", "commission_rate": "0.08", "settlement_cutoff": "22:30"}

EVERY_FEE = {
    "fx_margin": ("0.02", Decimal("0.02")),
    "duties_included": ("0", False),
    "zone_fee_per_item": ("5", Decimal("5")),
    "shipping_local_per_item": ("8.50", Decimal("8.50")),
    "shipping_direct_per_item": ("30", Decimal("30")),
    "max_campaign_discount": ("40", Decimal("40")),
    "max_campaign_share": ("50.5", Decimal("50.5")),
    "aged_threshold_days": ("180, 60", (60, 180)),
    "aged_markdown_percent": ("35", 35),
    "warehouse_storage_per_unit_day": ("0.015", Decimal("0.015")),
    "warehouse_storage_currency": ("cny", "CNY"),
    "fulfilment_per_unit": ("1.25", Decimal("1.25")),
    "fulfilment_currency": ("JPY", "JPY"),
    "first_leg_per_kg": ("9.50", Decimal("9.50")),
    "resale_fee_rate": ("0.12", Decimal("0.12")),
    "resale_grade_discounts": ({"good": "25", "acceptable": 40}, {"good": Decimal(25), "acceptable": Decimal(40)}),
    "return_dispositions": ({"like_new": "send_back"}, {"like_new": "send_back"}),
    "return_window_days": ("30", 30),
    "return_window_by_category": ({"1022": 45, "662": "7"}, ((662, 7), (1022, 45))),
    "return_shipping_shopper_pays": ("wrong_size, no_reason", ("no_reason", "wrong_size")),
    "return_shipping_fee": ("12", Decimal("12")),
    "restocking_fee_percent": ("15", Decimal("15")),
    "restocking_fee_reasons": (["wrong_size"], ("wrong_size",)),
    "service_installation_payer": ("Platform", "platform"),
    "service_maintenance_payer": ("partner", "partner"),
    "service_repair_payer": ("shopper", "shopper"),
    "settlement_statement_hours": ("48", 48),
    "dispute_answer_days": (10, 10),
    "receipt_days": ("21", 21),
    "order_ack_hours": (12, 12),
    "order_ship_days": ("3", 3),
    "return_decision_days": (5, 5),
}

DEFAULTS = {
    "fx_margin": Decimal(0),
    "duties_included": True,
    "zone_fee_per_item": Decimal(0),
    "shipping_local_per_item": Decimal(0),
    "shipping_direct_per_item": Decimal(0),
    "max_campaign_discount": Decimal(50),
    "max_campaign_share": Decimal(100),
    "aged_threshold_days": None,
    "aged_markdown_percent": 20,
    "warehouse_storage_per_unit_day": Decimal(0),
    "warehouse_storage_currency": None,
    "fulfilment_per_unit": Decimal(0),
    "fulfilment_currency": None,
    "first_leg_per_kg": Decimal(0),
    "resale_fee_rate": Decimal("0.10"),
    "resale_grade_discounts": None,  # crossborder.terms.DEFAULT_GRADE_DISCOUNTS
    "return_dispositions": None,  # crossborder.terms.DEFAULT_GRADE_DISPOSITIONS
    "return_window_days": 14,
    "return_window_by_category": (),
    "return_shipping_shopper_pays": ("no_reason", "wrong_size"),
    "return_shipping_fee": Decimal(0),
    "restocking_fee_percent": Decimal(0),
    "restocking_fee_reasons": ("no_reason",),
    "service_installation_payer": "shopper",
    "service_maintenance_payer": "shopper",
    "service_repair_payer": "partner",
    "settlement_statement_hours": 24,
    "dispute_answer_days": 7,
    "receipt_days": 14,
    "order_ack_hours": 24,
    "order_ship_days": 5,
    "return_decision_days": 7,
}


def test_every_fee_term_is_documented_and_covered_here():
    assert set(FEE_TERMS) == set(EVERY_FEE) == set(DEFAULTS)
    assert all(term.metadata["doc"] for term in FEE_TERMS.values())


def test_every_term_is_parsed_with_its_type():
    terms = Terms.parse({**BASE, "category_scope": [9, 3, 9], "fee_schedule": {k: v[0] for k, v in EVERY_FEE.items()}})

    for key, (_raw, typed) in EVERY_FEE.items():
        assert getattr(terms, key) == typed and type(getattr(terms, key)) is type(typed), key
    assert terms.settlement_currency == "USD" and terms.commission_rate == Decimal("0.08")
    assert terms.settlement_cutoff == dt.time(22, 30) and terms.category_scope == (3, 9)
    assert terms.storage_fee() == (Decimal("0.015"), "CNY")
    assert terms.fulfilment_fee() == (Decimal("1.25"), "JPY")


def test_a_missing_term_takes_its_documented_default(settings):
    settings.LOGISTICS = {**settings.LOGISTICS, "AGED_THRESHOLDS_DAYS": (180, 90)}
    terms = Terms.parse({"settlement_currency": "EUR"})

    assert {key: getattr(terms, key) for key in FEE_TERMS} == DEFAULTS
    assert terms.commission_rate == Decimal("0.10") and terms.settlement_cutoff == dt.time(23, 0)
    assert terms.starts_on == timezone.localdate() and terms.ends_on is None and terms.category_scope == ()
    assert terms.aged_thresholds() == (90, 180)
    assert terms.storage_fee() is None and terms.fulfilment_fee() is None
    # An empty value is a missing one.
    assert Terms.parse({**BASE, "fee_schedule": {"fulfilment_per_unit": ""}}).fulfilment_per_unit == Decimal(0)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("fx_margin", "1.5"),
        ("fx_margin", "lots"),
        ("duties_included", "maybe"),
        ("zone_fee_per_item", "-1"),
        ("zone_fee_per_item", "100000000"),
        ("shipping_direct_per_item", "NaN"),
        ("shipping_local_per_item", "0.00001"),
        ("max_campaign_discount", "101"),
        ("aged_threshold_days", "soon"),
        ("aged_threshold_days", [0, 90]),
        ("aged_threshold_days", "90.5"),
        ("aged_markdown_percent", "100"),
        ("aged_markdown_percent", "12.5"),
        ("warehouse_storage_currency", "XYZ"),
        ("fulfilment_currency", 840),
        ("fulfilment_per_unit", True),
        ("return_window_days", "-1"),
        ("return_window_days", "7.5"),
        ("return_window_by_category", {"lamps": 30}),
        ("return_window_by_category", {"1022": -3}),
        ("return_window_by_category", [30]),
        ("return_shipping_shopper_pays", "whim"),
        ("restocking_fee_percent", "120"),
        ("restocking_fee_reasons", [1]),
        ("service_repair_payer", "merchant"),
        ("service_installation_payer", 1),
    ],
)
def test_a_bad_value_is_refused_at_parse_naming_the_key(key, value):
    with pytest.raises(TermsError) as refused:
        Terms.parse({**BASE, "fee_schedule": {key: value}})

    assert refused.value.key == key and refused.value.field == "fee_schedule"
    assert key in refused.value.detail and refused.value.code == "invalid_terms"


def test_the_return_window_is_per_category_with_the_agreed_default_and_round_trips():
    terms = Terms.parse({**BASE, "fee_schedule": {"return_window_days": 21, "return_window_by_category": {"1022": 45}}})

    assert terms.return_window(1022) == 45 and terms.return_window(662) == 21 and terms.return_window() == 21
    assert terms.fee_schedule_json() == {"return_window_days": 21, "return_window_by_category": {"1022": 45}}
    assert Terms.parse({**BASE, "fee_schedule": terms.fee_schedule_json()}) == terms


def test_the_agreement_names_the_return_reasons_the_after_sales_app_offers():
    from aftersales.choices import ReturnReason
    from crossborder.terms import RETURN_REASONS

    assert tuple(ReturnReason.values) == RETURN_REASONS


def test_an_unknown_key_is_refused_naming_it():
    with pytest.raises(TermsError) as refused:
        Terms.parse({**BASE, "fee_schedule": {"storage_fee": "1"}})

    assert refused.value.field == "fee_schedule" and refused.value.key == "storage_fee"
    assert "'storage_fee'" in refused.value.detail


def test_the_stored_shape_round_trips_and_only_the_stated_keys_are_written():
    terms = Terms.parse(
        {**BASE, "fee_schedule": {"aged_threshold_days": "90,180", "duties_included": "1", "fx_margin": 0.02}}
    )

    assert terms.fee_schedule_json() == {"fx_margin": "0.02", "duties_included": True, "aged_threshold_days": [90, 180]}
    assert Terms.parse({**BASE, "fee_schedule": terms.fee_schedule_json()}) == terms


# --- stored rows ---------------------------------------------------------------------------------


def stored(**fees):
    partner = Partner.objects.create(code="us", name="US", country="US", currency="USD", base_url="http://us.example")
    return Partnership.objects.create(
        partner=partner,
        initiated_by="us",
        settlement_currency="USD",
        commission_rate=Decimal("0.05"),
        settlement_cutoff=dt.time(23, 0),
        fee_schedule=fees,
    )


def test_partnership_terms_reads_the_row_once_and_again_when_it_changes(db, django_assert_num_queries):
    partnership = stored(fulfilment_per_unit="1.25", legacy_note="kept, not read")

    with django_assert_num_queries(0):
        first = partnership.terms
        assert partnership.terms is first
    assert first.fulfilment_fee() == (Decimal("1.25"), "USD") and first.commission_rate == Decimal("0.05")

    partnership.fee_schedule = {**partnership.fee_schedule, "fulfilment_currency": "CNY"}
    assert partnership.terms.fulfilment_fee() == (Decimal("1.25"), "CNY")


def test_a_bad_stored_value_is_a_clear_error_naming_the_key_not_a_silent_default(db):
    partnership = stored(fulfilment_per_unit="a lot", fx_margin="0.02")

    with pytest.raises(TermsError) as refused:
        partnership.terms.fulfilment_fee()

    assert refused.value.key == "fulfilment_per_unit" and "a lot" in refused.value.detail
    assert partnership.terms.fx_margin == Decimal("0.02")  # the other terms stay readable


# --- proposal ------------------------------------------------------------------------------------


def test_a_proposal_carrying_a_currency_code_and_aged_thresholds_arrives_and_is_stored(api, prospect):  # noqa: F811
    _, token = services.create_invitation(auto_accept=True)
    fees = {"fulfilment_per_unit": "1.25", "fulfilment_currency": "CNY", "aged_threshold_days": [60, 120]}
    data = proposal(prospect, token, fee_schedule=fees)

    response = propose(api, prospect, data)

    assert response.status_code == 201, response.content
    partnership = Partnership.objects.get(reference=data["reference"])
    assert partnership.fee_schedule == fees
    assert partnership.terms.fulfilment_fee() == (Decimal("1.25"), "CNY")
    assert partnership.terms.aged_threshold_days == (60, 120)
    assert body_json(response)["terms"]["fee_schedule"] == fees


@pytest.mark.parametrize(
    ("fees", "key"),
    [
        ({"fulfilment_currency": "XYZ"}, "fulfilment_currency"),
        ({"aged_threshold_days": [0]}, "aged_threshold_days"),
        ({"storage_fee": "1"}, "storage_fee"),
        ({"fx_margin": "2"}, "fx_margin"),
    ],
)
def test_a_proposal_with_a_bad_term_is_refused_naming_the_key_and_changes_nothing(api, prospect, fees, key):  # noqa: F811
    _, token = services.create_invitation(auto_accept=True)
    before = table_counts()

    response = propose(api, prospect, proposal(prospect, token, fee_schedule=fees))

    assert response.status_code == 400, response.content
    refusal = body_json(response)
    assert key in refusal["field"] + refusal["detail"], refusal
    after = table_counts()
    after.pop("crossborder.SeenNonce")
    before.pop("crossborder.SeenNonce")
    assert after == before


def test_the_service_refuses_a_bad_term_naming_the_key():
    with pytest.raises(TermsError) as refused:
        services.validate_terms({**BASE, "fee_schedule": {"warehouse_storage_currency": "dollars"}})
    assert refused.value.key == "warehouse_storage_currency"


def test_the_schema_shows_each_fee_term_with_its_type(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    fee = schema["components"]["schemas"]["FeeSchedule"]["properties"]

    assert set(fee) == set(FEE_TERMS)
    assert fee["duties_included"]["type"] == "boolean"
    assert fee["aged_threshold_days"]["type"] == "array" and fee["aged_threshold_days"]["items"]["type"] == "integer"
    assert fee["fulfilment_currency"]["type"] == "string" and fee["fulfilment_currency"]["maxLength"] == 3
    assert fee["fx_margin"]["type"] == "string" and fee["fx_margin"]["format"] == "decimal"
    assert fee["aged_markdown_percent"]["type"] == "integer"
    assert "default" in fee["max_campaign_share"]["description"] or "100" in fee["max_campaign_share"]["description"]


# --- admin ---------------------------------------------------------------------------------------


def admin_form(**fee_schedule):
    import json

    return PartnershipForm(
        data={
            "settlement_currency": "USD",
            "commission_rate": "0.08",
            "fee_schedule": json.dumps(fee_schedule),
            "category_scope": "[]",
            "settlement_cutoff": "23:00",
            "starts_on": "2026-01-01",
        }
    )


@pytest.mark.parametrize(
    ("fees", "key"),
    [({"aged_threshold_days": "soon"}, "aged_threshold_days"), ({"storage": "1"}, "storage")],
)
def test_the_admin_form_shows_a_bad_term_on_the_fee_schedule_naming_the_key(db, fees, key):
    form = admin_form(**fees)

    assert not form.is_valid()
    assert key in " ".join(form.errors["fee_schedule"])


def test_the_admin_form_stores_the_terms_in_their_canonical_form(db):
    form = admin_form(aged_threshold_days="90,180", fulfilment_currency="cny")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["fee_schedule"] == {"aged_threshold_days": [90, 180], "fulfilment_currency": "CNY"}


def test_terms_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Terms.parse(BASE).fx_margin = Decimal(1)


# --- one policy for a bad stored value, as each reader applies it --------------------------------


def test_a_bad_stored_campaign_limit_is_refused_naming_it_not_silently_defaulted(db):
    from partner_zone.services import campaigns

    with pytest.raises(DomainError) as refused:
        campaigns.agreed_limits(stored(max_campaign_share="lots"))

    assert refused.value.field == "fee_schedule.max_campaign_share" and "lots" in refused.value.detail


def test_a_bad_stored_storage_fee_is_logged_naming_it_and_accrues_nothing(db, caplog):
    from logistics.services import ageing

    partnership = stored(warehouse_storage_per_unit_day="abc")

    assert ageing._storage_terms(partnership) is None
    assert "warehouse_storage_per_unit_day" in caplog.text and "'abc'" in caplog.text
