"""Celery tasks of after-sales, one module per area (Celery finds them through this package)."""

from .service import *  # noqa: F403
