"""The payments admin, one module per area."""

from . import ledger, merchants, orders, payment, settlement  # noqa: F401
