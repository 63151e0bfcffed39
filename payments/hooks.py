"""Payments' hooks (the Hook type: crossborder/hooks.py). Within payments too, a hook keeps the
payment service free of the shop that uses it."""

from crossborder.hooks import Hook

# money_secured(payment): a payment holds the money (authorised or captured) and has placed no order
# yet; the shop places the payment's order (payments/handlers/paying.py). Inline, but fired after the
# transaction that recorded the payment committed and outside any transaction, so a subscriber may
# call providers; its error reaches the caller (the webhook, the return page, the poll).
money_secured = Hook("payments.money_secured", runs=Hook.INLINE)

# order_sections(request, order, lines) -> list of snippets ({"template", "context"}, as in
# catalog.hooks), shown on the shopper's order page under its lines. Inline, in the request; each
# subscriber runs a fixed number of queries. After-sales shows the order's returns and its "Return or
# exchange" action (aftersales/handlers/pages.py) and the review links of the lines that arrived
# (aftersales/handlers/reviews.py).
order_sections = Hook("payments.order_sections", runs=Hook.INLINE)


def order_snippets(request, order, lines):
    return [
        snippet for answer in order_sections.fire(request=request, order=order, lines=lines) for snippet in answer or []
    ]


# payment_declined(payment): the provider declined a payment (it moved to DECLINED). Inline, in the
# transaction that records it: the shop writes the shopper's notification with it.
payment_declined = Hook("payments.payment_declined", runs=Hook.INLINE)
# payment_refunded(payment, amount, number, reason): refund number `number` of `amount` (Decimal, in the
# payment's currency) was recorded. Inline, in the transaction that records it.
payment_refunded = Hook("payments.payment_refunded", runs=Hook.INLINE)
# A refund whose reason starts with this is told to the shopper by the caller's own notification
# (a return's refund: the return's e-mail shows the units and deductions), not by the order's.
TOLD_BY_CALLER = "return "

# checkout_extras(requests, recipient, language) -> list of shop.extras.PricedExtra: the extras the
# shopper chose with goods lines (installation by a local service provider, aftersales), priced for
# the delivery address in the platform's currency. `requests` are shop.extras.ExtraRequest, one per
# chosen line. Inline, in the checkout's transaction: a subscriber refuses what it cannot serve
# (no provider in the area) by raising a DomainError, and the checkout is refused with it.
checkout_extras = Hook("payments.checkout_extras", runs=Hook.INLINE)

# extras_paid(order, extras): an order holding priced extras (OrderExtra rows) was paid; fired inside
# mark_paid's transaction, so what a subscriber writes (the service tickets) commits with the
# payment. A subscriber must not refuse for a business reason (the money is secured): it records
# what it could not do for ops instead.
extras_paid = Hook("payments.extras_paid", runs=Hook.INLINE)

# paid_order_cancelled(order): a paid order was cancelled before anything shipped (its money goes
# back in full, extras included); fired inside the cancellation's transaction (aftersales cancels
# the order's service tickets).
paid_order_cancelled = Hook("payments.paid_order_cancelled", runs=Hook.INLINE)

# checkout_prefill(request) -> dict of the checkout form's values or None: what an empty checkout
# form starts with (a signed-in shopper's chosen saved address, accounts/). Inline, in the request;
# the first non-empty answer is used.
checkout_prefill = Hook("payments.checkout_prefill", runs=Hook.INLINE)


def checkout_prefill_values(request):
    for answer in checkout_prefill.fire(request=request):
        if answer:
            return dict(answer)
    return {}


# checkout_address_sections(request) -> list of snippets ({"template", "context", "place"}): what the
# checkout page shows about the delivery address, for this shopper: "before" the form (a signed-in
# shopper's saved addresses to choose from, a GET form that works without JavaScript) or "in" the
# address fieldset (the checkbox to save the address to the account; accounts/). Inline, in the
# request; each subscriber runs a fixed number of queries.
checkout_address_sections = Hook("payments.checkout_address_sections", runs=Hook.INLINE)


def checkout_address_snippets(request):
    return [snippet for answer in checkout_address_sections.fire(request=request) for snippet in answer or []]


# checkout_started(request, checkout): the shopper's checkout form was accepted and its quote
# started (checkout.recipient is the address as cleaned). Inline, in the request after the
# checkout's transaction committed: a subscriber acts on the shopper's choices on the form (accounts
# saves the address when asked) and cannot refuse the checkout (a failure is logged).
checkout_started = Hook("payments.checkout_started", runs=Hook.INLINE, on_failure=Hook.LOG)

# merchant_line_returns(home_lines, abroad_lines) -> {("home", order line id) | ("abroad", line
# reference): [returns]}: the returns of these lines of a merchant's goods (home_lines: OrderLine,
# abroad_lines: ForwardedLine), each a dict {"number", "status", "quantity", "reason", "at",
# "units": [{"grade", "disposition", "why"}]} of display texts, for the merchant's orders page.
# After-sales answers from its returns (home) and the partners' return notices and dispositions
# (abroad). Inline, in the request; a fixed number of queries whatever the number of lines.
merchant_line_returns = Hook("payments.merchant_line_returns", runs=Hook.INLINE)
# merchant_returned_lines(merchant) -> {"home": order line ids, "abroad": line references} (iterables
# or querysets of one column) of the merchant's lines with a return: the orders page's "with
# returns" filter. Inline, in the request.
merchant_returned_lines = Hook("payments.merchant_returned_lines", runs=Hook.INLINE)


def line_returns(home_lines, abroad_lines):
    found = {}
    for answer in merchant_line_returns.fire(home_lines=home_lines, abroad_lines=abroad_lines):
        for key, returns in (answer or {}).items():
            found.setdefault(key, []).extend(returns)
    return found


def returned_lines(merchant):
    home, abroad = [], []
    for answer in merchant_returned_lines.fire(merchant=merchant):
        home.append((answer or {}).get("home", ()))
        abroad.append((answer or {}).get("abroad", ()))
    return home, abroad


# own_goods_sold(line): an order line of our merchants' goods was paid and posted to the ledger
# (the sale is recognised at payment: docs/adr/0033-merchant-money.md). Inline, in the
# payment's transaction: merchant money credits the merchant with it (payments/handlers/merchants.py).
own_goods_sold = Hook("payments.own_goods_sold", runs=Hook.INLINE)

# own_goods_sale_cancelled(line): a paid line of our merchants' goods was cancelled before it shipped
# (its sale is reversed). Inline, in the cancellation's transaction: merchant money reverses the
# merchant's credit and commission for it (payments/handlers/merchants.py).
own_goods_sale_cancelled = Hook("payments.own_goods_sale_cancelled", runs=Hook.INLINE)

# settlement_reconciled(batch): a settlement batch was reconciled with the partner's statement (the
# money for its lines is agreed and owed). Inline, in the reconciliation's transaction: merchant
# money credits our merchants with their goods sold abroad in it (payments/handlers/merchants.py).
settlement_reconciled = Hook("payments.settlement_reconciled", runs=Hook.INLINE)

# sales_open_to_returns(references, now) -> iterable of the order-line references (of home sales) that
# can still be returned: not delivered yet, or inside their return window. Inline; after-sales
# answers from its return rules (aftersales/handlers/merchant_holds.py). A payout holds them.
sales_open_to_returns = Hook("payments.sales_open_to_returns", runs=Hook.INLINE)


def open_to_returns(references, *, now=None):
    references = list(references)
    if not references:
        return set()
    return {ref for answer in sales_open_to_returns.fire(references=references, now=now) for ref in answer or ()}
