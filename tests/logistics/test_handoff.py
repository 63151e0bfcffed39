"""The nightly inventory handoff: the importer reports consignment sales and stock (with ages from
an injected clock) once per period; the exporter records them once, compares them with its own
consignments, flags differences and suggests what to send next."""

import datetime as dt
import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crossborder.celery import app as celery_app
from crossborder.models import InboxMessage, OutboxMessage, Partner, Partnership
from logistics.models import Consignment, ConsignmentLine, Discrepancy, GoodsAbroad, HandoffReport
from logistics.selectors import age_buckets_of_level
from logistics.services import LogisticsError, stock
from logistics.services import handoff as service
from logistics.tasks import handoff_partnership, nightly_handoff
from tests.catalog.factories import make_product
from tests.partners import body_json, table_counts

from .factories import make_level, make_warehouse

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
_orders = itertools.count(1)


def sell(level, quantity):
    """A shopper's order served from this level: reserved, picked, handed to the carrier."""
    reference = f"order-{next(_orders)}/line-1"
    stock.reserve(level, quantity, reference=reference)
    stock.pick(reference)
    stock.ship(level, quantity, reference=f"shipment-{reference}")


def lines_by_sku(report):
    return {line["sku"]: line for line in report.lines}


def sent(message_type):
    return list(OutboxMessage.objects.filter(message_type=message_type).order_by("seq"))


def stock_line(sku, on_hand, reserved=0, **extra):
    return {"sku": sku, "on_hand": on_hand, "reserved": reserved, **extra}


def report_payload(lines, *, end, start=None, offset=0):
    return {
        "period_start": start.isoformat() if start else None,
        "period_end": end.isoformat(),
        "offset": offset,
        "lines": lines,
    }


def our_consignment(partnership, status=Consignment.Status.RECEIVED, **lines):
    """An OUTBOUND consignment of ours; each SKU as (shipped, counted, damaged)."""
    consignment = Consignment.objects.create(
        partnership=partnership, direction=Consignment.Direction.OUTBOUND, status=status
    )
    for sku, (quantity, counted, damaged) in lines.items():
        ConsignmentLine.objects.create(
            consignment=consignment, sku=sku, quantity=quantity, counted=counted, damaged=damaged
        )
    return consignment


# --- importer: the reports -------------------------------------------------------------------------


def test_sales_report_counts_the_units_shipped_since_the_last_report_and_never_own_stock(remote):
    warehouse = make_warehouse()
    theirs = make_level(warehouse, sku="MILK-1", owner=remote.partner, on_hand=20)
    own = make_level(warehouse, sku="MILK-1", on_hand=20)
    sell(theirs, 2)
    sell(own, 4)
    first = service.send_handoff(partnership=remote.partnership, now=timezone.now())
    sell(theirs, 3)
    sell(own, 1)
    stock.write_off(theirs, 1, reason="crushed carton")

    second = service.send_handoff(partnership=remote.partnership, now=timezone.now())

    assert first.sales.lines == [{"sku": "MILK-1", "sold": 2, "returned": 0, "written_off": 0, "sent_back": 0}]
    assert second.sales.lines == [{"sku": "MILK-1", "sold": 3, "returned": 0, "written_off": 1, "sent_back": 0}]
    assert second.sales.period_start == first.sales.period_end
    assert lines_by_sku(second.stock)["MILK-1"]["on_hand"] == 14
    assert lines_by_sku(second.stock)["MILK-1"]["sold_since_last_report"] == 3


def test_stock_report_gives_counts_and_ages_relative_to_the_injected_clock(remote):
    level = make_level(sku="TEA-1", owner=remote.partner)
    received = timezone.now()
    stock.receive(level, 6, reference="consignment-a", at=received)
    stock.receive(level, 4, reference="consignment-b", at=received + 30 * DAY)
    stock.reserve(level, 3, reference="cart-1")

    _, early = service.build_reports(partnership=remote.partnership, now=received + 31 * DAY)
    _, later = service.build_reports(partnership=remote.partnership, now=received + 91 * DAY)

    line = lines_by_sku(early)["TEA-1"]
    assert (line["on_hand"], line["reserved"], line["sellable"]) == (10, 3, 7)
    assert line["oldest_unit_age_days"] == 31
    assert line["age_buckets"] == {"0-90": 10, "91-180": 0, "181-270": 0, "271-365": 0, "366+": 0}
    line = lines_by_sku(later)["TEA-1"]
    assert line["oldest_unit_age_days"] == 91
    assert line["age_buckets"] == {"0-90": 4, "91-180": 6, "181-270": 0, "271-365": 0, "366+": 0}
    assert age_buckets_of_level(level, now=received + 91 * DAY) == line["age_buckets"]


def test_units_leave_the_oldest_bucket_first(remote):
    level = make_level(sku="TEA-2", owner=remote.partner)
    now = timezone.now()
    stock.receive(level, 5, reference="old", at=now - 400 * DAY)
    stock.receive(level, 5, reference="new", at=now - 10 * DAY)
    sell(level, 7)

    _, report = service.build_reports(partnership=remote.partnership, now=now)

    line = lines_by_sku(report)["TEA-2"]
    assert line["on_hand"] == 3 and line["oldest_unit_age_days"] == 10
    assert line["age_buckets"]["0-90"] == 3 and line["age_buckets"]["366+"] == 0


def test_running_the_handoff_twice_for_the_same_period_sends_once(remote):
    make_level(sku="RICE-1", owner=remote.partner, on_hand=5)
    now = timezone.now()

    first = service.send_handoff(partnership=remote.partnership, now=now)
    again = service.send_handoff(partnership=remote.partnership, now=now)

    assert first.messages == 2 and again.already_sent
    assert again.sales.pk == first.sales.pk and again.stock.pk == first.stock.pk
    assert HandoffReport.objects.count() == 2
    assert len(sent("sales.report")) == len(sent("stock.report")) == 1
    payload = sent("stock.report")[0].payload
    assert payload["period_end"] == now.isoformat() and payload["parts"] == 1
    assert payload["lines"][0]["sku"] == "RICE-1"


def test_a_report_cannot_end_before_the_last_one_sent(remote):
    make_level(sku="RICE-2", owner=remote.partner, on_hand=5)
    now = timezone.now()
    service.send_handoff(partnership=remote.partnership, now=now)
    before = table_counts()

    with pytest.raises(LogisticsError) as refused:
        service.send_handoff(partnership=remote.partnership, now=now - DAY)

    assert refused.value.field == "now" and table_counts() == before


def test_nothing_is_sent_to_a_partner_whose_goods_we_never_held(remote):
    make_level(sku="OWN-1", on_hand=5)

    assert service.send_handoff(partnership=remote.partnership, now=timezone.now()) is None
    assert not OutboxMessage.objects.exists() and not HandoffReport.objects.exists()


def test_a_long_report_travels_in_parts_and_each_part_is_recorded_once(remote, monkeypatch):
    monkeypatch.setattr(service, "LINES_PER_MESSAGE", 2)
    warehouse = make_warehouse()
    for n in range(5):
        make_level(warehouse, sku=f"PART-{n}", owner=remote.partner, on_hand=n + 1)
    service.send_handoff(partnership=remote.partnership, now=timezone.now())
    parts = [message.payload for message in sent("stock.report")]

    assert [(p["part"], p["parts"], p["offset"], len(p["lines"])) for p in parts] == [
        (1, 3, 0, 2),
        (2, 3, 2, 2),
        (3, 3, 4, 1),
    ]
    with pytest.raises(LogisticsError) as refused:
        service.record_stock_report(partnership=remote.partnership, payload=parts[1])
    assert refused.value.field == "offset"
    for payload in (parts[0], parts[0], parts[1], parts[2], parts[1]):
        report = service.record_stock_report(partnership=remote.partnership, payload=payload)
    assert report.line_count == 5 and report.lines == parts[0]["lines"]  # the first part is kept to look at
    assert dict(GoodsAbroad.objects.values_list("sku", "on_hand")) == {f"PART-{n}": n + 1 for n in range(5)}


def test_build_reports_runs_a_fixed_number_of_queries_whatever_the_number_of_skus(
    remote, django_assert_max_num_queries
):
    warehouse = make_warehouse()

    def stock_skus(count):
        for n in range(count):
            level = make_level(warehouse, sku=f"Q-{count}-{n}", owner=remote.partner, on_hand=3)
            sell(level, 1)

    stock_skus(3)
    with django_assert_max_num_queries(4):
        _, small = service.build_reports(partnership=remote.partnership)
    stock_skus(27)
    with django_assert_max_num_queries(4):
        sales, large = service.build_reports(partnership=remote.partnership)

    assert small.line_count == 3 and large.line_count == 30 and sales.line_count == 30


def test_run_handoff_command_sends_and_prints_the_lines_per_partnership(remote, capsys):
    make_level(sku="SOY-1", owner=remote.partner, on_hand=5)
    at = timezone.now().replace(microsecond=0)

    call_command("run_handoff", "--partner", "us", "--now", at.isoformat())
    call_command("run_handoff", "--now", at.isoformat())

    out = capsys.readouterr().out
    assert "us: sales report 0 lines, stock report 1 lines" in out
    assert "already sent" in out
    assert HandoffReport.objects.filter(period_end=at).count() == 2


def test_the_partnership_task_sends_the_handoff_up_to_the_given_time(remote):
    make_level(sku="SOY-2", owner=remote.partner, on_hand=5)
    at = timezone.now()

    result = handoff_partnership(remote.partnership.pk, at.isoformat())
    repeat = handoff_partnership(remote.partnership.pk, at.isoformat())

    assert result == {"sales_lines": 0, "stock_lines": 1, "messages": 2}
    assert repeat["messages"] == 0


def make_partnership(code, status=Partnership.Status.ACTIVE):
    partner = Partner.objects.create(
        code=code, name=f"Partner {code}", country="GB", currency="GBP", base_url=f"http://{code}.invalid"
    )
    return Partnership.objects.create(
        partner=partner,
        status=status,
        initiated_by=Partnership.Initiator.US,
        settlement_currency="GBP",
        commission_rate="0.0800",
        settlement_cutoff=dt.time(23, 0),
    )


@pytest.fixture
def eager_tasks():
    """.delay() runs the task at once, in this process. (Celery read its settings when it started,
    so the settings fixture cannot change them.)"""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def test_the_nightly_task_hands_off_once_per_live_partnership_however_often_it_runs(remote, settings, eager_tasks):
    cutoff = timezone.localtime() - dt.timedelta(hours=6)  # far from now: both runs report up to it
    settings.LOGISTICS = {**settings.LOGISTICS, "HANDOFF_HOUR": cutoff.hour, "HANDOFF_MINUTE": cutoff.minute}
    other = make_partnership("gb")
    ended = make_partnership("fr", status=Partnership.Status.ENDED)
    make_partnership("de")  # live, but we never held its goods: nothing to report
    warehouse = make_warehouse()
    for partnership in (remote.partnership, other, ended):
        make_level(warehouse, sku=f"NIGHT-{partnership.partner.code}", owner=partnership.partner, on_hand=4)

    first = nightly_handoff()
    again = nightly_handoff()  # a beat that fires twice

    assert first == again == {"partnerships": 3, "period_end": service.handoff_period_end().isoformat()}
    reports = HandoffReport.objects.filter(direction="sent")
    assert sorted(reports.values_list("partnership__partner__code", "kind")) == [
        ("gb", "sales"),
        ("gb", "stock"),
        ("us", "sales"),
        ("us", "stock"),
    ]
    assert set(reports.values_list("period_end", flat=True)) == {service.handoff_period_end()}
    sent_to = sorted(OutboxMessage.objects.values_list("partnership__partner__code", "message_type"))
    assert sent_to == [
        ("gb", "sales.report"),
        ("gb", "stock.report"),
        ("us", "sales.report"),
        ("us", "stock.report"),
    ]


def test_the_nightly_period_ends_at_the_scheduled_handoff_time(settings):
    settings.LOGISTICS = {**settings.LOGISTICS, "HANDOFF_HOUR": 1, "HANDOFF_MINUTE": 30}
    local = timezone.localtime()
    after = local.replace(hour=2, minute=0, second=5, microsecond=0)
    before = local.replace(hour=1, minute=0, second=0, microsecond=0)

    assert service.handoff_period_end(after) == local.replace(hour=1, minute=30, second=0, microsecond=0)
    assert service.handoff_period_end(before) == service.handoff_period_end(after) - DAY


# --- exporter: recording the reports ---------------------------------------------------------------


def test_exporter_records_a_signed_stock_report_and_its_goods_abroad_show_it(api, remote):
    product = make_product(skus=["BOTTLE-1"])
    end = timezone.now()
    payload = report_payload(
        [
            stock_line(
                "BOTTLE-1",
                12,
                2,
                sold_since_last_report=3,
                oldest_unit_age_days=95,
                age_buckets={"0-90": 7, "91-180": 5},
            )
        ],
        end=end,
        start=end - DAY,
    )

    response = remote.post_message(api, "stock.report", payload)

    assert response.status_code == 200, response.content
    assert body_json(response)["result"]["lines"] == 1
    row = GoodsAbroad.objects.get(partnership=remote.partnership, sku="BOTTLE-1")
    assert (row.on_hand, row.reserved, row.sold_last_period, row.oldest_unit_age_days) == (12, 2, 3, 95)
    assert row.age_buckets == {"0-90": 7, "91-180": 5, "181-270": 0, "271-365": 0, "366+": 0}
    assert row.reported_at == end and row.variant == product.variants.get()
    report = HandoffReport.objects.get(direction="received")
    assert (report.kind, report.line_count, report.period_end) == ("stock", 1, end)


def test_a_repeated_sales_report_does_not_add_the_sold_units_twice(api, remote):
    end = timezone.now()
    payload = report_payload([{"sku": "BOTTLE-2", "sold": 4}], end=end, start=end - DAY)

    first = remote.post_message(api, "sales.report", payload)
    repeat = remote.post_message(api, "sales.report", payload)  # a new idempotency key
    service.record_sales_report(partnership=remote.partnership, payload=payload)
    service.record_sales_report(
        partnership=remote.partnership,
        payload=report_payload([{"sku": "BOTTLE-2", "sold": 1}], end=end + DAY, start=end),
    )

    assert first.status_code == repeat.status_code == 200
    row = GoodsAbroad.objects.get(sku="BOTTLE-2")
    assert (row.sold_total, row.sold_last_period) == (5, 1)
    assert HandoffReport.objects.filter(kind="sales", direction="received").count() == 2


def test_a_stock_report_that_disagrees_with_our_consignments_opens_a_discrepancy_once(remote):
    our_consignment(remote.partnership, JAM=(10, 9, 1), HONEY=(5, 5, 0))
    our_consignment(remote.partnership, status=Consignment.Status.NOTIFIED, JAM=(50, None, 0))
    end = timezone.now()
    sales = [{"sku": "JAM", "sold": 3}, {"sku": "HONEY", "sold": 1, "written_off": 1}]
    service.record_sales_report(partnership=remote.partnership, payload=report_payload(sales, end=end))
    payload = report_payload([stock_line("JAM", 4), stock_line("HONEY", 3)], end=end)

    report = service.record_stock_report(partnership=remote.partnership, payload=payload)
    service.record_stock_report(partnership=remote.partnership, payload=payload)

    discrepancy = Discrepancy.objects.get()
    assert (discrepancy.kind, discrepancy.sku, discrepancy.field) == ("stock_report", "JAM", "on_hand")
    assert (discrepancy.ours, discrepancy.theirs) == (5, 4)  # 9 counted - 1 damaged - 3 sold
    assert discrepancy.partnership == remote.partnership
    assert report.discrepancies == 1
    assert dict(GoodsAbroad.objects.values_list("sku", "expected_on_hand")) == {"JAM": 5, "HONEY": 3}


def test_removed_units_are_kept_per_sku_once_and_the_stock_report_expects_without_rereading_reports(remote):
    our_consignment(remote.partnership, PEAR=(20, 20, 0))
    end = timezone.now()
    first = report_payload(
        [{"sku": "PEAR", "sold": 2, "written_off": 3, "sent_back": 4, "returned": 1}], start=end - DAY, end=end
    )
    second = report_payload([{"sku": "PEAR", "sold": 1, "returned": 2}], start=end, end=end + DAY)
    for payload in (first, first, second, second):
        service.record_sales_report(partnership=remote.partnership, payload=payload)
    HandoffReport.objects.filter(kind="sales").update(lines=[])  # the expectation must not read them

    report = service.record_stock_report(
        partnership=remote.partnership, payload=report_payload([stock_line("PEAR", 13)], end=end + DAY)
    )

    row = GoodsAbroad.objects.get(sku="PEAR")
    assert (row.sold_total, row.removed_total) == (3, 4)  # (3 + 4 - 1) + (0 + 0 - 2)
    assert row.expected_on_hand == 20 - 3 - 4 == 13
    assert report.discrepancies == 0 and not Discrepancy.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sales_reports_recorded_at_the_same_time_never_lose_each_others_units(remote):
    skus = [f"RACE-{n}" for n in range(20)]
    end = timezone.now()
    reports = [
        report_payload([{"sku": sku, "sold": 1, "written_off": 1} for sku in skus], end=end + n * DAY) for n in range(4)
    ]
    barrier = threading.Barrier(len(reports))

    def record(payload):
        try:
            barrier.wait(timeout=30)
            return service.record_sales_report(partnership=remote.partnership, payload=payload).line_count
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(reports)) as pool:
        counts = list(pool.map(record, reports))

    assert counts == [20, 20, 20, 20]
    totals = set(GoodsAbroad.objects.values_list("sold_total", "removed_total"))
    assert totals == {(4, 4)} and GoodsAbroad.objects.count() == 20


@pytest.mark.parametrize("record", [service.record_sales_report, service.record_stock_report])
def test_recording_a_part_runs_the_same_queries_whatever_its_lines_and_the_parts_before_it(
    remote, record, django_assert_num_queries
):
    make_product(skus=[f"SIZE-{n}" for n in range(30)])
    our_consignment(remote.partnership, **{f"SIZE-{n}": (5, 5, 0) for n in range(30)})
    end = timezone.now()

    def part(skus, offset):
        lines = [
            {"sku": sku, "sold": 1} if record is service.record_sales_report else stock_line(sku, 1) for sku in skus
        ]
        return report_payload(lines, end=end, offset=offset)

    skus = [f"SIZE-{n}" for n in range(30)] + [f"NEW-{n}" for n in range(6)]  # NEW-*: never sent
    record(partnership=remote.partnership, payload=part(skus[:3], 0))  # creates the received report
    with CaptureQueriesContext(connection) as small:
        record(partnership=remote.partnership, payload=part(skus[3:6], 3))
    with django_assert_num_queries(len(small)):
        report = record(partnership=remote.partnership, payload=part(skus[6:], 6))  # 30 lines

    assert len(small) <= 12
    assert report.line_count == 36 and [line["sku"] for line in report.lines] == skus[:3]
    assert GoodsAbroad.objects.count() == 36


@pytest.mark.parametrize(
    ("bad_line", "field"),
    [
        (stock_line("X", -1), "lines[1].on_hand"),
        (stock_line("X", 1.5), "lines[1].on_hand"),
        ({"on_hand": 1, "reserved": 0}, "lines[1].sku"),
        (stock_line("X", 2, reserved="1"), "lines[1].reserved"),
        (stock_line("X", 2, reserved=3), "lines[1].reserved"),
        (stock_line("X", 2, age_buckets={"0-90": -2}), "lines[1].age_buckets.0-90"),
        (stock_line("GOOD", 2), "lines[1].sku"),  # the same SKU twice
    ],
)
def test_a_stock_report_with_a_bad_line_is_refused_naming_the_line_and_stores_nothing(remote, bad_line, field):
    payload = report_payload([stock_line("GOOD", 1), bad_line], end=timezone.now())
    before = table_counts()

    with pytest.raises(LogisticsError) as refused:
        service.record_stock_report(partnership=remote.partnership, payload=payload)

    assert refused.value.code == "report_invalid" and refused.value.field == field
    assert refused.value.detail.startswith("Line 1:")
    assert table_counts() == before


def test_a_sales_report_line_with_fractional_units_is_refused_through_the_api(api, remote):
    payload = report_payload([{"sku": "A", "sold": 2}, {"sku": "B", "sold": 0.5}], end=timezone.now())

    response = remote.post_message(api, "sales.report", payload)

    assert response.status_code == 400
    assert body_json(response)["code"] == "report_invalid"
    assert body_json(response)["field"] == "lines[1].sold"
    assert not GoodsAbroad.objects.exists() and not HandoffReport.objects.exists()


def test_a_report_line_that_is_not_an_object_is_refused_through_the_api_naming_it(api, remote):
    payload = report_payload([stock_line("A", 1), ["B", 1]], end=timezone.now())

    response = remote.post_message(api, "stock.report", payload)

    assert response.status_code == 400
    assert (body_json(response)["code"], body_json(response)["field"]) == ("invalid_payload", "payload.lines.1")
    assert not GoodsAbroad.objects.exists() and not HandoffReport.objects.exists()


# --- exporter: replenishment ---------------------------------------------------------------------


def test_replenishment_suggests_what_covers_lead_time_and_target_cover_at_the_known_velocity(remote):
    now = timezone.now()
    service.record_sales_report(
        partnership=remote.partnership,
        payload=report_payload([{"sku": "OAT", "sold": 60}], start=now - 30 * DAY, end=now - DAY),
    )
    service.record_stock_report(
        partnership=remote.partnership,
        payload=report_payload([stock_line("OAT", 40, 5), stock_line("RYE", 9)], end=now - DAY),
    )
    our_consignment(remote.partnership, status=Consignment.Status.NOTIFIED, OAT=(20, None, 0))

    suggestions = {
        s["sku"]: s
        for s in service.replenishment_suggestions(
            partnership=remote.partnership, now=now, lead_time_days=21, target_cover_days=45
        )
    }

    # 60 units in 30 days = 2 a day; 66 days need 132; 35 sellable and 20 on the way: send 77.
    assert suggestions["OAT"] == {
        "sku": "OAT",
        "velocity_per_day": Decimal("2.00"),
        "on_hand": 40,
        "reserved": 5,
        "in_transit": 20,
        "cover_days": Decimal("17.5"),
        "suggested_quantity": 77,
    }
    assert suggestions["RYE"]["suggested_quantity"] == 0 and suggestions["RYE"]["cover_days"] is None


# --- admin ---------------------------------------------------------------------------------------


@pytest.fixture
def staff(client):
    client.force_login(get_user_model().objects.create_superuser("ops", "ops@example.com", "pw"))
    return client


def test_handoff_reports_and_goods_abroad_lists_run_a_fixed_number_of_queries(
    staff, remote, django_assert_max_num_queries
):
    def report(n):
        end = timezone.now() + n * DAY
        lines = [stock_line(f"LIST-{i}", 0) for i in range(n)]
        service.record_stock_report(partnership=remote.partnership, payload=report_payload(lines, end=end))

    report(2)
    with django_assert_max_num_queries(12):
        small = staff.get("/admin/logistics/goodsabroad/")
    with django_assert_max_num_queries(12):
        staff.get("/admin/logistics/handoffreport/")
    for n in range(3, 8):
        report(n)
    with django_assert_max_num_queries(12):
        large = staff.get("/admin/logistics/goodsabroad/?differs=no")
    with django_assert_max_num_queries(12):
        reports = staff.get("/admin/logistics/handoffreport/")
    detail = staff.get(f"/admin/logistics/handoffreport/{HandoffReport.objects.first().pk}/change/")

    assert small.status_code == large.status_code == reports.status_code == detail.status_code == 200
    assert large.content.decode().count("LIST-") == 7
    assert "LIST-6" in detail.content.decode()


def test_a_stock_report_under_its_former_name_is_still_applied_for_one_release(api, remote):
    # A partner still on the previous release sends "logistics.stock_report" (crossborder.messages.FORMER_NAMES).
    end = timezone.now()
    payload = report_payload([stock_line("BOTTLE-3", 4, 0)], end=end, start=end - DAY)

    response = remote.post_message(api, "logistics.stock_report", payload)

    assert response.status_code == 200, response.content
    assert body_json(response)["type"] == "logistics.stock_report"  # the reply names what it answers
    assert GoodsAbroad.objects.get(partnership=remote.partnership, sku="BOTTLE-3").on_hand == 4
    assert InboxMessage.objects.get(partner=remote.partner).message_type == "stock.report"


def test_the_handoff_sends_the_protocol_names_never_the_former_ones(remote):
    level = make_level(owner=remote.partner, sku="BOTTLE-4", on_hand=5)
    sell(level, 1)

    service.send_handoff(partnership=remote.partnership, now=timezone.now())

    assert set(OutboxMessage.objects.values_list("message_type", flat=True)) == {"sales.report", "stock.report"}
