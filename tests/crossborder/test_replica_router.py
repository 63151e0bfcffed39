"""Read replicas: storefront pages read the catalog from the replica; writes, transactions, the
reads after a write, other pages and other apps' data stay on the primary; no replica, no change.

The replica here is a second, real connection to the test database (as a streaming replica is a
second server with the same rows), added the way settings add it when DATABASE_REPLICA_URL is set."""

import copy
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalog.models import Merchant
from crossborder import dbrouter
from crossborder.models import Partner

pytestmark = pytest.mark.django_db(transaction=True)


def settings_value(expression, **env):
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"}
    environ.update(DJANGO_SETTINGS_MODULE="crossborder.settings", **env)
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
        cwd=django_settings.BASE_DIR,
    )
    return out.stdout.strip().splitlines()[-1]


def test_the_replica_is_configured_by_its_url_and_mirrors_the_primary_in_tests():
    assert settings_value("sorted(settings.DATABASES)") == "['default']"
    replica = "postgres://reader@replica.internal:5432/crossborder_cn"
    assert settings_value("sorted(settings.DATABASES)", DATABASE_REPLICA_URL=replica) == "['default', 'replica']"
    assert settings_value("settings.DATABASES['replica']['HOST']", DATABASE_REPLICA_URL=replica) == "replica.internal"
    assert settings_value("settings.DATABASES['replica']['TEST']['MIRROR']", DATABASE_REPLICA_URL=replica) == "default"
    assert settings_value("settings.DATABASE_ROUTERS") == "['crossborder.dbrouter.ReplicaRouter']"
    assert "crossborder.dbrouter.ReplicaReadsMiddleware" in django_settings.MIDDLEWARE


@pytest.fixture
def replica():
    """A `replica` database alias: another connection to the same database."""
    connections.settings[dbrouter.REPLICA] = copy.deepcopy(connections.settings[DEFAULT_DB_ALIAS])
    connections[dbrouter.REPLICA].connect()  # opened here: the test case only knows its own aliases
    try:
        yield connections[dbrouter.REPLICA]
    finally:
        connections[dbrouter.REPLICA].close()
        del connections[dbrouter.REPLICA]
        del connections.settings[dbrouter.REPLICA]


def tables(captured):
    return " ".join(q["sql"] for q in captured.captured_queries)


def page_queries(client, method, path, **kwargs):
    with (
        CaptureQueriesContext(connections[dbrouter.REPLICA]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        response = getattr(client, method)(path, **kwargs)
    return response, on_replica, on_primary


def test_a_storefront_page_reads_the_catalog_from_the_replica_and_the_rest_from_the_primary(replica):
    Merchant.objects.create(name="Shop", slug="shop")
    client = Client()

    response, on_replica, on_primary = page_queries(client, "get", "/en/")

    assert response.status_code == 200
    assert on_replica.captured_queries, "the home page read nothing from the replica"
    read_there = set(re.findall(r'(?:FROM|JOIN) "(\w+)"', tables(on_replica)))
    assert any(table.startswith("catalog_") for table in read_there), read_there
    assert all(table.startswith(("catalog_", "partner_zone_")) for table in read_there), read_there
    assert "crossborder_partnership" in tables(on_primary)  # the platform core's data: the primary


def test_other_pages_and_posts_read_only_the_primary(replica):
    client = Client()
    for method, path in (("get", "/en/cart/"), ("get", "/health/"), ("post", "/en/search/?q=kettle")):
        response, on_replica, _ = page_queries(client, method, path)
        assert response.status_code < 500, path
        assert not on_replica.captured_queries, (method, path, tables(on_replica))


def test_inside_a_window_reads_leave_the_replica_in_a_transaction_and_after_a_write(replica):
    router = dbrouter.ReplicaRouter()
    with dbrouter.replica_reads():
        assert router.db_for_read(Merchant) == dbrouter.REPLICA
        assert router.db_for_read(Partner) == DEFAULT_DB_ALIAS  # not a storefront app's data
        with transaction.atomic():
            assert router.db_for_read(Merchant) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Merchant) == dbrouter.REPLICA
        assert router.db_for_write(Merchant) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Merchant) == DEFAULT_DB_ALIAS  # read-your-writes for the rest
    assert router.db_for_read(Merchant) == DEFAULT_DB_ALIAS  # outside any storefront request
    assert router.allow_migrate(dbrouter.REPLICA, "catalog") is False


def test_without_a_replica_everything_reads_the_primary():
    assert not dbrouter.replica_configured()
    router = dbrouter.ReplicaRouter()
    with dbrouter.replica_reads():
        assert router.db_for_read(Merchant) == DEFAULT_DB_ALIAS
    response = Client().get("/en/search/?q=kettle")
    assert response.status_code == 200
