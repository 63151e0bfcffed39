"""Celery tasks of logistics, one module per area (Celery finds them through this package)."""

from .ageing import *  # noqa: F403
from .first_leg import *  # noqa: F403
from .handoff import *  # noqa: F403
from .last_leg import *  # noqa: F403
