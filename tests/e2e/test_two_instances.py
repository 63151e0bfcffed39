"""Two real instances as separate processes (web, Celery worker, Celery beat each), with their own
databases, partnered and exchanging messages over loopback HTTP; one goes down and comes back,
a worker is killed, and every message still arrives exactly once, in order."""

import json
import os
import socket
import time
import uuid

import pytest

from scripts.instances import CN, US, Instance, Spec, link

pytestmark = pytest.mark.e2e

REPORT = (
    "import json; from crossborder.models import *; "
    "print(json.dumps({"
    "'partnerships': list(Partnership.objects.values('reference', 'status', 'partner__code')), "
    "'outbox': list(OutboxMessage.objects.order_by('seq').values('seq', 'status', 'last_error')), "
    "'received': list(PartnerNotice.objects.filter(direction='received').order_by('id').values_list('sent_seq', 'subject'))"
    "}, default=str))"
)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def report(instance):
    out = instance.manage("shell", "-c", REPORT).stdout.strip().splitlines()[-1]
    return json.loads(out)


def wait_until(predicate, timeout=60, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _databases(tmp):
    pg = os.environ.get("CROSSBORDER_TEST_POSTGRES")
    if not pg:
        return None, None
    import psycopg2

    conn = psycopg2.connect(pg.rstrip("/") + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        for name in ("crossborder_e2e_cn", "crossborder_e2e_us"):
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {name}")
    conn.close()
    return pg.rstrip("/") + "/crossborder_e2e_cn", pg.rstrip("/") + "/crossborder_e2e_us"


def _brokers():
    redis_url = os.environ.get("CROSSBORDER_TEST_REDIS")
    if not redis_url:
        return None, None
    import redis

    urls = (redis_url.rstrip("/") + "/11", redis_url.rstrip("/") + "/12")
    for url in urls:
        redis.Redis.from_url(url).flushdb()
    return urls


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    cn_db, us_db = _databases(tmp)
    cn_broker, us_broker = _brokers()
    fast = {
        "CROSSBORDER_RELAY_INTERVAL": "1",
        "CROSSBORDER_OUTBOX_BACKOFF_BASE": "0.2",
        "CROSSBORDER_OUTBOX_BACKOFF_CAP": "2",
        "CROSSBORDER_OUTBOX_LEASE_SECONDS": "10",
    }
    cn = Instance(Spec(**{**CN.__dict__, "port": free_port()}), tmp / "cn", cn_db, cn_broker, extra_env=fast)
    us = Instance(Spec(**{**US.__dict__, "port": free_port()}), tmp / "us", us_db, us_broker, extra_env=fast)
    try:
        for instance in (cn, us):
            instance.prepare()
            instance.start()
        for instance in (cn, us):
            instance.wait_ready()
        link(cn, us, token=uuid.uuid4().hex)
        yield cn, us
    except BaseException:
        for instance in (cn, us):
            for component in ("web", "worker", "beat"):
                path = instance.log_path(component)
                if path.exists():
                    print(f"--- {instance.spec.code} {component} ---\n" + path.read_text()[-3000:])
        raise
    finally:
        for instance in (cn, us):
            instance.stop()


def send(instance, partner, subject):
    instance.manage("send_notice", "--partner", partner, "--subject", subject)


def received_subjects(instance):
    return [subject for _, subject in report(instance)["received"]]


def test_both_sides_hold_the_same_active_partnership(pair):
    cn, us = pair
    (cn_side,) = report(cn)["partnerships"]
    (us_side,) = report(us)["partnerships"]
    assert cn_side["reference"] == us_side["reference"]
    assert (cn_side["status"], us_side["status"]) == ("active", "active")
    assert (cn_side["partner__code"], us_side["partner__code"]) == ("us", "cn")


def test_messages_travel_both_ways(pair):
    cn, us = pair
    send(cn, "us", "from cn")
    send(us, "cn", "from us")

    wait_until(lambda: "from cn" in received_subjects(us), what="cn -> us")
    wait_until(lambda: "from us" in received_subjects(cn), what="us -> cn")


def test_partner_down_then_back_gets_every_message_once_in_order(pair):
    cn, us = pair
    us.stop("web")
    subjects = [f"while down {n}" for n in range(5)]
    for subject in subjects:
        send(cn, "us", subject)
    failing = wait_until(
        lambda: [m for m in report(cn)["outbox"] if m["status"] == "pending" and m["last_error"]],
        what="a failed delivery attempt",
    )
    assert failing

    us.start_web()
    us.wait_ready()
    wait_until(lambda: all(m["status"] == "delivered" for m in report(cn)["outbox"]), what="backlog drained")

    received = report(us)["received"]
    got = [subject for _, subject in received if subject.startswith("while down")]
    assert got == subjects  # each once, in order
    seqs = [seq for seq, _ in received]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))


def test_killed_worker_loses_nothing_and_sends_nothing_twice(pair):
    cn, us = pair
    cn.kill("worker", "beat")
    subjects = [f"after kill {n}" for n in range(5)]
    for subject in subjects:
        send(cn, "us", subject)
    time.sleep(1)
    assert [m for m in report(cn)["outbox"] if m["status"] == "pending"]

    cn.start_worker()
    cn.start_beat()
    wait_until(lambda: all(m["status"] == "delivered" for m in report(cn)["outbox"]), what="backlog drained")

    got = [s for s in received_subjects(us) if s.startswith("after kill")]
    assert got == subjects
