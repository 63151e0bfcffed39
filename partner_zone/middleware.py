"""Sends a new anonymous shopper's history id back as a signed cookie (recommendations.shopper_for
makes it when a first view or search is recorded): no session row for a visitor who only browses."""

from django.conf import settings

from .services import recommendations


class HistoryCookieMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "_history_id_is_new", False):
            response.set_signed_cookie(
                recommendations.HISTORY_COOKIE,
                request._history_id,
                salt=recommendations.HISTORY_COOKIE_SALT,
                max_age=settings.PARTNER_ZONE["HISTORY_RETENTION_DAYS"] * 86400,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
