"""Nothing but the stock service writes stock (ADR 0011). An import contract cannot say who
writes a table, so this reads the apps' source: a count of StockLevel, StockMovement, Reservation
or StockLot, or the storefront's available figure (ProductVariant.stock), changed anywhere but
logistics/services/stock.py fails the suite. Migrations are exempt (they run once, in order)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["crossborder", "catalog", "logistics", "partner_zone", "payments", "aftersales", "partners"]
STOCK_SERVICE = ROOT / "logistics" / "services" / "stock.py"

CREATES = re.compile(
    r"\b(StockLevel|StockMovement|StockLot|Reservation)\.objects\.(create|bulk_create|get_or_create|update_or_create)\b"
)
INCREMENTS = re.compile(r"\.(on_hand|reserved|picked|remaining)\s*[-+]?=(?!=)")
UPDATE = re.compile(r"\.update\(")
COUNT_ARGUMENT = re.compile(r"\b(on_hand|reserved|picked|remaining|stock)\s*=(?!=)")


def _arguments(text, start):
    """The text of a call's arguments from just after its opening parenthesis."""
    depth = 1
    for end in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        if not depth:
            return text[start:end]
    return text[start:]


def stock_writes(text):
    """The stock writes in `text`: creations of stock rows, counts set or incremented on an
    object, and UPDATEs (over one or several lines) that set a count."""
    found = [match.group(0) for match in CREATES.finditer(text)]
    found += [match.group(0) for match in INCREMENTS.finditer(text)]
    for match in UPDATE.finditer(text):
        arguments = _arguments(text, match.end())
        if COUNT_ARGUMENT.search(arguments):
            found.append(f".update({arguments})")
    return found


def app_sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts and path != STOCK_SERVICE:
                yield path


def test_only_the_stock_service_writes_stock_counts():
    found = {
        str(path.relative_to(ROOT)): writes for path in app_sources() if (writes := stock_writes(path.read_text()))
    }
    assert found == {}


def test_the_check_sees_the_writes_it_forbids():
    for write in [
        'StockLevel.objects.filter(pk=1).update(\n    on_hand=F("on_hand") - 1,\n)',
        "StockMovement.objects.create(stock=level, kind='received')",
        "Reservation.objects.bulk_create(rows)",
        "ProductVariant.objects.filter(sku=sku).update(stock=5)",
        "level.reserved += 2",
        'StockLot.objects.filter(pk=lot.pk).update(remaining=F("remaining") - 1)',
    ]:
        assert stock_writes(write), write
    for read in [
        "level.on_hand == 3",
        'queryset.exclude(on_hand=F("expected_on_hand"))',
        "StockLevel.objects.filter(on_hand__gt=0)",
        'PartnerListing.objects.filter(pk=1).update(direct_stock=F("direct_stock") + 1)',
    ]:
        assert stock_writes(read) == [], read
    assert stock_writes(STOCK_SERVICE.read_text())
