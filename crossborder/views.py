"""The public health check of the platform core (storefront pages live in the catalog), and the
404 answer: JSON on the shop API and webhooks, the page elsewhere."""

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
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


# Addresses whose answers are JSON for programs, not pages (the partner API signs its own).
JSON_PREFIXES = ("/api/", "/payments/webhooks/")


def not_found(request, exception=None):
    """handler404 (also for a path segment a converter refuses, such as a token with a NUL)."""
    if request.path_info.startswith(JSON_PREFIXES):
        return JsonResponse({"code": "not_found", "detail": _("No such address."), "field": None}, status=404)
    return render(request, "404.html", status=404)
