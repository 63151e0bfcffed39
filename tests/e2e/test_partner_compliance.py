"""Agreement compliance with three real instances: cn partners with us and jp. Every night each
platform closes the agreed settlement period and sends its statement; jp stops doing so after the
first period. cn sees jp's credit score fall, sends jp each breach and a warning, then suspends jp's
zone automatically while us goes on (a shopper still orders in the us zone); cn's ops resume jp,
recorded with who and why.

The nights are driven by the commands' time arguments (`close_settlement --period-end --now`,
`check_compliance --now`, `score_partners --now`); jp misses its settlements by not running its
close. Web servers only; outboxes are relayed by the test."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from .pairs import partnered_trio
from .test_partner_zone import get
from .test_purchase_and_settlement import LISTINGS, OFFER, RATE, SHOPPERS, last_json, place_order
from .test_two_instances import manage

# Three instances migrate and start before the story runs: slow on a busy machine.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1500)]

DATABASES = ("cb_e2e_partners_cn", "cb_e2e_partners_us", "cb_e2e_partners_jp")
ENV = {"CROSSBORDER_OUTBOX_RELAY_ON_COMMIT": "false"}

STATE = """
import json
from crossborder.models import Partner, PartnerNotice
from partners import selectors
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
out["breaches"] = [[r["partner"], r["term"], r["severity"]] for r in selectors.breach_rows()]
out["credit"] = [[r["partner"], None if r["value"] is None else str(r["value"])]
                 for r in selectors.score_history() if r["kind"] == "credit"]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def trio(request, tmp_path_factory):
    with partnered_trio(request, tmp_path_factory, name="e2e-partners", databases=DATABASES, env=ENV) as trio:
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


def test_jp_misses_settlements_is_warned_then_suspended_automatically_while_us_goes_on(trio):
    cn, us, jp = trio
    now = dt.datetime.now(dt.UTC)
    first = dt.datetime.combine(now.date(), dt.time(23, 0), tzinfo=dt.UTC)
    if first <= now:
        first += dt.timedelta(days=1)
    cutoffs = [first + dt.timedelta(days=n) for n in range(4)]

    # The first night everyone settles: both of cn's partners send their statements on time.
    close(cn, "us", cutoffs[0])
    close(us, "cn", cutoffs[0])
    close(cn, "jp", cutoffs[0])
    close(jp, "cn", cutoffs[0])
    relay(cn, us, jp)
    assert check(cn, cutoffs[0] + dt.timedelta(hours=2)) == {"jp": (0, False, False), "us": (0, False, False)}
    manage(cn, "score_partners", "--now", iso(cutoffs[0] + dt.timedelta(hours=2)))

    # Then jp stops settling: cn and us close each night, jp does not.
    for cutoff in cutoffs[1:]:
        close(cn, "us", cutoff)
        close(us, "cn", cutoff)
        close(cn, "jp", cutoff)
    relay(cn, us)

    # A day after the second missed cut-off: two breaches, the warning; nothing for us.
    late = dt.timedelta(hours=25)
    assert check(cn, cutoffs[2] + late) == {"jp": (2, True, False), "us": (0, False, False)}
    # After the third: suspended automatically.
    assert check(cn, cutoffs[3] + late) == {"jp": (1, False, True), "us": (0, False, False)}
    scored = manage(cn, "score_partners", "--now", iso(cutoffs[3] + late))
    assert "jp credit" in scored and "us credit" in scored
    relay(cn)

    seen = state(cn)
    assert seen["jp"]["status"] == "suspended" and seen["us"]["status"] == "active"
    assert seen["jp"]["events"][-1][0] == "suspended" and seen["jp"]["events"][-1][2].startswith("automatic")
    assert sorted(map(tuple, seen["breaches"])) == sorted(
        [("jp", "settlement_on_time", "breach")] * 3 + [("jp", "breach_threshold", "warning")]
    )
    # jp's credit fell: first its one statement on time and agreeing (100), then 1 of 4 periods on
    # time (25, weight 25) beside its one agreeing statement (100, weight 15): 2125 / 40.
    jp_credit = [value for code, value in seen["credit"] if code == "jp"]
    assert jp_credit == ["100.00", "53.13"]
    assert [value for code, value in seen["credit"] if code == "us"] == ["100.00", "100.00"]

    # jp heard every breach and the warning, and the suspension.
    heard = state(jp)
    assert heard["cn"]["status"] == "suspended"
    assert sum("Compliance breach" in subject for subject in heard["cn"]["notices"]) == 3
    assert sum("Compliance warning" in subject for subject in heard["cn"]["notices"]) == 1

    # On cn the jp zone is gone; the us zone still sells.
    assert get(cn, "/zone/jp/")[0] == 404
    assert get(cn, "/zone/us/")[0] == 200
    goods = json.dumps({"MUG": ["Enamel mug", "搪瓷杯", 662, "732391", "24.50"]})
    manage(us, "shell", "-c", OFFER.format(me="us", partner="cn", language="en", goods=goods, currency="USD"))
    manage(cn, "shell", "-c", RATE.format(rate="7.2"))
    manage(cn, "sync_partner_catalog", "--partner", "us")
    manage(cn, "reprice_listings", "--partner", "us")
    listing = last_json(manage(cn, "shell", "-c", LISTINGS))["US-MUG"]
    assert listing["orderable"], listing
    order = place_order(cn, SHOPPERS["cn"], [{"listing": listing["id"], "quantity": 1}], Decimal(listing["price"][0]))
    assert order["status"] == "awaiting_payment"

    # cn's ops resume jp, saying why; the breaches before no longer count.
    manage(cn, "resume_partner", "--partner", "jp", "--reason", "Statements arrived by e-mail", "--by", "admin",
           "--now", iso(cutoffs[3] + late + dt.timedelta(minutes=1)))  # fmt: skip
    relay(cn)
    assert check(cn, cutoffs[3] + late + dt.timedelta(minutes=5)) == {"jp": (0, False, False), "us": (0, False, False)}
    seen = state(cn)
    assert seen["jp"]["status"] == "active"
    assert seen["jp"]["events"][-1] == ["resumed", "admin", "Statements arrived by e-mail"]
    assert state(jp)["cn"]["status"] == "active"
    assert get(cn, "/zone/jp/")[0] == 200
