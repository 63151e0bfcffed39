"""Computing scores: every watched partner's (from this platform's records) and every prospect's
(from its figures), each kind one new PartnerScore row (the history), one transaction per run."""

from django.db import transaction
from django.utils import timezone

from .. import scoring, selectors
from ..models import PartnerScore, Prospect
from .policy import current_policy


def _rows(figures, policy, now, **owner):
    return [
        PartnerScore(
            kind=kind,
            value=score.value,
            parts=[part.as_json() for part in score.parts],
            computed_at=now,
            **owner,
        )
        for kind in scoring.KINDS
        for score in (scoring.compute(kind, figures, policy),)
    ]


@transaction.atomic
def score_prospect(*, prospect, now=None):
    """Score one prospect from its stored figures; returns its three new rows."""
    policy = current_policy()
    figures = scoring.parse_figures(prospect.figures)
    return PartnerScore.objects.bulk_create(_rows(figures, policy, now or timezone.now(), prospect=prospect))


@transaction.atomic
def score_partners(*, now=None, partners=None):
    """Score every watched partner (or those with these codes) and every prospect at `now`; returns
    the new rows."""
    now = now or timezone.now()
    policy = current_policy()
    rows = []
    for partnership in selectors.watched_partnerships():
        if partners and partnership.partner.code not in partners:
            continue
        figures = selectors.partner_figures(partnership=partnership, policy=policy, now=now)
        rows += _rows(figures, policy, now, partner=partnership.partner)
    if not partners:
        for prospect in Prospect.objects.all():
            rows += _rows(scoring.parse_figures(prospect.figures), policy, now, prospect=prospect)
    return PartnerScore.objects.bulk_create(rows)
