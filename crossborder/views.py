"""The public health check of the platform core (storefront pages live in the catalog)."""

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from .models import OutboxMessage


@never_cache
def health(request):
    """For load balancers and ops: the database answers; how much waits in the outbox."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        backlog = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count()
    except Exception as exc:
        return JsonResponse({"status": "error", "database": str(exc.__class__.__name__)}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "outbox_backlog": backlog})


@never_cache
def live(request):
    """Liveness: the process answers, without touching the database (also the benchmarks' baseline)."""
    return HttpResponse("ok", content_type="text/plain")
