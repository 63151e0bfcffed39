"""The Django project and the platform core: identity, partners, partnerships, the partner API."""

from .celery import app as celery_app

__all__ = ("celery_app",)
