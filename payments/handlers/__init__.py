"""Payments' partner message types, registered when the app is ready."""

from . import (  # noqa: F401
    orders,
    pages,
    settlement,  # noqa: F401
)
