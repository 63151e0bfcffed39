"""Receivers of logistics' partner messages, one module per area; each calls one service. `stock`
subscribes the stock service to the catalog's stock port."""

from . import abroad, ageing, first_leg, handoff, last_leg, stock  # noqa: F401
