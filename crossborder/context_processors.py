"""Template context every page gets: which platform this is."""

from django.conf import settings


def platform(request):
    return {
        "platform": {
            "code": settings.PLATFORM_CODE,
            "name": settings.PLATFORM_NAME,
            "country": settings.PLATFORM_COUNTRY,
            "currency": settings.PLATFORM_CURRENCY,
        }
    }
