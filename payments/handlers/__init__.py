"""Payments' start-up registrations: partner message types, the catalog page section, and the
shop's reaction to a payment that secured its money, and the booking of logistics' storage fees."""

from . import (  # noqa: F401
    charges,
    orders,
    pages,
    paying,
    settlement,
)
