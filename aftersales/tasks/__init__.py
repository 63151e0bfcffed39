"""After-sales' background work, one module per area (Celery finds them through this package):
thin wrappers over services, under names that never change."""

from .demand import *  # noqa: F403
from .service import *  # noqa: F403
