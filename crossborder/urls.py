"""Root URLs: storefront (per language), admin, the partner API and its schema."""

from csp.decorators import csp_update
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from . import partner_api, views
from .admin import partner_status_view, sent_mail_view

admin.site.site_header = _("Cross-border ops")
admin.site.site_title = _("Cross-border ops")
handler404 = "crossborder.views.not_found"
handler500 = "crossborder.views.server_error"

partner_api_v1 = [
    path("messages/", partner_api.MessageInboxView.as_view(), name="messages"),
    path("messages/batch/", partner_api.MessageBatchView.as_view(), name="messages-batch"),
    path("partnerships/", partner_api.PartnershipProposalView.as_view(), name="partnership-proposal"),
    path("health/", partner_api.PartnerHealthView.as_view(), name="health"),
    # Later apps' partner endpoints (included by dotted path: the core never imports them).
    path("", include("catalog.partner_api_urls")),
]

urlpatterns = [
    path("health/", views.health, name="health"),
    path("health/live/", views.live, name="health-live"),
    path("partner-api/v1/", include((partner_api_v1, "partner_api"))),
    # Any other address under the partner API is its signed JSON 404, not a page.
    re_path(r"^partner-api/", partner_api.PartnerNotFoundView.as_view(), name="partner-api-not-found"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The docs' UIs under the Content-Security-Policy: Swagger UI's start-up script is a separate
    # request (the split view), its styles are inline; Redoc styles inline and runs a blob: worker.
    # Nothing is loaded from another origin (Redoc's web fonts fall back to the system's).
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        csp_update(
            {
                "style-src": ["'unsafe-inline'"],
                "worker-src": ["blob:"],
            }
        )(SpectacularRedocView.as_view(url_name="schema")),
        name="api-redoc",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/partner-status/", admin.site.admin_view(partner_status_view), name="partner-status"),
    path("admin/sent-mail/", admin.site.admin_view(sent_mail_view), name="sent-mail"),
    # The ops dashboard (the top-layer app, included by dotted path: the core never imports it).
    path("admin/dashboard/", include("dashboard.urls")),
    path("admin/", admin.site.urls),
    path("payments/webhooks/", include("payments.providers.webhook_urls")),
    path("api/shop/v1/", include("payments.shop.api_urls")),
]

if settings.SERVE_MEDIA:
    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", views.media, name="media"))

# The shoppers' pages first: a cached listing page is served in about the time of the trivial view,
# and resolving its address after every other app's patterns was a good part of it. No other
# pattern can match theirs (the storefront's are the home page, c/, p/ and search/; the zone's are
# under zone/).
urlpatterns += i18n_patterns(
    path("", include("catalog.urls")),
    path("zone/", include("partner_zone.urls")),
    path("merchant/", include("catalog.merchant_urls")),
    path("logistics/", include("logistics.urls")),
    path("reviews/", include("aftersales.reviews.urls")),
    path("returns/", include("aftersales.urls")),
    path("service/", include("aftersales.service.urls")),
    # Shopper accounts: "My account" pages, then django-allauth's sign-up, sign-in and verification.
    path("account/", include("accounts.urls")),
    path("account/", include("allauth.urls")),
    path("", include("payments.urls")),
    prefix_default_language=False,
)
