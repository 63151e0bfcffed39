"""The audit trail (django-simple-history) of agreements, exchange rates, rules and dispositions:
who made a change is the signed-in staff user of the request, never a partner platform calling the
partner API (its caller is not a user) and nobody for a background task."""

from django.contrib.auth.base_user import AbstractBaseUser
from simple_history.models import HistoricalRecords


def history_user(instance=None, request=None, **kwargs):
    user = getattr(instance, "_history_user", None) or getattr(request, "user", None)
    return user if isinstance(user, AbstractBaseUser) and user.is_authenticated else None


def audit_trail(**options):
    """The HistoricalRecords of a model whose changes ops must be able to trace."""
    return HistoricalRecords(get_user=history_user, **options)
