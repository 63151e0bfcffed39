"""Deciding what becomes of graded returned units: the agreement's rules per grade, narrowed by the
importing country's rules (data), ops overrides with a reason, each carried out through the stock
service with the unit's owner and told to the partner (return.disposition); refusals write nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from aftersales.choices import Disposition, Grade
from aftersales.errors import DispositionErrorCode, ReturnErrorCode
from aftersales.models import ReturnEvent, ReturnUnit
from aftersales.returns.services import disposition
from aftersales.rules import resale_rule
from crossborder.errors import DomainError
from crossborder.models import OutboxMessage
from logistics.models import Reservation, StockLevel, StockMovement
from logistics.selectors import held_to_send_back
from payments.models import Order
from tests.payments.shop_factories import own_variant, partner_listing, set_up_shop

from .factories import paid_line, returned_units

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db, settings):
    return set_up_shop(settings)


@pytest.fixture
def ops(db):
    return get_user_model().objects.create_user("ops-anna", is_staff=True)


def partner_units(*grades, days_ago=3):
    listing = partner_listing(export_price="20.00")
    line = paid_line(listing)
    Order.objects.filter(pk=line.order_id).update(
        paid_at=line.order.paid_at - dt.timedelta(days=days_ago),
        placed_at=line.order.placed_at - dt.timedelta(days=days_ago),
    )
    return [ReturnUnit.objects.get(pk=unit.pk) for unit in returned_units(line, *grades)]


def table_counts():
    return (
        StockLevel.objects.count(),
        StockMovement.objects.count(),
        Reservation.objects.count(),
        OutboxMessage.objects.count(),
        ReturnEvent.objects.count(),
        list(ReturnUnit.objects.order_by("pk").values_list("disposition", "disposition_reason", "decided_at")),
    )


def level_of(unit, grade=""):
    return StockLevel.objects.get(sku=unit.line.order_line.sku, owner=unit.partnership.partner, grade=grade)


def test_rules_resell_a_like_new_partner_unit_into_the_partners_graded_stock_and_tell_the_partner(shop):
    [unit] = partner_units(Grade.LIKE_NEW)

    disposition.apply_rules([unit])

    unit.refresh_from_db()
    assert (unit.disposition, unit.disposition_by_rule) == (Disposition.RESELL, True)
    graded = level_of(unit, Grade.LIKE_NEW)
    assert (graded.on_hand, graded.reserved) == (1, 0)
    assert not StockLevel.objects.filter(owner=unit.partnership.partner, grade="").exists()
    message = OutboxMessage.objects.get(message_type="return.disposition")
    assert message.payload["disposition"] == "resell"
    assert message.payload["grade"] == "like_new"
    assert message.payload["unit"] == disposition.unit_key(unit)
    assert message.payload["resale_discount_percent"] == "15"
    assert message.payload["resale_fee_rate"] == "0.10"


def test_rules_follow_the_agreements_dispositions_per_grade(shop):
    new, good, unsellable = partner_units(Grade.NEW, Grade.GOOD, Grade.UNSELLABLE)
    partnership = new.partnership
    partnership.fee_schedule = {**partnership.fee_schedule, "return_dispositions": {"good": "send_back"}}
    partnership.save(update_fields=["fee_schedule"])

    disposition.apply_rules([new, good, unsellable])

    decided = dict(ReturnUnit.objects.values_list("grade", "disposition"))
    assert decided == {"new": "restock", "good": "send_back", "unsellable": "dispose"}
    level = level_of(new)  # restocked, held to send back, received and written off
    assert (level.on_hand, level.reserved, level.sellable) == (2, 1, 1)
    [held] = held_to_send_back(partnership=partnership)  # for the next reverse consignment
    assert held.reference.startswith("reverse:") and held.stock.owner == partnership.partner
    written_off = StockMovement.objects.get(kind="written_off")
    assert written_off.on_hand_delta == -1 and written_off.note


def test_in_china_a_partner_unit_past_the_period_can_only_be_sent_back_repaired_or_disposed_of(shop):
    days = resale_rule(partner_goods=True, country="CN").period_days
    [unit] = partner_units(Grade.LIKE_NEW, days_ago=days + 1)

    options = {o.disposition: o for o in disposition.allowed_dispositions(unit)}

    assert [d for d, o in options.items() if o.allowed] == ["send_back", "repair", "dispose"]
    assert "domestic goods" in options["resell"].why_not
    assert "domestic goods" in options["restock"].why_not or "graded new" in options["restock"].why_not
    disposition.apply_rules([unit])
    unit.refresh_from_db()
    assert unit.disposition == Disposition.SEND_BACK
    assert "not allowed here" in unit.disposition_reason


def test_in_china_a_partner_unit_within_the_period_may_be_resold_only_in_the_partner_zone(shop):
    rule = resale_rule(partner_goods=True, country="CN")
    [unit] = partner_units(Grade.GOOD, days_ago=rule.period_days - 1)

    assert rule.resale_channels == ("partner_zone",)
    assert {o.disposition for o in disposition.allowed_dispositions(unit) if o.allowed} == {
        "resell",
        "send_back",
        "repair",
        "dispose",
    }


def test_in_the_us_a_partner_unit_may_be_resold_however_long_ago_it_was_imported(shop, settings):
    [unit] = partner_units(Grade.GOOD, days_ago=2000)
    settings.PLATFORM_COUNTRY = "US"  # the same unit, had it been returned in the US

    rule = resale_rule(partner_goods=True)
    assert rule.period_days is None and "own_catalog" in rule.resale_channels
    assert next(o for o in disposition.allowed_dispositions(unit) if o.disposition == "resell").allowed


def test_own_goods_are_never_sent_back_and_a_like_new_unit_goes_to_our_graded_stock(shop):
    variant = own_variant(shop, stock=5, price="99.00")
    [unit] = returned_units(paid_line(variant), Grade.LIKE_NEW)

    options = {o.disposition: o for o in disposition.allowed_dispositions(unit)}
    assert not options["send_back"].allowed and "no partner" in options["send_back"].why_not
    disposition.apply_rules([unit])

    graded = StockLevel.objects.get(sku=variant.sku, owner=None, grade=Grade.LIKE_NEW)
    assert graded.on_hand == 1
    variant.refresh_from_db()
    assert variant.stock == 4  # the catalog's figure counts new units only
    assert not OutboxMessage.objects.filter(message_type="return.disposition").exists()


def test_ops_override_the_rules_decision_with_a_reason_and_the_unit_moves(shop, ops):
    [unit] = partner_units(Grade.LIKE_NEW)
    disposition.apply_rules([unit])

    disposition.decide(unit, Disposition.REPAIR, reason="The zipper is loose; repair first.", actor=ops)

    unit.refresh_from_db()
    assert (unit.disposition, unit.disposition_by_rule, unit.decided_by) == ("repair", False, ops)
    assert level_of(unit, Grade.LIKE_NEW).on_hand == 0
    assert Reservation.objects.get(reference__startswith="repair:").status == "active"
    sent = OutboxMessage.objects.filter(message_type="return.disposition").order_by("seq")
    assert [m.payload["disposition"] for m in sent] == ["resell", "repair"]
    assert sent.last().payload["by_rule"] is False


@pytest.mark.parametrize(
    ("grade", "choice", "reason", "code"),
    [
        ("", Disposition.RESELL, "why", DispositionErrorCode.NOT_GRADED),
        (Grade.LIKE_NEW, Disposition.RESELL, "  ", DispositionErrorCode.REASON_REQUIRED),
        (Grade.LIKE_NEW, Disposition.RESTOCK, "as new", ReturnErrorCode.NOT_ALLOWED_HERE),
        (Grade.UNSELLABLE, Disposition.RESELL, "sell it", ReturnErrorCode.NOT_ALLOWED_HERE),
        (Grade.LIKE_NEW, "burn", "why", DispositionErrorCode.UNKNOWN_DISPOSITION),
    ],
)
def test_a_bad_decision_is_refused_with_why_and_changes_nothing(shop, ops, grade, choice, reason, code):
    [unit] = partner_units(grade)
    before = table_counts()

    with pytest.raises(DomainError) as refused:
        disposition.decide(unit, choice, reason=reason, actor=ops)

    assert refused.value.code == code
    assert table_counts() == before


def test_a_resale_not_allowed_in_china_is_refused_naming_the_rule_and_changes_nothing(shop, ops):
    [unit] = partner_units(Grade.LIKE_NEW, days_ago=400)
    before = table_counts()

    with pytest.raises(DomainError) as refused:
        disposition.decide(unit, Disposition.RESELL, reason="sell it", actor=ops)

    assert refused.value.code == ReturnErrorCode.NOT_ALLOWED_HERE
    assert "domestic goods" in refused.value.detail
    assert table_counts() == before


def test_deciding_twice_is_refused_and_changes_nothing(shop, ops):
    [unit] = partner_units(Grade.LIKE_NEW)
    disposition.decide(unit, Disposition.SEND_BACK, reason="The partner asked for it back.", actor=ops)
    before = table_counts()

    with pytest.raises(DomainError) as again:
        disposition.decide(unit, Disposition.DISPOSE, reason="changed my mind", actor=ops)
    assert again.value.code == DispositionErrorCode.ALREADY_DECIDED
    with pytest.raises(DomainError) as rules_again:
        disposition.apply_rules([unit])
    assert rules_again.value.code == DispositionErrorCode.ALREADY_DECIDED
    assert table_counts() == before


def test_rules_refuse_the_whole_batch_when_one_unit_is_ungraded(shop):
    graded, ungraded = partner_units(Grade.LIKE_NEW, "")
    before = table_counts()

    with pytest.raises(DomainError) as refused:
        disposition.apply_rules([graded, ungraded])

    assert refused.value.code == DispositionErrorCode.NOT_GRADED
    assert table_counts() == before


def test_a_disposed_unit_cannot_be_decided_again(shop, ops):
    [unit] = partner_units(Grade.UNSELLABLE)
    disposition.apply_rules([unit])
    before = table_counts()

    with pytest.raises(DomainError) as refused:
        disposition.decide(unit, Disposition.REPAIR, reason="maybe fixable", actor=ops)

    assert refused.value.code == DispositionErrorCode.CANNOT_UNDO
    assert table_counts() == before


def test_the_grade_discount_and_fee_are_typed_terms_with_documented_defaults():
    from crossborder.terms import Terms, TermsError

    terms = Terms.parse({"fee_schedule": {"resale_grade_discounts": {"good": "25"}, "resale_fee_rate": "0.12"}})
    assert terms.grade_discount(Grade.GOOD) == Decimal(25)
    assert terms.grade_discount(Grade.LIKE_NEW) == Decimal(15)
    assert terms.grade_discount(Grade.NEW) is None
    assert terms.resale_fee_rate == Decimal("0.12")
    assert terms.default_disposition(Grade.UNSELLABLE) == Disposition.DISPOSE
    assert terms.fee_schedule_json()["resale_grade_discounts"] == {"good": "25"}
    for bad in (
        {"resale_grade_discounts": {"new": 10}},
        {"resale_grade_discounts": {"good": 150}},
        {"return_dispositions": {"good": "burn"}},
        {"resale_fee_rate": "2"},
    ):
        with pytest.raises(TermsError) as refused:
            Terms.parse({"fee_schedule": bad})
        assert refused.value.key == next(iter(bad))


def test_chinas_resale_rule_is_explained_in_the_readers_language_from_the_data():
    from django.utils import translation

    from aftersales.rules import resale_rule

    rule = resale_rule(partner_goods=True, country="CN")
    with translation.override("zh-hans"):
        assert "不允许" in rule.explanation() and "90" in rule.explanation()
    with translation.override("en"):
        assert rule.explanation().startswith("China does not allow") and "90 days" in rule.explanation()
    assert resale_rule(partner_goods=True, country="US").explanation() == ""
