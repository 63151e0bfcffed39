"""After-sales in the admin, one module per area."""

from . import reviews  # noqa: F401
