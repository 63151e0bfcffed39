"""Celery tasks of the partner zone: recommendations (thin wrappers over services)."""

from celery import shared_task

from partner_zone.services import recommendations

__all__ = ["purge_history", "refresh_popularity"]


@shared_task(name="partner_zone.purge_history")
def purge_history():
    """Delete history older than the retention; idempotent (a second run finds nothing older)."""
    return recommendations.purge_history()


@shared_task(name="partner_zone.refresh_popularity")
def refresh_popularity():
    """Recompute the cached view counts the recommenders rank by, off the request path."""
    return len(recommendations.popularity(refresh=True).views)
