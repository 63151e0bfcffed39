"""Partner scores and compliance in the background: thin wrappers over services, under names that
never change."""

from celery import shared_task

__all__ = ["check_compliance", "score_partners", "send_metrics"]


@shared_task(name="partners.score_partners")
def score_partners():
    from ..services import scores

    return len(scores.score_partners())


@shared_task(name="partners.check_compliance")
def check_compliance():
    from ..services import compliance

    results = compliance.check_compliance()
    return {code: len(result["breaches"]) for code, result in results.items()}


@shared_task(name="partners.send_metrics")
def send_metrics():
    """Our own figures to every live partner (monthly), refreshing what they score us by."""
    from ..services import prospects

    return prospects.send_own_metrics_to_partners()
