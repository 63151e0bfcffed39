"""The reliability page's faults (bench/resilience.py faults) at a small scale, end to end: two
partnered instances as separate processes on PostgreSQL and Redis, us taking orders of cn's goods
while cn is down, us's Redis is unreachable, cn's replies are lost, two beats run, cn's clock is off,
keys rotate; then multi-item orders in opposite orders. Minutes long, so only with
CROSSBORDER_TEST_RESILIENCE (and CROSSBORDER_TEST_POSTGRES, CROSSBORDER_TEST_REDIS); the figures on
docs/reliability.md come from the full-size run of the script."""

import os
import re
import sys

import pytest

from .test_scenarios import POSTGRES, REDIS, ROOT, assert_every_check, rows, run_bench
from .test_scenarios import pytestmark as scenarios_marks

pytestmark = scenarios_marks  # the same gate as the other scenarios
FAULTS = ("down", "broker", "lost", "beat", "skew", "rotation", "opposite")
LOST_REPLIES, UNITS = 3, 5


@pytest.fixture(scope="module")
def run():
    """One small run of every fault; its printed table."""
    prefix = os.environ.get("CROSSBORDER_TEST_DB_PREFIX", "")
    dbs = os.environ.get("CROSSBORDER_TEST_REDIS_DBS", "11,12")
    command = [
        sys.executable, str(ROOT / "bench" / "resilience.py"), "faults",
        "--down-seconds", "20", "--broker-seconds", "15", "--lost-replies", str(LOST_REPLIES),
        "--beat-seconds", "15", "--skew-seconds", "15",
        "--buyers", "40", "--units", str(UNITS), "--concurrency", "10", "--crash-orders", "0",
        "--postgres", POSTGRES, "--database-prefix", f"{prefix}crossborder_faults",
        "--redis", REDIS, "--redis-dbs", dbs,
    ]  # fmt: skip
    return run_bench(command)


def figure(output, scenario):
    """The scenario's figure row (not its nothing-lost row)."""
    [row] = [row for row in rows(output, scenario) if "nothing lost" not in row[0] and "settled" not in row[0]]
    return row


def number(pattern, text):
    return int(re.search(pattern, text).group(1))


@pytest.mark.timeout(2700)
def test_after_every_fault_nothing_is_lost_on_either_side(run):
    assert_every_check(run, FAULTS, "nothing lost", "OK", "identical")


@pytest.mark.timeout(2700)
def test_after_every_fault_both_platforms_settle_and_their_statement_lines_are_identical(run):
    assert_every_check(run, FAULTS, "settled", "reconciled", "(identical)")


@pytest.mark.timeout(2700)
def test_orders_are_taken_while_the_partner_is_down_and_all_reach_it_once_it_is_back(run):
    row = figure(run, "down")
    assert number(r"^(\d+) orders placed", row[1]) > 0, row
    assert "5xx 0," in row[2], row


@pytest.mark.timeout(2700)
def test_orders_are_taken_while_the_broker_is_unreachable_and_the_outbox_holds_them(run):
    row = figure(run, "broker")
    assert number(r"^(\d+) orders placed", row[1]) > 0, row
    assert number(r"(\d+) held in the outbox", row[1]) > 0, row
    assert "5xx 0," in row[2], row


@pytest.mark.timeout(2700)
def test_a_reply_lost_after_the_partner_applied_the_message_is_sent_again_and_applied_once(run):
    row = figure(run, "lost")
    assert number(r"^(\d+) replies lost", row[1]) == LOST_REPLIES, row
    assert number(r"(\d+) messages sent again", row[1]) >= LOST_REPLIES, row


@pytest.mark.timeout(2700)
def test_a_second_beat_fires_and_nothing_is_done_twice(run):
    row = figure(run, "beat")
    assert number(r"by the second (\d+)", row[2]) > 0, row
    assert "5xx 0," in row[2], row


@pytest.mark.timeout(2700)
def test_a_partner_clock_off_past_the_limit_is_refused_signature_from_future_and_applies_nothing(run):
    row = figure(run, "skew")
    assert "signature_from_future: yes, 0 applied meanwhile" in row[1], row


@pytest.mark.timeout(2700)
def test_key_rotations_under_orders_refuse_nothing(run):
    row = figure(run, "rotation")
    assert row[1].startswith("0 messages refused or sent again, 0 rejected"), row


@pytest.mark.timeout(2700)
def test_orders_of_two_goods_in_opposite_line_orders_sell_exactly_the_units_without_deadlock_or_server_error(run):
    sales = [row for row in rows(run, "opposite") if "nothing lost" not in row[0] and "settled" not in row[0]]
    assert len(sales) == 2, sales
    for sale in sales:
        assert sale[1] == f"{UNITS} orders, 0 deadlocks", sale
        assert "FAILED" not in sale[2], sale
