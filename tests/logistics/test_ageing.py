"""Aged consignment stock: ages first-in first-out, proposals past the agreed thresholds, the
exporter's decision through the partner API, carrying it out without touching reserved units; and
warehouse storage fees per unit-day, accrued once per level and day."""

import datetime as dt
import uuid
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from djmoney.money import Money

from crossborder.models import OutboxMessage, Partner, Partnership
from logistics import hooks
from logistics.models import AgedStockAction, StockLevel, StockMovement, StorageFeeAccrual
from logistics.services import LogisticsError, ageing, stock
from logistics.tasks import accrue_storage_fees_task, review_aged_stock_task
from tests.catalog.factories import TEST_PASSWORD
from tests.partners import body_json

from .factories import make_level, make_warehouse

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2025, 6, 1, 12, 0))
Action = AgedStockAction.Action
Status = AgedStockAction.Status


def held(owner, lots, *, sku=None, warehouse=None):
    """A consignment stock level of `owner` with lots received `days` before NOW: [(days, units)]."""
    level = make_level(warehouse=warehouse, sku=sku, owner=owner)
    for n, (days, units) in enumerate(lots):
        stock.receive(level, units, reference=f"lot-{level.pk}-{n}", at=NOW - dt.timedelta(days=days))
    level.refresh_from_db()
    return level


def outbox(message_type):
    return list(OutboxMessage.objects.filter(message_type=message_type).order_by("seq"))


def other_partnership(code="jp", **terms):
    partner = Partner.objects.create(
        code=code, name=f"Partner {code}", country="JP", currency="JPY", languages=["ja"], base_url="http://jp.invalid"
    )
    return Partnership.objects.create(
        partner=partner,
        status=Partnership.Status.ACTIVE,
        initiated_by=Partnership.Initiator.US,
        settlement_currency=terms.pop("settlement_currency", "JPY"),
        commission_rate="0.0500",
        settlement_cutoff=dt.time(23, 0),
        **terms,
    )


def set_fees(partnership, **fees):
    partnership.fee_schedule = {**partnership.fee_schedule, **fees}
    partnership.save(update_fields=["fee_schedule"])


# --- ages ----------------------------------------------------------------------------------------


def test_a_lot_received_91_days_ago_is_in_the_91_to_180_bucket(remote):
    level = held(remote.partner, [(91, 4), (10, 6)])

    buckets = ageing.age_buckets(level, now=NOW)

    assert buckets == {"0-90": 6, "91-180": 4, "181-270": 0, "271-365": 0, "366+": 0}
    [row] = ageing.aged_units(partnership=remote.partnership, now=NOW)
    assert row["oldest_age_days"] == 91
    assert row["over_threshold"] == {90: 4, 180: 0, 365: 0}


def test_a_lot_exactly_90_days_old_is_not_yet_aged(remote):
    held(remote.partner, [(90, 4)])

    [row] = ageing.aged_units(partnership=remote.partnership, now=NOW)

    assert row["buckets"]["0-90"] == 4 and row["over_threshold"][90] == 0


def test_selling_drains_the_oldest_lot_first_so_the_oldest_age_changes(remote):
    level = held(remote.partner, [(200, 3), (100, 2), (5, 4)])
    stock.reserve(level, 4, reference="order-1/line-1")
    stock.pick("order-1/line-1")

    [row] = ageing.aged_units(partnership=remote.partnership, now=NOW)

    assert row["oldest_age_days"] == 100
    assert row["buckets"] == {"0-90": 4, "91-180": 1, "181-270": 0, "271-365": 0, "366+": 0}


def test_own_stock_and_other_partners_stock_never_appear(remote):
    warehouse = make_warehouse()
    held(None, [(400, 9)], sku="OWN-1", warehouse=warehouse)
    held(other_partnership().partner, [(400, 9)], sku="JP-1", warehouse=warehouse)
    held(remote.partner, [(100, 1)], sku="US-1", warehouse=warehouse)

    rows = ageing.aged_units(partnership=remote.partnership, now=NOW)

    assert [row["sku"] for row in rows] == ["US-1"]


def test_thresholds_come_from_the_partnerships_fee_schedule(remote):
    set_fees(remote.partnership, aged_threshold_days="30,60")
    held(remote.partner, [(45, 2), (70, 1)])

    [row] = ageing.aged_units(partnership=remote.partnership, now=NOW)

    assert row["over_threshold"] == {30: 3, 60: 1, 365: 0}


def test_a_malformed_threshold_is_refused_naming_it(remote):
    set_fees(remote.partnership, aged_threshold_days="ninety")

    with pytest.raises(LogisticsError) as refused:
        ageing.aged_units(partnership=remote.partnership, now=NOW)

    assert refused.value.field == "aged_threshold_days" and "ninety" in refused.value.detail


def test_ageing_takes_one_query_whatever_the_number_of_skus(remote, django_assert_num_queries):
    for _ in range(2):
        held(remote.partner, [(100, 1), (10, 1)])
    with django_assert_num_queries(1):
        assert len(ageing.aged_units(partnership=remote.partnership, now=NOW)) == 2
    for _ in range(8):
        held(remote.partner, [(100, 1), (10, 1)])
    with django_assert_num_queries(1):
        assert len(ageing.aged_units(partnership=remote.partnership, now=NOW)) == 10


# --- the importer proposes -----------------------------------------------------------------------


def test_review_proposes_markdown_past_90_and_return_past_180_in_one_message(remote):
    markdown = held(remote.partner, [(100, 5), (10, 7)], sku="A")
    returned = held(remote.partner, [(200, 3), (120, 2)], sku="B")
    held(remote.partner, [(30, 8)], sku="FRESH")

    proposed = ageing.review_aged_stock(partnership=remote.partnership, now=NOW)

    by_sku = {action.sku: action for action in proposed}
    assert set(by_sku) == {"A", "B"}
    assert (by_sku["A"].stock_id, by_sku["A"].action, by_sku["A"].quantity) == (markdown.pk, Action.MARKDOWN, 5)
    assert (by_sku["A"].threshold_days, by_sku["A"].oldest_age_days, by_sku["A"].markdown_percent) == (90, 100, 20)
    assert (by_sku["B"].stock_id, by_sku["B"].action, by_sku["B"].quantity) == (returned.pk, Action.RETURN, 3)
    assert (by_sku["B"].threshold_days, by_sku["B"].oldest_age_days, by_sku["B"].markdown_percent) == (180, 200, None)
    assert AgedStockAction.objects.filter(status=Status.PROPOSED).count() == 2
    [message] = outbox(ageing.PROPOSAL)
    assert sorted(message.payload["actions"], key=lambda a: a["sku"]) == [
        {
            "reference": str(by_sku["A"].reference),
            "sku": "A",
            "quantity": 5,
            "oldest_age_days": 100,
            "threshold_days": 90,
            "action": "markdown",
            "markdown_percent": 20,
        },
        {
            "reference": str(by_sku["B"].reference),
            "sku": "B",
            "quantity": 3,
            "oldest_age_days": 200,
            "threshold_days": 180,
            "action": "return",
            "markdown_percent": None,
        },
    ]


def test_units_older_than_365_days_are_proposed_for_liquidation(remote):
    held(remote.partner, [(400, 2), (200, 5)])

    [action] = ageing.review_aged_stock(partnership=remote.partnership, now=NOW)

    assert (action.action, action.quantity, action.threshold_days) == (Action.LIQUIDATE, 2, 365)


def test_markdown_percent_comes_from_the_fee_schedule(remote):
    set_fees(remote.partnership, aged_markdown_percent="35")
    held(remote.partner, [(100, 5)])

    [action] = ageing.review_aged_stock(partnership=remote.partnership, now=NOW)

    assert action.markdown_percent == 35


def test_a_second_review_the_same_day_proposes_nothing_new(remote):
    held(remote.partner, [(100, 5)])
    [first] = ageing.review_aged_stock(partnership=remote.partnership, now=NOW)
    assert ageing.review_aged_stock(partnership=remote.partnership, now=NOW + dt.timedelta(hours=1)) == []
    # Even once the exporter rejected it: one proposal per level and day.
    ageing.record_aged_decision(
        partnership=remote.partnership,
        payload={"reference": first.reference, "decision": "rejected", "action": "markdown"},
    )

    assert ageing.review_aged_stock(partnership=remote.partnership, now=NOW + dt.timedelta(hours=2)) == []
    assert AgedStockAction.objects.count() == 1 and len(outbox(ageing.PROPOSAL)) == 1


def test_an_open_action_holds_back_new_proposals_but_a_higher_tier_after_rejection_is_proposed(remote):
    held(remote.partner, [(100, 5)])
    [first] = ageing.review_aged_stock(partnership=remote.partnership, now=NOW)
    assert ageing.review_aged_stock(partnership=remote.partnership, now=NOW + dt.timedelta(days=1)) == []
    ageing.record_aged_decision(
        partnership=remote.partnership,
        payload={"reference": first.reference, "decision": "rejected", "action": "markdown"},
    )
    assert ageing.review_aged_stock(partnership=remote.partnership, now=NOW + dt.timedelta(days=2)) == []

    [later] = ageing.review_aged_stock(partnership=remote.partnership, now=NOW + dt.timedelta(days=81))

    assert (later.action, later.quantity, later.threshold_days) == (Action.RETURN, 5, 180)


def test_nothing_aged_sends_no_message(remote):
    held(remote.partner, [(10, 5)])

    assert ageing.review_aged_stock(partnership=remote.partnership, now=NOW) == []
    assert outbox(ageing.PROPOSAL) == []


# --- the exporter decides, through the partner API ------------------------------------------------


def proposal_payload(**overrides):
    item = {
        "reference": str(uuid.uuid4()),
        "sku": "CN-TEA-1",
        "quantity": 5,
        "oldest_age_days": 120,
        "threshold_days": 90,
        "action": "markdown",
        "markdown_percent": 20,
    }
    return {"actions": [{**item, **overrides}]}


def test_the_exporter_records_proposals_from_a_signed_message_once(remote, api):
    payload = proposal_payload()

    first = remote.post_message(api, ageing.PROPOSAL, payload)
    again = remote.post_message(api, ageing.PROPOSAL, payload)  # re-sent under a new key

    assert first.status_code == 200 and again.status_code == 200, first.content
    assert body_json(first)["result"] == {"recorded": [payload["actions"][0]["reference"]]}
    [row] = AgedStockAction.objects.all()
    assert row.stock is None and str(row.reference) == payload["actions"][0]["reference"]
    assert (row.sku, row.quantity, row.action, row.status) == ("CN-TEA-1", 5, Action.MARKDOWN, Status.PROPOSED)


def test_a_malformed_proposal_is_refused_and_records_nothing(remote, api):
    response = remote.post_message(api, ageing.PROPOSAL, proposal_payload(quantity=-3))

    assert response.status_code == 400 and body_json(response)["code"] == "invalid_payload"
    assert not AgedStockAction.objects.exists()


def test_the_exporter_may_choose_another_action_and_tells_the_importer(remote, api):
    payload = proposal_payload()
    remote.post_message(api, ageing.PROPOSAL, payload)
    reference = payload["actions"][0]["reference"]

    row = ageing.decide_aged_action(partnership=remote.partnership, reference=reference, accept=True, action="return")

    assert (row.status, row.action, row.markdown_percent) == (Status.AGREED, Action.RETURN, None)
    [message] = outbox(ageing.DECISION)
    assert message.payload == {
        "reference": reference,
        "decision": "agreed",
        "action": "return",
        "markdown_percent": None,
    }
    # The same decision again changes nothing and sends nothing more.
    ageing.decide_aged_action(partnership=remote.partnership, reference=reference, accept=True, action="return")
    assert len(outbox(ageing.DECISION)) == 1


def test_the_exporter_cannot_decide_on_goods_it_holds_itself(remote):
    level_action = proposed_here(remote, [(100, 5)])

    with pytest.raises(LogisticsError) as refused:
        ageing.decide_aged_action(partnership=remote.partnership, reference=level_action.reference, accept=True)

    assert refused.value.status == 404


def proposed_here(remote, lots, **held_kwargs):
    held(remote.partner, lots, **held_kwargs)
    [action] = ageing.review_aged_stock(partnership=remote.partnership, now=NOW)
    return action


def decide(remote, api, action, decision="agreed", **extra):
    payload = {"reference": str(action.reference), "decision": decision, "action": action.action, **extra}
    return remote.post_message(api, ageing.DECISION, payload)


def test_an_agreed_return_is_carried_out_with_a_sent_back_movement(remote, api):
    action = proposed_here(remote, [(200, 3), (10, 4)])
    assert decide(remote, api, action).status_code == 200
    action.refresh_from_db()
    assert action.status == Status.AGREED and action.decided_at is not None

    done = ageing.carry_out(action, actor="ops")

    assert (done.quantity, done.agreed) == (3, 3)
    level = StockLevel.objects.get(pk=action.stock_id)
    assert (level.on_hand, level.reserved) == (4, 0)
    movement = StockMovement.objects.get(stock=level, kind=StockMovement.Kind.SENT_BACK)
    assert (movement.on_hand_delta, movement.reference) == (-3, f"aged:{action.reference}")
    assert list(ageing.pending_returns(partnership=remote.partnership)) == [movement]
    action.refresh_from_db()
    assert action.status == Status.DONE
    [report] = outbox(ageing.CARRIED_OUT)
    assert report.payload == {"reference": str(action.reference), "action": "return", "quantity": 3}
    # Carrying it out again changes nothing.
    assert ageing.carry_out(action).quantity == 3
    level.refresh_from_db()
    assert level.on_hand == 4 and StockMovement.objects.filter(kind=StockMovement.Kind.SENT_BACK).count() == 1


def test_an_agreed_liquidation_writes_the_units_off(remote, api):
    action = proposed_here(remote, [(400, 2), (10, 1)])
    decide(remote, api, action)

    ageing.carry_out(action)

    level = StockLevel.objects.get(pk=action.stock_id)
    assert level.on_hand == 1
    movement = StockMovement.objects.get(stock=level, kind=StockMovement.Kind.WRITTEN_OFF)
    assert (movement.on_hand_delta, movement.note) == (-2, "liquidation of aged stock")


def test_carrying_out_never_takes_reserved_units_and_says_how_many_it_could(remote, api):
    action = proposed_here(remote, [(200, 5)])
    decide(remote, api, action)
    level = StockLevel.objects.get(pk=action.stock_id)
    stock.reserve(level, 3, reference="order-9/line-1")

    done = ageing.carry_out(action)

    assert (done.quantity, done.agreed) == (2, 5) and "2 of 5" in done.message
    level.refresh_from_db()
    assert (level.on_hand, level.reserved) == (3, 3)


def test_carrying_out_with_every_unit_reserved_is_refused_and_changes_nothing(remote, api):
    action = proposed_here(remote, [(200, 2)])
    decide(remote, api, action)
    stock.reserve(StockLevel.objects.get(pk=action.stock_id), 2, reference="order-9/line-1")

    with pytest.raises(LogisticsError) as refused:
        ageing.carry_out(action)

    assert refused.value.code == "insufficient_stock" and refused.value.status == 409
    action.refresh_from_db()
    assert action.status == Status.AGREED and not outbox(ageing.CARRIED_OUT)


def test_an_action_not_agreed_is_not_carried_out(remote):
    action = proposed_here(remote, [(200, 2)])

    with pytest.raises(LogisticsError) as refused:
        ageing.carry_out(action)

    assert refused.value.status == 409
    assert StockLevel.objects.get(pk=action.stock_id).on_hand == 2


def test_an_agreed_markdown_is_handed_to_the_partner_zone(remote, api, monkeypatch):
    # Logistics' side alone (the zone's price change: tests/payments/test_aged_markdown.py).
    seen = []
    monkeypatch.setattr(hooks.aged_stock_markdown, "_subscribers", [lambda action: seen.append(action)])
    action = proposed_here(remote, [(100, 5)])
    decide(remote, api, action, markdown_percent=30)

    ageing.carry_out(action)

    action.refresh_from_db()
    assert [a.pk for a in seen] == [action.pk] and action.markdown_percent == 30
    assert action.status == Status.DONE
    assert StockLevel.objects.get(pk=action.stock_id).on_hand == 5


def test_a_decision_on_an_unknown_reference_is_refused_with_404(remote, api):
    unknown = str(uuid.uuid4())

    response = remote.post_message(
        api, ageing.DECISION, {"reference": unknown, "decision": "agreed", "action": "return"}
    )

    assert response.status_code == 404
    assert body_json(response)["field"] == "reference" and unknown in body_json(response)["detail"]


def test_a_conflicting_decision_is_refused_with_409_and_a_repeat_is_a_no_op(remote, api):
    action = proposed_here(remote, [(200, 2)])
    assert decide(remote, api, action).status_code == 200
    assert decide(remote, api, action).status_code == 200

    response = decide(remote, api, action, decision="rejected")

    assert response.status_code == 409 and body_json(response)["field"] == "decision"
    action.refresh_from_db()
    assert action.status == Status.AGREED


def test_the_exporter_learns_the_action_was_carried_out(remote, api):
    payload = proposal_payload(action="return", markdown_percent=None)
    remote.post_message(api, ageing.PROPOSAL, payload)
    reference = payload["actions"][0]["reference"]
    ageing.decide_aged_action(partnership=remote.partnership, reference=reference, accept=True)

    response = remote.post_message(api, ageing.CARRIED_OUT, {"reference": reference, "action": "return", "quantity": 5})

    assert response.status_code == 200
    assert AgedStockAction.objects.get(reference=reference).status == Status.DONE


# --- storage fees --------------------------------------------------------------------------------

DAY = dt.date(2025, 5, 31)


def test_100_units_at_002_per_unit_day_accrue_200_in_the_settlement_currency(remote):
    set_fees(remote.partnership, warehouse_storage_per_unit_day="0.02")
    level = held(remote.partner, [(10, 100)])

    [accrual] = ageing.accrue_storage_fees(day=DAY)

    assert accrual.amount == Money(Decimal("2.00"), "USD") and accrual.rate == Money(Decimal("0.02"), "USD")
    assert (accrual.stock_id, accrual.unit_days, accrual.day) == (level.pk, 100, DAY)
    assert accrual.reference == f"storage:{level.pk}:2025-05-31"


def test_the_storage_currency_may_be_named_in_the_fee_schedule_and_amounts_round_half_up(remote):
    set_fees(remote.partnership, warehouse_storage_per_unit_day="0.015", warehouse_storage_currency="CNY")
    held(remote.partner, [(10, 3)])

    [accrual] = ageing.accrue_storage_fees(day=DAY)

    assert accrual.amount == Money(Decimal("0.05"), "CNY")  # 0.045 rounds half up


def test_a_second_run_for_the_same_day_accrues_nothing(remote):
    set_fees(remote.partnership, warehouse_storage_per_unit_day="0.02")
    held(remote.partner, [(10, 100)])
    ageing.accrue_storage_fees(day=DAY)

    assert ageing.accrue_storage_fees(day=DAY) == []
    assert StorageFeeAccrual.objects.count() == 1
    assert len(ageing.accrue_storage_fees(day=DAY + dt.timedelta(days=1))) == 1


def test_the_fee_accrued_hook_books_each_new_accrual_once_after_commit(
    remote, monkeypatch, django_capture_on_commit_callbacks
):
    booked = []
    monkeypatch.setattr(hooks.fee_accrued, "_subscribers", [lambda accrual: booked.append(accrual)])
    set_fees(remote.partnership, warehouse_storage_per_unit_day="0.02")
    held(remote.partner, [(10, 100)])
    held(remote.partner, [(10, 5)])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        accrued = ageing.accrue_storage_fees(day=DAY)
    assert booked == []  # nothing before the commit
    for callback in callbacks:
        callback()
    with django_capture_on_commit_callbacks(execute=True):
        ageing.accrue_storage_fees(day=DAY)

    assert sorted(a.pk for a in booked) == sorted(a.pk for a in accrued) and len(booked) == 2


def test_partnerships_without_a_storage_fee_accrue_nothing(remote):
    held(remote.partner, [(10, 100)])
    priced = other_partnership(fee_schedule={"warehouse_storage_per_unit_day": "0.50"})
    held(priced.partner, [(10, 2)])
    held(None, [(10, 50)])  # our own goods never pay storage

    accrued = ageing.accrue_storage_fees(day=DAY)

    assert [(a.partnership_id, a.amount) for a in accrued] == [(priced.pk, Money(Decimal("1.00"), "JPY"))]


def test_levels_with_nothing_on_hand_accrue_nothing(remote):
    set_fees(remote.partnership, warehouse_storage_per_unit_day="0.02")
    level = held(remote.partner, [(10, 2)])
    stock.write_off(level, 2, reason="broken")

    assert ageing.accrue_storage_fees(day=DAY) == []


def test_storage_fees_take_a_fixed_number_of_queries_whatever_the_number_of_levels(remote):
    set_fees(remote.partnership, warehouse_storage_per_unit_day="0.02")
    for _ in range(2):
        held(remote.partner, [(10, 3)])
    with CaptureQueriesContext(connection) as two:
        assert len(ageing.accrue_storage_fees(day=DAY)) == 2
    for _ in range(10):
        held(remote.partner, [(10, 3)])

    with CaptureQueriesContext(connection) as twelve:
        assert len(ageing.accrue_storage_fees(day=DAY + dt.timedelta(days=1))) == 12

    assert len(twelve) == len(two)


def test_the_default_day_is_yesterday_and_a_future_day_is_refused(remote):
    set_fees(remote.partnership, warehouse_storage_per_unit_day="0.02")
    held(remote.partner, [(10, 1)])

    [accrual] = ageing.accrue_storage_fees()

    assert accrual.day == timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(LogisticsError):
        ageing.accrue_storage_fees(day=timezone.localdate() + dt.timedelta(days=1))


def test_the_storage_fee_task_accrues_once(remote):
    set_fees(remote.partnership, warehouse_storage_per_unit_day="0.02")
    held(remote.partner, [(10, 1)])

    assert accrue_storage_fees_task.apply(kwargs={"day": DAY.isoformat()}).get() == {"accrued": 1}
    assert accrue_storage_fees_task.apply(kwargs={"day": DAY.isoformat()}).get() == {"accrued": 0}


# --- task, command, admin ------------------------------------------------------------------------


def test_the_review_task_reviews_every_live_partnership_and_skips_a_refused_one(remote):
    held(remote.partner, [(400, 1)])
    broken = other_partnership(fee_schedule={"aged_threshold_days": "soon"})
    held(broken.partner, [(400, 1)])

    assert review_aged_stock_task.apply().get() == {"us": 1}


def test_the_command_lists_a_unit_past_90_days_at_a_simulated_now_and_proposes_it(remote):
    held(remote.partner, [(89, 2)], sku="TEA-1")
    out = StringIO()

    call_command("review_aged_stock", "--partner", "us", "--now", NOW.isoformat(), "--list", stdout=out)
    assert "AGED" not in out.getvalue() and not AgedStockAction.objects.exists()
    later = (NOW + dt.timedelta(days=2)).isoformat()
    call_command("review_aged_stock", "--partner", "us", "--now", later, stdout=out)

    lines = out.getvalue().splitlines()
    assert any(line.strip().startswith("TEA-1") and line.endswith("AGED") for line in lines)
    assert any("proposed markdown -20% TEA-1 x2 (oldest 91 days, over 90)" in line for line in lines)
    assert AgedStockAction.objects.get().sku == "TEA-1"


@pytest.fixture
def ops(client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("ops", "ops@example.com", TEST_PASSWORD))
    return client


def test_admin_lists_aged_actions_and_fees_in_a_fixed_number_of_queries(ops, remote, django_assert_max_num_queries):
    set_fees(remote.partnership, warehouse_storage_per_unit_day="0.02")
    for _ in range(2):
        held(remote.partner, [(100, 1)])
    ageing.review_aged_stock(partnership=remote.partnership, now=NOW)
    ageing.accrue_storage_fees(day=DAY)
    pages = ["/admin/logistics/agedstockaction/?side=held", "/admin/logistics/storagefeeaccrual/"]
    baseline = {}
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            assert ops.get(page).status_code == 200
        baseline[page] = len(queries)
    for _ in range(8):
        held(remote.partner, [(100, 1)])
    ageing.review_aged_stock(partnership=remote.partnership, now=NOW + dt.timedelta(days=1))
    ageing.accrue_storage_fees(day=DAY + dt.timedelta(days=-1))

    for page in pages:
        with django_assert_max_num_queries(baseline[page]):
            response = ops.get(page)
        assert response.status_code == 200
    assert ops.get("/admin/logistics/storagefeeaccrual/add/").status_code == 403


def test_admin_carries_out_agreed_actions_through_the_service(ops, remote, api):
    action = proposed_here(remote, [(400, 2)])
    decide(remote, api, action)

    ops.post("/admin/logistics/agedstockaction/", {"action": "carry_out_agreed", "_selected_action": [action.pk]})

    action.refresh_from_db()
    assert action.status == Status.DONE
    assert StockLevel.objects.get(pk=action.stock_id).on_hand == 0


def test_admin_agrees_to_a_proposal_about_our_goods_abroad_with_the_chosen_action(ops, remote, api):
    payload = proposal_payload()
    remote.post_message(api, ageing.PROPOSAL, payload)
    row = AgedStockAction.objects.get()

    ops.post("/admin/logistics/agedstockaction/", {"action": "propose_liquidation", "_selected_action": [row.pk]})

    row.refresh_from_db()
    assert (row.status, row.action) == (Status.AGREED, Action.LIQUIDATE)
    assert outbox(ageing.DECISION)[0].payload["action"] == "liquidate"
