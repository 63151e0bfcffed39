"""The partner zone in the admin, one module per area."""

from . import campaigns, pricing, recommendations, sync  # noqa: F401
