"""Partner messages this app receives, one module per area (imported by AppConfig.ready)."""

from . import messages  # noqa: F401
