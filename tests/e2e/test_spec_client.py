"""A second partner implementation, written from docs/partner-protocol.md, the OpenAPI schema and
the README alone (tests/e2e/spec_client, importing nothing from the project), partners with one
real instance (us, a separate process on loopback): it links by invitation as a partner platform
would, makes signed calls and checks every reply's signature and binding, sends business messages
in its envelope with seq (a repeat applies once, an older seq is refused), pulls the catalog feed,
receives the instance's messages at its own endpoint and rotates its key under way. Then it exchanges
every message type the page lists, both ways: each type we emit reaches its endpoint and is checked
against the OpenAPI schema, and it sends each type with a payload built from the page."""

import dataclasses
import datetime as dt
import json
import uuid

import pytest
import requests

from scripts.instances import US, Instance

from .conftest import INSTANCES
from .pairs import fresh_databases
from .spec_client import messages, signing
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

    allowed = set(sys.stdlib_module_names) | {"requests", "cryptography", "jsonschema"}
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
        assert old_endpoint.versions and set(old_endpoint.versions) == {"1.2"}  # we always say ours
        assert old_endpoint.refusals == new_endpoint.refusals == []


SEED_FOR = """
from decimal import Decimal
from djmoney.money import Money
from catalog import services
from crossborder.models import Partner

partnership = Partner.objects.get(code="sx").live_partnership()
merchant = services.create_merchant(name="Camp Kit", slug="camp-kit")
data = services.ProductInput(
    code="CK-1", category_id=561, original_language="en", country_of_origin="US", hs_code="392410",
    weight_grams=300, texts={"en": ("Camp mug", "Steel")},
    variants=[services.VariantInput(sku="CK-1-S", price=Money(Decimal("19.00"), "USD"), stock=20)], brand="Camp Kit",
)
product = services.save_product(merchant=merchant, data=data)
services.set_export_offer(
    merchant=merchant, product=product, partnership=partnership, is_offered=True,
    export_price=Money(Decimal("12.50"), "USD"), direct_stock=20,
)
print("seeded")
"""

# Our side, inside the instance: what a service emits for the partner `code`, by type.
OUR_SERVICE = """
import json
from crossborder import services
from crossborder.models import Partner
from logistics.services import ageing

for code, action in json.loads(%(steps)r):
    partner = Partner.objects.get(code=code)
    partnership = partner.live_partnership() or partner.partnerships.latest("pk")
    if isinstance(action, list):
        for type_, payload in action:
            services.send_to_partner(partnership, type_, payload)
    elif action == "accept":
        services.accept_partnership(partnership=partnership)
    elif action == "decline":
        services.change_partnership_status(partnership=partnership, action="decline", reason="not now")
    elif action == "suspend":
        services.suspend_partnership(partnership=partnership, reason="stock count")
    elif action == "resume":
        services.resume_partnership(partnership=partnership, reason="counted")
    elif action == "end":
        services.change_partnership_status(partnership=partnership, action="end", reason="closing")
    elif action == "keys":
        services.announce_keys_to(partnership)
    elif action.startswith("agree:"):
        ageing.decide_aged_action(partnership=partnership, reference=action.removeprefix("agree:"), accept=True)
print("[]")
"""

# What a message the spec partner sends leaves in our database, by model (its class name).
EFFECTS = {
    "partner.notice": "PartnerNotice",
    "partner.metrics": "Prospect",
    "demand.report": "DemandReport",
    "order.forwarded": "ForwardedOrder",
    "campaign.proposal": "Campaign",
    "aged_stock.proposal": "AgedStockAction",
    "sales.report": "HandoffReport",
    "settlement.statement": "PartnerStatementPart",
}
COUNTS = """
import json
from django.apps import apps
from crossborder.models import Partner
models = {model.__name__: model for model in apps.get_models()}
counts = {name: models[name].objects.count() for name in %(names)r}
counts["status"] = Partner.objects.get(code="sx").partnerships.latest("pk").status
print(json.dumps(counts))
"""


# How our instance is made to emit each type of the doc to the spec partner: a manage command or a
# service of the instance; QUEUED: queued by the outbox service (send_to_partner) with a payload
# built from the page, for the types whose business flow needs state this module does not build.
QUEUED = "queued"
WE_EMIT = {
    "partnership.accepted": "service accept_partnership",
    "partnership.declined": "service change_partnership_status(decline)",
    "partnership.ended": "service change_partnership_status(end)",
    "partnership.suspended": "service suspend_partnership",
    "partnership.resumed": "service resume_partnership",
    "partner.keys_updated": "service announce_keys_to",
    "partner.notice": "manage.py send_notice",
    "partner.alert": "manage.py send_notice --severity",
    "partner.metrics": "manage.py send_metrics",
    "campaign.proposal": "manage.py propose_campaign",
    "shipment.notice": "manage.py plan_consignment --send",
    **dict.fromkeys(
        ("aged_stock.carried_out", "aged_stock.decision", "aged_stock.proposal", "campaign.decision",
         "charge.notice", "compliance.breach", "delivery.tracking", "demand.report", "order.forwarded",
         "order.status", "return.disposition", "return.notice", "review.shared", "review.withdrawn",
         "sales.report", "settlement.statement", "shipment.receipt", "stock.report"),
        QUEUED,
    ),
}  # fmt: skip

# What the spec partner sends, in this order (partner.keys_updated by its key rotation, then
# partnership.ended last); accepted and declined answer a proposal we never made: invalid_state.
PARTNER_SENDS = (
    "partner.notice", "partner.alert", "partner.metrics", "demand.report", "order.forwarded",
    "order.status", "delivery.tracking", "return.notice", "return.disposition", "review.shared",
    "review.withdrawn", "charge.notice", "compliance.breach", "campaign.proposal", "campaign.decision",
    "shipment.notice", "shipment.receipt", "aged_stock.proposal", "aged_stock.decision",
    "aged_stock.carried_out", "sales.report", "stock.report", "settlement.statement",
    "partnership.accepted", "partnership.declined", "partnership.suspended", "partnership.resumed",
)  # fmt: skip


def test_the_spec_exchange_covers_every_message_type_of_the_doc():
    """A type added to docs/partner-protocol.md fails here until the spec partner sends it (with a
    payload built from the page) and our instance is made to emit it to the partner."""
    types = set(messages.doc_types())
    assert set(PARTNER_SENDS) | {"partner.keys_updated", "partnership.ended"} == types
    assert set(WE_EMIT) == types
    assert set(messages.payloads(messages.new_context(product=str(uuid.uuid4()), sku="S"))) >= types - {
        "partner.keys_updated"
    }
    assert set(messages.doc_replies()) == types


def our_service(instance, *steps):
    """Our services, inside the instance, in one shell: (partner code, action) steps."""
    manage(instance, "shell", "-c", OUR_SERVICE % {"steps": json.dumps(steps)})


def spec_partner(us, code, *, schema, auto_accept=True):
    client = PartnerClient(
        us.base_url,
        platform={"code": code, "name": f"Spec {code}", "country": "DE", "currency": "EUR", "languages": ["de", "en"]},
        key=signing.Key.generate(f"{code}-key-1"),
    )
    receiver = Receiver(client, known_types=set(messages.doc_types()), schema=schema)
    client.platform["base_url"] = receiver.base_url
    token = uuid.uuid4().hex
    manage(us, "create_invitation", "--token", token, *(["--auto-accept"] if auto_accept else []))
    terms = {"settlement_currency": "USD", "commission_rate": "0.0800", "category_scope": [],
             "settlement_cutoff": "23:00:00", "starts_on": dt.date.today().isoformat()}  # fmt: skip
    return client, receiver, client.propose(token, terms)


def test_a_spec_partner_exchanges_every_message_type_of_the_doc_both_ways(us):
    """Every type of section 4: we emit each to the spec partner's endpoint, which verifies our
    signature and validates the payload against the OpenAPI schema; the partner sends each type it
    may send with a payload built from the page, and checks our reply against section 8."""
    schema = messages.Schema(requests.get(f"{us.base_url}/api/schema/?format=json", timeout=30).json())
    types = messages.doc_types()
    assert all(schema.has(type_) for type_ in types), [t for t in types if not schema.has(t)]
    client, endpoint, proposed = spec_partner(us, "sx", schema=schema, auto_accept=False)
    declined, declined_endpoint, _ = spec_partner(us, "sd", schema=schema, auto_accept=False)
    ended, ended_endpoint, _ = spec_partner(us, "se", schema=schema)
    with endpoint, declined_endpoint, ended_endpoint:
        assert proposed.body["status"] == "proposed"
        # --- we emit every type ------------------------------------------------------------------
        our_service(us, ("sx", "accept"), ("sd", "decline"), ("se", "end"))
        manage(us, "shell", "-c", SEED_FOR)
        entries, _ = client.catalog()
        product = next(entry for entry in entries if entry["variants"][0]["sku"] == "CK-1-S")["id"]
        manage(us, "send_notice", "--partner", "sx", "--subject", "hello from us")
        manage(us, "send_notice", "--partner", "sx", "--subject", "Closed", "--severity", "warning")
        manage(us, "send_metrics", "--partner", "sx", "--figures", json.dumps({"settlements": 3, "orders_shipped": 2}))
        today = dt.date.today()
        manage(us, "propose_campaign", "--partner", "sx", "--title", "Summer", "--starts",
               (today + dt.timedelta(days=7)).isoformat(), "--ends", (today + dt.timedelta(days=14)).isoformat(),
               "--discount", "10", "--share", "5", "--product", product)  # fmt: skip
        manage(us, "plan_consignment", "--partner", "sx", "--line", "CK-1-S:2", "--send")
        our_service(us, ("sx", "keys"), ("sx", "suspend"), ("sx", "resume"))
        ctx = messages.new_context(product=product, sku="CK-1-S", language=proposed.body["platform"]["languages"][0])
        sample = messages.payloads(ctx)
        manage(us, "relay_outbox")
        emitted = {type_ for _seq, type_, _p in endpoint.applied}
        assert emitted | {"partnership.declined", "partnership.ended"} == {
            t for t, how in WE_EMIT.items() if how != QUEUED
        }
        rest = [(type_, sample[type_]) for type_, how in WE_EMIT.items() if how == QUEUED]
        our_service(us, ("sx", rest))
        manage(us, "relay_outbox")
        received = {type_ for e in (endpoint, declined_endpoint, ended_endpoint) for _s, type_, _p in e.applied}
        assert endpoint.refusals == declined_endpoint.refusals == ended_endpoint.refusals == []
        assert received == set(types), set(types) - received

        # --- the spec partner sends every type it may -------------------------------------------
        replies = messages.doc_replies()
        before = shell_json(us, COUNTS % {"names": sorted(set(EFFECTS.values()))})
        their_campaign = next(p for _s, t, p in endpoint.applied if t == "campaign.proposal")["reference"]
        sample["campaign.decision"]["reference"] = their_campaign  # our proposal, answered
        consignment = next(p for _s, t, p in endpoint.applied if t == "shipment.notice")["consignment"]
        sample["shipment.receipt"]["consignment"] = consignment  # our shipment, counted in
        sample["aged_stock.carried_out"]["reference"] = ctx["aged"]  # its own proposal, once we agreed
        outcomes, problems = {}, []
        for type_ in PARTNER_SENDS:
            payload = sample[type_]
            assert schema.errors(type_, payload) == [], (type_, schema.errors(type_, payload))
            keys, codes = replies[type_]
            if type_ == "aged_stock.carried_out":  # we agree to its proposal first: a real decision
                our_service(us, ("sx", f"agree:{ctx['aged']}"))
                manage(us, "relay_outbox")
                decision = [p for _s, t, p in endpoint.applied if t == "aged_stock.decision"][-1]
                assert decision["reference"] == ctx["aged"] and decision["decision"] == "agreed", decision
            try:
                reply = client.send(type_, payload)
            except Refused as refused:
                outcomes[type_] = refused.code
                if not (refused.status < 500 and refused.code in codes):
                    problems.append((type_, refused.status, refused.body))
                continue
            outcomes[type_] = "applied"
            if not keys <= set(reply.body["result"]):
                problems.append((type_, reply.body["result"]))
        print(json.dumps(outcomes, indent=1))
        assert problems == []
        client.rotate("sx-key-2")  # partner.keys_updated
        outcomes["partner.keys_updated"] = "applied"
        assert client.send("partnership.ended", sample["partnership.ended"]).body["result"]["status"] == "ended"
        outcomes["partnership.ended"] = "applied"
        assert set(outcomes) == set(types)
        after = shell_json(us, COUNTS % {"names": sorted(set(EFFECTS.values()))})
        assert {type_: after[name] > before[name] for type_, name in EFFECTS.items()} == dict.fromkeys(EFFECTS, True)
        assert after["status"] == "ended"


def test_a_partner_on_1_2_written_from_the_spec_exchanges_messages_in_batches_both_ways(us):
    client, endpoint = linked(us, "sv12", version="1.2", known_types=KNOWN_TYPES)
    with endpoint:
        # It sends us two notices and an invalid one in one batch: the two applied, the third its refusal.
        reply = client.send_batch(
            [
                ("partner.notice", {"subject": "batch one"}),
                ("partner.notice", {"subject": "batch two"}),
                ("partner.notice", {"body": "no subject"}),
            ]  # fmt: skip
        )
        assert [(r["seq"], r["status"]) for r in reply.body["results"]] == [(1, 200), (2, 200), (3, 400)]
        assert reply.body["results"][2]["reply"]["code"] == "invalid_payload"
        notices = shell_json(us, NOTICES)
        assert "batch one" in notices and "batch two" in notices

        # We send it three: after its first reply said 1.2, they go several to a request.
        for n in range(1, 4):
            manage(us, "send_notice", "--partner", "sv12", "--subject", f"to sv12 {n}")
        manage(us, "relay_outbox")

        notices_received = [
            payload["subject"] for _seq, type_, payload in endpoint.applied if type_ == "partner.notice"
        ]
        assert notices_received == ["to sv12 1", "to sv12 2", "to sv12 3"]
        assert "/partner-api/v1/messages/batch/" in endpoint.paths
        assert endpoint.refusals == []
