"""The nightly inventory handoff of consignment stock between partners.

The importer (who holds a partner's goods as consignment stock) sends that partner a sales report
(per SKU: units sold, returned to stock, written off and sent back since the last report) and a stock
report (per SKU: on hand, reserved, sellable, sold since the last report, the oldest unit's age and
units per age bucket). Both are aggregated in SQL, a fixed number of queries whatever the number of
SKUs, stored as SENT HandoffReports and queued in the outbox in the same transaction; a long report
travels in parts of LINES_PER_MESSAGE lines (each part carries `part`, `parts`, `offset` and
`total_lines`), so no message comes near the partner API's body size limit.

The exporter records each part once (a part whose `offset` is below the lines already recorded is a
repeat and changes nothing), updates its view of its goods abroad, compares each stock line with what
it expects from its own consignments and the partner's sales reports, and flags differences. From
that view it suggests how much to send next (`replenishment_suggestions`). Recording a part costs the
same whatever came before it: a fixed number of queries per part, running totals kept on GoodsAbroad
(`sold_total`, `removed_total`) instead of re-reading past reports, and a received report that keeps
its first part's lines, not every line so far (`_count_part`)."""

import dataclasses
import datetime as dt
import json
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Min, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from catalog.models import ProductVariant
from crossborder import money
from crossborder.models import Partnership
from crossborder.services import send_to_partner

from .. import selectors
from ..errors import LogisticsErrorCode
from ..models import Consignment, ConsignmentLine, Discrepancy, GoodsAbroad, HandoffReport
from . import LogisticsError, partnership_not_live
from .stock import MAX_UNITS, age_in_days

SALES_REPORT = "sales.report"
STOCK_REPORT = "stock.report"
LINES_PER_MESSAGE = 5000  # about 1 MB of JSON per stock-report part

SALES_FIELDS = ("sold", "returned", "written_off", "sent_back")
WRITE_BATCH = 1000  # rows per INSERT when recording a part
Kind = HandoffReport.Kind
Direction = HandoffReport.Direction


@dataclasses.dataclass
class Handoff:
    """What one handoff run did: the two SENT reports, and how many messages it queued (0 when the
    reports for this period had been sent before)."""

    sales: HandoffReport
    stock: HandoffReport
    messages: int

    @property
    def already_sent(self):
        return self.messages == 0


def _aware(now):
    now = now or timezone.now()
    if timezone.is_naive(now):
        now = timezone.make_aware(now)
    return now


def partnership_start(partnership):
    """The beginning of the first report's period: midnight of the day the partnership started."""
    return timezone.make_aware(dt.datetime.combine(partnership.starts_on, dt.time.min))


def handoff_period_end(now=None):
    """The scheduled handoff time (settings.LOGISTICS HANDOFF_HOUR:HANDOFF_MINUTE, local time) at
    or before `now`: the nightly task reports up to it, so a beat that fires twice reports once."""
    local = timezone.localtime(_aware(now))
    cutoff = local.replace(
        hour=settings.LOGISTICS["HANDOFF_HOUR"], minute=settings.LOGISTICS["HANDOFF_MINUTE"], second=0, microsecond=0
    )
    return cutoff if cutoff <= local else cutoff - dt.timedelta(days=1)


# --- importer side: build and send ---------------------------------------------------------------


def build_reports(*, partnership, now=None):
    """The sales and stock reports of `partnership.partner`'s consignment stock up to `now` (unsaved
    HandoffReports). Our own stock is never included. Four queries whatever the number of SKUs."""
    now = _aware(now)
    owner = partnership.partner
    last_end = (
        HandoffReport.objects.filter(partnership=partnership, kind=Kind.SALES, direction=Direction.SENT)
        .filter(period_end__lt=now)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )
    start = last_end or partnership_start(partnership)

    moved = {
        row["stock__sku"]: row
        for row in selectors.consignment_movements_by_sku(owner=owner, after=start, until=now)
        if any(row[name] for name in SALES_FIELDS)
    }
    sales_lines = [{"sku": sku, **{name: moved[sku][name] for name in SALES_FIELDS}} for sku in sorted(moved)]

    ages = {row["stock__sku"]: row for row in selectors.consignment_ages_by_sku(owner=owner, now=now)}
    buckets = [(key, f"b{i}") for i, key in enumerate(selectors.BUCKET_KEYS)]
    no_age = dict.fromkeys(selectors.BUCKET_KEYS, 0)
    stock_lines = []
    for row in selectors.consignment_stock_by_sku(owner=owner):
        sku = row["sku"]
        age = ages.get(sku)
        stock_lines.append(
            {
                "sku": sku,
                "on_hand": row["on_hand"],
                "reserved": row["reserved"],
                "sellable": row["on_hand"] - row["reserved"],
                "sold_since_last_report": moved[sku]["sold"] if sku in moved else 0,
                "oldest_unit_age_days": age_in_days(age["oldest"], now) if age else None,
                "age_buckets": {key: age[column] for key, column in buckets} if age else dict(no_age),
            }
        )

    def report(kind, lines):
        return HandoffReport(
            partnership=partnership,
            kind=kind,
            direction=Direction.SENT,
            period_start=start,
            period_end=now,
            lines=lines,
            line_count=len(lines),
        )

    return report(Kind.SALES, sales_lines), report(Kind.STOCK, stock_lines)


def _queue_report(partnership, message_type, report):
    """Queue a report in parts of at most LINES_PER_MESSAGE lines; returns the number of parts."""
    lines = report.lines
    parts = max(1, -(-len(lines) // LINES_PER_MESSAGE))
    for index in range(parts):
        offset = index * LINES_PER_MESSAGE
        send_to_partner(
            partnership,
            message_type,
            {
                "period_start": report.period_start.isoformat() if report.period_start else None,
                "period_end": report.period_end.isoformat(),
                "part": index + 1,
                "parts": parts,
                "offset": offset,
                "total_lines": len(lines),
                "lines": lines[offset : offset + LINES_PER_MESSAGE],
            },
        )
    return parts


def send_handoff(*, partnership, now=None):
    """Build this period's two reports for the partner, store them and queue them, in one
    transaction. The same period_end is reported once: a second run returns the stored reports and
    queues nothing. Returns a Handoff, or None when we never held any of the partner's goods."""
    now = _aware(now)
    if not partnership.is_live:
        raise partnership_not_live(partnership, _("reports go only to live partnerships."))
    with transaction.atomic():
        # One handoff at a time per partnership (a beat firing twice, the command run by hand).
        Partnership.objects.select_for_update().filter(pk=partnership.pk).values_list("pk", flat=True).first()
        sent = HandoffReport.objects.filter(partnership=partnership, direction=Direction.SENT)
        existing = {report.kind: report for report in sent.filter(period_end=now)}
        if len(existing) == 2:
            return Handoff(sales=existing[Kind.SALES], stock=existing[Kind.STOCK], messages=0)
        later = sent.filter(period_end__gt=now).order_by("-period_end").values_list("period_end", flat=True).first()
        if later is not None:
            raise LogisticsError(
                LogisticsErrorCode.INVALID,
                _("A handoff up to %(later)s was already sent; a report cannot end earlier, at %(now)s.")
                % {"later": later.isoformat(), "now": now.isoformat()},
                field="now",
                status=409,
            )
        if not selectors.has_consignment_stock(owner=partnership.partner):
            return None
        sales, stock = build_reports(partnership=partnership, now=now)
        HandoffReport.objects.bulk_create([sales, stock])
        messages = _queue_report(partnership, SALES_REPORT, sales) + _queue_report(partnership, STOCK_REPORT, stock)
    return Handoff(sales=sales, stock=stock, messages=messages)


# --- exporter side: record what the partner reported --------------------------------------------


def _refuse(index, field, message):
    return LogisticsError(
        LogisticsErrorCode.REPORT_INVALID,
        _("Line %(index)d: %(problem)s") % {"index": index, "problem": message},
        field=f"lines[{index}].{field}" if field else f"lines[{index}]",
    )


def _count(line, index, field, *, required=True, nullable=False, within=""):
    value = line.get(field)
    if type(value) is int and 0 <= value <= MAX_UNITS:  # the usual case first: 100,000 lines a night
        return value
    if value is None and (nullable or not required):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_UNITS:
        raise _refuse(
            index,
            f"{within}{field}",
            _("%(field)s must be a whole number, 0 or more, not %(value)s.")
            % {"field": field, "value": "missing" if field not in line else repr(value)},
        )
    return value


def _sku(line, index):
    sku = line.get("sku")
    if not isinstance(sku, str) or not sku.strip():
        raise _refuse(index, "sku", _("a SKU is required."))
    if len(sku.strip()) > 64:
        raise _refuse(index, "sku", _("a SKU has at most 64 characters."))
    return sku.strip()


def _valid_lines(kind, lines):
    """The report's lines, checked and normalised; the first bad line is refused by its index."""
    if not isinstance(lines, list):
        raise LogisticsError(LogisticsErrorCode.REPORT_INVALID, _("A report's lines must be a list."), field="lines")
    valid, seen = [], set()
    for index, line in enumerate(lines):
        if not isinstance(line, dict):
            raise _refuse(index, "", _("a line must be an object."))
        sku = _sku(line, index)
        if sku in seen:
            raise _refuse(index, "sku", _("SKU %(sku)s is reported twice.") % {"sku": sku})
        seen.add(sku)
        if kind == Kind.SALES:
            valid.append(
                {
                    "sku": sku,
                    "sold": _count(line, index, "sold"),
                    **{name: _count(line, index, name, required=False) or 0 for name in SALES_FIELDS[1:]},
                }
            )
            continue
        on_hand = _count(line, index, "on_hand")
        reserved = _count(line, index, "reserved")
        if reserved > on_hand:
            raise _refuse(
                index,
                "reserved",
                _("reserved (%(reserved)d) cannot exceed on_hand (%(on_hand)d).")
                % {"reserved": reserved, "on_hand": on_hand},
            )
        buckets = line.get("age_buckets") or {}
        if not isinstance(buckets, dict) or set(buckets) - set(selectors.BUCKET_KEYS):
            raise _refuse(
                index,
                "age_buckets",
                _("age_buckets maps %(keys)s to units.") % {"keys": ", ".join(selectors.BUCKET_KEYS)},
            )
        valid.append(
            {
                "sku": sku,
                "on_hand": on_hand,
                "reserved": reserved,
                "sellable": on_hand - reserved,
                "sold_since_last_report": _count(line, index, "sold_since_last_report", required=False) or 0,
                "oldest_unit_age_days": _count(line, index, "oldest_unit_age_days", nullable=True),
                "age_buckets": {
                    key: _count(buckets, index, key, required=False, within="age_buckets.") or 0
                    for key in selectors.BUCKET_KEYS
                }
                if buckets
                else {},
            }
        )
    return valid


def _moment(payload, field, *, required=True):
    value = payload.get(field)
    if isinstance(value, dt.datetime):
        return _aware(value)
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        if not required and value is None:
            return None
        raise LogisticsError(
            LogisticsErrorCode.REPORT_INVALID,
            _("%(field)s must be an ISO 8601 date and time, not %(value)r.") % {"field": field, "value": value},
            field=field,
        )
    return _aware(parsed)


def _received_report(partnership, kind, period_start, period_end):
    """The RECEIVED report of this period, locked, without its stored lines (never needed here);
    created on its first part."""
    reports = (
        HandoffReport.objects.select_for_update()
        .defer("lines")
        .filter(partnership=partnership, kind=kind, direction=Direction.RECEIVED, period_end=period_end)
    )
    report = reports.first()
    if report is not None:
        return report
    try:
        with transaction.atomic():
            return HandoffReport.objects.create(
                partnership=partnership,
                kind=kind,
                direction=Direction.RECEIVED,
                period_start=period_start,
                period_end=period_end,
            )
    except IntegrityError:  # its first part recorded meanwhile
        return reports.get()


# Our goods abroad are written with one INSERT ... ON CONFLICT DO UPDATE per batch of a part's lines,
# in SQL that PostgreSQL and SQLite both run: running totals grow in the database (sold_total =
# sold_total + new), so two parts recorded at once never lose each other's units, no row is read first,
# and rows are locked in SKU order (no deadlock between a sales and a stock part). Model instances
# for 5,000 rows cost more than the SQL (about 1 s per part); tuples cost next to nothing.
GOODS_COLUMNS = (
    "partnership_id",
    "sku",
    "variant_id",
    "on_hand",
    "reserved",
    "sold_total",
    "sold_last_period",
    "removed_total",
    "oldest_unit_age_days",
    "age_buckets",
    "expected_on_hand",
    "reported_at",
)
KEEP_VARIANT = "COALESCE(excluded.variant_id, {table}.variant_id)"
SALES_ON_CONFLICT = {
    "sold_total": "{table}.sold_total + excluded.sold_total",
    "removed_total": "{table}.removed_total + excluded.removed_total",
    "sold_last_period": "excluded.sold_last_period",
    "variant_id": KEEP_VARIANT,
}
STOCK_ON_CONFLICT = {
    **{
        column: f"excluded.{column}"
        for column in ("on_hand", "reserved", "sold_last_period", "oldest_unit_age_days", "age_buckets", "reported_at")
    },
    # The row's expected_on_hand arrives as units received good; sold and removed come off here.
    "expected_on_hand": "excluded.expected_on_hand - {table}.sold_total - {table}.removed_total",
    "variant_id": KEEP_VARIANT,
}


def _upsert_goods_abroad(rows, on_conflict):
    """Insert `rows` (tuples in GOODS_COLUMNS order) or, for a SKU we already have, set the columns
    of `on_conflict` to their SQL; in batches, in SKU order."""
    quote = connection.ops.quote_name
    table = quote(GoodsAbroad._meta.db_table)
    placeholders = "(" + ", ".join(["%s"] * len(GOODS_COLUMNS)) + ")"
    assignments = ", ".join(f"{quote(column)} = {sql.format(table=table)}" for column, sql in on_conflict.items())
    limit = connection.features.max_query_params
    batch = min(WRITE_BATCH, limit // len(GOODS_COLUMNS)) if limit else WRITE_BATCH
    rows = sorted(rows, key=lambda row: row[1])
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(quote(column) for column in GOODS_COLUMNS)}) "  # noqa: S608 (names are ours)
                f"VALUES {', '.join([placeholders] * len(chunk))} "
                f"ON CONFLICT (partnership_id, sku) DO UPDATE SET {assignments}",
                [value for row in chunk for value in row],
            )


def _record_sales(partnership, lines, variants):
    """Each line's sold units, and its removed units (written off + sent back - returned), added to
    the SKU's running totals: the stock report's expectation reads them, never the stored reports."""
    if variants is None:  # PostgreSQL: the whole part in one statement
        _write_part(partnership, lines, SALES_SELECT, SALES_ON_CONFLICT, columns=SALES_RECORD, extra=[])
        return []
    no_ages = connection.ops.adapt_json_value({}, None)
    _upsert_goods_abroad(
        [
            (
                *(partnership.pk, line["sku"], variants.get(line["sku"]), 0, 0),
                *(line["sold"], line["sold"], line["written_off"] + line["sent_back"] - line["returned"]),
                *(None, no_ages, 0, None),
            )
            for line in lines
        ],
        SALES_ON_CONFLICT,
    )
    return []


def _record_stock(partnership, report, period_end, lines, variants):
    """The partner's counts and ages on each SKU, and a STOCK_REPORT discrepancy for each whose on
    hand differs from received good - sold - removed. A fixed number of queries."""
    if variants is None:  # PostgreSQL: the whole part in one statement, which returns what differs
        differing = _write_part(
            partnership,
            lines,
            STOCK_SELECT,
            STOCK_ON_CONFLICT,
            columns=STOCK_RECORD,
            extra=[period_end, partnership.pk, Consignment.Direction.OUTBOUND, Consignment.Status.RECEIVED],
        )
    else:
        skus = [line["sku"] for line in lines]
        received = selectors.received_good_by_sku(partnership=partnership, skus=skus)
        reported_at = connection.ops.adapt_datetimefield_value(period_end)
        _upsert_goods_abroad(
            [
                (
                    *(partnership.pk, line["sku"], variants.get(line["sku"]), line["on_hand"], line["reserved"]),
                    *(0, line["sold_since_last_report"], 0, line["oldest_unit_age_days"]),
                    connection.ops.adapt_json_value(line["age_buckets"], None),
                    *(received.get(line["sku"], 0), reported_at),
                )
                for line in lines
            ],
            STOCK_ON_CONFLICT,
        )
        differing = (
            GoodsAbroad.objects.filter(partnership=partnership, sku__in=skus)
            .exclude(on_hand=F("expected_on_hand"))
            .order_by("sku")
            .values_list("sku", "expected_on_hand", "on_hand")
        )
    note = _("Stock report of %(end)s: on hand differs from received minus sold and removed.") % {
        "end": period_end.isoformat(timespec="minutes")
    }
    return [
        Discrepancy(
            kind=Discrepancy.Kind.STOCK_REPORT,
            partnership=partnership,
            sku=sku,
            field="on_hand",
            ours=expected,
            theirs=on_hand,
            reference=f"handoff-report:{report.pk}",
            note=note,
        )
        for sku, expected, on_hand in differing
    ]


# On PostgreSQL a part is written by one statement: its lines travel as one JSON parameter, read back
# as rows by jsonb_to_recordset, joined with the variants (and, for stock, the units received good
# from our consignments, as selectors.received_good_by_sku counts them), upserted in SKU order with
# the same ON CONFLICT assignments as above. No per-row parameters, no IN list of 5,000 SKUs built by
# the ORM, and the stock report's differing rows come back from the same statement (RETURNING).
# Measured on a 5,000-line part: five 1,000-row INSERTs and three IN-list queries cost about three
# times the one statement, most of it in building and sending 60,000 parameters.
SALES_RECORD = "sku text, sold integer, returned integer, written_off integer, sent_back integer"
STOCK_RECORD = (
    "sku text, on_hand integer, reserved integer, sold_since_last_report integer, "
    "oldest_unit_age_days integer, age_buckets jsonb"
)
SALES_SELECT = """
    SELECT %s, l.sku, v.id, 0, 0, l.sold, l.sold, l.written_off + l.sent_back - l.returned, NULL, '{{}}'::jsonb, 0, NULL
      FROM lines l LEFT JOIN {variants} v ON v.sku = l.sku
"""
STOCK_SELECT = """
    SELECT %s, l.sku, v.id, l.on_hand, l.reserved, 0, l.sold_since_last_report, 0, l.oldest_unit_age_days,
           l.age_buckets, COALESCE(r.good, 0), %s
      FROM lines l LEFT JOIN {variants} v ON v.sku = l.sku
      LEFT JOIN (
        SELECT cl.sku, SUM(GREATEST(cl.counted - cl.damaged, 0)) AS good
          FROM {consignment_lines} cl JOIN {consignments} c ON c.id = cl.consignment_id
         WHERE c.partnership_id = %s AND c.direction = %s AND c.status = %s AND cl.counted IS NOT NULL
           AND cl.sku IN (SELECT sku FROM lines)
         GROUP BY cl.sku
      ) r ON r.sku = l.sku
"""


def _write_part(partnership, lines, select, on_conflict, *, columns, extra):
    """Upsert a part's goods abroad in one PostgreSQL statement; returns (sku, expected on hand,
    on hand) of the written rows whose on hand differs from what is expected, in SKU order."""
    quote = connection.ops.quote_name
    table = quote(GoodsAbroad._meta.db_table)
    assignments = ", ".join(f"{quote(column)} = {sql.format(table=table)}" for column, sql in on_conflict.items())
    names = {
        "variants": ProductVariant._meta.db_table,
        "consignment_lines": ConsignmentLine._meta.db_table,
        "consignments": Consignment._meta.db_table,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH lines AS (SELECT * FROM jsonb_to_recordset(%s::jsonb) AS l({columns})), "  # noqa: S608 (names are ours)
            f"written AS (INSERT INTO {table} ({', '.join(quote(column) for column in GOODS_COLUMNS)}) "
            f"{select.format(**{key: quote(name) for key, name in names.items()})} ORDER BY l.sku "
            f"ON CONFLICT (partnership_id, sku) DO UPDATE SET {assignments} "
            "RETURNING sku, expected_on_hand, on_hand) "
            "SELECT sku, expected_on_hand, on_hand FROM written WHERE on_hand <> expected_on_hand ORDER BY sku",
            [json.dumps(lines), partnership.pk, *extra],
        )
        return cursor.fetchall()


def _count_part(report, lines, *, offset, flagged, period_start):
    """Count a recorded part on its report, in one UPDATE; the caller holds the report's row lock
    and has checked the part's offset, so each part counts once and in order.

    A received report keeps the lines of its first part only: the whole report when it fits in one
    part, as most do, and otherwise its first LINES_PER_MESSAGE lines for people to look at. Later
    parts are applied (GoodsAbroad holds their effect: latest counts and running totals; the
    discrepancies hold what differed) and counted, not stored. Appending them instead rewrites the
    whole stored JSON on every part, even with PostgreSQL's `lines || new` (a jsonb value is written
    whole): the 20th part of a 100,000-line stock report paid for the nineteen before it, several
    seconds per nightly handoff, growing with the square of the report. The complete report is the
    partner's SENT one."""
    changes = {"line_count": F("line_count") + len(lines), "discrepancies": F("discrepancies") + flagged}
    if offset == 0:
        changes["lines"] = lines
    if period_start and report.period_start is None:
        changes["period_start"] = period_start
    HandoffReport.objects.filter(pk=report.pk).update(**changes)


def _record(partnership, kind, payload):
    period_start = _moment(payload, "period_start", required=False)
    period_end = _moment(payload, "period_end")
    offset = payload.get("offset", 0)
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise LogisticsError(
            LogisticsErrorCode.REPORT_INVALID, _("offset must be a whole number, 0 or more."), field="offset"
        )
    lines = _valid_lines(kind, payload.get("lines"))
    with transaction.atomic():
        report = _received_report(partnership, kind, period_start, period_end)
        if offset < report.line_count:  # a part recorded before: changes nothing
            return report
        if offset > report.line_count:
            raise LogisticsError(
                LogisticsErrorCode.REPORT_INVALID,
                _("This part starts at line %(offset)d but only %(count)d lines of the report arrived.")
                % {"offset": offset, "count": report.line_count},
                field="offset",
                status=409,
            )
        variants = (
            None  # looked up by the statement that writes the part
            if connection.vendor == "postgresql"
            else dict(ProductVariant.objects.filter(sku__in=[line["sku"] for line in lines]).values_list("sku", "pk"))
        )
        if kind == Kind.SALES:
            flagged = _record_sales(partnership, lines, variants)
        else:
            flagged = _record_stock(partnership, report, period_end, lines, variants)
        Discrepancy.objects.bulk_create(flagged, batch_size=WRITE_BATCH)
        _count_part(report, lines, offset=offset, flagged=len(flagged), period_start=period_start)
    return HandoffReport.objects.defer("lines").get(pk=report.pk)


def record_sales_report(*, partnership, payload):
    """The partner's consignment sales report (or one part of it): adds each SKU's sold units to our
    goods abroad once, however often the same part arrives."""
    return _record(partnership, Kind.SALES, payload)


def record_stock_report(*, partnership, payload):
    """The partner's stock report (or one part of it): our goods abroad take its counts and ages;
    each SKU whose on hand differs from what we expect opens a STOCK_REPORT discrepancy."""
    return _record(partnership, Kind.STOCK, payload)


# --- exporter side: what to send next ------------------------------------------------------------


def replenishment_suggestions(*, partnership, now=None, lead_time_days=None, target_cover_days=None):
    """Per SKU of our goods abroad, how many units to send in the next consignment.

    velocity = units sold in all the partner's reports / whole days since the first report's period
    began (at least one day); we want enough sellable units for lead time + target cover days:
    suggested = max(0, ceil(velocity * (lead_time + target_cover)) - (on_hand - reserved) - in transit),
    where in transit is what our consignments with a notice sent, not yet received, carry."""
    now = _aware(now)
    lead = settings.LOGISTICS["LEAD_TIME_DAYS"] if lead_time_days is None else lead_time_days
    cover = settings.LOGISTICS["TARGET_COVER_DAYS"] if target_cover_days is None else target_cover_days
    first = HandoffReport.objects.filter(
        partnership=partnership, kind=Kind.SALES, direction=Direction.RECEIVED
    ).aggregate(start=Min("period_start"), end=Min("period_end"))
    since = first["start"] or first["end"] or partnership_start(partnership)
    days = max((now - since) // dt.timedelta(days=1), 1)
    in_transit = dict(
        ConsignmentLine.objects.filter(
            consignment__partnership=partnership,
            consignment__direction=Consignment.Direction.OUTBOUND,
            consignment__status=Consignment.Status.NOTIFIED,
        )
        .values("sku")
        .annotate(units=Sum("quantity"))
        .order_by()
        .values_list("sku", "units")
    )
    suggestions = []
    for row in GoodsAbroad.objects.filter(partnership=partnership).order_by("sku"):
        velocity = Decimal(row.sold_total) / days
        sellable = row.on_hand - row.reserved
        needed = -(-row.sold_total * (lead + cover) // days)  # ceil, in whole numbers
        transit = in_transit.get(row.sku, 0)
        suggestions.append(
            {
                "sku": row.sku,
                "velocity_per_day": money.round_to(velocity, 2),
                "on_hand": row.on_hand,
                "reserved": row.reserved,
                "in_transit": transit,
                "cover_days": money.round_to(Decimal(sellable * days) / row.sold_total, 1) if row.sold_total else None,
                "suggested_quantity": max(0, needed - sellable - transit),
            }
        )
    return suggestions
