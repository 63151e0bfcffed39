"""Factories for logistics tests: warehouses and stock levels."""

import itertools

from logistics.models import Warehouse
from logistics.services import stock

_counter = itertools.count(1)


def make_warehouse(code=None, country="CN", **extra):
    n = next(_counter)
    return Warehouse.objects.create(
        code=code or f"wh-{n}",
        name=extra.pop("name", f"Warehouse {n}"),
        operator=extra.pop("operator", "us"),
        address=extra.pop("address", f"{n} Harbour Road"),
        country=country,
        **extra,
    )


def make_level(warehouse=None, sku=None, owner=None, on_hand=0, **extra):
    warehouse = warehouse or make_warehouse()
    level = stock.stock_level(warehouse=warehouse, sku=sku or f"SKU-{next(_counter)}", owner=owner, **extra)
    if on_hand:
        stock.receive(level, on_hand, reference=f"test-receipt-{next(_counter)}")
    return level
