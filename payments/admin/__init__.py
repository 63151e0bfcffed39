"""The payments admin, one module per area."""

from . import ledger, orders, payment, settlement  # noqa: F401
