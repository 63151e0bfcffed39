"""Two partnered web servers for an end-to-end test module: fresh databases (PostgreSQL when
CROSSBORDER_TEST_POSTGRES is set, else SQLite files), both instances prepared in parallel, started
without worker or beat (each test drives the background work itself), linked, and stopped after."""

import contextlib
import dataclasses
import datetime as dt
import os
import uuid
from concurrent.futures import ThreadPoolExecutor

from scripts.instances import CN, JP, US, Instance, link, settlement_currency

from .conftest import INSTANCES
from .test_two_instances import free_port, manage


def database_names(names):
    """The names prefixed with CROSSBORDER_TEST_DB_PREFIX, so that two checkouts can run the
    end-to-end tests on one server at once without dropping each other's databases."""
    prefix = os.environ.get("CROSSBORDER_TEST_DB_PREFIX", "")
    return tuple(f"{prefix}{name}" for name in names)


def fresh_databases(names):
    """Empty PostgreSQL databases of these names (URLs), or (None, ...) for SQLite files."""
    base = os.environ.get("CROSSBORDER_TEST_POSTGRES", "").rstrip("/")
    if not base:
        return tuple(None for _name in names)
    names = database_names(names)
    import psycopg2

    connection = psycopg2.connect(f"{base}/postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for name in names:
                cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                cursor.execute(f"CREATE DATABASE {name}")
    finally:
        connection.close()
    return tuple(f"{base}/{name}" for name in names)


@contextlib.contextmanager
def partnered_pair(request, tmp_path_factory, *, name, databases, env, proposer="cn"):
    """(cn, us), running and partnered; `proposer` proposes the partnership, the other invites."""
    tmp = tmp_path_factory.mktemp(name)
    cn_db, us_db = fresh_databases(databases)
    cn = Instance(dataclasses.replace(CN, port=free_port()), tmp / "cn", cn_db, extra_env=env)
    us = Instance(dataclasses.replace(US, port=free_port()), tmp / "us", us_db, extra_env=env)
    request.config.stash[INSTANCES] = (cn, us)  # their logs are attached to a failure from here on
    try:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(Instance.prepare, (cn, us)))
        for instance in (cn, us):
            instance.start(worker=False, beat=False)
        for instance in (cn, us):
            instance.wait_ready()
        if proposer == "cn":
            link(cn, us, token=uuid.uuid4().hex)
        else:
            link(us, cn, token=uuid.uuid4().hex)
        yield cn, us
    finally:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(Instance.stop, (cn, us)))


@contextlib.contextmanager
def partnered_trio(request, tmp_path_factory, *, name, databases, env, fees=None):
    """(cn, us, jp), running; cn partners with us and with jp (cn proposes both), us and jp with
    each other (us proposes); cn-us settle in USD, the partnerships with jp in JPY. `fees`: further
    agreement terms per pair, {("cn", "jp"): ("order_ack_hours=0",)}."""
    tmp = tmp_path_factory.mktemp(name)
    dbs = fresh_databases(databases)
    instances = tuple(
        Instance(dataclasses.replace(spec, port=free_port()), tmp / spec.code, db, extra_env=env)
        for spec, db in zip((CN, US, JP), dbs, strict=True)
    )
    request.config.stash[INSTANCES] = instances
    try:
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(Instance.prepare, instances))
        for instance in instances:
            instance.start(worker=False, beat=False)
        for instance in instances:
            instance.wait_ready()
        cn, us, jp = instances
        for proposer, inviter in ((cn, us), (cn, jp), (us, jp)):
            # cn-us settle in dollars, either with jp in yen.
            link(
                proposer,
                inviter,
                token=uuid.uuid4().hex,
                settlement_currency=settlement_currency(proposer, inviter),
                fees=(fees or {}).get((proposer.spec.code, inviter.spec.code), ()),
            )
        yield instances
    finally:
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(Instance.stop, instances))


def close_the_same_period(*instances):
    """Each instance closes the period of the next agreed cut-off (23:00 UTC), acting just after it,
    then both relay their statements to each other."""
    now = dt.datetime.now(dt.UTC)
    cutoff = dt.datetime.combine(now.date(), dt.time(23, 0), tzinfo=dt.UTC)
    if cutoff <= now:
        cutoff += dt.timedelta(days=1)
    after = (cutoff + dt.timedelta(minutes=5)).isoformat()
    for instance in instances:
        manage(instance, "close_settlement", "--period-end", cutoff.isoformat(), "--now", after)
    for instance in instances:
        manage(instance, "relay_outbox")
