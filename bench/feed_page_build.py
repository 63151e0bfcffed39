"""Benchmark: what building one catalog feed page costs the exporter, Python's page (the reference,
catalog.feed.feed_page rendered as the partner API did) against the page PostgreSQL builds
(catalog.feed.feed_page_json), alternating in one process on the same offers: CPU seconds of this
process and of its PostgreSQL backend per page (CPU, not wall time: the machine is shared).

    DATABASE_URL=postgres://root@127.0.0.1:5432/cb_bench .venv/bin/python bench/feed_page_build.py
        # --partner bench-partner --pages 15 --rounds 2 (the offers of bench/generate_catalog.py)

Part of issue 20's partner catalog sync: see bench/README.md, "Mirroring a partner's catalog"."""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossborder.settings")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partner", default="bench-partner")
    parser.add_argument("--pages", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone
    from rest_framework.renderers import JSONRenderer

    from catalog import feed
    from crossborder.models import Partnership

    partnership = Partnership.objects.get(partner__code=args.partner, status=Partnership.Status.ACTIVE)

    def backend_cpu():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    ways = {
        "Python (feed_page, DRF's renderer)": lambda query: JSONRenderer().render(feed.feed_page(partnership, query)),
        "PostgreSQL (feed_page_json)": lambda query: feed.feed_page_json(partnership, query),
    }
    print(f"{args.pages} pages of {feed.MAX_LIMIT} per round; load average {os.getloadavg()[0]:.1f}")
    for _round in range(args.rounds):
        for name, build in ways.items():
            query = feed.FeedQuery(updated_since=None, limit=feed.MAX_LIMIT, started_at=timezone.now())
            python = database = 0.0
            for _page in range(args.pages):
                database_before, python_before = backend_cpu(), time.process_time()
                body = build(query)
                python += time.process_time() - python_before
                database += backend_cpu() - database_before
                cursor = json.loads(body)["next_cursor"]
                query = feed.parse_feed_query(partnership, {"cursor": cursor, "limit": str(feed.MAX_LIMIT)})
            print(
                f"{name:36} per page: Python {python / args.pages * 1000:4.0f} ms, "
                f"PostgreSQL {database / args.pages * 1000:4.0f} ms of CPU"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
