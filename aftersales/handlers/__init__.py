"""After-sales' start-up registrations: partner message types and subscriptions to earlier apps'
hooks, one module per area."""

from . import reviews  # noqa: F401
