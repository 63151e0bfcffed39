"""Partner messages this app receives and the hooks it subscribes to, one module per area
(imported by AppConfig.ready)."""

from . import activation, messages  # noqa: F401
