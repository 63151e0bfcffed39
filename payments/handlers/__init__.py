"""Payments' start-up registrations: partner message types, the catalog page section, and the
shop's reaction to a payment that secured its money, the booking of logistics' storage fees, and
the shopper's e-mails about payments and parcels, and the crediting of merchants."""

from . import (  # noqa: F401
    charges,
    merchants,
    notifications,
    orders,
    pages,
    paying,
    settlement,
)
