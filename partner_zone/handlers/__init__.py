"""Receivers of the partner zone's partner messages, one module per area; each calls one service."""

from . import campaigns, images, pages, recommendations, sync  # noqa: F401
