"""Receivers of logistics' partner messages, one module per area; each calls one service."""

from . import ageing, first_leg, handoff, last_leg  # noqa: F401
