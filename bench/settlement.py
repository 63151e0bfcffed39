"""Benchmark of issues 6 and 20: settlement of 1,000,000 postings on PostgreSQL, under 10 s (issue 6) and
within 3x a bare GROUP BY over the same postings timed in the same run (issue 20).

Creates (afresh each run) a PostgreSQL database, migrates it, and writes one partnership's ledger in
SQL: N/2 business events, each a balanced transaction of four postings of which two are on the
partner's balance (a partner-goods sale owed to the partner and the commission taken back), so N
partner postings among 2N; one event in ten is in CNY, converted into the USD settlement currency at
the cut-off. The deferred balance trigger is switched off while generating (the rows balance by
construction) and on again before timing. Then it times, next to the target:

- baseline: the like-for-like aggregate, a bare GROUP BY of the partner's postings before the cut-off
  per event, kind and currency (the statement's lines: sum and count, zero sums left out), read by a
  count so that no row travels, in a transaction with the work_mem settlement uses; the best of
  three runs, one before and two after the close (the machine is shared);
- close_period: claim every unsettled posting before the cut-off, sum the statement lines per event in
  SQL, convert once, post the conversion, queue the statement in parts in the outbox;
- reconciliation: the partner's mirrored statement received part by part and compared line by line
  (informative: the issue's target is the close).

    .venv/bin/python bench/settlement.py [--postings 1000000] [--database-url postgres://...]
"""

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import log, recreate_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/cb_bench_settlement"
TARGET_SECONDS = 10.0
TARGET_RATIO = 3.0  # issue 20: within 3x the bare GROUP BY


def setup(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossborder.settings")
    os.environ.setdefault("CROSSBORDER_DATA_DIR", tempfile.mkdtemp(prefix="bench-settlement-"))
    os.environ["CROSSBORDER_OUTBOX_RELAY_ON_COMMIT"] = "false"  # no broker: the outbox rows are what we time
    os.environ.setdefault("CROSSBORDER_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_partnership():
    from crossborder.models import ExchangeRate, Partner, Partnership

    partner = Partner.objects.create(
        code="us", name="Trailhead Goods", country="US", currency="USD", languages=["en"], base_url="http://us.invalid"
    )
    ExchangeRate.objects.create(base="USD", quote="CNY", rate="7.2", as_of=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    return Partnership.objects.create(
        partner=partner,
        status=Partnership.Status.ACTIVE,
        initiated_by=Partnership.Initiator.US,
        settlement_currency="USD",
        commission_rate="0.0800",
        settlement_cutoff=dt.time(23, 0),
    )


def generate(partnership, events, recorded_at):
    """N events in SQL: each a transaction of four postings, two of them on the partner's balance."""
    from django.db import connection, transaction

    from payments.ledger.services import ledger

    accounts = {}
    for currency in ("USD", "CNY"):
        accounts[("partner", currency)] = ledger.account("partner_balance", currency, partnership).pk
        accounts[("fx", currency)] = ledger.account("fx_position", currency).pk
        accounts[("commission", currency)] = ledger.account("commission_income", currency).pk
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE payments_posting DISABLE TRIGGER payments_posting_balanced")
        cursor.execute(
            """
            INSERT INTO payments_ledgertransaction (reference, kind, memo, occurred_at, recorded_at)
            SELECT 'order:cn:' || i || ':1', 'partner_goods_sale', '', %(at)s, %(at)s
              FROM generate_series(1, %(n)s) AS i
            """,
            {"n": events, "at": recorded_at},
        )
        cursor.execute(
            """
            WITH event AS (
                SELECT t.id, t.reference, CASE WHEN t.id %% 10 = 0 THEN 'CNY' ELSE 'USD' END AS currency,
                       (10 + (t.id %% 9000) / 100.0)::numeric(20, 4) AS price
                  FROM payments_ledgertransaction t
            ), line AS (
                SELECT id, reference, currency, 'partner' AS account, -price AS amount, true AS partner FROM event
                UNION ALL
                SELECT id, reference, currency, 'partner', round(price * 0.08, 2), true FROM event
                UNION ALL
                SELECT id, reference, currency, 'fx', price, false FROM event
                UNION ALL
                SELECT id, reference, currency, 'commission', -round(price * 0.08, 2), false FROM event
            )
            INSERT INTO payments_posting
                (transaction_id, account_id, amount, currency, partnership_id, kind, event_reference, recorded_at,
                 counterparty)
            SELECT line.id,
                   CASE line.account || ':' || line.currency
                        WHEN 'partner:USD' THEN %(partner_usd)s WHEN 'partner:CNY' THEN %(partner_cny)s
                        WHEN 'fx:USD' THEN %(fx_usd)s WHEN 'fx:CNY' THEN %(fx_cny)s
                        WHEN 'commission:USD' THEN %(commission_usd)s ELSE %(commission_cny)s END,
                   line.amount, line.currency, CASE WHEN line.partner THEN %(partnership)s END,
                   'partner_goods_sale', line.reference, %(at)s, ''
              FROM line
            """,
            {
                "partner_usd": accounts[("partner", "USD")],
                "partner_cny": accounts[("partner", "CNY")],
                "fx_usd": accounts[("fx", "USD")],
                "fx_cny": accounts[("fx", "CNY")],
                "commission_usd": accounts[("commission", "USD")],
                "commission_cny": accounts[("commission", "CNY")],
                "partnership": partnership.pk,
                "at": recorded_at,
            },
        )
    with connection.cursor() as cursor:  # after the commit: foreign keys are checked at commit too
        cursor.execute("ALTER TABLE payments_posting ENABLE TRIGGER payments_posting_balanced")


def vacuum_analyze():
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("payments_posting", "payments_ledgertransaction"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def timed(function):
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postings", type=int, default=1_000_000, help="partner postings to settle (default 1,000,000)"
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    args = parser.parse_args(argv)
    log(f"database {args.database_url} (recreated), {args.postings:,} partner postings")
    recreate_database(args.database_url)
    setup(args.database_url)

    from django.db import connection, transaction

    from crossborder.models import OutboxMessage
    from payments.ledger.services import settlement
    from payments.models import Posting, SettlementBatch

    partnership = make_partnership()
    cutoff = dt.datetime(2026, 11, 30, 23, 0, tzinfo=dt.UTC)
    (_, generating) = timed(lambda: generate(partnership, args.postings // 2, cutoff - dt.timedelta(hours=3)))
    vacuum_analyze()
    total = Posting.objects.count()
    log(f"generated {total:,} postings ({args.postings:,} on the partner's balance) in {generating:.1f} s")

    def baseline():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute(
                """
                SELECT count(*), sum(n) FROM (
                    SELECT event_reference, kind, currency, ROUND(SUM(amount), 4), COUNT(*) AS n
                      FROM payments_posting WHERE partnership_id = %s AND recorded_at < %s
                     GROUP BY event_reference, kind, currency
                    HAVING ROUND(SUM(amount), 4) <> 0
                ) AS line
                """,
                [partnership.pk, cutoff],
            )
            return cursor.fetchone()

    baseline()  # warm the cache the way close_period will find it
    steps = {}

    def timing(name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                steps[name] = steps.get(name, 0) + time.perf_counter() - started

        return wrapper

    settlement._claim_postings = timing("claim postings and sum lines (SQL)", settlement._claim_postings)
    settlement._convert = timing("convert and post", settlement._convert)
    settlement._send_statement = timing("queue the statement", settlement._send_statement)
    (groups, grouped), base = timed(baseline)
    batch, closing = timed(
        lambda: settlement.close_period(
            partnership=partnership, period_end=cutoff, now=cutoff + dt.timedelta(minutes=5)
        )
    )
    parts = OutboxMessage.objects.filter(message_type=settlement.STATEMENT).count()
    assert batch.posting_count == args.postings, (batch.posting_count, args.postings)

    # The partner's statement: ours mirrored, received part by part.
    lines = [
        {"event_reference": ref, "kind": "goods_sold_abroad", "currency": currency, "amount": str(-amount)}
        for ref, _kind, currency, amount, _count in settlement.statement_lines(batch)
    ]
    size = settlement.LINES_PER_PART
    chunks = [lines[i : i + size] for i in range(0, len(lines), size)]

    def receive_all():
        for number, chunk in enumerate(chunks, start=1):
            settlement.receive_statement_part(
                partnership=partnership,
                payload={
                    "batch_reference": "6d3c1f9e-5a0b-4c1e-9a44-0e6b2f1d7c55",
                    "period_end": cutoff,
                    "currency": "USD",
                    "net_amount": str(-batch.net_amount),
                    "part": number,
                    "parts": len(chunks),
                    "lines": chunk,
                },
            )

    _, reconciling = timed(receive_all)
    batch = SettlementBatch.objects.get(pk=batch.pk)
    # The baseline again after the close (the postings are claimed now; the GROUP BY does not look).
    base = min([base] + [timed(baseline)[1] for _ in range(2)])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('payments_posting'))")
        size_text = cursor.fetchone()[0]

    log("")
    log("| step | seconds | target |")
    log("|---|---|---|")
    log(f"| baseline: bare GROUP BY of the {grouped:,} partner postings into {groups:,} lines | {base:.2f} | |")
    log(
        f"| **close_period: {batch.posting_count:,} postings, {batch.lines.count():,} lines, "
        f"{parts} statement parts** | **{closing:.2f}** | under {TARGET_SECONDS:.0f}: "
        f"{'OK' if closing < TARGET_SECONDS else 'over'} |"
    )
    for name, seconds in steps.items():
        log(f"| - {name} | {seconds:.2f} | |")
    log(f"| reconciliation: {len(chunks)} partner parts received and compared | {reconciling:.2f} | |")
    log(
        f"| **close_period / baseline** | **{closing / base:.1f}x** | within {TARGET_RATIO:.0f}x: "
        f"{'OK' if closing / base <= TARGET_RATIO else 'over'} |"
    )
    log("")
    log(
        f"net {batch.net_amount} {batch.currency}, status {batch.status}, {batch.disputes.count()} disputes; "
        f"payments_posting {size_text}"
    )
    assert batch.status == SettlementBatch.Status.RECONCILED
    return 0 if closing < TARGET_SECONDS and closing / base <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
