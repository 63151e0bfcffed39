"""The Celery app of one platform instance; tasks live in each app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossborder.settings")

app = Celery("crossborder")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
