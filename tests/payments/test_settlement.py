"""Nightly settlement: a period closed once at the agreed cut-off, netted and converted once, sent to
the partner, reconciled line by line against the partner's statement, and paid by one instruction."""

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossborder.errors import DomainError
from crossborder.models import ExchangeRate, OutboxMessage, Partner, Partnership
from payments.ledger.services import ledger, settlement
from payments.models import (
    LedgerTransaction,
    PartnerStatementPart,
    PayoutInstruction,
    Posting,
    SettledPosting,
    SettlementBatch,
)
from tests.partner_zone.factories import make_partnership
from tests.payments.factories import cny, sell_partner_goods, usd

pytestmark = pytest.mark.django_db

UTC = dt.UTC
CUTOFF = dt.datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
PAIN = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.09}"


@pytest.fixture(autouse=True)
def _fresh_accounts():
    ledger.forget_accounts()
    yield
    ledger.forget_accounts()


@pytest.fixture
def partnership():
    return make_partnership(settlement_cutoff=dt.time(23, 0))


def at(moment):
    """Post with the ledger's clock at `moment` (recorded_at defaults to now)."""
    from unittest import mock

    return mock.patch("django.utils.timezone.now", return_value=moment)


def their_statement(batch, *, lines=None, part=1, parts=1, net=None):
    """The partner's statement of the same period: our lines with the opposite sign."""
    if lines is None:
        lines = [
            {"event_reference": ref, "kind": "mirror", "currency": currency, "amount": str(-amount)}
            for ref, _kind, currency, amount, _count in settlement.statement_lines(batch)
        ]
    return {
        "batch_reference": "6d3c1f9e-5a0b-4c1e-9a44-0e6b2f1d7c55",
        "period_start": None,
        "period_end": batch.period_end,
        "currency": batch.currency,
        "net_amount": str(-batch.net_amount if net is None else net),
        "part": part,
        "parts": parts,
        "lines": lines,
    }


def test_the_cutoff_is_the_agreed_time_in_utc_the_latest_one_passed(partnership):
    assert settlement.last_cutoff(partnership, now=CUTOFF + dt.timedelta(minutes=1)) == CUTOFF
    assert settlement.last_cutoff(partnership, now=CUTOFF - dt.timedelta(minutes=1)) == CUTOFF - dt.timedelta(days=1)
    assert settlement.last_cutoff(partnership, now=CUTOFF) == CUTOFF


def test_a_period_holds_the_partner_postings_recorded_before_the_cutoff_and_nets_them(partnership):
    with at(CUTOFF - dt.timedelta(hours=2)):
        sell_partner_goods(partnership, "order:cn:1:1", partner="90.00")  # we owe 81.00
        ledger.record_partner_charge(
            reference="fee:1", partnership=partnership, amount=usd("12.50"), kind="warehouse_fee"
        )
    with at(CUTOFF + dt.timedelta(seconds=1)):
        sell_partner_goods(partnership, "order:cn:2:1", partner="10.00")  # after the cut-off
    batch = settlement.close_period(partnership=partnership, period_end=CUTOFF, now=CUTOFF + dt.timedelta(hours=1))
    assert batch.net_amount == Decimal("-68.50") and batch.we_owe
    assert batch.posting_count == 3  # the sale's two partner postings and the fee's one
    assert set(batch.lines.values_list("event_reference", "amount")) == {
        ("order:cn:1:1", Decimal("-81.0000")),
        ("fee:1", Decimal("12.5000")),
    }
    later = settlement.close_period(
        partnership=partnership, period_end=CUTOFF + dt.timedelta(days=1), now=CUTOFF + dt.timedelta(days=1, hours=1)
    )
    assert later.period_start == CUTOFF
    assert list(later.lines.values_list("event_reference", "amount")) == [("order:cn:2:1", Decimal("-9.0000"))]


def test_closing_the_same_period_again_changes_nothing(partnership):
    with at(CUTOFF - dt.timedelta(hours=2)):
        sell_partner_goods(partnership, "order:cn:1:1")
    first = settlement.close_period(partnership=partnership, period_end=CUTOFF, now=CUTOFF + dt.timedelta(hours=1))
    counts = (SettledPosting.objects.count(), OutboxMessage.objects.count(), LedgerTransaction.objects.count())
    again = settlement.close_period(partnership=partnership, period_end=CUTOFF, now=CUTOFF + dt.timedelta(hours=2))
    assert again.pk == first.pk
    assert (SettledPosting.objects.count(), OutboxMessage.objects.count(), LedgerTransaction.objects.count()) == counts


def test_the_beat_closes_each_live_partnership_once_however_often_it_fires(partnership):
    with at(CUTOFF - dt.timedelta(hours=2)):
        sell_partner_goods(partnership, "order:cn:1:1")
    now = CUTOFF + dt.timedelta(minutes=5)
    assert len(settlement.close_due_periods(now=now)) == 1
    assert settlement.close_due_periods(now=now + dt.timedelta(minutes=5)) == []
    assert SettlementBatch.objects.count() == 1


def test_a_period_not_yet_over_is_refused(partnership):
    with pytest.raises(DomainError) as refused:
        settlement.close_period(partnership=partnership, period_end=CUTOFF, now=CUTOFF - dt.timedelta(seconds=1))
    assert refused.value.code == "period_not_over"


def test_a_crash_mid_run_leaves_nothing_half_settled(partnership, monkeypatch):
    with at(CUTOFF - dt.timedelta(hours=2)):
        sell_partner_goods(partnership, "order:cn:1:1")

    def crash(batch, totals):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(settlement, "_convert", crash)
    with pytest.raises(RuntimeError):
        settlement.close_period(partnership=partnership, period_end=CUTOFF, now=CUTOFF + dt.timedelta(hours=1))
    assert not SettlementBatch.objects.exists() and not SettledPosting.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_other_currencies_are_converted_once_at_the_cutoff_rate_and_cleared_in_the_ledger(partnership):
    ExchangeRate.objects.create(base="USD", quote="CNY", rate=Decimal("7.0"), as_of=CUTOFF - dt.timedelta(days=2))
    ExchangeRate.objects.create(base="USD", quote="CNY", rate=Decimal("8.0"), as_of=CUTOFF + dt.timedelta(hours=1))
    with at(CUTOFF - dt.timedelta(hours=2)):
        sell_partner_goods(partnership, "order:cn:1:1", partner="90.00")  # -81.00 USD
        ledger.record_partner_charge(
            reference="fee:1", partnership=partnership, amount=cny("70.00"), kind="logistics_fee"
        )
    batch = settlement.close_period(partnership=partnership, period_end=CUTOFF, now=CUTOFF + dt.timedelta(hours=2))
    # 70 CNY at the cut-off rate (1 USD = 7 CNY), not the later 8.
    assert batch.currency_totals["CNY"] == {"total": "70.0000", "rate": "0.14285714", "converted": "10.00"}
    assert batch.net_amount == Decimal("-71.00")
    cny_balance = Posting.objects.filter(partnership=partnership, currency="CNY").aggregate(t=Sum("amount"))["t"]
    assert cny_balance == 0  # the yuan owed moved into the settlement currency
    assert SettledPosting.objects.filter(batch=batch).count() == batch.posting_count + 2


def test_without_a_rate_at_the_cutoff_the_period_stays_open_and_says_which_pair(partnership):
    with at(CUTOFF - dt.timedelta(hours=2)):
        ledger.record_partner_charge(
            reference="fee:1", partnership=partnership, amount=cny("70.00"), kind="logistics_fee"
        )
    with pytest.raises(DomainError) as refused:
        settlement.close_period(partnership=partnership, period_end=CUTOFF, now=CUTOFF + dt.timedelta(hours=2))
    assert refused.value.code == "no_rate" and "CNY/USD" in refused.value.detail
    assert not SettlementBatch.objects.exists() and not SettledPosting.objects.exists()


def test_the_statement_goes_to_the_partner_through_the_outbox_in_parts(partnership, monkeypatch):
    monkeypatch.setattr(settlement, "LINES_PER_PART", 2)
    with at(CUTOFF - dt.timedelta(hours=2)):
        for n in range(5):
            sell_partner_goods(partnership, f"order:cn:{n}:1")
    batch = settlement.close_period(partnership=partnership, period_end=CUTOFF, now=CUTOFF + dt.timedelta(hours=1))
    sent = list(OutboxMessage.objects.filter(message_type=settlement.STATEMENT).order_by("seq"))
    assert [(m.payload["part"], m.payload["parts"], len(m.payload["lines"])) for m in sent] == [
        (1, 3, 2),
        (2, 3, 2),
        (3, 3, 1),
    ]
    assert all(m.payload["net_amount"] == str(batch.net_amount) for m in sent)


def test_an_agreeing_statement_reconciles_and_we_owe_so_one_payout_instruction_is_made(partnership, settings):
    settings.SETTLEMENT_BANK = {"name": "Home Platform Ltd", "account": "6222 0000 1111", "bic": "ICBKCNBJ"}
    settings.SETTLEMENT_PARTNER_BANKS = {"us": {"name": "Trailhead Goods Inc", "iban": "", "account": "987654321"}}
    with at(CUTOFF - dt.timedelta(hours=2)):
        sell_partner_goods(partnership, "order:cn:1:1", partner="90.00")
        sell_partner_goods(partnership, "order:cn:2:1", partner="20.00")
    batch = settlement.close_period(partnership=partnership, period_end=CUTOFF, now=CUTOFF + dt.timedelta(hours=1))
    assert batch.status == SettlementBatch.Status.OPEN
    settlement.receive_statement_part(partnership=partnership, payload=their_statement(batch))
    batch.refresh_from_db()
    assert batch.status == SettlementBatch.Status.RECONCILED and not batch.disputes.exists()
    payout = PayoutInstruction.objects.get(batch=batch)
    assert payout.amount == Decimal("99.00") and payout.currency == "USD"
    document = ET.fromstring(payout.pain001.encode())  # noqa: S314 - our own file
    assert document.find(f"{PAIN}CstmrCdtTrfInitn/{PAIN}GrpHdr/{PAIN}CtrlSum").text == "99.00"
    amount = document.find(f".//{PAIN}CdtTrfTxInf/{PAIN}Amt/{PAIN}InstdAmt")
    assert (amount.text, amount.get("Ccy")) == ("99.00", "USD")
    assert document.find(f".//{PAIN}Cdtr/{PAIN}Nm").text == "Trailhead Goods Inc"
    assert document.find(f".//{PAIN}DbtrAgt/{PAIN}FinInstnId/{PAIN}BICFI").text == "ICBKCNBJ"
    assert "order:cn:1:1,partner_goods_sale,USD,-81.00,2" in payout.statement_csv
    assert payout.statement_csv.rstrip().endswith("USD,-99.00,")


def test_when_the_partner_owes_us_no_payout_is_made_here(partnership):
    with at(CUTOFF - dt.timedelta(hours=2)):
        ledger.record_partner_charge(
            reference="fee:1", partnership=partnership, amount=usd("30.00"), kind="warehouse_fee"
        )
    batch = settlement.close_period(partnership=partnership, period_end=CUTOFF, now=CUTOFF + dt.timedelta(hours=1))
    settlement.receive_statement_part(partnership=partnership, payload=their_statement(batch))
    batch.refresh_from_db()
    assert batch.status == SettlementBatch.Status.RECONCILED and not PayoutInstruction.objects.exists()


def test_a_differing_line_becomes_a_dispute_with_both_sides_figures_and_nothing_is_paid(partnership):
    with at(CUTOFF - dt.timedelta(hours=2)):
        sell_partner_goods(partnership, "order:cn:1:1", partner="90.00")
        sell_partner_goods(partnership, "order:cn:2:1", partner="20.00")
    batch = settlement.close_period(partnership=partnership, period_end=CUTOFF, now=CUTOFF + dt.timedelta(hours=1))
    lines = [
        {"event_reference": "order:cn:1:1", "kind": "goods_sold_abroad", "currency": "USD", "amount": "81.00"},
        {"event_reference": "order:cn:2:1", "kind": "goods_sold_abroad", "currency": "USD", "amount": "19.00"},
        {"event_reference": "fee:unknown", "kind": "warehouse_fee", "currency": "USD", "amount": "-5.00"},
    ]
    settlement.receive_statement_part(partnership=partnership, payload=their_statement(batch, lines=lines))
    batch.refresh_from_db()
    assert batch.status == SettlementBatch.Status.DISPUTED
    disputes = {d.event_reference: (d.our_amount, d.partner_amount) for d in batch.disputes.all()}
    assert disputes == {
        "order:cn:2:1": (Decimal("-18.0000"), Decimal("-19.0000")),
        "fee:unknown": (None, Decimal("5.0000")),
    }
    assert not PayoutInstruction.objects.exists()
    # Ledger untouched: a dispute is for people, never a silent correction.
    assert Posting.objects.filter(partnership=partnership).aggregate(t=Sum("amount"))["t"] == Decimal("-99.0000")


def test_a_statement_arriving_before_our_batch_is_reconciled_when_we_close(partnership):
    with at(CUTOFF - dt.timedelta(hours=2)):
        sell_partner_goods(partnership, "order:cn:1:1", partner="90.00")
    lines = [{"event_reference": "order:cn:1:1", "kind": "goods_sold_abroad", "currency": "USD", "amount": "81.00"}]
    payload = {
        "batch_reference": "6d3c1f9e-5a0b-4c1e-9a44-0e6b2f1d7c55",
        "period_end": CUTOFF,
        "currency": "USD",
        "net_amount": "81.00",
        "part": 1,
        "parts": 1,
        "lines": lines,
    }
    part, batch = settlement.receive_statement_part(partnership=partnership, payload=payload)
    assert batch is None
    batch = settlement.close_period(partnership=partnership, period_end=CUTOFF, now=CUTOFF + dt.timedelta(hours=1))
    assert batch.status == SettlementBatch.Status.RECONCILED and batch.partner_net_amount == Decimal("81.00")


def test_a_replayed_statement_part_is_harmless_and_a_different_one_is_refused(partnership):
    with at(CUTOFF - dt.timedelta(hours=2)):
        sell_partner_goods(partnership, "order:cn:1:1", partner="90.00")
    batch = settlement.close_period(partnership=partnership, period_end=CUTOFF, now=CUTOFF + dt.timedelta(hours=1))
    payload = their_statement(batch, part=1, parts=2)
    settlement.receive_statement_part(partnership=partnership, payload=payload)
    settlement.receive_statement_part(partnership=partnership, payload=payload)
    assert PartnerStatementPart.objects.count() == 1
    changed = dict(payload, lines=[dict(payload["lines"][0], amount="80.00")])
    with pytest.raises(DomainError) as refused:
        settlement.receive_statement_part(partnership=partnership, payload=changed)
    assert refused.value.code == "statement_conflict" and refused.value.status == 409
    batch.refresh_from_db()
    assert batch.status == SettlementBatch.Status.OPEN  # still waiting for part 2


def test_a_statement_line_with_too_many_decimals_is_refused_naming_the_line(partnership):
    with at(CUTOFF - dt.timedelta(hours=2)):
        sell_partner_goods(partnership, "order:cn:1:1")
    batch = settlement.close_period(partnership=partnership, period_end=CUTOFF, now=CUTOFF + dt.timedelta(hours=1))
    lines = [{"event_reference": "order:cn:1:1", "currency": "USD", "amount": "81.001"}]
    with pytest.raises(DomainError) as refused:
        settlement.receive_statement_part(partnership=partnership, payload=their_statement(batch, lines=lines))
    assert refused.value.field == "lines[0].amount" and refused.value.code == "too_many_decimals"
    assert not PartnerStatementPart.objects.exists()


def test_paying_a_reconciled_batch_clears_the_partner_balance_and_the_payment_is_not_settled_again(partnership):
    with at(CUTOFF - dt.timedelta(hours=2)):
        sell_partner_goods(partnership, "order:cn:1:1", partner="90.00")
    batch = settlement.close_period(partnership=partnership, period_end=CUTOFF, now=CUTOFF + dt.timedelta(hours=1))
    settlement.receive_statement_part(partnership=partnership, payload=their_statement(batch))
    with at(CUTOFF + dt.timedelta(hours=3)):
        settlement.mark_paid(batch=batch)
    batch.refresh_from_db()
    assert batch.status == SettlementBatch.Status.PAID
    assert Posting.objects.filter(partnership=partnership).aggregate(t=Sum("amount"))["t"] == 0
    nxt = settlement.close_period(
        partnership=partnership, period_end=CUTOFF + dt.timedelta(days=1), now=CUTOFF + dt.timedelta(days=1, hours=1)
    )
    assert nxt.posting_count == 0 and nxt.net_amount == 0


def test_the_partner_api_takes_a_statement_and_answers_what_became_of_it(remote, api):
    partnership = remote.partnership
    with at(CUTOFF - dt.timedelta(hours=2)):
        sell_partner_goods(partnership, "order:cn:1:1", partner="90.00")
    batch = settlement.close_period(partnership=partnership, period_end=CUTOFF, now=CUTOFF + dt.timedelta(hours=1))
    payload = their_statement(batch)
    payload["period_end"] = payload["period_end"].isoformat()
    response = remote.post_message(api, settlement.STATEMENT, payload)
    assert response.status_code == 200, response.content
    assert response.json()["result"] == {"part": 1, "parts": 1, "batch": str(batch.reference), "status": "reconciled"}
    batch.refresh_from_db()
    assert batch.status == SettlementBatch.Status.RECONCILED
    bad = dict(payload, lines=[{"event_reference": "", "currency": "USD", "amount": "1"}], part=1)
    bad["batch_reference"] = "0d3c1f9e-5a0b-4c1e-9a44-0e6b2f1d7c55"
    response = remote.post_message(api, settlement.STATEMENT, dict(bad, period_end="2026-12-01T23:00:00Z"))
    assert response.status_code == 400 and response.json()["field"] == "lines[0]"


# --- netting, from both sides ---------------------------------------------------------------------


def other_side():
    """The exporter's view in the same database: another partner and partnership (us, seen from cn)."""
    partner = Partner.objects.create(
        code="cn", name="Home", country="CN", currency="CNY", languages=["zh-hans"], base_url="http://cn.invalid"
    )
    return Partnership.objects.create(
        partner=partner,
        status=Partnership.Status.ACTIVE,
        initiated_by=Partnership.Initiator.US,
        settlement_currency="USD",
        commission_rate="0.1000",
        settlement_cutoff=dt.time(23, 0),
    )


events = st.lists(
    st.tuples(
        st.sampled_from(["sale", "warehouse_fee", "campaign_share", "return_chargeback"]),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2),
    ),
    min_size=1,
    max_size=10,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=events, order=st.randoms(use_true_random=False))
def test_netting_from_either_side_in_any_order_gives_the_same_net(events, order):
    from django.db import transaction

    with transaction.atomic():
        importer = make_partnership(commission_rate="0.1000")
        exporter = other_side()
        shuffled = list(enumerate(events))
        order.shuffle(shuffled)
        with at(CUTOFF - dt.timedelta(hours=2)):
            for index, (kind, amount) in shuffled:
                reference = f"event:{index}"
                if kind == "sale":
                    ledger.record_partner_goods_sale(
                        reference=reference,
                        partnership=importer,
                        shopper_amount=cny(amount * 8),
                        taxes=cny(amount),
                        partner_amount=usd(amount),
                        commission_rate=Decimal("0.10"),
                    )
                    ledger.record_goods_sold_abroad(
                        reference=f"{reference}:abroad",
                        partnership=exporter,
                        partner_amount=usd(amount),
                        commission_rate=Decimal("0.10"),
                    )
                else:
                    ledger.record_partner_charge(
                        reference=reference, partnership=importer, amount=usd(amount), kind=kind
                    )
                    ledger.record_partner_charge(
                        reference=f"{reference}:abroad", partnership=exporter, amount=usd(-amount), kind=kind
                    )
        now = CUTOFF + dt.timedelta(hours=1)
        ours = settlement.close_period(partnership=importer, period_end=CUTOFF, now=now)
        theirs = settlement.close_period(partnership=exporter, period_end=CUTOFF, now=now)
        assert ours.net_amount == -theirs.net_amount
        expected = sum(
            (-(a - (a * Decimal("0.10")).quantize(Decimal("0.01"))) if k == "sale" else a for k, a in events),
            Decimal(0),
        )
        assert ours.net_amount == expected
        transaction.set_rollback(True)
    ledger.forget_accounts()
