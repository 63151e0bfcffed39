"""The public health check of the platform core (storefront pages live in the catalog), uploaded
media when Django serves them itself (CROSSBORDER_SERVE_MEDIA), and the 404 and 500 answers: JSON
on the shop API and webhooks, the project's page elsewhere, in the language of the URL's prefix
(LocaleMiddleware has chosen it before any view runs)."""

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.static import serve

from .models import OutboxMessage
from .uploads import IMAGE_CONTENT_TYPES

logger = logging.getLogger(__name__)


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


# Even an image is shown in a document of its own: no script, no plugin, no frame, nothing fetched.
MEDIA_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def media(request, path):
    """A file under MEDIA_ROOT, never as a page of our origin: images as their own type, anything
    else as a download, with no type sniffing and a policy that runs nothing."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    if response.status_code == 200 and content_type not in IMAGE_CONTENT_TYPES:
        response["Content-Type"] = "application/octet-stream"
        response["Content-Disposition"] = "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    return response


# Addresses whose answers are JSON for programs, not pages (the partner API signs its own).
JSON_PREFIXES = ("/api/", "/payments/webhooks/")


def not_found(request, exception=None):
    """handler404 (also for a path segment a converter refuses, such as a token with a NUL)."""
    if request.path_info.startswith(JSON_PREFIXES):
        return JsonResponse({"code": "not_found", "detail": _("No such address."), "field": None}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    """handler500: the project's page, which reads nothing from the database (the failure may be
    the database's); if even that page cannot be drawn, a plain one in the same language."""
    if request.path_info.startswith(JSON_PREFIXES):
        detail = _("Something went wrong on our side. Please try again in a moment.")
        return JsonResponse({"code": "server_error", "detail": detail, "field": None}, status=500)
    try:
        return render(request, "500.html", status=500)
    except Exception:
        logger.exception("the 500 page could not be drawn")
    title, text = _("Something went wrong"), _("Something went wrong on our side. Please try again in a moment.")
    return HttpResponseServerError(
        f'<!doctype html><html lang="{escape(get_language())}"><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<h1>{escape(title)}</h1><p>{escape(text)}</p></html>"
    )
