"""Test URLconf: the project's URLs plus the logistics staff pages at /logistics/ (until the project
mounts them itself; then this adds nothing)."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import URLResolver, include, path

from crossborder.urls import urlpatterns as project_urlpatterns


def _mounted(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver) and (
            pattern.namespace == "logistics" or _mounted(getattr(pattern, "url_patterns", []))
        ):
            return True
    return False


urlpatterns = list(project_urlpatterns)
if not _mounted(urlpatterns):
    urlpatterns += i18n_patterns(path("logistics/", include("logistics.urls")), prefix_default_language=False)
