"""A merchant statement as pages ask for it: the period from the query string (a month, `?month=
2026-12`, default the current one) and the currency, and the statement as a CSV download."""

import calendar
import datetime as dt
import io

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone

from crossborder import money, spreadsheets

from . import selectors


def month_bounds(value, *, now=None):
    """(first instant, first instant of the next month, 'YYYY-MM') of the month `value` names, in the
    platform's time zone; the current month when `value` is missing or not a month."""
    now = timezone.localtime(now)
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        dt.date(year, month, 1)
    except ValueError:
        year, month = now.year, now.month
    zone = timezone.get_current_timezone()
    start = dt.datetime(year, month, 1, tzinfo=zone)
    end = start + dt.timedelta(days=calendar.monthrange(year, month)[1])
    return start, end.replace(day=1), f"{year:04d}-{month:02d}"


def from_request(request, merchant):
    start, end, month = month_bounds(request.GET.get("month"))
    known = selectors.currencies(merchant)
    currency = request.GET.get("currency")
    if currency not in known:
        currency = known[0] if known else settings.PLATFORM_CURRENCY
    found = selectors.statement(merchant=merchant, currency=currency, start=start, end=end)
    found.month = month
    found.currencies = known
    return found


def _shown(amount, currency):
    return money.quantize(amount, currency)


def csv_text(statement):
    out = io.StringIO()
    writer = spreadsheets.CsvWriter(out)
    currency = statement.currency
    writer.writerow(["date", "kind", "reference", "memo", "currency", "amount", "balance"])
    writer.writerow(
        [
            statement.start.date().isoformat(),
            "opening balance",
            "",
            "",
            currency,
            "",
            _shown(statement.opening, currency),
        ]
    )
    for line in statement.lines:
        writer.writerow(
            [
                timezone.localtime(line.recorded_at).isoformat(timespec="seconds"),
                line.kind,
                line.event_reference,
                line.memo,
                currency,
                _shown(line.amount, currency),
                _shown(line.balance, currency),
            ]
        )
    writer.writerow(
        [
            timezone.localtime(statement.last_day).date().isoformat(),
            "closing balance",
            "",
            "",
            currency,
            "",
            _shown(statement.closing, currency),
        ]
    )
    return out.getvalue()


def csv_response(statement):
    response = HttpResponse(csv_text(statement), content_type="text/csv; charset=utf-8")
    name = f"statement-{statement.merchant.slug}-{statement.month}-{statement.currency}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
