"""A return across two real instances (issue 15): a `cn` shopper buys two `us` lanterns, pays with
the QR wallet and receives them; then returns one from the storefront's return form. cn receives it
at its home warehouse, grades it "like new" and refunds the shopper in CNY through the wallet
(what was paid for that unit: half of the line's total, split to the fen by largest remainder);
us is told each step (return.notice: opened, received, graded, refunded) and records it; the
partner's charge-back reaches both ledgers. Both close the same settlement period: the statements
agree, and cn's shows the charge-back as us's credit for one of the two units, computed here.

Web servers only; outboxes are relayed by the test. PostgreSQL when CROSSBORDER_TEST_POSTGRES is set,
else SQLite files."""

from decimal import Decimal

import pytest

from . import test_purchase_and_settlement as purchase
from .aftersales_steps import (
    BATCH,
    DELIVER,
    RECEIVE_AND_GRADE,
    REFUND,
    TOLD,
    cents,
    offer_us_goods,
    open_return_in_the_storefront,
    run,
    shell,
)
from .pairs import close_the_same_period, partnered_pair
from .test_two_instances import manage

pytestmark = pytest.mark.e2e

DATABASES = ("crossborder_e2e_returns_cn", "crossborder_e2e_returns_us")
ENV = {"CROSSBORDER_OUTBOX_RELAY_ON_COMMIT": "false"}


@pytest.fixture(scope="module")
def pair(request, tmp_path_factory):
    with partnered_pair(request, tmp_path_factory, name="e2e-returns", databases=DATABASES, env=ENV) as pair:
        yield pair


def first_of_two(amount):
    """The first unit's share when an amount is split over two units to the cent: the odd cent, if
    any, goes to the first (largest remainder, ties to the earlier part)."""
    hundredths = int(amount * 100)
    return Decimal(hundredths - hundredths // 2).scaleb(-2)


def test_a_cn_shopper_returns_a_us_product_refunded_in_cny_and_charged_back_to_us_in_settlement(pair):
    cn, us = pair
    offer_us_goods(cn, us, purchase.GOODS["us"], warehouse="Shanghai returns desk")
    lamp = purchase.last_json(manage(cn, "shell", "-c", purchase.LISTINGS))["US-LAMP"]

    # Bought, paid, forwarded, delivered.
    total = Decimal(lamp["price"][0]) * 2
    order = purchase.place_order(cn, purchase.SHOPPERS["cn"], [{"listing": lamp["id"], "quantity": 2}], total)
    assert purchase.pay_with_wallet(cn, order["payment_url"])["state"] == "captured"
    manage(cn, "relay_outbox")
    shell(cn, DELIVER, token=order["token"])
    assert purchase.order_status(cn, order["token"]) == "delivered"

    # The shopper returns one lantern from the storefront: no reason, approved and labelled at once.
    token, page = open_return_in_the_storefront(cn, order["token"], 1, "no_reason")
    assert "data-return-label" in page.text and "1 Bonded Road, Shanghai" in page.text

    graded = run(cn, RECEIVE_AND_GRADE, token=token, grade="like_new")
    assert graded == {"status": "inspected", "owners": ["us"]}
    refunded = run(cn, REFUND, token=token)

    # The shopper gets back what was paid for one of the two units, in CNY, through the wallet.
    paid_for_one = first_of_two(total)
    assert refunded["status"] == "refunded"
    assert refunded["refund"] == [str(paid_for_one), "CNY"]
    assert refunded["payment"][0] == "partially_refunded" and Decimal(refunded["payment"][1]) == paid_for_one
    # us gives back its credit for that unit: export price less cn's commission, per unit.
    price = purchase.GOODS["us"]["LAMP"][4]
    credit = price * 2 - cents(price * 2 * purchase.COMMISSION)
    chargeback = first_of_two(credit)
    assert [("partner_balance", "USD", chargeback)] == [
        (code, currency, Decimal(amount))
        for code, currency, amount in refunded["chargeback"]
        if code == "partner_balance"
    ]

    # us was told each step and posted the charge-back's mirror image.
    manage(cn, "relay_outbox")
    told = run(us, TOLD)
    assert [step for step, _reason, _lines in told["steps"]] == ["opened", "received", "graded", "refunded"]
    assert {reason for _step, reason, _lines in told["steps"]} == {"no_reason"}
    last_lines = told["steps"][-1][2]
    assert last_lines[0]["sku"] == "US-LAMP" and last_lines[0]["quantity"] == 1
    assert last_lines[0]["grades"] == ["like_new"] and last_lines[0]["refund"]["currency"] == "CNY"
    assert told["charges"] == [refunded["reference"]]

    # Both close the same period and reconcile; cn's statement shows the charge-back.
    close_the_same_period(cn, us)
    cn_batch = run(cn, BATCH)
    us_batch = run(us, BATCH)
    assert cn_batch["status"] == us_batch["status"] == "reconciled", (cn_batch, us_batch)
    assert cn_batch["disputes"] == us_batch["disputes"] == 0
    line = f"order:cn:{order['number']}:1"
    statement = {(ref, currency): Decimal(amount) for ref, currency, amount in cn_batch["lines"]}
    assert statement[(refunded["reference"], "USD")] == chargeback
    assert statement[(line, "USD")] == -credit
    assert Decimal(cn_batch["net"]) == chargeback - credit  # cn owes us for the lantern it kept
