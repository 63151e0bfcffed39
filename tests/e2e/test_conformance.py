"""The conformance kit against a real instance: cn runs `manage.py partner_conformance --partner us`
against us, a separate process on loopback, and every check passes: signatures both ways, each
refusal code, idempotency and at-most-once on a real notice, cursor paging of us's catalog feed,
error shapes, replies signed and bound. A broken endpoint makes it fail (exit 1)."""

import pytest

from .pairs import partnered_pair
from .test_two_instances import manage

# Two instances are prepared (migrated) before the first test: on a loaded machine that alone can take
# minutes, and the timeout counts it.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

DATABASES = ("crossborder_e2e_protocol_conformance_cn", "crossborder_e2e_protocol_conformance_us")
ENV = {
    "CROSSBORDER_CATALOG_FEED_SETTLE_SECONDS": "0",
    "CROSSBORDER_OUTBOX_RELAY_ON_COMMIT": "false",
    # Low enough for the kit's last check to reach it, above what the other checks send.
    "CROSSBORDER_PARTNER_API_RATE": "150/minute",
}

SEED = """
from decimal import Decimal
from djmoney.money import Money
from catalog import services
from crossborder.models import Partner

partnership = Partner.objects.get(code="cn").live_partnership()
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
    if n == 3:  # offered, then withdrawn: a tombstone in the incremental feed
        services.set_export_offer(merchant=merchant, product=product, partnership=partnership, is_offered=False)
print("seeded")
"""


@pytest.fixture(scope="module")
def pair(request, tmp_path_factory):
    with partnered_pair(request, tmp_path_factory, name="e2e-conformance", databases=DATABASES, env=ENV) as pair:
        yield pair


def test_the_kit_passes_every_check_against_a_real_partner_instance(pair):
    cn, us = pair
    manage(us, "shell", "-c", SEED)

    output = manage(cn, "partner_conformance", "--partner", "us", "--throttle-burst", "200")

    lines = output.strip().splitlines()
    assert lines[-1].endswith("failed=0"), output
    assert not [line for line in lines if line.startswith("FAIL")], output
    names = "\n".join(lines)
    for check in (
        "signed request accepted",
        "request without Partner-Protocol (1.0) accepted",
        "reply bound to its own request only",
        "401 signature_invalid",
        "400 unsupported_protocol_version",
        "401 nonce_replayed",
        "same seq, new Idempotency-Key -> replayed",
        "422 seq_reused",
        "cursor paging",
        "400 invalid_cursor",
        "422 seq_out_of_order",
        "401 key_expired",
        "401 key_revoked",
        "413 too_large",
        "429 throttled",
        "batch: repeat replayed, refusal is its result",
        "an empty batch -> 400 invalid",
        "a batch for another partnership -> 409 partnership_conflict",
    ):
        assert check in names, output
    assert not [line for line in lines if line.startswith("----") and "skipped" in line], output
    assert int(lines[-1].split()[0].split("=")[1]) >= 39, output
    paging = next(line for line in lines if "entries in" in line)
    assert "(2 entries in" in paging, output


def test_the_kit_fails_and_exits_non_zero_against_an_endpoint_that_is_not_the_partner(pair):
    cn, us = pair

    result = cn.manage("partner_conformance", "--partner", "us", "--base-url", cn.base_url, check=False)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL  signed request accepted" in result.stdout
