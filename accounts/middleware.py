"""Too many sign-in attempts, codes or resets asked for (django-allauth's rate limits, settings
ACCOUNT_RATE_LIMITS): a 429 page in the storefront's look that says so, not a bare 403."""

from allauth.core.exceptions import RateLimited
from django.shortcuts import render


class RateLimitedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RateLimited):
            return render(request, "429.html", status=429)
        return None
