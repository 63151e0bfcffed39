"""Storefront pages of the platform core (home) and the public health check."""

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from . import selectors
from .models import OutboxMessage


def home(request):
    return render(request, "storefront/home.html", {"partnerships": selectors.live_partnerships()})


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
