"""Request rates per client for the APIs: DRF throttles counted in the cache (per process in
memory on the embedded default; shared in Redis with CROSSBORDER_CACHE_URL, which production needs
for one count across web processes)."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .http import client_ip


class ClientRateThrottle(SimpleRateThrottle):
    """At most a rate of requests per client: per account when signed in, else per IP address.
    The rate is read from the settings dict `rates_setting` under `scope` on every request, so a
    changed setting applies at once."""

    rates_setting = ""

    def __init__(self):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_rate(self):
        return getattr(settings, self.rates_setting)[self.scope]

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ident = f"user:{user.pk}"
        else:
            ident = f"ip:{client_ip(request) or 'unknown'}"
        return self.cache_format % {"scope": f"{self.rates_setting}:{self.scope}", "ident": ident}


class PartnerRateThrottle(SimpleRateThrottle):
    """At most CROSSBORDER_PARTNER_API_RATE requests per partner (per address for a proposal,
    which has no partner yet) on the partner API: past it 429 `throttled` with Retry-After."""

    scope = "partner_api"

    def get_rate(self):
        return settings.PARTNER_API["RATE"]

    def get_cache_key(self, request, view):
        partner = getattr(getattr(request, "user", None), "partner", None)
        ident = f"partner:{partner.pk}" if partner is not None else f"ip:{client_ip(request) or 'unknown'}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
