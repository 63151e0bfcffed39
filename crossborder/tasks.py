"""Celery tasks of the platform core: thin, idempotent wrappers over the relay and services."""

from celery import shared_task
from django.utils import timezone

from . import outbox, services
from .models import SeenNonce


@shared_task(name="crossborder.tasks.relay_partnership_outbox", acks_late=True)
def relay_partnership_outbox(partnership_id):
    result = outbox.relay_partnership(partnership_id)
    return {"delivered": result.delivered, "rejected": result.rejected, "failed": result.failed}


@shared_task(name="crossborder.tasks.relay_all_outboxes", acks_late=True)
def relay_all_outboxes():
    result = outbox.relay_all()
    services.promote_next_signing_key()
    return {"delivered": result.delivered, "rejected": result.rejected, "failed": result.failed}


@shared_task(name="crossborder.tasks.purge_seen_nonces")
def purge_seen_nonces():
    deleted, _ = SeenNonce.objects.filter(expires_at__lt=timezone.now()).delete()
    services.retire_previous_signing_keys()
    return deleted


@shared_task(name="crossborder.tasks.send_notification", acks_late=True)
def send_notification(pk):
    from . import notifications

    return notifications.send(pk)


@shared_task(name="crossborder.tasks.send_due_notifications")
def send_due_notifications():
    from . import notifications

    return notifications.send_due()
