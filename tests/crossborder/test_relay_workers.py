"""Two relaying workers at once, as on a platform scaled out to several worker machines: two
separate processes relay the same outbox on one PostgreSQL, at the same moment, to partners that
record what arrives. Every partnership's messages arrive in `seq` order, each exactly once.

The partners are a small HTTP server in this test that signs its replies with each partner's own
key (registered on the partner as a real partner's is); the relays are `manage.py`-style processes
on the production settings, started together and bounded in time."""

import json
import os
import random
import subprocess
import sys
import threading
import time
import types
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from django.conf import settings as django_settings
from django.db import connection

from crossborder import services, signing
from crossborder.client import canonical_json
from crossborder.models import OutboxMessage, Partner, PartnerKey, Partnership
from tests.partners import own_key  # noqa: F401 - the fixture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

PARTNERSHIPS = 4
MESSAGES_EACH = 60
DEADLINE_SECONDS = 120

RELAY = """
import sys, time
import django
django.setup()
from crossborder import outbox
from crossborder.models import OutboxMessage
print("ready", flush=True)
sys.stdin.readline()  # both start together
delivered, runs, deadline = 0, 0, time.monotonic() + float(sys.argv[1])
while time.monotonic() < deadline:
    delivered += outbox.relay_all().delivered
    runs += 1
    if not OutboxMessage.objects.filter(status="pending").exists():
        break
print(f"delivered {delivered} runs {runs}", flush=True)
"""


class Partners:
    """What the partners received, in arrival order: (partnership reference, seq, idempotency key)."""

    def __init__(self):
        self.keys = {}  # partnership reference -> (key id, private key)
        self.received = []
        self.requests = 0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def _handler(self):
        partners = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                data = json.loads(body)
                if self.path.endswith("/batch/"):  # protocol 1.2: several messages, one request
                    items = [(item["message"], item["idempotency_key"]) for item in data["messages"]]
                    answer = {
                        "results": [{"seq": m["seq"], "status": 200, "replayed": False, "reply": {}} for m, _ in items],
                        "received": len(items),
                    }
                else:
                    items, answer = [(data, self.headers["Idempotency-Key"])], {"status": "accepted"}
                with partners.lock:
                    partners.received.extend((m["partnership"], m["seq"], key) for m, key in items)
                    partners.requests += 1
                time.sleep(random.uniform(0, 0.004))  # a partner takes a moment
                key_id, private = partners.keys[items[0][0]["partnership"]]
                reply = types.SimpleNamespace(
                    status_code=200,
                    headers=requests.structures.CaseInsensitiveDict({"Content-Type": signing.JSON}),
                    content=canonical_json(answer),
                )
                request = types.SimpleNamespace(
                    method="POST",
                    url=partners.url + self.path,
                    headers=requests.structures.CaseInsensitiveDict(self.headers),
                )
                signing.sign_response(reply, request, key_id=key_id, private_key=private)
                self.send_response(200)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.content)))
                self.end_headers()
                self.wfile.write(reply.content)

        return Handler

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def partnership_at(url, code):
    partner = Partner.objects.create(
        code=code, name=f"Partner {code}", country="US", currency="USD", languages=["en"], base_url=url
    )
    pem, public = signing.generate_keypair()
    key_id = f"{code}-key"
    PartnerKey.objects.create(partner=partner, key_id=key_id, public_key=public)
    partnership = Partnership.objects.create(
        partner=partner,
        status=Partnership.Status.ACTIVE,
        initiated_by=Partnership.Initiator.US,
        settlement_currency="USD",
        commission_rate="0.05",
        settlement_cutoff="23:00",
    )
    return partnership, (key_id, signing.load_private(pem))


def relay_process(tmp_path):
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    if db["PASSWORD"]:
        url = url.replace("@", f":{db['PASSWORD']}@", 1)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CROSSBORDER_OUTBOX", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="crossborder.settings",  # what a worker runs with
        DATABASE_URL=url,
        CROSSBORDER_OUTBOX_BATCH="10",  # short runs: the two relays take turns at the leases
        CROSSBORDER_OUTBOX_RELAY_ON_COMMIT="false",
        CROSSBORDER_SIGNING_KEY_FILE=str(django_settings.SIGNING_KEY_FILE),
    )
    return subprocess.Popen(
        [sys.executable, "-c", RELAY, str(DEADLINE_SECONDS)],
        env=env,
        cwd=django_settings.BASE_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_relay_processes_at_once_keep_each_partnerships_order_and_send_nothing_twice(own_key, tmp_path):  # noqa: F811
    with Partners() as partners:
        partnerships = []
        for n in range(PARTNERSHIPS):
            partnership, key = partnership_at(partners.url, f"p{n}")
            partners.keys[str(partnership.reference)] = key
            partnerships.append(partnership)
        for n in range(MESSAGES_EACH):
            for partnership in partnerships:
                services.send_notice(partnership=partnership, subject=f"notice {n}")

        relays = [relay_process(tmp_path) for _ in range(2)]
        try:
            for relay in relays:
                assert relay.stdout.readline().strip() == "ready", relay.stderr.read()
            started = time.monotonic()
            for relay in relays:
                relay.stdin.write("go\n")
                relay.stdin.flush()
            outputs = [relay.communicate(timeout=DEADLINE_SECONDS + 30) for relay in relays]
            elapsed = time.monotonic() - started
        finally:
            for relay in relays:
                if relay.poll() is None:
                    relay.kill()

    assert all(relay.returncode == 0 for relay in relays), [err[-2000:] for _, err in outputs]
    delivered = [int(out.split()[1]) for out, _ in outputs]
    total = PARTNERSHIPS * MESSAGES_EACH
    by_partnership = defaultdict(list)
    for reference, seq, _key in partners.received:
        by_partnership[reference].append(seq)

    assert len(partners.received) == total  # nothing sent twice
    assert len({key for *_, key in partners.received}) == total
    for partnership in partnerships:
        assert by_partnership[str(partnership.reference)] == list(range(1, MESSAGES_EACH + 1))
    assert sum(delivered) == total and all(delivered), delivered  # both relayed, each message once
    # The partners answered as protocol 1.2 speakers: after each one's first reply, messages went in batches.
    assert partners.requests < total / 3, partners.requests
    assert not OutboxMessage.objects.exclude(status=OutboxMessage.Status.DELIVERED).exists()
    print(
        f"two relays: {total} messages over {PARTNERSHIPS} partnerships in {elapsed:.1f} s, {partners.requests} requests, split {delivered}"
    )
