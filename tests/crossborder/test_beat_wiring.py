"""Every scheduled task names a task the Celery app production runs has registered: a beat entry
whose task nobody defines (a renamed task, a module not autodiscovered) would fire into the void."""

from django.conf import settings

from crossborder.celery import app


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()  # what a worker does at start: autodiscover every app's tasks
    missing = {
        name: entry["task"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items() if entry["task"] not in app.tasks
    }
    assert missing == {}
    # The after-sales schedules are among them (one stands for each area).
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "crossborder.tasks.send_due_notifications",
        "aftersales.send_demand_reports",
        "aftersales.mark_service_breaches",
    } <= tasks
