"""After-sales in the admin, one module per area: `resale` (returned units' dispositions, and the
partners' dispositions of our goods returned there)."""

from . import resale  # noqa: F401
