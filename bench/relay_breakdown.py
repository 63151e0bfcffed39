"""Where a relayed outbox message's time goes (issue 19, bench/README.md "Outbox relay: where the
time goes"). The same two instances as bench/resilience.py (`us` forwards paid orders of `cn`'s
goods to `cn`), then three drains of a backlog of paid orders on us:

- quiet: us's worker and beat stopped, BACKLOG orders placed and paid, then the relay run in a
  process of its own with every step timed (next message, lease renewal, signing, the HTTP round
  trip including cn's inbox, verifying the reply, recording, after-delivery hook, lease release);
  beside it, a signed GET health/ (the round trip without cn's inbox).
- contended: the same relay while another process places and pays BACKLOG more orders, as the
  10,000-order scenario does: the lease renewal now waits for the paying transaction, which holds
  the partnership row locked (mark_paid locks it against a suspension).
- worker: us's own worker and beat started (relay on commit, beat every 5 s) while BACKLOG more
  orders are paid: the drain rate, and how many messages each relay task run sent.

    .venv/bin/python bench/relay_breakdown.py [--backlog 300] [--redis-dbs 14,15]
        [--database-prefix cb_bench_relay]
"""

import argparse
import json
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import resilience  # noqa: E402
from bench._common import log, shell_json  # noqa: E402

# Run inside us (manage.py shell): relay the partnership's due messages for SECONDS (or until none is
# pending when SECONDS is 0), timing each step. Prints the totals in ms and the message count.
TIMED_RELAY = """
import json, time
from collections import defaultdict
from crossborder import client, outbox, services, signing
from crossborder.models import OutboxMessage, Partner

spent = defaultdict(float)
calls = defaultdict(int)

def timed(name, function):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - started
            calls[name] += 1
    return wrapper

for module, name, label in (
    (outbox, "_claim", "lease claim (UPDATE partnership)"),
    (outbox, "_claim_renew", "lease renewal (UPDATE partnership)"),
    (outbox, "_release", "lease release (UPDATE partnership)"),
    (outbox, "wire_form", "wire form (protocol version)"),
    (outbox, "_record", "record outcome (UPDATE outbox)"),
    (outbox, "_after_delivery", "after-delivery hook"),
    (client, "current_signing_key", "signing key read"),
    (client, "partner_public_keys", "partner keys read"),
    (signing, "load_private", "private key decrypt+load"),
    (signing, "sign_request", "sign request"),
    (signing, "verify_response", "verify reply"),
    (services, "record_partner_version", "record partner version"),
):
    setattr(module, name, timed(label, getattr(module, name)))
client._session.send = timed("HTTP round trip (cn's inbox included)", client._session.send)
send = timed("_send total", outbox._send)
outbox._send = send

partnership = Partner.objects.get(code="cn").live_partnership()
pending = lambda: OutboxMessage.objects.filter(partnership=partnership, status="pending").count()
delivered = runs = 0
started = time.perf_counter()
while True:
    if SECONDS and time.perf_counter() - started > SECONDS:
        break
    result = outbox.relay_partnership(partnership.pk)
    runs += 1
    delivered += result.delivered
    if not result.delivered:
        if not SECONDS and not pending():
            break
        time.sleep(0.05)
elapsed = time.perf_counter() - started
relay_spent, relay_calls = dict(spent), dict(calls)  # the health calls below are not the relay's
health = []
for _ in range(30):
    t = time.perf_counter()
    client.call_partner(partnership.partner, "GET", "/partner-api/v1/health/")
    health.append(time.perf_counter() - t)
health.sort()
print(json.dumps({"delivered": delivered, "runs": runs, "seconds": elapsed,
                  "spent_ms": {k: v * 1000 for k, v in relay_spent.items()}, "calls": relay_calls,
                  "health_median_ms": health[len(health) // 2] * 1000}))
"""

PENDING = """
import json
from crossborder.models import OutboxMessage
print(json.dumps({"pending": OutboxMessage.objects.filter(status="pending").count(),
                  "delivered": OutboxMessage.objects.filter(status="delivered").count()}))
"""


def table(title, figures):
    delivered = figures["delivered"] or 1
    log(f"\n{title}: {figures['delivered']} messages in {figures['seconds']:.1f} s = "
        f"{figures['delivered'] / figures['seconds']:.1f} messages/s, {figures['runs']} relay runs; "
        f"signed GET health/ median {figures['health_median_ms']:.1f} ms")  # fmt: skip
    log("| step | ms per message | calls |")
    log("|---|---|---|")
    accounted = 0.0
    for name, ms in sorted(figures["spent_ms"].items(), key=lambda item: -item[1]):
        log(f"| {name} | {ms / delivered:.1f} | {figures['calls'][name]} |")
        if name != "_send total" and not name.startswith(("signing", "partner keys", "private", "sign ", "verify",
                                                          "HTTP", "record partner")):  # fmt: skip
            accounted += ms
    accounted += figures["spent_ms"].get("_send total", 0)
    rest = figures["seconds"] * 1000 - accounted
    log(f"| everything else (next-message query, loop) | {rest / delivered:.1f} | |")


def worker_runs(instance):
    text = instance.log_path("worker").read_text(errors="replace")
    counts = [
        int(n)
        for n in re.findall(r"relay_partnership_outbox\[[^\]]+\] succeeded in [\d.]+s: \{'delivered': (\d+)", text)
    ]
    beat = [
        int(n) for n in re.findall(r"relay_all_outboxes\[[^\]]+\] succeeded in [\d.]+s: \{'delivered': (\d+)", text)
    ]
    return counts, beat


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backlog", type=int, default=300)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--postgres", default="postgres://root@127.0.0.1:5432")
    parser.add_argument("--database-prefix", default="cb_bench_relay")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    parser.add_argument("--redis-dbs", default="14,15")
    parser.add_argument("--skip", nargs="*", default=[], choices=["quiet", "contended", "worker"])
    args = parser.parse_args(argv)
    args.orders, args.crash_orders, args.units = 3 * args.backlog, 0, 1
    tmp = Path(tempfile.mkdtemp(prefix="bench-relay-"))
    pair = None
    try:
        pair = resilience.start_pair(args, tmp)
        pair.us.stop("worker", "beat")
        if "quiet" not in args.skip:
            seconds = resilience.paid_orders(pair, args.backlog, "quiet")
            log(f"backlog: {args.backlog} orders placed and paid in {seconds:.1f} s ({args.backlog / seconds:.1f}/s)")
            table("quiet drain (nothing else running)", shell_json(pair.us, "SECONDS = 0\n" + TIMED_RELAY))
        if "contended" not in args.skip:
            produced = {}
            producer = threading.Thread(
                target=lambda: produced.setdefault("s", resilience.paid_orders(pair, args.backlog, "busy"))
            )
            producer.start()
            time.sleep(8)  # the producer's process is starting; measure while it pays
            figures = shell_json(pair.us, f"SECONDS = {max(20, args.backlog / 8):.0f}\n" + TIMED_RELAY)
            producer.join()
            log(f"producer: {args.backlog} orders paid in {produced['s']:.1f} s")
            table("contended drain (orders being paid meanwhile)", figures)
            shell_json(pair.us, "SECONDS = 0\n" + TIMED_RELAY)  # drain the rest before the next part
        if "worker" not in args.skip:
            pair.us.start_worker()
            pair.us.start_beat()
            started = time.monotonic()
            seconds = resilience.paid_orders(pair, args.backlog, "worker")
            drained = resilience.wait_drained(pair, 1800)
            elapsed = time.monotonic() - started
            runs, beat = worker_runs(pair.us)
            sent = [n for n in runs if n]
            log(f"\nworker drain: {args.backlog} orders paid in {seconds:.1f} s; all at cn {elapsed:.1f} s after the "
                f"first ({drained:.1f} s after the last): {args.backlog / elapsed:.1f} messages/s")  # fmt: skip
            log(f"relay task runs (on commit): {len(runs)}, {len(sent)} sent anything, messages per run "
                f"{json.dumps(sorted(sent)[-10:])} (largest ten), {runs.count(0)} sent nothing; "
                f"beat runs {len(beat)} sent {sum(beat)}")  # fmt: skip
        log(json.dumps(shell_json(pair.us, PENDING)))
    finally:
        if pair is not None:
            for instance in (pair.cn, pair.us):
                instance.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
