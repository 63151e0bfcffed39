"""Logistics in the admin, one module per area."""

from . import ageing, first_leg, handoff, last_leg  # noqa: F401
