"""Property-based fuzz of the shopper's return pages: the return form of a delivered order and the
message form of a return, posted through the test client with hostile values (hostile.py) in some
fields and sensible values in the rest. The class under test: no input is a server error, and a
refused one (the form shown again with its error) changes no row of any table."""

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from aftersales.returns.services import returns
from tests.aftersales.factories import own_and_partner_order
from tests.payments.paying_factories import set_up_cn
from tests.payments.payment_factories import sandbox_webhooks_through_test_client  # noqa: F401

from .support import fixed, row_counts
from .test_form_fuzz import assert_no_server_error_and_no_change_on_refusal, mutated

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(settings):
    warehouse = set_up_cn(settings)
    order, _variant, _listing = own_and_partner_order(Client(), warehouse)
    own, partner = order.lines.order_by("line_number")
    opened = returns.open_return(order=order, quantities={own.pk: 1}, reason="defective")
    return order, own, partner, opened


def test_the_return_and_message_forms_never_fail_and_a_refusal_changes_nothing(delivered):
    order, own, partner, opened = delivered
    client = Client()
    pages = {
        "return": (
            f"/en/returns/order/{order.token}/",
            {
                f"quantity-{own.pk}": "1",
                f"quantity-{partner.pk}": "0",
                "reason": "no_reason",
                "kind": "return",
                "details": "Too big",
            },
        ),  # fmt: skip
        "message": (f"/en/returns/{opened.token}/messages/", {"body": "Where is my refund?"}),
    }

    @fixed(120)
    @given(page=st.sampled_from(sorted(pages)), data=st.data())
    def run(page, data):
        path, fields = pages[page]
        values = mutated(fields, data.draw)
        before = row_counts()
        response = client.post(path, values)
        assert_no_server_error_and_no_change_on_refusal(response, before, f"post {path} {values!r}")

    run()
