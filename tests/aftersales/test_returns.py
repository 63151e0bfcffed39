"""Returns and exchanges on one `cn` platform, through the services ops and shoppers use: a delivered
order of our own goods and a `us` partner's consignment goods, paid with the QR wallet, is returned
within its policy's window, received, graded and refunded through the provider, never more than was
paid for the units and never twice; the partner is charged back and told each step; fees follow the
agreement; the consumer law's minimum wins. Refusals name the field and change nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from djmoney.money import Money

from aftersales import selectors
from aftersales.models import PartnerReturnNotice, ReturnRequest, ReturnUnit
from aftersales.returns.services import partner_returns, returns
from crossborder import money
from crossborder.errors import DomainError
from crossborder.models import Notification, OutboxMessage
from logistics.models import Shipment
from payments.models import LedgerTransaction, Payment, Posting, ProviderCall
from tests.partners import table_counts
from tests.payments.paying_factories import bought_with_the_wallet, payment_of, unbalanced_transactions
from tests.payments.shop_factories import own_variant

from .factories import delivered_order, own_and_partner_order, partner_goods, received_and_graded

pytestmark = pytest.mark.django_db

Status = ReturnRequest.Status


def per_unit(amount, quantity, start, count):
    """The test's own split of a line amount per unit, largest remainder, in cents."""
    cents = int(amount.amount * 100)
    base, left = divmod(cents, quantity)
    shares = [base + (1 if i < left else 0) for i in range(quantity)]
    return Decimal(sum(shares[start : start + count])).scaleb(-2)


def notices(step=None):
    found = OutboxMessage.objects.filter(message_type="return.notice").order_by("seq")
    return [m.payload for m in found if step is None or m.payload["step"] == step]


def open_partner_return(order, listing_line, units, reason="no_reason", **extra):
    return returns.open_return(order=order, quantities={listing_line.pk: units}, reason=reason, **extra)


def test_a_no_reason_return_is_approved_labelled_received_graded_and_refunded_once_with_the_partner_told(cn, client):
    order, _variant, _listing = own_and_partner_order(client, cn)
    partner_line = order.lines.get(line_number=2)
    payment = payment_of(order)

    request = open_partner_return(order, partner_line, 2, details="The lantern is too small")
    # No reason, within the window: approved and labelled at once, drop-off at our home warehouse.
    assert request.status == Status.LABEL_ISSUED and request.warehouse == cn and request.label_number
    request = received_and_graded(request, ["like_new", "new"])
    assert request.status == Status.INSPECTED
    returns.refund_return(request=request)

    request.refresh_from_db()
    paid = per_unit(partner_line.total, 3, 0, 2)
    line = request.lines.get()
    assert request.status == Status.REFUNDED and line.refund == Money(paid, "CNY") and line.deduction.amount == 0
    payment.refresh_from_db()
    assert (payment.state, payment.refunded_amount) == (Payment.State.PARTIALLY_REFUNDED, paid)
    assert ProviderCall.objects.filter(operation="refund", payment=payment).count() == 1
    # The books: the refund, the return taken back, the partner's charge-back of 2 of its 3 units.
    assert LedgerTransaction.objects.get(reference=returns.refund_reference(line)).kind == "return_refund"
    credit = -sum(
        p.amount
        for p in Posting.objects.filter(transaction__reference=partner_line.reference, account__code="partner_balance")
    )
    chargeback = Posting.objects.get(
        transaction__reference=returns.chargeback_reference(line), account__code="partner_balance"
    )
    assert (chargeback.amount, chargeback.currency) == (per_unit(Money(credit, "USD"), 3, 0, 2), "USD")
    assert unbalanced_transactions() == {}
    # The shopper's timeline, and an e-mail per step.
    assert list(selectors.shopper_timeline(request.events).values_list("status", flat=True)) == [
        "requested", "approved", "label_issued", "received", "inspected", "refunded",
    ]  # fmt: skip
    keys = set(Notification.objects.filter(template="return_update").values_list("key", flat=True))
    assert keys == {f"return:{request.token}:{s}" for s in request.events.values_list("status", flat=True)}
    # The partner is told each step with quantities, the reason, grades and amounts.
    assert [n["step"] for n in notices()] == ["opened", "received", "graded", "refunded"]
    refunded = notices("refunded")[0]
    assert refunded["reason"] == "no_reason" and refunded["lines"][0]["grades"] == ["like_new", "new"]
    assert refunded["lines"][0]["refund"] == {"amount": str(paid), "currency": "CNY"}
    # Told in the currency's decimals (ADR 0013), not the ledger's four.
    assert refunded["lines"][0]["chargeback"] == {"amount": f"{chargeback.amount:.2f}", "currency": "USD"}

    # Refunding again is refused and moves nothing.
    before = (table_counts(), Payment.objects.get(pk=payment.pk).refunded_amount)
    with pytest.raises(DomainError) as again:
        returns.refund_return(request=request)
    assert again.value.code == "already_refunded"
    assert (table_counts(), Payment.objects.get(pk=payment.pk).refunded_amount) == before


def test_the_last_unit_of_a_line_returned_later_gets_the_rest_of_what_was_paid_never_more(cn, client):
    order, _variant, _listing = own_and_partner_order(client, cn)
    partner_line = order.lines.get(line_number=2)
    for units in (2, 1):
        request = received_and_graded(open_partner_return(order, partner_line, units), ["good"] * units)
        returns.refund_return(request=request)

    refunds = [line.refund.amount for line in partner_line.return_lines.order_by("pk")]
    assert sum(refunds) == partner_line.total.amount  # every cent paid for the line, not one more
    with pytest.raises(DomainError) as none_left:
        open_partner_return(order, partner_line, 1)
    assert none_left.value.code == "invalid_quantity" and none_left.value.field == f"quantity-{partner_line.pk}"


def test_a_fault_claim_waits_for_ops_and_a_rejection_says_why_and_frees_the_units(cn, client):
    order, _variant, _listing = own_and_partner_order(client, cn)
    own_line = order.lines.get(line_number=1)

    request = returns.open_return(order=order, quantities={own_line.pk: 1}, reason="defective")
    assert request.status == Status.REQUESTED and not request.label_number
    with pytest.raises(DomainError) as no_reason:
        returns.reject_return(request=request, reason="  ")
    assert no_reason.value.field == "reason"
    returns.reject_return(request=request, reason="The photos show the seal intact")

    request.refresh_from_db()
    assert request.status == Status.REJECTED
    assert request.events.last().note == "The photos show the seal intact"
    again = returns.open_return(order=order, quantities={own_line.pk: 2}, reason="defective")
    returns.issue_label(request=again)
    again.refresh_from_db()
    assert again.status == Status.LABEL_ISSUED and again.warehouse == cn


def test_a_short_count_is_recorded_and_only_the_units_received_are_refunded(cn, client):
    order, _variant, _listing = own_and_partner_order(client, cn)
    own_line = order.lines.get(line_number=1)
    request = returns.open_return(order=order, quantities={own_line.pk: 2}, reason="no_reason")
    line = request.lines.get()

    returns.receive_return(request=request, counts={line.pk: 1})

    received = request.events.get(status=Status.RECEIVED)
    assert received.detail["mismatches"] == [{"line": 1, "expected": 2, "counted": 1}]
    unit = ReturnUnit.objects.get(line=line)
    assert unit.partnership is None and unit.received_at  # our own goods: no partner owns it
    returns.grade_units(request=request, grades={unit.pk: ("good", "box dented")})
    returns.refund_return(request=request)
    line.refresh_from_db()
    assert line.refund.amount == per_unit(own_line.total, 2, 0, 1)


def test_received_partner_units_belong_to_the_partner(cn, client):
    order, _variant, listing = own_and_partner_order(client, cn)
    request = open_partner_return(order, order.lines.get(line_number=2), 1)
    returns.receive_return(request=request, counts={request.lines.get().pk: 1})

    assert ReturnUnit.objects.get().partnership == listing.partnership


# --- the policy ---------------------------------------------------------------------------------


def test_chinas_seven_day_no_reason_return_wins_over_a_shorter_agreed_window(cn, client):
    listing = partner_goods(cn, fees={"return_window_days": "3"})
    order = delivered_order(client, (listing, 1), delivered_days_ago=5)
    line = order.lines.get()

    request = open_partner_return(order, line, 1)

    policy = request.policy["lines"]["1"]
    assert (policy["agreed_days"], policy["law_days"], policy["window_days"]) == (3, 7, 7)
    assert policy["source"] == "agreement" and policy["partner"] == "us"


def test_a_longer_window_per_category_in_the_agreement_applies(cn, client):
    listing = partner_goods(cn)
    listing.partnership.fee_schedule = {
        **listing.partnership.fee_schedule,
        "return_window_by_category": {str(listing.category_id): 60},
    }
    listing.partnership.save(update_fields=["fee_schedule"])
    order = delivered_order(client, (listing, 1), delivered_days_ago=40)

    request = open_partner_return(order, order.lines.get(), 1)

    assert request.policy["lines"]["1"]["window_days"] == 60


def test_the_restocking_fee_applies_to_opened_units_outside_the_statutory_window_and_the_partner_keeps_its_share(
    cn, client
):
    listing = partner_goods(cn, fees={"restocking_fee_percent": "10", "return_window_days": "30"})
    order = delivered_order(client, (listing, 2), delivered_days_ago=10)
    line = order.lines.get()
    request = received_and_graded(open_partner_return(order, line, 2), ["good", "new"])

    returns.refund_return(request=request)

    returned = request.lines.get()
    goods_of_opened = per_unit(line.goods, 2, 0, 1)
    fee = money.quantize(goods_of_opened * Decimal("0.10"), "CNY")
    assert returned.deduction.amount == fee and "restocking fee 10%" in returned.deduction_reason
    assert returned.refund.amount == line.total.amount - fee
    credit = -sum(
        p.amount for p in Posting.objects.filter(transaction__reference=line.reference, account__code="partner_balance")
    )
    kept = money.quantize(per_unit(Money(credit, "USD"), 2, 0, 1) * Decimal("0.10"), "USD")
    chargeback = Posting.objects.get(
        transaction__reference=returns.chargeback_reference(returned), account__code="partner_balance"
    )
    assert chargeback.amount == credit - kept
    fee_income = Posting.objects.get(
        transaction__reference=returns.refund_reference(returned), account__code="return_fee_income"
    )
    assert fee_income.amount == -fee


def test_no_restocking_fee_within_chinas_statutory_no_reason_window(cn, client):
    listing = partner_goods(cn, fees={"restocking_fee_percent": "10"})
    order = delivered_order(client, (listing, 1), delivered_days_ago=2)
    request = received_and_graded(open_partner_return(order, order.lines.get(), 1), ["acceptable"])

    returns.refund_return(request=request)

    line = request.lines.get()
    assert line.deduction.amount == 0 and line.refund == line.order_line.total


def test_return_shipping_is_deducted_when_the_shopper_pays_it_and_billed_to_the_partner_for_a_fault(cn, client):
    listing = partner_goods(cn, fees={"return_shipping_fee": "15"})
    order = delivered_order(client, (listing, 2))
    line = order.lines.get()

    changed_mind = received_and_graded(open_partner_return(order, line, 1), ["new"])
    returns.refund_return(request=changed_mind)
    damaged = open_partner_return(order, line, 1, reason="damaged")
    returns.approve_return(request=damaged)
    damaged = received_and_graded(damaged, ["unsellable"])
    returns.refund_return(request=damaged)

    first = changed_mind.lines.get()
    assert first.deduction.amount == Decimal("15.00") and first.deduction_reason == "return shipping"
    assert not LedgerTransaction.objects.filter(reference=f"return:{changed_mind.reference}:shipping").exists()
    assert damaged.lines.get().deduction.amount == 0
    billed = LedgerTransaction.objects.get(reference=f"return:{damaged.reference}:shipping")
    assert billed.kind == "logistics_fee"
    assert Posting.objects.get(transaction=billed, account__code="partner_balance").amount == Decimal("15.00")


# --- ops may waive a fee, never deduct more ---------------------------------------------------------


def test_a_refund_above_what_was_paid_or_below_the_policy_is_refused_and_nothing_moves(cn, client):
    listing = partner_goods(cn, fees={"return_shipping_fee": "15"})
    order = delivered_order(client, (listing, 1))
    request = received_and_graded(open_partner_return(order, order.lines.get(), 1), ["new"])
    line = request.lines.get()
    paid = line.order_line.total.amount
    before = table_counts()

    for amount, code in ((paid + Decimal("0.01"), "refund_too_large"), (paid - 20, "deduction_not_allowed")):
        with pytest.raises(DomainError) as refused:
            returns.refund_return(request=request, amounts={line.pk: str(amount)})
        assert (refused.value.code, refused.value.field) == (code, f"amount-{line.pk}")
        assert table_counts() == before
    assert ProviderCall.objects.filter(operation="refund").count() == 0

    returns.refund_return(request=request, amounts={line.pk: str(paid)})  # the fee waived
    line.refresh_from_db()
    assert line.refund.amount == paid and line.deduction.amount == 0


# --- refusals ----------------------------------------------------------------------------------------


def test_an_undelivered_line_is_refused_naming_it_and_nothing_is_written(cn, client):
    order = bought_with_the_wallet(client, (own_variant(cn, stock=3), 1))
    line = order.lines.get()
    before = table_counts()

    with pytest.raises(DomainError) as refused:
        returns.open_return(order=order, quantities={line.pk: 1}, reason="no_reason")

    assert (refused.value.code, refused.value.field) == ("line_not_delivered", f"quantity-{line.pk}")
    assert table_counts() == before


@pytest.mark.parametrize(
    ("quantities", "reason", "code", "field"),
    [
        ({"own": 3}, "no_reason", "invalid_quantity", "quantity-own"),
        ({"own": -1}, "no_reason", "invalid_quantity", "quantity-own"),
        ({"own": "two"}, "no_reason", "invalid_quantity", "quantity-own"),
        ({"own": 0}, "no_reason", "nothing_to_return", "lines"),
        ({999999: 1}, "no_reason", "unknown_order_line", "lines"),
        ({"own": 1}, "whim", "invalid_return_reason", "reason"),
    ],
)
def test_bad_return_requests_are_refused_naming_the_field_and_nothing_is_written(
    cn, client, quantities, reason, code, field
):
    order, _variant, _listing = own_and_partner_order(client, cn)
    own = order.lines.get(line_number=1).pk
    quantities = {own if key == "own" else key: value for key, value in quantities.items()}
    before = table_counts()

    with pytest.raises(DomainError) as refused:
        returns.open_return(order=order, quantities=quantities, reason=reason)

    assert (refused.value.code, refused.value.field) == (code, field.replace("own", str(own)))
    assert table_counts() == before


def test_a_return_after_the_window_is_refused_with_the_date_it_closed(cn, client):
    variant = own_variant(cn, stock=3)
    order = delivered_order(client, (variant, 1), delivered_days_ago=20)
    line = order.lines.get()
    before = table_counts()

    with pytest.raises(DomainError) as refused:
        returns.open_return(order=order, quantities={line.pk: 1}, reason="defective")

    assert refused.value.code == "return_window_closed" and "closed on" in refused.value.detail
    assert table_counts() == before


def test_a_grade_that_does_not_exist_is_refused_and_no_unit_is_graded(cn, client):
    order, _variant, _listing = own_and_partner_order(client, cn)
    request = returns.open_return(order=order, quantities={order.lines.get(line_number=1).pk: 2}, reason="no_reason")
    returns.receive_return(request=request, counts={request.lines.get().pk: 2})
    first, second = ReturnUnit.objects.order_by("number")
    before = table_counts()

    with pytest.raises(DomainError) as refused:
        returns.grade_units(request=request, grades={first.pk: ("good", ""), second.pk: ("mint", "")})

    assert (refused.value.code, refused.value.field) == ("invalid_grade", f"grade-{second.pk}")
    assert table_counts() == before
    assert set(ReturnUnit.objects.values_list("grade", flat=True)) == {""}


def test_more_units_counted_than_announced_is_refused(cn, client):
    order, _variant, _listing = own_and_partner_order(client, cn)
    request = returns.open_return(order=order, quantities={order.lines.get(line_number=1).pk: 1}, reason="no_reason")
    line = request.lines.get()
    before = table_counts()

    with pytest.raises(DomainError) as refused:
        returns.receive_return(request=request, counts={line.pk: 2})

    assert (refused.value.code, refused.value.field) == ("invalid_count", f"count-{line.pk}")
    assert table_counts() == before


def test_a_refund_before_inspection_is_refused(cn, client):
    order, _variant, _listing = own_and_partner_order(client, cn)
    request = returns.open_return(order=order, quantities={order.lines.get(line_number=1).pk: 1}, reason="no_reason")

    with pytest.raises(DomainError) as refused:
        returns.refund_return(request=request)

    assert refused.value.code == "invalid_return_state"
    assert not ProviderCall.objects.filter(operation="refund").exists()


# --- exchanges ---------------------------------------------------------------------------------------


def test_an_exchange_ships_the_replacement_from_local_stock(cn, client):
    variant = own_variant(cn, stock=3)
    order = delivered_order(client, (variant, 1))
    line = order.lines.get()
    request = returns.open_return(order=order, quantities={line.pk: 1}, reason="wrong_size", kind="exchange")
    request = received_and_graded(request, ["like_new"])

    returns.exchange_return(request=request)

    request.refresh_from_db()
    assert request.status == Status.EXCHANGED
    shipment = Shipment.objects.get(order_line=f"{line.reference}:exchange:{request.pk}")
    assert (shipment.sku, shipment.quantity, shipment.stock.owner_id) == (line.sku, 1, None)
    assert not ProviderCall.objects.filter(operation="refund").exists()


def test_an_exchange_without_local_stock_refunds_the_shopper_and_says_so_in_the_thread(cn, client):
    variant = own_variant(cn, stock=1)
    order = delivered_order(client, (variant, 1))
    request = returns.open_return(
        order=order, quantities={order.lines.get().pk: 1}, reason="wrong_size", kind="exchange"
    )
    # Graded unsellable: the rules dispose of it, so no unit of the SKU is left here to send.
    request = received_and_graded(request, ["unsellable"])

    returns.exchange_return(request=request)

    request.refresh_from_db()
    assert (request.status, request.kind) == (Status.REFUNDED, "return")
    assert request.thread.messages.get().author == "system"
    assert payment_of(order).refunded_amount == order.total.amount


# --- the thread ----------------------------------------------------------------------------------------


def test_staff_answers_are_mailed_to_the_shopper_and_a_bad_message_is_refused(cn, client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    order, _variant, _listing = own_and_partner_order(client, cn)
    request = returns.open_return(order=order, quantities={order.lines.get(line_number=1).pk: 1}, reason="defective")

    returns.write_on_return(request=request, body="It stopped working after a day.")
    returns.write_on_return(request=request, body="Please send a photo of the label.", by="staff")
    with pytest.raises(DomainError) as refused:
        returns.write_on_return(request=request, body="bad\x00byte")

    assert refused.value.field == "body"
    assert list(request.thread.messages.values_list("author", flat=True)) == ["shopper", "staff"]
    answer = Notification.objects.get(template="return_message")
    assert answer.to == order.email and "Please send a photo" in answer.context["body"]


# --- the exporter's side -------------------------------------------------------------------------------


def test_the_exporter_records_each_step_of_a_partners_return_once(cn, client):
    from tests.payments.shop_factories import us_partnership

    partnership = us_partnership()
    payload = {
        "return": "8a6de7f3-3b7a-4a53-9d0e-5a3c7a0f0e11",
        "order": "0f0e9b5e-55a7-4c43-b2a9-8b7f2d1f4c22",
        "order_number": "100042",
        "step": "graded",
        "kind": "return",
        "reason": "no_reason",
        "at": timezone.now() - dt.timedelta(minutes=1),
        "lines": [{"line": "order:cn:100042:1", "sku": "US-LAMP", "quantity": 1, "grades": ["like_new"]}],
    }

    first = partner_returns.receive_return_notice(partnership=partnership, payload=payload)
    again = partner_returns.receive_return_notice(partnership=partnership, payload=payload)

    assert first.pk == again.pk and PartnerReturnNotice.objects.count() == 1
    assert first.lines[0]["grades"] == ["like_new"]
    assert not mail.outbox


def test_grading_the_last_unit_hands_the_units_to_the_agreements_disposition_rules(cn, client):
    order, _variant, _listing = own_and_partner_order(client, cn)
    request = received_and_graded(open_partner_return(order, order.lines.get(line_number=2), 2), ["new", "like_new"])
    decided = {
        u.grade: (u.disposition, u.disposition_by_rule) for u in ReturnUnit.objects.filter(line__request=request)
    }
    # The documented defaults: a new unit is restocked, a like-new one resold at its grade.
    assert decided == {"new": ("restock", True), "like_new": ("resell", True)}
    assert OutboxMessage.objects.filter(message_type="return.disposition").count() == 2


def test_a_returns_refund_is_told_by_the_returns_email_alone_not_also_by_the_orders_refund_email(cn, client):
    order, _variant, _listing = own_and_partner_order(client, cn)
    request = received_and_graded(open_partner_return(order, order.lines.get(line_number=2), 1), ["new"])
    returns.refund_return(request=request)
    templates = list(Notification.objects.filter(to=order.email).values_list("template", flat=True))
    assert "order_refunded" not in templates
    assert templates.count("return_update") == len(
        set(selectors.shopper_timeline(request.events).values_list("status", flat=True))
    )


def test_a_refund_of_our_merchants_returned_units_takes_their_share_and_gives_the_commission_back(cn, client):
    """The merchant of our own goods was credited the line's price less commission when it was paid;
    the refund of two returned units takes back their share of the price, and the commission on it."""
    from payments.merchants import services as merchant_money

    order, _variant, _listing = own_and_partner_order(client, cn)
    own_line = order.lines.get(line_number=1)
    merchant_id = own_line.variant.product.merchant_id
    before = merchant_money.balances([merchant_id])[(merchant_id, "CNY")]

    units = min(2, own_line.quantity)
    request = received_and_graded(
        returns.open_return(order=order, quantities={own_line.pk: units}, reason="no_reason"), ["good"] * units
    )
    returns.refund_return(request=request)

    share = own_line.goods.amount * units / own_line.quantity
    commission = money.quantize(share * Decimal(merchant_money.commission_percent(merchant_id)) / 100, "CNY")
    after = merchant_money.balances([merchant_id]).get((merchant_id, "CNY"), Decimal(0))
    assert before - after == money.quantize(share, "CNY") - commission
    assert not unbalanced_transactions()
