"""Cache-miss listing pages, query by query: for each storefront listing URL (a filter and sort
combination, a deep page), one request through Django's test client with a query string the page
cache has never seen, printing the page's wall time, its queries and the slowest ones' database time.
A tool for issue 20's EXPLAIN work: it shows where a cache miss spends its time without a load
generator (the wrk figures are bench/catalog_pages.py's).

    DATABASE_URL=postgres://root@127.0.0.1:5432/cb_bench .venv/bin/python bench/generate_catalog.py --products 100000
    DATABASE_URL=postgres://root@127.0.0.1:5432/cb_bench .venv/bin/python bench/listing_queries.py

ROOT in a URL stands for the top-level category with the most products, LEAF for its largest leaf."""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossborder.settings")

URLS = (
    "/c/ROOT/",
    "/c/ROOT/?in_stock=1",
    "/c/ROOT/?in_stock=1&sort=price&price_min=50&price_max=500",
    "/c/ROOT/?page=200",
    "/c/LEAF/?sort=-price&page=50",
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="*", default=URLS)
    parser.add_argument("--repeat", type=int, default=3, help="requests per URL (the first warms the process)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from catalog.models import Category, Product

    settings.ALLOWED_HOSTS = ["*"]
    leaf_id = (
        Product.objects.filter(status="active").values("category").annotate(n=Count("id")).order_by("-n")[0]["category"]
    )
    root = Category.objects.get(pk=leaf_id)
    while root.parent_id:
        root = root.parent
    client = Client()
    print(f"{Product.objects.filter(status='active').count():,} products on sale; ROOT={root.pk} LEAF={leaf_id}")
    for template in args.urls:
        url = template.replace("ROOT", str(root.pk)).replace("LEAF", str(leaf_id))
        for _attempt in range(args.repeat):
            fresh = url + ("&" if "?" in url else "?") + f"miss={time.time_ns()}"
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                status = client.get(fresh).status_code
                wall = (time.perf_counter() - started) * 1000
        database = sum(float(query["time"]) for query in captured.captured_queries) * 1000
        print(f"{url}: {status}, {wall:.0f} ms wall, {database:.0f} ms in {len(captured.captured_queries)} queries")
        for query in sorted(captured.captured_queries, key=lambda query: -float(query["time"]))[:2]:
            print(f"    {float(query['time']) * 1000:5.0f} ms  {query['sql'][:110]}")


if __name__ == "__main__":
    main()
