"""Fixtures of the after-sales tests."""

from .service_factories import service_shop  # noqa: F401
