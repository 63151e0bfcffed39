"""After-sales in the admin, one module per area: `reviews` (moderation), `resale` (returned units'
dispositions, and the partners' dispositions of our goods returned there)."""

from . import resale, reviews  # noqa: F401
