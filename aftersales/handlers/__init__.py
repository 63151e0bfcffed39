"""After-sales' start-up registrations (hook subscriptions, partner message types), one module per area."""

from . import service  # noqa: F401
