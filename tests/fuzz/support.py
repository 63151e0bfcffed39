"""What the fuzz tests share: the whole database's row counts in one query, and hypothesis settings
that are the same on every run (fixed seed, bounded examples) so the suite stays fast and a failure
reproduces."""

import json

from django.apps import apps
from django.db import connection
from hypothesis import HealthCheck, settings

API_PREFIXES = ("/api/shop/v1/", "/partner-api/v1/")


def fixed(max_examples):
    return settings(
        max_examples=max_examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )


def _tables():
    models = apps.get_models(include_auto_created=True)
    return sorted({m._meta.db_table for m in models if m._meta.managed and not m._meta.proxy})


def row_counts():
    """{table: rows} for every table of every model, read in one statement."""
    tables = _tables()
    quote = connection.ops.quote_name
    # Table names come from the model registry, not from input.
    columns = ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        return dict(zip(tables, cursor.fetchone(), strict=True))


def changed(before, after):
    return {table: (before[table], after[table]) for table in before if before[table] != after[table]}


def error_body(response):
    """The API error shape {code, detail, field}, or None when the body is something else."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    if isinstance(body, dict) and {"code", "detail", "field"} <= body.keys():
        return body
    return None
