"""Agreement compliance with three real instances: cn partners with us and jp. Every night each
platform closes the agreed settlement period and sends its statement; jp stops doing so after the
first period, and acknowledges late the order cn's shopper placed in the jp zone: cn forwards it
over HTTP, jp's ops ship it from jp's admin and jp's status reaches cn over HTTP after the agreed
`order_ack_hours` (made 0 in the cn-jp agreement, "at once", so the story needs no waiting: any
acknowledgement is late, with the moments as evidence). cn sees jp's credit fall (settlements and
acknowledgements), sends jp each breach and a warning, then suspends jp's zone automatically while us
goes on (a shopper still orders in the us zone); cn's ops resume jp, recorded with who and why.
Before that, at linking, each platform sent each partner its own figures (`partner.metrics`), which
the partner keeps as a prospect entry beside its partners, nobody typing them.

The nights are driven by the commands' time arguments (`close_settlement --period-end --now`,
`check_compliance --now`, `score_partners --now`); jp misses its settlements by not running its
close. Web servers only; outboxes are relayed by the test."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest

from .pairs import partnered_trio
from .test_forwarded_fulfilment import admin_session, csrf_token
from .test_partner_zone import get
from .test_purchase_and_settlement import (
    LISTINGS,
    OFFER,
    SHOPPERS,
    TIMEOUT,
    last_json,
    order_status,
    pay_with_wallet,
    place_order,
)
from .test_two_instances import manage

# Three instances migrate and start before the story runs: slow on a busy machine.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1500)]

DATABASES = ("cb_e2e_partners_cn", "cb_e2e_partners_us", "cb_e2e_partners_jp")
ENV = {"CROSSBORDER_OUTBOX_RELAY_ON_COMMIT": "false"}
# cn-jp agree that a forwarded order is acknowledged at once (the threshold made small: see above).
FEES = {("cn", "jp"): ("order_ack_hours=0",)}

# cn prices us goods (USD) and jp goods (JPY) in yuan, with rates stamped well before.
RATES = """
import datetime as dt
from decimal import Decimal
from django.utils import timezone
from crossborder.models import ExchangeRate
as_of = timezone.now() - dt.timedelta(days=30)
for base, quote, rate in (("USD", "CNY", "7.2"), ("CNY", "JPY", "20.83333333")):
    ExchangeRate.objects.create(base=base, quote=quote, rate=Decimal(rate), as_of=as_of)
print("ok")
"""

STATE = """
import json
from crossborder.models import Partner, PartnerNotice
from partners import selectors
from partners.models import PartnerScore
out = {}
for partner in Partner.objects.all():
    partnership = partner.partnerships.order_by("-created_at").first()
    out[partner.code] = {
        "status": partnership.status,
        "events": [[e.kind, e.actor.username if e.actor else None, e.detail.get("reason", "")]
                   for e in partnership.events.order_by("created_at", "id")],
        "notices": list(PartnerNotice.objects.filter(partnership=partnership, direction="received")
                        .values_list("subject", flat=True)),
    }
out["breaches"] = [[r["partner"], r["term"], r["severity"], r["evidence"]] for r in selectors.breach_rows()]
out["credit"] = [[r["partner"], None if r["value"] is None else str(r["value"])]
                 for r in selectors.score_history() if r["kind"] == "credit"]
out["acknowledged"] = [[p["value"], p["evidence"]] for s in PartnerScore.objects.filter(partner__code="jp", kind="credit")
                       .order_by("computed_at", "id") for p in s.parts if p["key"] == "orders_acknowledged"]
print(json.dumps(out))
"""

# The figures each partner sent of itself at linking: {code: [source, partner, figures]}.
PROSPECTS = """
import json
from partners.models import Prospect
print(json.dumps({p.code: [p.source, p.partner.code if p.partner else None, p.figures]
                  for p in Prospect.objects.select_related("partner")}))
"""


@pytest.fixture(scope="module")
def trio(request, tmp_path_factory):
    with partnered_trio(
        request, tmp_path_factory, name="e2e-partners", databases=DATABASES, env=ENV, fees=FEES
    ) as trio:
        yield trio


def iso(moment):
    return moment.isoformat()


def close(instance, partner, cutoff):
    manage(instance, "close_settlement", "--partner", partner, "--period-end", iso(cutoff), "--now",
           iso(cutoff + dt.timedelta(minutes=5)))  # fmt: skip


def relay(*instances):
    for instance in instances:
        manage(instance, "relay_outbox")


def state(instance):
    return last_json(manage(instance, "shell", "-c", STATE))


def check(instance, at):
    """{partner code: (new breaches, warned, suspended)} of cn's compliance check at `at`."""
    found = {}
    for line in manage(instance, "check_compliance", "--now", iso(at)).strip().splitlines():
        code, breaches, warned, suspended = line.split()
        found[code] = (int(breaches.split("=")[1]), warned == "warned=true", suspended == "suspended=true")
    return found


def ship_forwarded_orders(instance):
    """The exporter's ops ship every forwarded order from its admin, over HTTP, with the sandbox
    carrier: the order's first status (its acknowledgement) goes to the importer."""
    admin = admin_session(instance)
    changelist = instance.base_url + "/admin/payments/forwardedorder/"
    page = admin.get(changelist, timeout=TIMEOUT).text
    selected = re.findall(r'name="_selected_action" value="(\d+)"', page)
    assert selected, page[-2000:]
    answer = admin.post(
        changelist,
        data={
            "action": "ship",
            "_selected_action": selected,
            "carrier": "sandbox",
            "csrfmiddlewaretoken": csrf_token(page),
        },
        headers={"Referer": changelist},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 200, answer.text[-2000:]


def test_jp_misses_settlements_and_acknowledges_late_is_warned_then_suspended_automatically_while_us_goes_on(trio):
    cn, us, jp = trio
    now = dt.datetime.now(dt.UTC)
    first = dt.datetime.combine(now.date(), dt.time(23, 0), tzinfo=dt.UTC)
    if first <= now:
        first += dt.timedelta(days=1)
    cutoffs = [first + dt.timedelta(days=n) for n in range(3)]

    # Each exporter offers cn its goods; cn mirrors and prices them in yuan.
    manage(jp, "ensure_warehouse", "--code", "tyo-1", "--name", "Tokyo warehouse", "--country", "JP",
           "--operator", "jp", "--address", "1-1 Heiwajima, Ota, Tokyo")  # fmt: skip
    for me, goods, currency in (
        ("us", {"MUG": ["Enamel mug", "搪瓷杯", 662, "732391", "24.50"]}, "USD"),
        ("jp", {"KETTLE": ["Iron kettle", "铁壶", 662, "732393", "3300"]}, "JPY"),
    ):
        script = OFFER.format(me=me, partner="cn", language="en", goods=json.dumps(goods), currency=currency)
        manage({"us": us, "jp": jp}[me], "shell", "-c", script)
    manage(cn, "shell", "-c", RATES)
    for partner in ("us", "jp"):
        manage(cn, "sync_partner_catalog", "--partner", partner)
        manage(cn, "reprice_listings", "--partner", partner)
    listings = last_json(manage(cn, "shell", "-c", LISTINGS))
    assert listings["US-MUG"]["orderable"] and listings["JP-KETTLE"]["orderable"], listings

    # The first night everyone settles: both of cn's partners send their statements on time.
    close(cn, "us", cutoffs[0])
    close(us, "cn", cutoffs[0])
    close(cn, "jp", cutoffs[0])
    close(jp, "cn", cutoffs[0])
    relay(cn, us, jp)
    assert check(cn, cutoffs[0] + dt.timedelta(hours=2)) == {"jp": (0, False, False), "us": (0, False, False)}
    # By then each holds its partners' own figures, computed, not typed: the proposer's sent when
    # they linked (nothing offered yet), the invited side's in answer to it once relayed (by then us
    # and jp had each offered cn one product); what a platform cannot observe of itself is left out.
    offered = {"cn": {"us": 1, "jp": 1}, "us": {"cn": 0, "jp": 1}, "jp": {"cn": 0, "us": 0}}
    for instance in (cn, us, jp):
        held = last_json(manage(instance, "shell", "-c", PROSPECTS))
        assert {code: row[2]["catalog_live"] for code, row in held.items()} == offered[instance.spec.code], held
        for code, (source, partner, figures) in held.items():
            assert (source, partner) == ("message", code), held
            assert figures["sales_to_partner_current"] == figures["sales_from_partner_current"] == 0, held
            assert "settlements" not in figures and "reviews" not in figures, held
            # Every partnership was set up minutes ago: no earlier period to grow from, left out.
            assert not [key for key in figures if key.endswith(("_previous", "_growth_percent"))], held
    manage(cn, "score_partners", "--now", iso(cutoffs[0] + dt.timedelta(hours=2)))

    # A cn shopper buys a jp iron kettle in the jp zone and pays; cn forwards the order to jp over HTTP.
    kettle = listings["JP-KETTLE"]
    bought = place_order(cn, SHOPPERS["cn"], [{"listing": kettle["id"], "quantity": 1}], Decimal(kettle["price"][0]))
    pay_with_wallet(cn, bought["payment_url"])
    assert order_status(cn, bought["token"]) == "paid"
    relay(cn)
    # jp's ops ship it from jp's admin; jp's status reaches cn over HTTP, past the agreed moment.
    ship_forwarded_orders(jp)
    relay(jp)

    # Then jp stops settling: cn and us close each night, jp does not.
    for cutoff in cutoffs[1:]:
        close(cn, "us", cutoff)
        close(us, "cn", cutoff)
        close(cn, "jp", cutoff)
    relay(cn, us)

    # A day after the first missed cut-off: the missed statement and the late acknowledgement, two
    # breaches, the warning; nothing for us.
    late = dt.timedelta(hours=25)
    assert check(cn, cutoffs[1] + late) == {"jp": (2, True, False), "us": (0, False, False)}
    # After the second: the third breach, suspended automatically.
    assert check(cn, cutoffs[2] + late) == {"jp": (1, False, True), "us": (0, False, False)}
    scored = manage(cn, "score_partners", "--now", iso(cutoffs[2] + late))
    assert "jp credit" in scored and "us credit" in scored
    relay(cn)

    seen = state(cn)
    assert seen["jp"]["status"] == "suspended" and seen["us"]["status"] == "active"
    assert seen["jp"]["events"][-1][0] == "suspended" and seen["jp"]["events"][-1][2].startswith("automatic")
    assert sorted(row[:3] for row in seen["breaches"]) == sorted(
        [["jp", "settlement_on_time", "breach"]] * 2
        + [["jp", "order_acknowledged", "breach"], ["jp", "breach_threshold", "warning"]]
    )
    [evidence] = [row[3] for row in seen["breaches"] if row[1] == "order_acknowledged"]
    assert f"order #{bought['number']} forwarded" in evidence and ", acknowledged " in evidence, evidence
    # jp's credit fell: first its one statement on time and agreeing (100); then 1 of 3 periods on
    # time (33.33, weight 25), its agreeing statement (100, 15), its one forwarded order acknowledged
    # late (0, 15), shipped in time (100, 10) with tracking (100, 5): 3833.25 / 70.
    jp_credit = [value for code, value in seen["credit"] if code == "jp"]
    assert jp_credit == ["100.00", "54.76"]
    assert [value for code, value in seen["credit"] if code == "us"] == ["100.00", "100.00"]
    # The part "forwarded orders acknowledged on time": no order at first, then 0 of 1 on time.
    assert [value for value, _evidence in seen["acknowledged"]] == [None, "0.00"], seen["acknowledged"]
    # "1 of 1 ... late" in cn's language (Chinese here): the figures, whatever the words.
    assert re.findall(r"\d+", seen["acknowledged"][-1][1])[:2] == ["1", "1"], seen["acknowledged"]

    # jp heard every breach and the warning, and the suspension.
    heard = state(jp)
    assert heard["cn"]["status"] == "suspended"
    assert sum("Compliance breach" in subject for subject in heard["cn"]["notices"]) == 3
    assert sum("order_acknowledged" in subject for subject in heard["cn"]["notices"]) == 1
    assert sum("Compliance warning" in subject for subject in heard["cn"]["notices"]) == 1

    # On cn the jp zone is gone; the us zone still sells.
    assert get(cn, "/zone/jp/")[0] == 404
    assert get(cn, "/zone/us/")[0] == 200
    mug = last_json(manage(cn, "shell", "-c", LISTINGS))["US-MUG"]
    assert mug["orderable"], mug
    order = place_order(cn, SHOPPERS["cn"], [{"listing": mug["id"], "quantity": 1}], Decimal(mug["price"][0]))
    assert order["status"] == "awaiting_payment"

    # cn's ops resume jp, saying why; the breaches before no longer count.
    resumed_at = cutoffs[2] + late + dt.timedelta(minutes=1)
    manage(cn, "resume_partner", "--partner", "jp", "--reason", "Statements arrived by e-mail", "--by", "admin",
           "--now", iso(resumed_at))  # fmt: skip
    relay(cn)
    assert check(cn, resumed_at + dt.timedelta(minutes=4)) == {"jp": (0, False, False), "us": (0, False, False)}
    seen = state(cn)
    assert seen["jp"]["status"] == "active"
    assert seen["jp"]["events"][-1] == ["resumed", "admin", "Statements arrived by e-mail"]
    assert state(jp)["cn"]["status"] == "active"
    assert get(cn, "/zone/jp/")[0] == 200
