"""After-sales in the admin, one module per area: `returns` (returns, and the returns partners
report of our goods), `resale` (returned units' dispositions, and the partners' dispositions of our
goods returned there), `reviews` (moderation), `service` (local
service providers and tickets)."""

from . import resale, returns, reviews, service  # noqa: F401
