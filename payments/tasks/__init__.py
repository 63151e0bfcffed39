"""Celery tasks of payments, one module per area (Celery finds them through this package)."""

from .checkout import *  # noqa: F403
from .merchants import *  # noqa: F403
from .payment import *  # noqa: F403
from .settlement import *  # noqa: F403
