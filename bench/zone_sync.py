"""Benchmark: mirroring a partner's whole catalog into the partner zone, between two instances over HTTP.

Target (issue 5): a full sync of 100,000 offers in under 60 s.

What it does:

- Exporter: the `cn` instance on the existing bench database cb_bench (--exporter-url), whose
  100,000 products on sale are all offered to the partner bench-partner (bench/generate_catalog.py
  --offers-to bench-partner; when the database is missing or short, this script creates, migrates and
  fills it, about 3 minutes). Served by gunicorn with production settings (DEBUG off) in the demo's
  shape, one worker with eight threads (--exporter-workers N for N sync workers): paging is
  sequential, as bench/catalog_feed.py measures it.
- Importer: a second instance with its own fresh database cb_bench_zone (--importer-url; dropped,
  created and migrated on every run), platform code bench-partner (a US platform in USD: the partner
  the offers were made to), the bundled ECB rates loaded for pricing (manage.py demo_partner_zone),
  production settings.
- The link, done the way scripts/instances.py link() ends up: the exporter's partnership with
  bench-partner already exists (the generator made it, holding the offers), so instead of an
  invitation and a proposal (which would make a second partnership without offers), this script
  exchanges what the proposal exchanges: the importer's published public keys become keys of the
  partner bench-partner on the exporter, whose base URL becomes the importer's; the exporter's
  reply to a proposal (its identity, its published keys, the partnership's reference, status and
  terms) is recorded on the importer with the same function propose_partnership records a reply
  with. Both sides then hold matching partnership rows and each other's keys; every feed request is
  signed by the importer and every reply signed by the exporter and verified. The added keys and the
  old base URL are put back on the exporter at the end (other benchmarks use cb_bench).

Measured, each with the importer's own commands (a new process each, Django start-up included):

1. baseline: `manage.py fetch_partner_catalog --partner cn --limit P`: the same signed feed requests,
   page size and client as the sync, pages read and counted but not applied; before and after the
   full sync (the sync's ratio is to their mean);
2. `manage.py sync_partner_catalog --partner cn --full`: fetch, apply (one transaction per page) and
   the listings_changed hooks, which price every changed listing page by page (pricing is in the
   figure), then withdraw what the feed did not list; the SyncRun's own duration is shown too;
3. pricing alone: `manage.py reprice_listings --partner cn` (every listing repriced in batches of
   1,000, what the hooks did during the sync);
4. an incremental sync after the exporter changes the export price of --changes offers (10% up,
   through catalog.services.set_export_offer, as a merchant does): timed the same way, and checked to
   change exactly those listings (their updated_at and priced_at move, no other listing's do, the new
   export price arrived). The exporter's prices are put back at the end.

    .venv/bin/python bench/zone_sync.py               # then bench/zone_pages.py --reuse measures its pages
    .venv/bin/python bench/zone_sync.py --page-size 1000 --changes 10
    .venv/bin/python bench/zone_sync.py --profile 4   # first: 4 pages fetched, applied and priced in the
                                                      # importer's process (timed, then under cProfile),
                                                      # rolled back; --profile-only stops there

Not a test: the machine is shared; read the ratio to the baseline next to the seconds."""

import argparse
import dataclasses
import datetime as dt
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    DEFAULT_DATABASE_URL,
    ZONE_DATABASE_URL,
    ZONE_PARTNER,
    BenchInstance,
    database_name,
    free_port,
    importer_spec,
    log,
    production_env,
    server_url,
    shell_json,
)
from scripts.instances import CN  # noqa: E402

TARGET_ITEMS = 100_000
TARGET_SECONDS = 60.0
ZONE = CN.code  # the importer's partner: its zone is /zone/cn/


# --- databases ---------------------------------------------------------------------------------------


def psql_value(url, sql):
    return subprocess.run(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-tAc", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def ensure_database(url, *, recreate):
    name = database_name(url)
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"database name {name!r}: use lower-case letters, digits and _")
    exists = psql_value(server_url(url), f"SELECT 1 FROM pg_database WHERE datname = '{name}'")  # noqa: S608
    if exists and recreate:
        log(f"dropping database {name}")
        psql_value(server_url(url), f'DROP DATABASE "{name}" WITH (FORCE)')
        exists = ""
    if not exists:
        log(f"creating database {name}")
        psql_value(server_url(url), f'CREATE DATABASE "{name}"')


LIVE_OFFERS_SQL = f"""
SELECT count(*) FROM catalog_exportoffer o
JOIN crossborder_partnership s ON s.id = o.partnership_id
JOIN crossborder_partner p ON p.id = s.partner_id
JOIN catalog_product pr ON pr.id = o.product_id
WHERE p.code = '{ZONE_PARTNER}' AND s.status = 'active' AND o.is_offered AND pr.status = 'active'
"""  # noqa: S608 - constants


def fill_exporter(exporter, offers):
    """The exporter's catalog: top it up to `offers` live offers to bench-partner."""
    have = int(psql_value(exporter.database_url, LIVE_OFFERS_SQL))
    if have >= offers:
        log(f"exporter: {have:,} live offers to {ZONE_PARTNER}")
        return have
    log(f"exporter: {have:,} live offers to {ZONE_PARTNER}; generating {offers - have:,} more products (minutes)")
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate_catalog.py"), "--products", str(offers - have)]
        + ["--offers-to", ZONE_PARTNER],
        cwd=ROOT,
        env=exporter.env(),
        check=True,
    )
    return int(psql_value(exporter.database_url, LIVE_OFFERS_SQL))


# --- the link ----------------------------------------------------------------------------------------

IMPORTER_KEYS = """
import json
from crossborder import services
print(json.dumps(services.published_keys()))
"""

# On the exporter: what a proposal from bench-partner would add (its keys, its base URL), and the
# reply the exporter gives a proposal (crossborder.services._proposal_reply) for the partnership
# that already holds the offers.
EXPORTER_LINK = """
import json
from crossborder import services
from crossborder.models import Partner, PartnerKey
keys = json.loads({keys!r})
partner = Partner.objects.get(code={partner!r})
partnership = partner.live_partnership()
old_base_url = partner.base_url
added = []
for key_id, public, not_after in services._valid_key_entries(keys):
    key, created = PartnerKey.objects.get_or_create(
        key_id=key_id, defaults={{"partner": partner, "public_key": public, "not_after": not_after}}
    )
    if key.partner_id != partner.pk or key.public_key != public:
        raise SystemExit(f"key id {{key_id}} is bound to another key")
    if key.status != PartnerKey.Status.ACTIVE:
        PartnerKey.objects.filter(pk=key.pk).update(status=PartnerKey.Status.ACTIVE, revoked_at=None)
    if created:
        added.append(key_id)
partner.base_url = {base_url!r}
partner.save(update_fields=["base_url", "updated_at"])
reply = {{
    "reference": str(partnership.reference),
    "status": partnership.status,
    "platform": services.platform_identity(),
    "keys": services.published_keys(),
    "terms": partnership.terms.as_json(),
}}
print(json.dumps({{"reply": reply, "added_keys": added, "old_base_url": old_base_url}}))
"""

# On the importer: record the exporter's reply as propose_partnership does after a proposal.
IMPORTER_LINK = """
import json
import uuid
from crossborder import services
reply = json.loads({reply!r})
partnership = services._record_accepted_proposal(
    reference=uuid.UUID(reply["reference"]), reply=reply, terms=services.validate_terms(reply["terms"]), actor=None
)
print(json.dumps({{"partner": partnership.partner.code, "status": partnership.status,
                   "keys": partnership.partner.keys.count()}}))
"""

EXPORTER_UNLINK = """
import json
from crossborder.models import Partner, PartnerKey
partner = Partner.objects.get(code={partner!r})
removed, _ = PartnerKey.objects.filter(partner=partner, key_id__in={added!r}).delete()
partner.base_url = {base_url!r}
partner.save(update_fields=["base_url", "updated_at"])
print(json.dumps({{"removed_keys": removed}}))
"""


def link(exporter, importer):
    keys = shell_json(importer, IMPORTER_KEYS)
    linked = shell_json(
        exporter, EXPORTER_LINK.format(keys=json.dumps(keys), partner=ZONE_PARTNER, base_url=importer.base_url)
    )
    recorded = shell_json(importer, IMPORTER_LINK.format(reply=json.dumps(linked["reply"])))
    log(
        f"linked: exporter {exporter.spec.code} knows {ZONE_PARTNER} at {importer.base_url} "
        f"(+{len(linked['added_keys'])} key(s)); importer {importer.spec.code} has partner {recorded['partner']} "
        f"({recorded['status']}, {recorded['keys']} key(s)), partnership {linked['reply']['reference']}"
    )
    return linked


# --- the exporter's price change ---------------------------------------------------------------------

EXPORTER_CHANGE = """
import json
import random
from decimal import Decimal
from djmoney.money import Money
from catalog import services
from catalog.models import ExportOffer, Product
from crossborder.models import Partner
partnership = Partner.objects.get(code={partner!r}).live_partnership()
offers = ExportOffer.objects.filter(partnership=partnership, is_offered=True, product__status=Product.Status.ACTIVE)
chosen = random.Random({seed}).sample(sorted(offers.values_list("pk", flat=True)), {count})
changed = []
for offer in ExportOffer.objects.filter(pk__in=chosen).select_related("product__merchant").order_by("pk"):
    old = offer.export_price
    new = Money((old.amount * Decimal("1.10")).quantize(Decimal("0.01")), old.currency)
    services.set_export_offer(merchant=offer.product.merchant, product=offer.product, partnership=partnership,
                              is_offered=True, export_price=new, direct_stock=offer.direct_stock)
    changed.append({{"offer": offer.pk, "reference": str(offer.product.reference), "old": str(old.amount),
                    "new": str(new.amount), "currency": str(old.currency)}})
print(json.dumps(changed))
"""

EXPORTER_RESTORE = """
import json
from decimal import Decimal
from djmoney.money import Money
from catalog import services
from catalog.models import ExportOffer
changed = json.loads({changed!r})
for row in changed:
    offer = ExportOffer.objects.select_related("product__merchant", "partnership").get(pk=row["offer"])
    services.set_export_offer(merchant=offer.product.merchant, product=offer.product, partnership=offer.partnership,
                              is_offered=True, export_price=Money(Decimal(row["old"]), row["currency"]),
                              direct_stock=offer.direct_stock)
print(json.dumps(len(changed)))
"""

# --- the importer's state ----------------------------------------------------------------------------

IMPORTER_RUN = """
import json
from partner_zone.models import PartnerListing, SyncRun
run = SyncRun.objects.filter(partnership__partner__code={zone!r}).order_by("-started_at", "-pk").first()
listings = PartnerListing.objects.filter(partnership__partner__code={zone!r})
print(json.dumps({{
    "status": run.status, "pages": run.pages, "changed": run.items_changed, "tombstones": run.tombstones,
    "unchanged": run.unchanged, "rejected": run.rejected, "rejections": run.rejections[:3], "error": run.error,
    "seconds": (run.finished_at - run.started_at).total_seconds(), "updated_since": run.updated_since,
    "listings": listings.count(), "active": listings.filter(is_active=True).count(),
    "priced": listings.filter(is_active=True, price__isnull=False).count(),
    "problems": list(listings.exclude(pricing_problem="").values_list("pricing_problem", flat=True)[:3]),
}}))
"""

IMPORTER_CHANGED_SINCE = """
import json
from partner_zone.models import PartnerListing
from django.utils.dateparse import parse_datetime
since = parse_datetime({since!r})
listings = PartnerListing.objects.filter(partnership__partner__code={zone!r})
print(json.dumps({{
    "updated": sorted(str(r) for r in listings.filter(updated_at__gte=since).values_list("reference", flat=True)),
    "priced": sorted(str(r) for r in listings.filter(priced_at__gte=since).values_list("reference", flat=True)),
    "export_prices": {{str(reference): str(amount) for reference, amount
                      in listings.filter(updated_at__gte=since).values_list("reference", "export_price")}},
}}))
"""


# Where a page's time goes: --profile N fetches N pages, then applies them and runs the hooks twice,
# each time in a transaction rolled back at the end (the zone stays empty for the measured sync):
# once timed, once under cProfile.
IMPORTER_PROFILE = """
import cProfile, io, pstats, time
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from catalog import feed
from crossborder.models import Partnership
from partner_zone.services import sync

partnership = Partnership.objects.select_related("partner").get(partner__code={zone!r}, status="active")
pages, started = [], time.perf_counter()
for page in feed.iter_partner_feed(partnership, limit={limit}):
    pages.append(page.items)
    if len(pages) == {pages}:
        break
fetch = time.perf_counter() - started
items = sum(len(p) for p in pages)

class Rollback(Exception):
    pass

def apply_all(profiler=None):
    spent = {{"apply_page": 0.0, "hooks (pricing)": 0.0}}
    try:
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            for page_items in pages:
                for name, call in (("apply_page", lambda: sync.apply_page(partnership, page_items)),
                                   ("hooks (pricing)", lambda: sync.notify_listings_changed(result.changed_ids))):
                    t = time.perf_counter()
                    if profiler: profiler.enable()
                    out = call()
                    if profiler: profiler.disable()
                    spent[name] += time.perf_counter() - t
                    if name == "apply_page":
                        result = out
            raise Rollback
    except Rollback:
        pass
    spent["sql"] = sum(float(q["time"]) for q in queries.captured_queries)
    spent["queries"] = len(queries.captured_queries)
    kinds = {{}}
    for q in queries.captured_queries:
        kind = " ".join(q["sql"].split()[:3])[:60]
        if kind.startswith("UPDATE"):
            kind += " (search_vector)" if "to_tsvector" in q["sql"] else " (CASE WHEN per row: bulk_update)"
        n, t = kinds.get(kind, (0, 0.0))
        kinds[kind] = (n + 1, t + float(q["time"]))
    spent["kinds"] = sorted(kinds.items(), key=lambda kv: -kv[1][1])[:8]
    return spent

plain = apply_all()
per = 1000 / items
print(f"{{len(pages)}} pages, {{items}} items: fetch {{fetch:.2f}} s ({{fetch * per:.2f}} ms/item), "
      f"apply_page {{plain['apply_page']:.2f}} s ({{plain['apply_page'] * per:.2f}} ms/item), "
      f"hooks (pricing) {{plain['hooks (pricing)']:.2f}} s ({{plain['hooks (pricing)'] * per:.2f}} ms/item); "
      f"{{plain['queries']}} queries, {{plain['sql']:.2f}} s of SQL (timed by Django, inside both)")
print("SQL by statement (count, seconds):")
for kind, (n, t) in plain["kinds"]:
    print(f"  {{t:7.2f}} s  {{n:4d}} x  {{kind}}")
profiler = cProfile.Profile()
apply_all(profiler)
for sort in ("tottime", "cumulative"):
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(sort).print_stats({top})
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    print(f"apply + hooks under cProfile, by {{sort}}:")
    print("\\n".join("  " + line for line in lines[start:start + {top} + 1]))
"""


def profile_sync(importer, *, pages, page_size, top=30):
    out = importer.manage(
        "shell", "-c", IMPORTER_PROFILE.format(zone=ZONE, limit=page_size, pages=pages, top=top)
    ).stdout
    log("\nprofile (in the importer's process, rolled back):")
    for line in out.rstrip().splitlines():
        log("  " + line)


def machine_busy_seconds():
    """CPU seconds all cores spent busy so far (from /proc/stat): where the time went."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


CPU = {}  # the last timed_manage's CPU: the command's own, and the whole machine's


def timed_manage(instance, *args):
    own_before, busy_before = resource.getrusage(resource.RUSAGE_CHILDREN), machine_busy_seconds()
    started = time.perf_counter()
    result = instance.manage(*args)
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU["command"] = (own.ru_utime - own_before.ru_utime) + (own.ru_stime - own_before.ru_stime)
    CPU["machine"] = machine_busy_seconds() - busy_before
    return seconds, result.stdout.strip()


def fetch_baseline(importer, page_size):
    seconds, out = timed_manage(importer, "fetch_partner_catalog", "--partner", ZONE, "--limit", str(page_size))
    items = int(re.search(r"items=(\d+)", out).group(1))
    pages = int(re.search(r"pages=(\d+)", out).group(1))
    log(
        f"  baseline fetch (no apply): {items:,} items in {pages} pages, {seconds:.1f} s ({items / seconds:,.0f}/s); "
        f"CPU: the fetch command {CPU['command']:.1f} s, all cores {CPU['machine']:.1f} s"
    )
    return seconds, items


def sync(importer, *, full, page_size):
    args = ["sync_partner_catalog", "--partner", ZONE, "--limit", str(page_size)] + (["--full"] if full else [])
    seconds, out = timed_manage(importer, *args)
    run = shell_json(importer, IMPORTER_RUN.format(zone=ZONE))
    log(
        f"  {out.splitlines()[0] if out else '(no output)'}: {seconds:.1f} s (the run itself {run['seconds']:.1f} s); "
        f"CPU: the sync command {CPU['command']:.1f} s, all cores {CPU['machine']:.1f} s"
    )
    return seconds, run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exporter-url", default=DEFAULT_DATABASE_URL, help="the cn bench catalog (cb_bench)")
    parser.add_argument("--importer-url", default=ZONE_DATABASE_URL, help="recreated on every run")
    parser.add_argument("--offers", type=int, default=TARGET_ITEMS, help="live offers the exporter must hold")
    parser.add_argument(
        "--page-size", type=int, default=None, help="feed items per page (default: CROSSBORDER_ZONE_SYNC_PAGE_SIZE)"
    )
    parser.add_argument("--changes", type=int, default=10, help="offers whose export price changes")
    parser.add_argument("--seed", type=int, default=None, help="which offers change (default: random)")
    parser.add_argument("--exporter-workers", type=int, default=0, help="0: one worker, eight threads")
    parser.add_argument("--profile", type=int, default=0, metavar="PAGES", help="first profile PAGES pages")
    parser.add_argument("--skip-reprice", action="store_true", help="skip step 3, pricing alone")
    parser.add_argument("--profile-only", action="store_true", help="with --profile: stop after the profile")
    args = parser.parse_args(argv)
    for url in (args.exporter_url, args.importer_url):
        if not url.startswith("postgres"):
            parser.error("both databases are PostgreSQL URLs")
    if database_name(args.exporter_url) == database_name(args.importer_url):
        parser.error("the importer needs its own database")

    exporter_dir = Path(tempfile.mkdtemp(prefix="bench-zone-cn-"))
    importer_dir = Path(tempfile.mkdtemp(prefix="bench-zone-importer-"))
    exporter = BenchInstance(
        dataclasses.replace(CN, port=free_port()),
        exporter_dir,
        database_url=args.exporter_url,
        extra_env=production_env(exporter_dir),
        workers=args.exporter_workers,
    )
    importer_env = production_env(importer_dir)
    if args.page_size:
        importer_env["CROSSBORDER_ZONE_SYNC_PAGE_SIZE"] = str(args.page_size)
    importer = BenchInstance(
        importer_spec(free_port()), importer_dir, database_url=args.importer_url, extra_env=importer_env
    )
    linked, changed = None, []
    try:
        ensure_database(args.exporter_url, recreate=False)
        exporter.manage("migrate", "--noinput", "-v0")
        exporter.manage("bootstrap_platform")  # a signing key for the replies, if the generator made none
        offers = fill_exporter(exporter, args.offers)
        ensure_database(args.importer_url, recreate=True)
        importer.manage("migrate", "--noinput", "-v0")
        importer.manage("bootstrap_platform")
        importer.manage("demo_partner_zone")  # the bundled ECB rates: CNY -> USD for pricing
        page_size = int(
            shell_json(importer, "from django.conf import settings; print(settings.PARTNER_ZONE['SYNC_PAGE_SIZE'])")
        )
        exporter.start(worker=False, beat=False)
        exporter.wait_ready()
        linked = link(exporter, importer)
        shape = f"{args.exporter_workers} sync workers" if args.exporter_workers else "1 worker x 8 threads"
        log(
            f"\nexporter cn at {exporter.base_url} (gunicorn, {shape}, production settings) on "
            f"{database_name(args.exporter_url)}: {offers:,} live offers; importer {ZONE_PARTNER} on "
            f"{database_name(args.importer_url)}; pages of {page_size}; {os.cpu_count()} cores, load average "
            + " ".join(f"{x:.2f}" for x in os.getloadavg())
        )

        if args.profile:
            profile_sync(importer, pages=args.profile, page_size=page_size)
            if args.profile_only:
                return 0
        log("\nfull sync")
        before, fetched = fetch_baseline(importer, page_size)
        full_seconds, full = sync(importer, full=True, page_size=page_size)
        after, _ = fetch_baseline(importer, page_size)
        reprice_seconds = None
        if not args.skip_reprice:
            reprice_seconds, reprice_out = timed_manage(importer, "reprice_listings", "--partner", ZONE)
            log(f"  pricing alone: {reprice_out} in {reprice_seconds:.1f} s")

        log(f"\nincremental sync after {args.changes} export price changes at the exporter")
        seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
        changed = shell_json(exporter, EXPORTER_CHANGE.format(partner=ZONE_PARTNER, seed=seed, count=args.changes))
        since = dt.datetime.now(dt.UTC).isoformat()
        incremental_seconds, incremental = sync(importer, full=False, page_size=page_size)
        touched = shell_json(importer, IMPORTER_CHANGED_SINCE.format(since=since, zone=ZONE))
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    finally:
        exporter_restored = None
        if changed:
            exporter_restored = shell_json(exporter, EXPORTER_RESTORE.format(changed=json.dumps(changed)))
        if linked is not None:
            shell_json(
                exporter,
                EXPORTER_UNLINK.format(
                    partner=ZONE_PARTNER, added=linked["added_keys"], base_url=linked["old_base_url"]
                ),
            )
        exporter.stop()
        importer.stop()
        shutil.rmtree(exporter_dir, ignore_errors=True)
        shutil.rmtree(importer_dir, ignore_errors=True)

    expected = {row["reference"] for row in changed}
    new_prices = {row["reference"]: row["new"] for row in changed}
    only_those = set(touched["updated"]) == expected and set(touched["priced"]) == expected
    # As amounts: the zone keeps three decimals ("472.970" is the 472.97 sent).
    prices_arrived = all(
        ref in touched["export_prices"] and Decimal(touched["export_prices"][ref]) == Decimal(price)
        for ref, price in new_prices.items()
    )
    baseline = (before + after) / 2
    rate = full["changed"] / full_seconds if full_seconds else 0.0
    verdict = "yes" if full_seconds < TARGET_SECONDS and full["changed"] >= TARGET_ITEMS else "NO"

    log(f"\nload average at the end: {load}; exporter prices put back: {exporter_restored}")
    log(f"target: a full sync of {TARGET_ITEMS:,} offers in under {TARGET_SECONDS:.0f} s (pricing included)\n")
    header = f"{'step':52} {'seconds':>8} {'listings/s':>10} {'x fetch':>8}  result"
    log(header)
    log("-" * len(header))
    log(
        f"{'baseline: feed fetch, no apply (before / after)':52} {baseline:8.1f} {fetched / baseline:10,.0f} {1:8.2f}  "
        f"{before:.1f} / {after:.1f} s, {fetched:,} items"
    )
    log(
        f"{'full sync (command; fetch + apply, priced inline)':52} {full_seconds:8.1f} {rate:10,.0f} "
        f"{full_seconds / baseline:8.2f}  {full['status']}: {full['changed']:,} changed, {full['rejected']} rejected, "
        f"{full['pages']} pages; {full['priced']:,} of {full['active']:,} active listings priced -> target {verdict}"
    )
    log(f"{'  of which the sync run itself (SyncRun started..finished)':52} {full['seconds']:8.1f}")
    if reprice_seconds is not None:
        log(f"{'pricing alone: reprice_listings, all listings':52} {reprice_seconds:8.1f}")
    log(
        f"{'incremental sync (command)':52} {incremental_seconds:8.1f} {'':>10} {incremental_seconds / baseline:8.2f}  "
        f"{incremental['status']}: {incremental['changed']} changed, {incremental['unchanged']} unchanged, "
        f"{incremental['pages']} page(s); listings updated {len(touched['updated'])}, repriced "
        f"{len(touched['priced'])}: {'exactly the changed offers' if only_those else 'NOT only the changed offers'}"
        f"{', new export prices arrived' if prices_arrived else ', NEW PRICES MISSING'}"
    )
    log(f"{'  of which the sync run itself':52} {incremental['seconds']:8.1f}")
    if full["rejections"] or full["problems"] or full["error"]:
        log(f"\nrejections {full['rejections']} pricing problems {full['problems']} error {full['error']!r}")
    return 0 if verdict == "yes" and only_those and prices_arrived else 1


if __name__ == "__main__":
    sys.exit(main())
