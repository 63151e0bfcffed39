"""The returned unit's admin: the options allowed here and why the others are excluded, the ops
override with its reason (refused without one, nothing changed), the rules as an action; the
exporter's record of its partner's dispositions; graded stock in the stock admin."""

import datetime as dt

import pytest
from django.urls import reverse

from aftersales.choices import Grade
from aftersales.models import ReturnUnit
from aftersales.returns.services import disposition
from payments.models import Order
from tests.payments.shop_factories import partner_listing, set_up_shop

from .factories import paid_line, returned_units

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db, settings):
    settings.LANGUAGE_CODE = "en"
    return set_up_shop(settings)


def unit_of(grade, *, days_ago=0):
    line = paid_line(partner_listing())
    Order.objects.filter(pk=line.order_id).update(paid_at=line.order.paid_at - dt.timedelta(days=days_ago))
    [unit] = returned_units(line, grade)
    return ReturnUnit.objects.get(pk=unit.pk)


def change_url(unit):
    return reverse("admin:aftersales_returnunit_change", args=[unit.pk])


def test_the_admin_lists_each_option_and_why_china_excludes_resale(shop, admin_client):
    unit = unit_of(Grade.LIKE_NEW, days_ago=200)

    page = admin_client.get(change_url(unit)).content.decode()

    assert 'data-disposition="resell" data-allowed="no"' in page
    assert "domestic goods" in page
    assert 'data-disposition="send_back" data-allowed="yes"' in page


def test_ops_override_with_a_reason_and_are_refused_without_one(shop, admin_client):
    unit = unit_of(Grade.LIKE_NEW)
    disposition.apply_rules([unit])

    refused = admin_client.post(change_url(unit), {"new_disposition": "repair", "override_reason": ""})
    assert refused.status_code == 200 and "Say why" in refused.content.decode()
    unit.refresh_from_db()
    assert unit.disposition == "resell"

    done = admin_client.post(change_url(unit), {"new_disposition": "repair", "override_reason": "loose zipper"})
    assert done.status_code == 302
    unit.refresh_from_db()
    assert (unit.disposition, unit.disposition_reason, unit.disposition_by_rule) == ("repair", "loose zipper", False)


def test_the_rules_run_on_selected_units_from_the_list(shop, admin_client, django_assert_max_num_queries):
    units = [unit_of(Grade.NEW), unit_of(Grade.UNSELLABLE)]
    with django_assert_max_num_queries(20):
        assert admin_client.get(reverse("admin:aftersales_returnunit_changelist")).status_code == 200

    admin_client.post(
        reverse("admin:aftersales_returnunit_changelist"),
        {"action": "apply_rules", "_selected_action": [u.pk for u in units]},
    )

    assert sorted(ReturnUnit.objects.values_list("disposition", flat=True)) == ["dispose", "restock"]


def test_graded_stock_and_received_dispositions_are_visible_in_the_admin(shop, admin_client):
    unit = unit_of(Grade.GOOD)
    disposition.apply_rules([unit])

    stock_page = admin_client.get(reverse("admin:logistics_stocklevel_changelist") + "?grade=good")
    assert stock_page.status_code == 200 and unit.line.order_line.sku in stock_page.content.decode()
    assert admin_client.get(reverse("admin:aftersales_receiveddisposition_changelist")).status_code == 200
