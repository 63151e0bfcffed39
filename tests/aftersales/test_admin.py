"""Ops handle a return in the admin: approve, issue the label, receive with counts, grade each unit,
refund, answer in the thread, each through its service (a refusal shows on its field); the list
runs a fixed number of queries; the fields services write stay read-only."""

import pytest
from django.urls import reverse

from aftersales.models import Message, ReturnRequest, ReturnUnit
from aftersales.returns.services import returns
from crossborder.models import OutboxMessage
from tests.partners import table_counts

from .factories import own_and_partner_order

pytestmark = pytest.mark.django_db

Status = ReturnRequest.Status


def change_url(request, step=None):
    if step:
        return reverse(f"admin:aftersales_returnrequest_{step}", args=[request.pk])
    return reverse("admin:aftersales_returnrequest_change", args=[request.pk])


def test_ops_take_a_fault_claim_from_approval_to_refund_in_the_admin(cn, client, admin_client):
    order, _variant, _listing = own_and_partner_order(client, cn)
    partner = order.lines.get(line_number=2)
    request = returns.open_return(order=order, quantities={partner.pk: 2}, reason="damaged")
    changelist = reverse("admin:aftersales_returnrequest_changelist")

    admin_client.post(changelist, {"action": "approve", "_selected_action": [request.pk]})
    admin_client.post(changelist, {"action": "issue_label", "_selected_action": [request.pk]})
    line = request.lines.get()
    admin_client.post(change_url(request, "receive"), {f"count-{line.pk}": "2"})
    units = list(ReturnUnit.objects.order_by("number"))
    admin_client.post(
        change_url(request, "grade"),
        {f"grade-{units[0].pk}": "like_new", f"notes-{units[0].pk}": "scuffed box",
         f"grade-{units[1].pk}": "unsellable", f"notes-{units[1].pk}": "cracked glass"},
    )  # fmt: skip
    admin_client.post(change_url(request, "refund"), {})
    admin_client.post(change_url(request, "message"), {"body": "Refunded, sorry for the trouble."})

    request.refresh_from_db()
    assert request.status == Status.REFUNDED
    assert list(ReturnUnit.objects.order_by("number").values_list("grade", "notes")) == [
        ("like_new", "scuffed box"),
        ("unsellable", "cracked glass"),
    ]
    assert Message.objects.get().author == "staff"
    assert [m.payload["step"] for m in OutboxMessage.objects.filter(message_type="return.notice").order_by("seq")] == [
        "opened", "received", "graded", "refunded",
    ]  # fmt: skip
    page = admin_client.get(change_url(request)).content.decode()
    assert "Refunded, sorry for the trouble." in page


def test_a_grade_refused_in_the_admin_shows_on_its_field_and_changes_nothing(cn, client, admin_client):
    order, _variant, _listing = own_and_partner_order(client, cn)
    request = returns.open_return(order=order, quantities={order.lines.get(line_number=1).pk: 1}, reason="no_reason")
    line = request.lines.get()

    too_many = admin_client.post(change_url(request, "receive"), {f"count-{line.pk}": "5"})
    assert too_many.status_code == 200 and "were announced" in too_many.content.decode()
    admin_client.post(change_url(request, "receive"), {f"count-{line.pk}": "1"})
    unit = ReturnUnit.objects.get()
    before = table_counts()

    refused = admin_client.post(change_url(request, "grade"), {f"grade-{unit.pk}": "mint"})

    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert table_counts() == before


def test_a_rejection_needs_its_reason(cn, client, admin_client):
    order, _variant, _listing = own_and_partner_order(client, cn)
    request = returns.open_return(order=order, quantities={order.lines.get(line_number=1).pk: 1}, reason="defective")
    changelist = reverse("admin:aftersales_returnrequest_changelist")

    silent = admin_client.post(changelist, {"action": "reject", "_selected_action": [request.pk]}, follow=True)
    assert "Say why the return is refused" in silent.content.decode()
    admin_client.post(changelist, {"action": "reject", "reason": "Outside warranty", "_selected_action": [request.pk]})

    request.refresh_from_db()
    assert request.status == Status.REJECTED


def test_the_returns_list_runs_a_fixed_number_of_queries_and_the_fields_are_read_only(
    cn, client, admin_client, django_assert_max_num_queries
):
    order, _variant, _listing = own_and_partner_order(client, cn)
    own, partner = order.lines.order_by("line_number")
    for line in (own, partner):
        returns.open_return(order=order, quantities={line.pk: 1}, reason="no_reason")
    changelist = reverse("admin:aftersales_returnrequest_changelist")
    admin_client.get(changelist)

    with django_assert_max_num_queries(14):
        response = admin_client.get(changelist)

    assert response.status_code == 200
    page = admin_client.get(change_url(ReturnRequest.objects.first())).content.decode()
    assert 'name="status"' not in page and 'name="reason"' not in page


def test_partner_return_notices_are_listed_in_the_admin(cn, admin_client):
    response = admin_client.get(reverse("admin:aftersales_partnerreturnnotice_changelist"))

    assert response.status_code == 200
