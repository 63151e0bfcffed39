"""The Celery app of one platform instance; tasks live in each app's tasks.py."""

import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossborder.settings")

app = Celery("crossborder")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def redact_tokens_in_worker_logs(logger, **kwargs):
    """Celery replaces the root logger's handlers with its own (and the task logger's): they get the
    same token-masking filter as settings.LOGGING's console handler (crossborder/logs.py)."""
    from .logs import RedactTokens

    for handler in logger.handlers:
        if not any(isinstance(existing, RedactTokens) for existing in handler.filters):
            handler.addFilter(RedactTokens())
