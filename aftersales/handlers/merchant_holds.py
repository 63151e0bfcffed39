"""Which home sales are still open to returns, for the merchant payout's hold (payments never
imports after-sales): a line not delivered yet, or delivered and inside its return window by the
return rules (returns/services/policy.py)."""

from collections import defaultdict

from django.conf import settings

from payments import hooks
from payments.models import Order

from .. import selectors
from ..returns.services import policy as policies


def _parsed(references):
    """{order number: {line number: reference}} of our own order lines' references."""
    prefix = f"order:{settings.PLATFORM_CODE}:"
    found = defaultdict(dict)
    for reference in references:
        number, _sep, line = reference.removeprefix(prefix).rpartition(":")
        if reference.startswith(prefix) and number.isdigit() and line.isdigit():
            found[int(number)][int(line)] = reference
    return found


@hooks.sales_open_to_returns.subscribe
def sales_open_to_returns(*, references, now=None):
    wanted = _parsed(references)
    open_refs = set()
    orders = Order.objects.filter(number__in=list(wanted)).exclude(status=Order.Status.CANCELLED)
    for order in orders:
        lines = wanted.get(order.number, {})
        for found in selectors.returnable_lines(order):
            reference = lines.get(found.line.line_number)
            if reference is None:
                continue
            if found.delivered_at is None or policies.window_open(found.policy, now=now):
                open_refs.add(reference)
    return open_refs
