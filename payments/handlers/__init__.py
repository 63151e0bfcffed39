"""Payments' start-up registrations: partner message types, the catalog page section, and the
shop's reaction to a payment that secured its money."""

from . import (  # noqa: F401
    orders,
    pages,
    paying,
    settlement,
)
