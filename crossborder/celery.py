"""The Celery app of one platform instance; tasks live in each app's tasks.py."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossborder.settings")

app = Celery("crossborder")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _refuse_to_start_on_check_errors(process):
    """In production a worker or beat with a failing system check (a sandbox payment provider, a
    default secret) stops before it takes or sends a task: Celery's own start-up runs the checks but
    ignores what they find. SystemExit, because Celery logs and swallows a handler's exceptions."""
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from .checks import refuse_to_start_on_errors

    refuse_to_start_on_errors(process)


@signals.worker_init.connect
def refuse_to_start_worker(sender=None, **kwargs):
    _refuse_to_start_on_check_errors("The Celery worker")


@signals.beat_init.connect
def refuse_to_start_beat(sender=None, **kwargs):
    _refuse_to_start_on_check_errors("Celery beat")


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def redact_tokens_in_worker_logs(logger, **kwargs):
    """Celery replaces the root logger's handlers with its own (and the task logger's): they get the
    same token-masking filter as settings.LOGGING's console handler (crossborder/logs.py)."""
    from .logs import RedactTokens

    for handler in logger.handlers:
        if not any(isinstance(existing, RedactTokens) for existing in handler.filters):
            handler.addFilter(RedactTokens())
