"""Benchmark: a partner's full export of the catalog feed over HTTP.

Target (issue 3): 100,000 offers in under 30 s.

What it does: starts gunicorn for one platform instance on a free loopback port, over a PostgreSQL
database that already holds the catalog (made by bench/generate_catalog.py), acts as the partner
whose partnership holds the offers (it generates an Ed25519 key pair and registers the public half
as that partner's key, removed again at the end), then pages through GET /partner-api/v1/catalog/
from the first page to the last with signed requests over one keep-alive connection, verifying every
signed reply as a partner does. It prints entries, pages, seconds, entries/s and the per-page
latency next to the target, and checks that every live offer arrived exactly once.

Run it from the repository root, after filling the database (bench/catalog_pages.py creates, migrates
and fills cb_bench with 100,000 products all offered to the partner bench-partner; or by hand):

    createdb -h 127.0.0.1 -U root cb_bench
    DATABASE_URL=postgres://root@127.0.0.1:5432/cb_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://root@127.0.0.1:5432/cb_bench .venv/bin/python bench/generate_catalog.py \\
        --products 100000 --offers-to bench-partner
    .venv/bin/python bench/catalog_feed.py --database-url postgres://root@127.0.0.1:5432/cb_bench --runs 2

Options: --page-size (500 to 1000; default 1000), --partner CODE (default: the partner with the most
live offers), --platform cn|us (the instance identity, default cn), --runs (repeat the export, default 1; the best
run is the figure). The web server is the one the demo and the e2e tests run (scripts/instances.py:
gunicorn, one worker, eight threads; paging is sequential anyway), with DEBUG off.
Not a test: the machine is shared, so read the figure next to a second run.
"""

import argparse
import dataclasses
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from scripts.instances import CN, US, Instance  # noqa: E402

TARGET_ITEMS = 100_000
TARGET_SECONDS = 30.0
FEED_PATH = "/partner-api/v1/catalog/"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup_django(instance):
    """This process reads and writes the instance's database with the instance's own settings."""
    os.environ.update(instance.env())
    import django

    django.setup()


def register_partner_key(partner_code):
    """Act as the partner: a fresh key pair whose public half becomes one of its keys. Returns the
    partner, the key row, the private key and how many live offers its feed should hold."""
    from django.db.models import Count

    from catalog.models import ExportOffer, Product
    from crossborder import signing
    from crossborder.models import Partner, PartnerKey

    live = ExportOffer.objects.filter(is_offered=True, product__status=Product.Status.ACTIVE)
    if partner_code is None:
        busiest = live.values("partnership__partner__code").annotate(n=Count("id")).order_by("-n").first()
        if busiest is None:
            raise SystemExit("no live export offers in this database: fill it with bench/generate_catalog.py first")
        partner_code = busiest["partnership__partner__code"]
    partner = Partner.objects.get(code=partner_code)
    partnership = partner.live_partnership()
    if partnership is None:
        raise SystemExit(f"{partner.code} has no live partnership")
    expected = live.filter(partnership=partnership).count()
    pem, public = signing.generate_keypair()
    key = PartnerKey.objects.create(partner=partner, key_id=f"{partner.code}-bench-{os.getpid()}", public_key=public)
    return partner, key, signing.load_private(pem), expected


def our_public_keys():
    from crossborder import signing
    from crossborder.models import SigningKey

    return {k.key_id: signing.load_public(k.public_key) for k in SigningKey.objects.exclude(status="retired")}


def export_once(base_url, *, key_id, private_key, public_keys, page_size):
    """Page through the whole feed; returns (entries, tombstones, pages, seconds, page latencies, ids)."""
    from crossborder import signing

    session = requests.Session()
    cursor, pages, tombstones, latencies, seen = None, 0, 0, [], []
    started = time.perf_counter()
    while True:
        params = {"limit": page_size, **({"cursor": cursor} if cursor else {})}
        prepared = requests.Request("GET", base_url + FEED_PATH, params=params, data=b"").prepare()
        prepared.body = b""
        signing.sign_request(prepared, key_id=key_id, private_key=private_key, body=b"")
        asked = time.perf_counter()
        response = session.send(prepared, timeout=60)
        latencies.append(time.perf_counter() - asked)
        if response.status_code != 200:
            raise SystemExit(f"page {pages + 1}: HTTP {response.status_code}: {response.text[:500]}")
        signing.verify_response(response, public_keys=public_keys)
        page = response.json()
        pages += 1
        for entry in page["items"]:
            seen.append(entry["id"])
            tombstones += entry.get("deleted", False)
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    seconds = time.perf_counter() - started
    session.close()
    return len(seen), tombstones, pages, seconds, latencies, seen


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), help="the filled PostgreSQL DB")
    parser.add_argument("--partner", default=None, help="partner code (default: the one with the most offers)")
    parser.add_argument("--platform", choices=("cn", "us"), default="cn")
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args(argv)
    if not args.database_url or not args.database_url.startswith("postgres"):
        parser.error("--database-url must name the PostgreSQL database the generator filled")
    if not 1 <= args.page_size <= 1000:
        parser.error("--page-size is 1 to 1000")

    spec = dataclasses.replace(CN if args.platform == "cn" else US, port=free_port())
    data_dir = Path(tempfile.mkdtemp(prefix="bench-feed-"))
    instance = Instance(
        spec,
        data_dir,
        database_url=args.database_url,
        # Production-like request handling: no debug query log, no per-request extras.
        extra_env={"DJANGO_DEBUG": "false", "CROSSBORDER_LOG_LEVEL": "WARNING", "CROSSBORDER_LOGIN_LOCKOUT": "false"},
    )
    setup_django(instance)
    instance.manage("bootstrap_platform")  # a signing key for the replies, if the generator made none
    partner, key, private_key, expected = register_partner_key(args.partner)
    public_keys = our_public_keys()
    from django.db import connection

    connection.close()  # nothing of this process touches the database while it measures

    try:
        instance.start(worker=False, beat=False)
        instance.wait_ready()
        print(
            f"feed of {spec.code} at {instance.base_url} for partner {partner.code}: "
            f"{expected:,} live offers, pages of {args.page_size}",
            flush=True,
        )
        best = None
        for run in range(1, args.runs + 1):
            entries, tombstones, pages, seconds, latencies, seen = export_once(
                instance.base_url,
                key_id=key.key_id,
                private_key=private_key,
                public_keys=public_keys,
                page_size=args.page_size,
            )
            unique = len(set(seen))
            rate = entries / seconds if seconds else 0.0
            latencies.sort()
            p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
            print(
                f"run {run}: {entries:,} entries ({tombstones} tombstones, {unique:,} distinct) in {pages} pages, "
                f"{seconds:.2f} s, {rate:,.0f} entries/s; per page median {statistics.median(latencies) * 1000:.0f} ms, "
                f"p95 {p95 * 1000:.0f} ms",
                flush=True,
            )
            if unique != entries or entries != expected:
                print(f"  MISMATCH: expected {expected:,} live offers exactly once", flush=True)
            if best is None or seconds < best[1]:
                best = (entries, seconds, rate)
        entries, seconds, rate = best
        projected = TARGET_ITEMS / rate if rate else float("inf")
        verdict = "meets" if projected < TARGET_SECONDS else "misses"
        print(
            f"target: {TARGET_ITEMS:,} offers in under {TARGET_SECONDS:.0f} s | best: {entries:,} in {seconds:.2f} s "
            f"({rate:,.0f}/s; {TARGET_ITEMS:,} would take {projected:.1f} s) -> {verdict} the target",
            flush=True,
        )
    finally:
        instance.stop()
        from crossborder.models import PartnerKey

        PartnerKey.objects.filter(pk=key.pk).delete()
        connection.close()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
