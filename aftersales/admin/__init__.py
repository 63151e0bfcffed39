"""After-sales in the admin, one module per area."""

from . import service  # noqa: F401
