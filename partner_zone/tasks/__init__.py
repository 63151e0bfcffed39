"""Celery tasks of the partner zone, one module per area (Celery finds them through this package)."""

from .campaigns import *  # noqa: F403
from .images import *  # noqa: F403
from .pricing import *  # noqa: F403
from .recommendations import *  # noqa: F403
from .sync import *  # noqa: F403
