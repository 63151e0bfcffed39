"""Receivers of the partner zone's partner messages, one module per area; each calls one service."""

from . import campaigns, images, pages, pricing, recommendations, sync  # noqa: F401
