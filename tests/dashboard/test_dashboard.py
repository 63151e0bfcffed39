"""The ops dashboard: every chart's figures from the fixture history equal the hand-computed ones,
each CSV download is its table, the page is for staff with the permission only, and it reads in a
fixed number of queries whatever the number of partners. Scores and breaches come from the partners
app: here its two selectors are stand-ins."""

import csv
import io
import json
import re
import sys
import types
from decimal import Decimal
from html import unescape

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from dashboard import selectors
from dashboard.selectors import Filters
from payments.shop.models import ForwardedLine
from tests.partner_zone.factories import make_partnership

from .factories import build_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(settings):
    settings.LANGUAGE_CODE = "en"
    return build_history(settings)


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("ops", "ops@example.com", "pw")
    client.force_login(user)
    return client


def data(chart):
    """The chart's datasets as {label: [Decimal or None]}."""
    return {d["label"]: [None if v is None else Decimal(str(v)) for v in d["data"]] for d in chart.datasets}


def at_day(chart, label, day):
    return data(chart)[label][chart.labels.index(day.isoformat())]


def test_sales_of_partner_goods_per_partner_per_day(history):
    chart = selectors.sales_in(Filters(now=history.now))
    (us_two, us_two_day), (us_one, today) = history.us_lines
    (jp_four, jp_day) = history.jp_lines[0]
    us, jp = "Partner us (us) (CNY)", "Sakura Market (jp) (CNY)"
    assert len(chart.labels) == 30 and chart.labels[-1] == timezone.localdate(history.now).isoformat()
    assert at_day(chart, us, us_two_day) == us_two.total.amount
    assert at_day(chart, us, today) == us_one.total.amount
    assert at_day(chart, jp, jp_day) == jp_four.total.amount
    assert sum(data(chart)[us]) == us_two.total.amount + us_one.total.amount
    assert sum(data(chart)[jp]) == jp_four.total.amount
    assert [row[2] for row in chart.rows] == [2, 4, 1]  # units by day: us, jp, us


def test_sales_of_our_goods_by_partners_per_day_leave_out_cancelled_lines_and_older_orders(history):
    chart = selectors.sales_out(Filters(now=history.now))
    us, jp = "Partner us (us) (USD)", "Sakura Market (jp) (JPY)"
    # What each partner owes us, in its settlement currency: us 3 + 2 units at 10 (the cancelled 7 and
    # the 40-day-old 9 are not counted), jp 5 at 1200.
    assert sum(data(chart)[us]) == Decimal("50.000")
    assert data(chart)[us][-4] == Decimal("50.000")  # three days ago
    assert data(chart)[jp][-1] == Decimal("6000")  # today
    assert [(row[1], row[2], row[3], row[4]) for row in chart.rows] == [
        ("Partner us (us)", 5, Decimal("50.00"), "USD"),
        ("Sakura Market (jp)", 5, Decimal("6000"), "JPY"),
    ]


def test_a_line_received_before_export_amounts_were_kept_counts_its_units_and_no_amount(history):
    ForwardedLine.objects.filter(order__partnership=history.jp).update(export_amount=None, export_amount_currency=None)
    chart = selectors.sales_out(Filters(now=history.now))
    assert ["Sakura Market (jp)", 5, None, ""] in [row[1:] for row in chart.rows]
    assert "Sakura Market (jp) (JPY)" not in data(chart)


def test_settlement_balances_by_status(history):
    chart = selectors.settlements(Filters(now=history.now))
    assert chart.labels == ["Sakura Market (jp) (JPY)", "Partner us (us) (USD)"]
    figures = data(chart)
    assert figures["paid"] == [0, Decimal("120.50")]
    assert figures["sent, waiting for the partner's statement"] == [0, Decimal("-20.25")]
    assert figures["disputed"] == [Decimal("5000"), 0]


def test_disputes_count_per_status_with_their_differences(history):
    chart = selectors.disputes(Filters(now=history.now))
    assert chart.labels == ["Sakura Market (jp)"]
    assert data(chart) == {"open": [1], "resolved": [1]}
    assert [(row[2], row[3], row[4]) for row in chart.rows] == [("open", 1, Decimal("200")), ("resolved", 1, 300)]


def test_consignment_stock_value_and_age(history):
    value = selectors.stock_value(Filters(now=history.now))
    assert value.labels == ["Partner us (us) (USD)"]
    assert data(value) == {"Value": [Decimal("100.00")]}  # 5 units at 20.00
    age = selectors.stock_age(Filters(now=history.now))
    figures = data(age)
    assert age.labels == ["Sakura Market (jp)", "Partner us (us)"]
    assert figures["0-90 days"] == [2, 0]
    assert figures["91-180 days"] == [0, 5]
    assert figures["366+ days"] == [0, 0]


def test_first_leg_saving_against_express(history):
    chart = selectors.first_leg(Filters(now=history.now))
    assert chart.labels == ["Partner us (us) (CNY)"]
    assert data(chart) == {
        "First-leg cost": [Decimal("1000.00")],
        "By express": [Decimal("2000.00")],
        "Saved": [Decimal("1000.00")],
    }
    assert chart.rows[0][4:10] == [
        10,
        "CNY",
        Decimal("1000.00"),
        Decimal("2000.00"),
        Decimal("1000.00"),
        Decimal("50.0"),
    ]


def test_return_rates_of_partner_goods(history):
    chart = selectors.return_rates(Filters(now=history.now))
    assert chart.rows == [["Sakura Market (jp)", 4, 0, Decimal("0.0")], ["Partner us (us)", 3, 1, Decimal("33.3")]]
    assert data(chart) == {"Return rate (%)": [Decimal("0.0"), Decimal("33.3")]}


def test_the_partner_filter_keeps_one_partner_in_every_chart(history):
    for chart in selectors.all_charts(Filters(partner="jp", now=history.now)):
        assert all("(us)" not in str(row[1]) and "(us)" not in str(row[0]) for row in chart.rows), chart.key


def test_the_period_filter_takes_in_older_orders(history):
    chart = selectors.sales_out(Filters(days=90, now=history.now))
    assert sum(data(chart)["Partner us (us) (USD)"]) == (5 + 9) * 10


# --- scores and breaches, from the partners app ---------------------------------------------------


def test_scores_and_breaches_say_not_available_without_the_partners_app(history, monkeypatch):
    installed = apps.is_installed
    monkeypatch.setattr(apps, "is_installed", lambda name: name != "partners" and installed(name))
    scores = selectors.scores(Filters(now=history.now))
    breaches = selectors.breaches(Filters(now=history.now))
    assert not scores.available and not breaches.available
    assert "Not available" in scores.note and scores.rows == [] and breaches.rows == []


def test_the_production_apps_give_the_dashboard_its_scores_and_breaches(history):
    """With the production settings the partners app is installed, and the two charts read it."""
    assert apps.is_installed("partners")
    assert selectors.scores(Filters(now=history.now)).available
    assert selectors.breaches(Filters(now=history.now)).available


@pytest.fixture
def partners_app(monkeypatch, history):
    """The partners app's two selectors as stand-ins, recording what they were asked."""
    calls = []
    now = history.now
    yesterday = now - timezone.timedelta(days=1)

    def score_history(partner=None, since=None):
        calls.append(("scores", partner, since))
        return [
            {
                "partner": "jp",
                "partner_name": "Sakura Market",
                "kind": "credit",
                "value": Decimal("72.5"),
                "computed_at": yesterday,
            },
            {
                "partner": "jp",
                "partner_name": "Sakura Market",
                "kind": "credit",
                "value": Decimal("61.0"),
                "computed_at": now,
            },
            {
                "partner": "jp",
                "partner_name": "Sakura Market",
                "kind": "localization",
                "value": None,
                "computed_at": now,
            },
        ]

    def breach_rows(partner=None, since=None):
        calls.append(("breaches", partner, since))
        return [
            {
                "partner": "jp",
                "partner_name": "Sakura Market",
                "term": "settlement_on_time",
                "severity": "warning",
                "observed_at": yesterday,
                "evidence": {"batch": "b-1", "days_late": 3},
            },
            {
                "partner": "jp",
                "partner_name": "Sakura Market",
                "term": "orders_acknowledged",
                "severity": "suspension",
                "observed_at": now,
                "evidence": {"order": "=1+1"},
            },
        ]

    module = types.ModuleType("partners.selectors")
    module.score_history, module.breach_rows = score_history, breach_rows
    monkeypatch.setitem(sys.modules, "partners", types.ModuleType("partners"))
    monkeypatch.setitem(sys.modules, "partners.selectors", module)
    monkeypatch.setattr(selectors, "_partners_installed", lambda: True)
    return calls


def test_scores_over_time_from_the_partners_selector(history, partners_app):
    filters = Filters(partner="jp", now=history.now)
    chart = selectors.scores(filters)
    assert partners_app == [("scores", "jp", filters.since)]
    yesterday = timezone.localdate(history.now - timezone.timedelta(days=1)).isoformat()
    today = timezone.localdate(history.now).isoformat()
    assert chart.labels == [yesterday, today]
    assert data(chart) == {
        "Sakura Market (jp): credit": [Decimal("72.5"), Decimal("61.0")],
        "Sakura Market (jp): localization": [None, None],  # not computed: a gap, never a 0
    }
    assert [row[3] for row in chart.rows] == [Decimal("72.5"), Decimal("61.0"), None]


def test_breaches_from_the_partners_selector(history, partners_app, staff):
    chart = selectors.breaches(Filters(now=history.now))
    assert chart.labels == ["Sakura Market (jp)"]
    assert data(chart) == {"warning": [1], "suspension": [1]}
    assert chart.rows[0][4] == "batch: b-1; days_late: 3"
    text = staff.get("/admin/dashboard/breaches.csv").content.decode()
    assert "'=1+1" in text or "order: =1+1" in text


# --- the page and its downloads -------------------------------------------------------------------


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def table_rows(html, key):
    section = re.search(rf'<section class="dashboard-chart" id="chart-{key}".*?</section>', html, re.S).group(0)
    head = [unescape(c) for c in re.findall(r"<th scope=\"col\">(.*?)</th>", section)]
    body = [
        [unescape(c) for c in re.findall(r"<td>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(<td>.*?)</tr>", section, re.S)
    ]
    return [head, *body]


@pytest.mark.parametrize("key", list(selectors.CHARTS))
def test_each_csv_download_is_the_table_of_its_chart(history, staff, key):
    html = staff.get("/admin/dashboard/?days=30").content.decode()
    response = staff.get(f"/admin/dashboard/{key}.csv?days=30")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    if key in ("scores", "breaches"):  # not available here: the header only, and no table
        assert len(rows) == 1
        return
    table = table_rows(html, key)
    assert rows[0] == table[0]
    assert len(rows) == len(table) > 1
    for csv_row, table_row in zip(rows[1:], table[1:], strict=True):
        assert [cell or "—" for cell in csv_row] == table_row


def test_the_page_draws_every_chart_from_its_json_block(history, staff):
    html = staff.get("/admin/dashboard/").content.decode()
    for key in (
        "sales-in",
        "sales-out",
        "settlements",
        "disputes",
        "stock-value",
        "stock-age",
        "first-leg",
        "return-rates",
    ):
        assert f'<canvas data-chart="{key}"' in html
        block = re.search(rf'<script id="chart-data-{key}" type="application/json">(.*?)</script>', html, re.S)
        spec = json.loads(block.group(1))
        assert spec["datasets"] and any(v not in (None, "0") for d in spec["datasets"] for v in d["data"])
    assert html.count("not-available") == 0  # the partners app is installed: scores and breaches too
    assert "vendor/chartjs/chart.umd.js" in html and "js/dashboard.js" in html


def test_bad_filters_are_refused_naming_the_field(history, staff):
    response = staff.get("/admin/dashboard/?partner=nowhere&days=30")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    refused = staff.get("/admin/dashboard/sales-in.csv?days=12")
    assert refused.status_code == 400 and "days" in refused.content.decode()


def test_an_unknown_chart_has_no_download(staff):
    assert staff.get("/admin/dashboard/nothing.csv").status_code == 404


def test_people_without_the_permission_are_refused(history, client):
    shopper = get_user_model().objects.create_user("shopper", "s@example.com", "pw")
    client.force_login(shopper)
    for path in ("/admin/dashboard/", "/admin/dashboard/sales-in.csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    clerk = get_user_model().objects.create_user("clerk", "c@example.com", "pw", is_staff=True)
    client.force_login(clerk)
    assert client.get("/admin/dashboard/").status_code == 403
    assert client.get("/admin/dashboard/sales-in.csv").status_code == 403
    clerk.user_permissions.add(Permission.objects.get(codename="view_dashboard"))
    assert client.get("/admin/dashboard/").status_code == 200


def test_the_page_reads_in_a_fixed_number_of_queries_whatever_the_partners(
    history, staff, django_assert_max_num_queries
):
    with django_assert_max_num_queries(22):
        assert staff.get("/admin/dashboard/").status_code == 200
    for code in ("de", "fr", "kr", "sg"):
        make_partnership(code, currency="EUR", country="DE")
    with django_assert_max_num_queries(22):
        assert staff.get("/admin/dashboard/?days=365").status_code == 200


def test_the_admin_index_links_the_dashboard_and_the_partner_status_page(staff):
    html = staff.get("/admin/").content.decode()
    assert 'href="/admin/dashboard/"' in html and 'href="/admin/partner-status/"' in html


def test_each_lower_apps_read_is_one_query_or_three_whatever_the_rows(history, django_assert_num_queries):
    from aftersales import selectors as aftersales_selectors
    from logistics import selectors as logistics_selectors
    from partner_zone import selectors as zone_selectors
    from payments.ledger import selectors as ledger_selectors
    from payments.shop import selectors as shop_selectors

    since = Filters(now=history.now).since
    one_query = [
        lambda: shop_selectors.partner_goods_sold_per_day(since=since),
        lambda: shop_selectors.our_goods_sold_by_partners_per_day(since=since),
        lambda: ledger_selectors.settlement_totals(since=since),
        lambda: ledger_selectors.dispute_totals(since=since),
        lambda: zone_selectors.consignment_stock_values(),
        lambda: logistics_selectors.consignment_stock_ages(now=history.now),
        lambda: aftersales_selectors.partner_goods_returned(since=since),
    ]
    for read in one_query:
        with django_assert_num_queries(1):
            assert read()
    with django_assert_num_queries(3):  # consignments, their lines, the express rates
        assert logistics_selectors.first_leg_comparisons(since=since)
