"""A second partner implementation, written from docs/partner-protocol.md, the OpenAPI schema and
the README alone (tests/e2e/spec_client, importing nothing from the project), partners with one
real instance (us, a separate process on loopback): it links by invitation as a partner platform
would, makes signed calls and checks every reply's signature and binding, sends business messages
in its envelope with seq (a repeat applies once, an older seq is refused), pulls the catalog feed,
receives the instance's messages at its own endpoint and rotates its key under way."""

import dataclasses
import datetime as dt
import json
import uuid

import pytest

from scripts.instances import US, Instance

from .conftest import INSTANCES
from .pairs import fresh_databases
from .spec_client import signing
from .spec_client.client import PartnerClient, Refused
from .spec_client.receiver import KNOWN_TYPES, Receiver
from .test_two_instances import free_port, manage

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

DATABASES = ("crossborder_e2e_protocol_spec_us",)
ENV = {"CROSSBORDER_CATALOG_FEED_SETTLE_SECONDS": "0", "CROSSBORDER_OUTBOX_RELAY_ON_COMMIT": "false"}

SEED = """
from decimal import Decimal
from djmoney.money import Money
from catalog import services
from crossborder.models import Partner

partnership = Partner.objects.get(code="sp").live_partnership()
merchant = services.create_merchant(name="Trail Kit", slug="trail-kit")
for n in range(1, 4):
    data = services.ProductInput(
        code=f"TK-{n}", category_id=561, original_language="en", country_of_origin="US",
        hs_code="392410", weight_grams=200 + n,
        texts={"en": (f"Water bottle {n}", "Steel")},
        variants=[services.VariantInput(sku=f"TK-{n}-S", price=Money(Decimal("19.00"), "USD"), stock=5)],
        brand="Trail Kit",
    )
    product = services.save_product(merchant=merchant, data=data)
    services.set_export_offer(
        merchant=merchant, product=product, partnership=partnership, is_offered=n != 3,
        export_price=Money(Decimal("12.50"), "USD"), direct_stock=5,
    )
    if n == 3:
        services.set_export_offer(merchant=merchant, product=product, partnership=partnership, is_offered=False)
print("seeded")
"""

NOTICES = """
import json
from crossborder.models import PartnerNotice
print(json.dumps(sorted(PartnerNotice.objects.filter(direction="received").values_list("subject", flat=True))))
"""

OUTBOX = """
import json
from crossborder.models import OutboxMessage
print(json.dumps(sorted(OutboxMessage.objects.values_list("status", flat=True))))
"""


@pytest.fixture(scope="module")
def us(request, tmp_path_factory):
    (database,) = fresh_databases(DATABASES)
    instance = Instance(
        dataclasses.replace(US, port=free_port()), tmp_path_factory.mktemp("e2e-protocol-spec"), database, extra_env=ENV
    )
    request.config.stash[INSTANCES] = (instance,)
    try:
        instance.prepare()
        instance.start(worker=False, beat=False)
        instance.wait_ready()
        yield instance
    finally:
        instance.stop()


def shell_json(instance, script):
    return json.loads(manage(instance, "shell", "-c", script).strip().splitlines()[-1])


def test_a_partner_written_from_the_spec_alone_links_and_exchanges_messages_both_ways(us):
    client = PartnerClient(
        us.base_url,
        platform={"code": "sp", "name": "Spec Partner", "country": "DE", "currency": "EUR", "languages": ["de", "en"]},
        key=signing.Key.generate("sp-key-1"),
    )
    with Receiver(client) as receiver:
        client.platform["base_url"] = receiver.base_url
        token = uuid.uuid4().hex
        manage(us, "create_invitation", "--auto-accept", "--token", token)

        # Linking by invitation: the reply is signed by a key it carries and bound to our proposal.
        terms = {
            "settlement_currency": "USD",
            "commission_rate": "0.0800",
            "category_scope": [],
            "settlement_cutoff": "23:00:00",
            "starts_on": dt.date.today().isoformat(),
        }
        reply = client.propose(token, terms)
        assert reply.status == 201 and reply.body["status"] == "active", reply.body
        assert reply.body["reference"] == client.partnership
        assert client.health()["partnership_status"] == "active"

        # A repeat of the proposal is the first answer, replayed.
        again = client.call(
            "POST", "partnerships/", body=client.proposal, idempotency_key=f"proposal-{client.partnership}"
        )
        assert again.status == 200 and again.headers.get("Idempotent-Replayed") == "true"

        # Business messages: an envelope with seq, applied once whatever the key, in seq order.
        notice = client.send("partner.notice", {"subject": "hello from spec", "body": "written from the spec"})
        assert notice.body["result"]["notice"]
        first = client.envelope("partner.notice", {"subject": "applied once"})
        client.send("partner.notice", {}, envelope=first)
        replayed = client.send("partner.notice", {}, envelope=first, idempotency_key="another-key")
        assert replayed.headers.get("Idempotent-Replayed") == "true"
        with pytest.raises(Refused) as reused:
            client.send(
                "partner.notice", {}, envelope={**first, "payload": {"subject": "another"}}, idempotency_key="k3"
            )
        assert (reused.value.status, reused.value.code) == (422, "seq_reused")
        client.send("demand.report", {"day": dt.date.today().isoformat(), "window_days": 7, "min_shoppers": 5,
                                      "few_results": 3, "searches": [], "products": []})  # fmt: skip
        client.send("review.withdrawn", {"reference": str(uuid.uuid4()), "reason": "spam"})
        client.seq += 1  # a gap: allowed, and the seq left out can never come later
        gap = client.seq
        client.send("partner.notice", {"subject": "after a gap"})
        late = client.envelope("partner.notice", {"subject": "too late"}, seq=gap)
        with pytest.raises(Refused) as older:
            client.send("partner.notice", {}, envelope=late, idempotency_key="k-late")
        assert (older.value.status, older.value.code) == (422, "seq_out_of_order")
        with pytest.raises(Refused) as unknown:
            client.send("no_such.type", {})
        assert (unknown.value.status, unknown.value.code) == (400, "unknown_message_type")
        assert client.health()["last_received_seq"] == client.seq - 1  # the refused last seq left no trace
        assert shell_json(us, NOTICES).count("applied once") == 1

        # The catalog feed, paged one entry at a time with its cursors.
        manage(us, "shell", "-c", SEED)
        entries, _watermark = client.catalog(limit=1)
        assert sorted(variant["sku"] for entry in entries for variant in entry["variants"]) == ["TK-1-S", "TK-2-S"]
        changes, _ = client.catalog(updated_since="2000-01-01T00:00:00+00:00", limit=1)
        assert [entry for entry in changes if entry["deleted"]], changes

        # The instance's messages reach our own endpoint, signed; we answer signed and bound.
        manage(us, "send_notice", "--partner", "sp", "--subject", "hello from us")
        manage(us, "relay_outbox")
        assert [payload["subject"] for _seq, type_, payload in receiver.applied if type_ == "partner.notice"] == [
            "hello from us"
        ]
        assert receiver.refusals == []

        # Key rotation: the new key signs once acknowledged, the retired one is refused.
        old, new = client.rotate("sp-key-2")
        assert client.health()["partnership_status"] == "active"
        with pytest.raises(Refused) as retired:
            client.call("GET", "health/", key=old)
        assert retired.value.status == 401 and retired.value.code in ("key_revoked", "key_unknown")
        manage(us, "send_notice", "--partner", "sp", "--subject", "after rotation")
        manage(us, "relay_outbox")
        assert [payload["subject"] for _seq, _t, payload in receiver.applied][-1] == "after rotation"
        assert set(shell_json(us, OUTBOX)) == {"delivered"}
        assert receiver.refusals == []


def test_the_spec_client_imports_nothing_from_the_project():
    import ast
    import sys
    from pathlib import Path

    allowed = set(sys.stdlib_module_names) | {"requests", "cryptography"}
    for path in (Path(__file__).parent / "spec_client").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            assert {name.split(".")[0] for name in names} <= allowed, (path.name, names)


def linked(us, code, *, version, known_types):
    """A spec partner on protocol `version` (None: 1.0, no header) linked to us, its endpoint running."""
    client = PartnerClient(
        us.base_url,
        platform={"code": code, "name": f"Spec {code}", "country": "DE", "currency": "EUR", "languages": ["en"]},
        key=signing.Key.generate(f"{code}-key-1"),
        version=version,
    )
    receiver = Receiver(client, known_types=known_types)
    client.platform["base_url"] = receiver.base_url
    token = uuid.uuid4().hex
    manage(us, "create_invitation", "--auto-accept", "--token", token)
    terms = {"settlement_currency": "USD", "commission_rate": "0.0800", "category_scope": [],
             "settlement_cutoff": "23:00:00", "starts_on": dt.date.today().isoformat()}  # fmt: skip
    assert client.propose(token, terms).body["status"] == "active"
    return client, receiver


def test_a_partner_on_the_previous_version_gets_the_older_form_while_a_new_one_gets_the_new_type(us):
    old_client, old_endpoint = linked(us, "sv10", version=None, known_types=KNOWN_TYPES)
    new_client, new_endpoint = linked(us, "sv11", version="1.1", known_types=KNOWN_TYPES | {"partner.alert"})
    with old_endpoint, new_endpoint:
        for client in (old_client, new_client):  # both still send their messages as before
            client.send("partner.notice", {"subject": f"hello from {client.platform['code']}"})
        for code in ("sv10", "sv11"):
            manage(us, "send_notice", "--partner", code, "--subject", "Warehouse closed", "--severity", "critical")
            manage(us, "send_notice", "--partner", code, "--subject", "Back tomorrow")
        manage(us, "relay_outbox")

        assert [(type_, payload["subject"]) for _seq, type_, payload in old_endpoint.applied] == [
            ("partner.notice", "[critical] Warehouse closed"),
            ("partner.notice", "Back tomorrow"),
        ]
        assert [(type_, payload.get("severity")) for _seq, type_, payload in new_endpoint.applied] == [
            ("partner.alert", "critical"),
            ("partner.notice", None),
        ]
        assert old_endpoint.versions and set(old_endpoint.versions) == {"1.1"}  # we always say ours
        assert old_endpoint.refusals == new_endpoint.refusals == []
