"""After-sales admin, one module per area (docs/adr/0017): `returns` (returns and the returns
partners report of our goods)."""

from . import returns  # noqa: F401
