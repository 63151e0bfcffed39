"""Money owed to merchants (issue 17): a paid home sale credits the merchant its price less the
commission, refunds and fees debit it, the trial balance stays zero per currency; statements with
opening and closing balances; payout runs that hold sales open to returns, keep a minimum, refuse a
merchant without bank details and pay each balance once; bank details validated and encrypted."""

import datetime as dt
import uuid
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from djmoney.money import Money

from crossborder.errors import DomainError
from payments.ledger.services import charges, settlement
from payments.merchants import selectors, services
from payments.models import LedgerTransaction, MerchantPayout, MerchantPayoutRun, MerchantPayoutTerms, Order, Posting
from payments.shop.services import cancel as cancels
from payments.shop.services import checkout as checkouts
from payments.shop.services import orders
from tests.catalog.factories import make_merchant, make_user, past_second_factor
from tests.partner_zone.factories import make_partnership
from tests.partners import table_counts
from tests.payments.test_settlement import their_statement

from .shop_factories import cart_with, checkout_of, own_variant, set_up_shop

pytestmark = pytest.mark.django_db

PAIN = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.09}"
GERMAN_IBAN = "DE89370400440532013000"


@pytest.fixture
def shop(db, settings):
    warehouse = set_up_shop(settings)
    settings.MERCHANT_MONEY = {
        "COMMISSION_PERCENT": "8",
        "PAYOUT_MINIMUM": {"CNY": "100", "default": "20"},
        "HOLD_LOOKBACK_DAYS": 180,
        "ABROAD_HOLD_DAYS": 30,
        "PAYOUT_HOUR": 6,
    }
    return warehouse


def paid_sale(variant, quantity):
    checkout = checkout_of(cart_with((variant, quantity)))
    order = checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))
    orders.mark_paid(order=order, payment_reference=f"pay-{order.number}", amount=order.total)
    return order


def delivered(order):
    orders.change_order_status(order=order, status=Order.Status.SHIPPED)
    orders.change_order_status(order=order, status=Order.Status.DELIVERED)
    return order


def owed(merchant, currency="CNY"):
    return services.balances([merchant.pk]).get((merchant.pk, currency), Decimal(0))


def with_bank(merchant):
    return services.set_bank_details(
        merchant=merchant,
        country="CN",
        account_holder="上海好物有限公司",
        account_number="6222021001112223334",
        bank_name="中国工商银行",
    )


def trial_balance():
    return {row["currency"]: row["total"] for row in Posting.objects.values("currency").annotate(total=Sum("amount"))}


LATER = timezone.now() + dt.timedelta(days=60)  # every return window (7 to 30 days) has closed


# --- credits ---------------------------------------------------------------------------------------


def test_a_paid_home_sale_credits_the_merchant_its_price_less_the_default_commission(shop):
    variant = own_variant(shop, price="99.00")
    merchant = variant.product.merchant

    order = paid_sale(variant, 2)

    gross = Decimal("99.00") * 2
    commission = (gross * Decimal("0.08")).quantize(Decimal("0.01"))  # 15.84
    assert owed(merchant) == gross - commission == Decimal("182.16")
    line = order.lines.get()
    statement = selectors.statement(
        merchant=merchant, currency="CNY", start=order.placed_at - dt.timedelta(days=1), end=LATER
    )
    assert [(sl.kind, sl.event_reference, sl.amount) for sl in statement.lines] == [
        ("sale", line.reference, gross),
        ("commission", line.reference, -commission),
    ]
    assert (statement.opening, statement.closing) == (0, gross - commission)
    assert trial_balance() == {"CNY": 0}


def test_the_merchants_own_rate_wins_over_the_platform_default(shop):
    variant = own_variant(shop, price="50.00")
    services.set_commission_rate(merchant=variant.product.merchant, percent="12.5")

    paid_sale(variant, 1)

    assert owed(variant.product.merchant) == Decimal("50.00") - Decimal("6.25")


def test_paying_the_same_order_twice_credits_the_merchant_once(shop):
    variant = own_variant(shop, price="99.00")
    order = paid_sale(variant, 1)

    orders.mark_paid(order=order, payment_reference=f"pay-{order.number}")

    assert LedgerTransaction.objects.filter(kind="merchant_sale").count() == 1


def test_a_fee_debits_the_merchant_and_the_books_stay_balanced(shop):
    variant = own_variant(shop, price="99.00")
    merchant = variant.product.merchant
    paid_sale(variant, 1)

    services.charge_fee(merchant=merchant, reference="listing-2026-12", amount=Money("5.00", "CNY"), memo="listing fee")

    assert owed(merchant) == Decimal("99.00") - Decimal("7.92") - Decimal("5.00")
    assert trial_balance() == {"CNY": 0}


def test_cancelling_a_paid_order_before_it_ships_reverses_the_merchants_credit(shop):
    variant = own_variant(shop, price="99.00")
    merchant = variant.product.merchant
    order = paid_sale(variant, 2)

    cancels.cancel_order(order=order, reason="changed my mind")

    assert owed(merchant) == 0
    statement = selectors.statement(
        merchant=merchant, currency="CNY", start=order.placed_at - dt.timedelta(days=1), end=LATER
    )
    assert [(line.kind, line.amount) for line in statement.lines] == [
        ("sale", Decimal("198.00")),
        ("commission", Decimal("-15.84")),
        ("sale", Decimal("-198.00")),
        ("commission", Decimal("15.84")),
    ]
    assert trial_balance() == {"CNY": 0}


# --- bad input: nothing written ---------------------------------------------------------------------


@pytest.mark.parametrize("percent", ["-1", "100.01", "abc", "12.345", "NaN"])
def test_a_commission_rate_outside_0_to_100_percent_is_refused_and_nothing_changes(shop, percent):
    merchant = make_merchant()
    services.set_commission_rate(merchant=merchant, percent="5")
    before = table_counts()

    with pytest.raises(DomainError) as refused:
        services.set_commission_rate(merchant=merchant, percent=percent)

    assert (refused.value.code, refused.value.field) == ("invalid_commission_rate", "commission_percent")
    assert table_counts() == before
    assert MerchantPayoutTerms.objects.get(merchant=merchant).commission_percent == Decimal("5")


def test_an_invalid_iban_is_refused_with_the_reason_and_nothing_changes(shop):
    merchant = make_merchant()
    services.set_bank_details(
        merchant=merchant, country="DE", account_holder="Gut GmbH", iban=GERMAN_IBAN, bic="COBADEFFXXX"
    )
    before = table_counts()

    with pytest.raises(DomainError) as refused:
        services.set_bank_details(
            merchant=merchant, country="DE", account_holder="Gut GmbH", iban="DE89370400440532013001"
        )

    assert (refused.value.code, refused.value.field) == ("invalid_bank_details", "iban")
    assert "checksum" in refused.value.detail.lower()
    assert table_counts() == before
    assert MerchantPayoutTerms.objects.get(merchant=merchant).iban == GERMAN_IBAN


def test_a_country_without_ibans_takes_an_account_number_and_the_banks_name(shop):
    merchant = make_merchant()
    with pytest.raises(DomainError) as refused:
        services.set_bank_details(
            merchant=merchant, country="CN", account_holder="好物", account_number="6222021001112223334"
        )
    assert refused.value.field == "bank_name"

    terms = with_bank(merchant)

    assert (terms.iban, terms.account_number, terms.has_bank_details) == ("", "6222021001112223334", True)


def test_the_iban_and_account_number_are_encrypted_at_rest(shop):
    merchant = make_merchant()
    services.set_bank_details(
        merchant=merchant, country="DE", account_holder="Gut GmbH", iban="de89 3704 0044 0532 0130 00"
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT iban FROM payments_merchantpayoutterms WHERE merchant_id = %s", [merchant.pk])
        stored = cursor.fetchone()[0]
    assert GERMAN_IBAN not in stored and "0532013000" not in stored
    assert MerchantPayoutTerms.objects.get(merchant=merchant).iban == GERMAN_IBAN


# --- payouts ---------------------------------------------------------------------------------------


def test_a_sale_still_open_to_returns_is_held_and_paid_once_its_window_has_closed(shop):
    variant = own_variant(shop, price="99.00")
    merchant = variant.product.merchant
    with_bank(merchant)
    order = paid_sale(variant, 2)  # paid, not delivered: open to returns

    held_run = services.run_payouts(key="day-1")

    assert not held_run.payouts.exists() and held_run.pain001 == ""
    assert held_run.held == [
        {
            "merchant": merchant.slug,
            "currency": "CNY",
            "owed": "182.16",
            "held": "182.16",
            "reason": "held: sales open to returns",
        }
    ]
    delivered(order)
    assert not services.run_payouts(key="day-2").payouts.exists()  # delivered today: inside its window

    paid_run = services.run_payouts(key="day-60", now=LATER)

    payout = paid_run.payouts.get()
    assert (payout.merchant, payout.amount, payout.currency) == (merchant, Decimal("182.16"), "CNY")
    assert owed(merchant) == 0
    assert trial_balance() == {"CNY": 0}


def test_forcing_a_payout_of_sales_open_to_returns_is_refused_and_nothing_changes(shop):
    variant = own_variant(shop, price="99.00")
    with_bank(variant.product.merchant)
    paid_sale(variant, 2)
    before = table_counts()

    with pytest.raises(DomainError) as refused:
        services.pay_merchant_now(merchant=variant.product.merchant)

    assert refused.value.code == "sales_open_to_returns"
    assert table_counts() == before


def test_a_payout_to_a_merchant_without_bank_details_is_refused_and_nothing_changes(shop):
    variant = own_variant(shop, price="99.00")
    delivered(paid_sale(variant, 2))
    before = table_counts()

    with pytest.raises(DomainError) as refused:
        services.pay_merchant_now(merchant=variant.product.merchant, now=LATER)

    assert refused.value.code == "no_bank_details"
    assert table_counts() == before
    run = services.run_payouts(key="day-60", now=LATER)
    assert not run.payouts.exists() and run.held[0]["reason"] == "no bank details"


def test_a_balance_below_the_minimum_waits_for_the_next_run(shop):
    variant = own_variant(shop, price="60.00")  # 60 less 8 % = 55.20, under the 100 CNY minimum
    merchant = variant.product.merchant
    with_bank(merchant)
    delivered(paid_sale(variant, 1))
    before = table_counts()

    with pytest.raises(DomainError) as refused:
        services.pay_merchant_now(merchant=merchant, now=LATER)
    assert refused.value.code == "below_payout_minimum"
    assert table_counts() == before

    run = services.run_payouts(key="day-60", now=LATER)
    assert not run.payouts.exists() and run.held[0]["reason"] == "below the minimum of 100 CNY"
    delivered(paid_sale(variant, 1))
    assert services.run_payouts(key="day-61", now=LATER).payouts.get().amount == Decimal("110.40")


def test_a_payout_run_pays_each_balance_once_and_a_rerun_pays_nothing_twice(shop):
    first, second = own_variant(shop, price="120.00"), own_variant(shop, price="250.00")
    for variant in (first, second):
        with_bank(variant.product.merchant)
        delivered(paid_sale(variant, 1))

    run = services.run_payouts(key="2026-12-06", now=LATER)
    again = services.run_payouts(key="2026-12-06", now=LATER)
    next_day = services.run_payouts(key="2026-12-07", now=LATER)

    assert again.pk == run.pk
    assert sorted(run.payouts.values_list("amount", flat=True)) == [Decimal("110.40"), Decimal("230.00")]
    assert not next_day.payouts.exists()
    assert MerchantPayout.objects.count() == 2
    assert LedgerTransaction.objects.filter(kind="merchant_payout").count() == 2
    assert trial_balance() == {"CNY": 0}


def test_the_payout_file_holds_one_transfer_per_merchant_with_the_csv_beside_it(shop):
    merchant_variant = own_variant(shop, price="250.00")
    merchant = merchant_variant.product.merchant
    services.set_bank_details(
        merchant=merchant, country="DE", account_holder="Gut GmbH", iban=GERMAN_IBAN, bic="COBADEFFXXX"
    )
    delivered(paid_sale(merchant_variant, 2))

    run = services.run_payouts(key="2026-12-06", now=LATER)

    document = ET.fromstring(run.pain001.encode())  # noqa: S314 - our own file
    transfers = document.findall(f".//{PAIN}CdtTrfTxInf")
    assert len(transfers) == 1
    assert transfers[0].find(f"{PAIN}Amt/{PAIN}InstdAmt").text == "460.00"  # 500 less 8 %
    assert transfers[0].find(f"{PAIN}Amt/{PAIN}InstdAmt").get("Ccy") == "CNY"
    assert transfers[0].find(f"{PAIN}CdtrAcct/{PAIN}Id/{PAIN}IBAN").text == GERMAN_IBAN
    assert document.find(f".//{PAIN}GrpHdr/{PAIN}CtrlSum").text == "460.00"
    rows = run.payouts_csv.strip().splitlines()
    assert rows[0].startswith("end_to_end_id,merchant") and rows[1].endswith(",CNY,460.00")
    assert GERMAN_IBAN not in run.payouts_csv  # the CSV shows the account masked


# --- statements ------------------------------------------------------------------------------------


def test_a_statement_carries_the_opening_balance_every_line_and_the_closing_balance(shop):
    variant = own_variant(shop, price="99.00")
    merchant = variant.product.merchant
    with_bank(merchant)
    delivered(paid_sale(variant, 2))
    services.run_payouts(key="day-60", now=LATER)
    services.charge_fee(merchant=merchant, reference="fee-1", amount=Money("3.00", "CNY"))
    now = timezone.now()

    before = selectors.statement(
        merchant=merchant, currency="CNY", start=now - dt.timedelta(days=2), end=now - dt.timedelta(days=1)
    )
    whole = selectors.statement(
        merchant=merchant, currency="CNY", start=now - dt.timedelta(days=1), end=now + dt.timedelta(days=1)
    )

    assert (before.opening, before.lines, before.closing) == (0, [], 0)
    assert [line.kind for line in whole.lines] == ["sale", "commission", "payout", "fee"]
    assert [line.balance for line in whole.lines] == [Decimal("198.00"), Decimal("182.16"), 0, Decimal("-3.00")]
    assert whole.closing == Decimal("-3.00")


def test_the_money_page_shows_the_merchants_own_statement_and_downloads_it_as_csv(
    shop, client, django_assert_max_num_queries
):
    variant = own_variant(shop, price="99.00")
    merchant = variant.product.merchant
    user = make_user()
    merchant.users.add(user, through_defaults={"role": "finance"})
    other = own_variant(shop, price="77.00")
    paid_sale(variant, 1)
    paid_sale(other, 1)
    past_second_factor(client, user)

    with django_assert_max_num_queries(25):
        page = client.get(reverse("payments:merchant-money"))
    csv = client.get(reverse("payments:merchant-money"), {"format": "csv"})

    text = page.content.decode()
    assert page.status_code == 200 and "91.08" in text and "77.00" not in text
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().strip().splitlines()
    assert lines[1].split(",")[1] == "opening balance" and lines[-1].split(",")[-1] == "91.08"
    assert [row.split(",")[1] for row in lines[2:-1]] == ["sale", "commission"]


def test_bank_details_from_the_money_page_are_refused_with_the_reason_when_wrong(shop, client):
    merchant = make_merchant()
    user = make_user()
    merchant.users.add(user, through_defaults={"role": "finance"})
    past_second_factor(client, user)

    response = client.post(
        reverse("payments:merchant-bank-details"),
        {"account_holder": "Gut GmbH", "bank_country": "DE", "iban": "DE00 1234"},
        follow=True,
    )

    assert "IBAN" in response.content.decode()
    assert not MerchantPayoutTerms.objects.exists()
    assert MerchantPayoutRun.objects.count() == 0


# --- goods sold abroad: credited at reconciliation ---------------------------------------------------


def sold_abroad(shop, partnership, *, quantity=2, price="199.00"):
    """A partner sold `quantity` of our merchant's goods (its consignment stock): the forwarded order."""
    variant = own_variant(shop, price=price)
    export = Decimal(price) * quantity
    orders.receive_forwarded_order(
        partnership=partnership,
        payload={
            "order": str(uuid.uuid4()),
            "number": "7001",
            "placed_at": timezone.now().isoformat(),
            "lines": [
                {
                    "reference": "order:us:7001:1",
                    "product": str(variant.product.reference),
                    "sku": variant.sku,
                    "title": "Tea set",
                    "quantity": quantity,
                    "fulfilment": "consignment",
                    "export_amount": {"amount": str(export), "currency": "CNY"},
                }
            ],
            "recipient": {},
        },
    )
    return variant.product.merchant


def closed_batch(partnership):
    cutoff = timezone.now() + dt.timedelta(hours=1)
    return settlement.close_period(partnership=partnership, period_end=cutoff, now=cutoff + dt.timedelta(minutes=5))


def test_goods_sold_abroad_are_credited_only_once_the_partners_settlement_is_reconciled(shop, admin_client):
    partnership = make_partnership("us")  # the partner keeps 8 % of the export price
    merchant = sold_abroad(shop, partnership, quantity=2, price="199.00")
    services.set_commission_rate(merchant=merchant, percent="10")
    assert owed(merchant) == 0  # sold, but the partner has not settled

    batch = closed_batch(partnership)
    assert owed(merchant) == 0  # our statement is sent; the partner's has not arrived
    settlement.receive_statement_part(partnership=partnership, payload=their_statement(batch))

    received = Decimal("398.00") - Decimal("31.84")  # 2 x 199 less the partner's 8 %
    assert owed(merchant) == received - Decimal("36.62")  # less our 10 %, half-even
    (credit,) = selectors.batch_reconciliation(batch)
    assert (credit.merchant, credit.received, credit.credited, credit.difference) == (merchant, received, received, 0)
    assert trial_balance() == {"CNY": 0, "USD": 0}
    page = admin_client.get(reverse("admin:payments_merchant_reconciliation"))
    assert page.status_code == 200 and merchant.name in page.content.decode()


def test_a_disputed_settlement_credits_no_merchant(shop):
    partnership = make_partnership("us")
    merchant = sold_abroad(shop, partnership)
    batch = closed_batch(partnership)
    lines = [{"event_reference": "order:us:7001:1", "kind": "mirror", "currency": "CNY", "amount": "-300.00"}]

    settlement.receive_statement_part(partnership=partnership, payload=their_statement(batch, lines=lines))

    batch.refresh_from_db()
    assert batch.status == "disputed" and owed(merchant) == 0


def test_a_return_abroad_charged_back_by_the_partner_is_taken_off_the_merchant_at_the_next_reconciliation(shop):
    partnership = make_partnership("us")
    merchant = sold_abroad(shop, partnership, quantity=2, price="199.00")
    services.set_commission_rate(merchant=merchant, percent="10")
    first = closed_batch(partnership)
    settlement.receive_statement_part(partnership=partnership, payload=their_statement(first))
    credited = owed(merchant)

    # The partner's shopper sent one unit back: the partner charges us what the sale credited us for it.
    charges.receive_charge(
        partnership=partnership,
        payload={
            "reference": "order:us:7001:1:return",
            "kind": "return_chargeback",
            "amount": "183.08",
            "currency": "CNY",
        },
    )
    assert owed(merchant) == credited  # nothing moves before the partner's settlement agrees
    second = settlement.close_period(
        partnership=partnership,
        period_end=first.period_end + dt.timedelta(days=1),
        now=first.period_end + dt.timedelta(days=1, minutes=5),
    )
    settlement.receive_statement_part(partnership=partnership, payload=their_statement(second))

    # 183.08 back, and 10 % of it (18.308, half-even 18.31) of commission given back to the merchant
    assert credited - owed(merchant) == Decimal("183.08") - Decimal("18.31")
    now = timezone.now()
    found = selectors.statement(
        merchant=merchant, currency="CNY", start=now - dt.timedelta(days=1), end=now + dt.timedelta(days=1)
    )
    lines = [line.kind for line in found.lines]
    assert lines[-2:] == ["refund abroad", "commission"]
    assert trial_balance() == {"CNY": 0, "USD": 0}


def test_a_sale_abroad_is_held_for_its_window_and_paid_after(shop):
    partnership = make_partnership("us")
    merchant = sold_abroad(shop, partnership, quantity=2, price="199.00")
    batch = closed_batch(partnership)
    settlement.receive_statement_part(partnership=partnership, payload=their_statement(batch))
    credit = owed(merchant)

    ((_merchant, _currency, total, held, now_payable),) = services.payable([merchant.pk])
    assert (total, held, now_payable) == (credit, credit, 0)
    later = timezone.now() + dt.timedelta(days=31)
    ((_merchant, _currency, total, held, now_payable),) = services.payable([merchant.pk], now=later)
    assert (total, held, now_payable) == (credit, 0, credit)
