"""Two real instances as separate processes (gunicorn web, Celery worker, Celery beat each), with
their own databases and brokers, partnered and exchanging notices over loopback HTTP. One instance
goes down while the other queues messages and comes back; a worker is killed in the middle of a
delivery, so the partner really receives a message twice. Every message still takes effect exactly
once, in the sender's order.

Stacks: PostgreSQL and Redis when CROSSBORDER_TEST_POSTGRES (e.g. postgres://root@127.0.0.1:5432)
and CROSSBORDER_TEST_REDIS (e.g. redis://127.0.0.1:6379) are set, else the embedded default
(SQLite files and the filesystem broker in each instance's data directory).

The instances' state is read through `manage.py shell -c` (each instance's own settings and
database), never through this process's Django."""

import dataclasses
import json
import os
import signal
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from scripts.instances import CN, US, Instance, link

from .conftest import INSTANCES

pytestmark = pytest.mark.e2e

DEADLINE = 60  # seconds to wait for anything that should happen
FAST = {
    "CROSSBORDER_RELAY_INTERVAL": "1",
    "CROSSBORDER_OUTBOX_BACKOFF_BASE": "0.2",
    "CROSSBORDER_OUTBOX_BACKOFF_CAP": "2",
    "CROSSBORDER_OUTBOX_LEASE_SECONDS": "10",
    "CROSSBORDER_LOG_LEVEL": "INFO",
    # Below the lease, so a relay waiting on a silent partner gives up before another may take over.
    "CROSSBORDER_PARTNER_TIMEOUT": "5",
}
E2E_DATABASES = ("crossborder_e2e_cn", "crossborder_e2e_us")
E2E_REDIS_DBS = tuple(int(n) for n in os.environ.get("CROSSBORDER_TEST_REDIS_DBS", "11,12").split(","))

STATE = """
import json
from crossborder.models import InboxMessage, OutboxMessage, PartnerNotice, Partnership, RelayLease, SeenNonce
notices = PartnerNotice.objects.order_by("id")
print(json.dumps({
    "partnerships": list(Partnership.objects.values(
        "reference", "status", "partner__code", "partner__base_url")),
    "leases": list(RelayLease.objects.values_list("token", flat=True)),
    "outbox": list(OutboxMessage.objects.order_by("seq").values(
        "seq", "status", "attempts", "last_error", "idempotency_key", "response_status", "response_body")),
    "inbox": list(InboxMessage.objects.filter(endpoint="messages").order_by("id").values(
        "idempotency_key", "seq", "status")),
    "sent": list(notices.filter(direction="sent").order_by("sent_seq").values("id", "sent_seq", "subject")),
    "received": list(notices.filter(direction="received").values("id", "sent_seq", "subject")),
    "nonces": SeenNonce.objects.count(),
}, default=str))
"""


# --- helpers ----------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(instance, *args):
    result = instance.manage(*args, check=False)
    if result.returncode:
        raise AssertionError(
            f"{instance.spec.code}: manage.py {args[0]} exited {result.returncode}\n"
            f"stdout:\n{result.stdout[-2000:]}\nstderr:\n{result.stderr[-4000:]}"
        )
    return result.stdout


def state(instance):
    """The instance's partnerships, outbox, inbox and notices, read from its own database."""
    return json.loads(manage(instance, "shell", "-c", STATE).strip().splitlines()[-1])


def send(instance, partner, *subjects):
    """Queue notices with the send_notice command: from the command line for one, and in one
    process (still one command call, one transaction each) for several, to save start-up time."""
    if len(subjects) == 1:
        return manage(instance, "send_notice", "--partner", partner, "--subject", subjects[0])
    script = (
        "from django.core.management import call_command\n"
        f"for subject in {list(subjects)!r}:\n"
        f"    call_command('send_notice', '--partner', {partner!r}, '--subject', subject)\n"
    )
    return manage(instance, "shell", "-c", script)


def wait_until(predicate, what, timeout=DEADLINE):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last seen: {last!r}")


def drained(instance):
    """The instance's outbox has nothing left to deliver; returns its state if so."""
    current = state(instance)
    return current if all(m["status"] != "pending" for m in current["outbox"]) else None


def subjects_received(instance):
    return [notice["subject"] for notice in state(instance)["received"]]


def signal_group(instance, component, signum):
    process = instance.processes.get(component)
    if process is not None and process.poll() is None:
        os.killpg(process.pid, signum)


def unread_request_bytes(instance):
    """Bytes clients have sent to the instance's web port that no process has read yet (Linux)."""
    port = urlsplit(instance.base_url).port
    total = 0
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        for line in table.read_text().splitlines()[1:] if table.exists() else ():
            local, _remote, tcp_state, queues = line.split()[1:5]
            if tcp_state == "01" and int(local.rsplit(":", 1)[1], 16) == port:  # 01: established
                total += int(queues.split(":")[1], 16)
    return total


def assert_exactly_once_in_order(sender, receiver):
    """Every notice the sender queued took effect once on the receiver, in the sender's order; every
    message it queued (the notices, and its own figures sent at linking) was delivered once, in order."""
    sent = [(n["sent_seq"], n["subject"]) for n in sender["sent"]]
    received = [(n["sent_seq"], n["subject"]) for n in receiver["received"]]  # in arrival order (id)
    assert received == sent, "the receiver's notices differ from what the sender queued"
    seqs = [seq for seq, _ in received]
    assert seqs == sorted(set(seqs)), f"sequence numbers not strictly increasing: {seqs}"
    outbox = [(m["seq"], m["status"]) for m in sender["outbox"]]
    assert outbox == [(seq, "delivered") for seq in range(1, len(outbox) + 1)], "outbox seqs not contiguous"
    assert set(seqs) <= {seq for seq, _status in outbox}
    # One inbox row per outbox message, with the same idempotency key, none left half-done.
    assert [(m["idempotency_key"], m["seq"], "done") for m in sender["outbox"]] == [
        (m["idempotency_key"], m["seq"], m["status"]) for m in receiver["inbox"]
    ]


# --- the two instances ------------------------------------------------------------------------


def _fresh_databases():
    base = os.environ.get("CROSSBORDER_TEST_POSTGRES", "").rstrip("/")
    if not base:
        return None, None  # the embedded default: SQLite in each data directory
    from .pairs import fresh_databases

    return fresh_databases(E2E_DATABASES)


def _fresh_brokers():
    base = os.environ.get("CROSSBORDER_TEST_REDIS", "").rstrip("/")
    if not base:
        return None, None  # the embedded default: the filesystem broker in each data directory
    import redis

    urls = tuple(f"{base}/{number}" for number in E2E_REDIS_DBS)
    for url in urls:
        client = redis.Redis.from_url(url)
        client.flushdb()
        client.close()
    return urls


@pytest.fixture(scope="module")
def pair(request, tmp_path_factory):
    """cn and us, each with web + worker + beat, partnered (cn proposed, us invited)."""
    tmp = tmp_path_factory.mktemp("e2e")
    cn_db, us_db = _fresh_databases()
    cn_broker, us_broker = _fresh_brokers()
    cn = Instance(dataclasses.replace(CN, port=free_port()), tmp / "cn", cn_db, cn_broker, extra_env=FAST)
    us = Instance(dataclasses.replace(US, port=free_port()), tmp / "us", us_db, us_broker, extra_env=FAST)
    request.config.stash[INSTANCES] = (cn, us)
    try:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(Instance.prepare, (cn, us)))
        for instance in (cn, us):
            instance.start()
        for instance in (cn, us):
            instance.wait_ready()
        link(cn, us, token=uuid.uuid4().hex)
        yield cn, us
    finally:
        for instance in (cn, us):
            for component in list(instance.processes):
                signal_group(instance, component, signal.SIGCONT)  # a paused process cannot stop
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(Instance.stop, (cn, us)))


# --- the tests --------------------------------------------------------------------------------


def test_both_sides_hold_the_same_active_partnership(pair):
    cn, us = pair
    (cn_side,) = state(cn)["partnerships"]
    (us_side,) = state(us)["partnerships"]
    assert cn_side["reference"] == us_side["reference"]
    assert (cn_side["status"], us_side["status"]) == ("active", "active")
    assert (cn_side["partner__code"], us_side["partner__code"]) == ("us", "cn")
    assert (cn_side["partner__base_url"], us_side["partner__base_url"]) == (us.base_url, cn.base_url)


def test_notices_travel_both_ways(pair):
    cn, us = pair
    send(cn, "us", "cn to us: hello")
    send(us, "cn", "us to cn: hello")

    wait_until(lambda: "cn to us: hello" in subjects_received(us), "cn -> us")
    wait_until(lambda: "us to cn: hello" in subjects_received(cn), "us -> cn")
    cn_now, us_now = wait_until(lambda: drained(cn), "cn drained"), wait_until(lambda: drained(us), "us drained")
    assert_exactly_once_in_order(cn_now, us_now)
    assert_exactly_once_in_order(us_now, cn_now)


def test_partner_down_then_back_gets_every_message_once_in_order(pair):
    cn, us = pair
    us.stop()  # web, worker and beat: the whole instance is down
    to_us = [f"while us is down {n}" for n in range(5)]
    to_cn = [f"queued on us while down {n}" for n in range(2)]
    send(cn, "us", *to_us)
    send(us, "cn", *to_cn)  # written to us's outbox; no us process is running to relay it

    def cn_has_retried():
        pending = [m for m in state(cn)["outbox"] if m["status"] == "pending"]
        return pending if len(pending) == len(to_us) and pending[0]["attempts"] >= 1 else None

    pending = wait_until(cn_has_retried, "cn to fail delivering to us")
    assert us.base_url in pending[0]["last_error"], pending[0]["last_error"]
    assert all(m["attempts"] == 0 for m in pending[1:]), "the relay went past a message that must wait"
    us_down = state(us)
    assert not set(to_us) & {n["subject"] for n in us_down["received"]}
    assert [m["status"] for m in us_down["outbox"][-len(to_cn) :]] == ["pending"] * len(to_cn)

    us.start()
    us.wait_ready()
    cn_now = wait_until(lambda: drained(cn), "cn's backlog to drain into us")
    us_now = wait_until(lambda: drained(us), "us's backlog to drain into cn")
    cn_now = state(cn)  # us's notices may have landed after cn's outbox drained
    assert_exactly_once_in_order(cn_now, us_now)
    assert_exactly_once_in_order(us_now, cn_now)
    assert [n["subject"] for n in us_now["received"][-len(to_us) :]] == to_us
    assert [n["subject"] for n in cn_now["received"][-len(to_cn) :]] == to_cn


def test_worker_killed_mid_delivery_loses_nothing_and_the_repeat_has_no_second_effect(pair):
    cn, us = pair
    if not Path("/proc/net/tcp").exists():
        pytest.skip("needs Linux /proc/net/tcp to see a request in flight")
    subjects = [f"worker killed {n}" for n in range(5)]
    nonces_before = state(us)["nonces"]

    # Freeze us's web server: the kernel still accepts cn's request, but nobody reads or answers it.
    signal_group(us, "web", signal.SIGSTOP)
    try:
        send(cn, "us", *subjects)
        deadline = time.monotonic() + DEADLINE
        while not unread_request_bytes(us):
            assert time.monotonic() < deadline, "cn's relay never sent its first message to us"
            time.sleep(0.05)
        time.sleep(0.3)  # let the whole request (headers, then body) reach us
        cn.kill("worker")  # SIGKILL while the request waits for its answer: the attempt is never recorded
    finally:
        signal_group(us, "web", signal.SIGCONT)
    first = state(cn)["sent"][-len(subjects)]["sent_seq"]

    # us now answers the orphaned request: the notice takes effect, but cn never hears of it.
    wait_until(lambda: subjects[0] in subjects_received(us), "us to process the orphaned request")
    cn_blind = state(cn)
    message = next(m for m in cn_blind["outbox"] if m["seq"] == first)
    assert (message["status"], message["attempts"]) == ("pending", 0), message
    assert cn_blind["leases"][0], "the killed relay should still hold its lease"
    assert all(m["status"] == "pending" for m in cn_blind["outbox"] if m["seq"] > first)

    # A new worker takes over once the dead one's lease lapses and sends #first again.
    cn.start_worker()
    cn_now = wait_until(lambda: drained(cn), "cn's backlog to drain after the worker restart")
    us_now = state(us)
    assert_exactly_once_in_order(cn_now, us_now)
    assert [n["subject"] for n in us_now["received"][-len(subjects) :]] == subjects

    # The repeat was really delivered and answered from the inbox with the first answer ...
    redelivered = next(m for m in cn_now["outbox"] if m["seq"] == first)
    notice_id = next(n["id"] for n in us_now["received"] if n["subject"] == subjects[0])
    assert redelivered["response_status"] == 200
    assert redelivered["response_body"]["result"] == {"notice": notice_id}
    # ... and us accepted the orphaned request and the repeat at least (protocol 1.2 between our
    # instances: several messages may share a request), never more than one per message plus the repeat.
    assert 2 <= us_now["nonces"] - nonces_before <= len(subjects) + 1
