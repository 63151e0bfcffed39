"""Prospective partners: their figures entered by ops or received in a `partner.metrics` message,
validated (impossible values refused with the reason, nothing stored) and scored at once."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crossborder import services as core

from .. import scoring
from ..errors import PartnersError
from ..errors import PartnersErrorCode as Code
from ..models import Prospect
from .scores import score_prospect

METRICS_MESSAGE = "partner.metrics"


@transaction.atomic
def save_prospect(*, code, name, figures, country="", source=Prospect.Source.OPS, partner=None, now=None):
    """Create or replace a prospect's figures and score it. Returns (prospect, its new scores)."""
    code = str(code or "").strip().lower()
    if not code or len(code) > 20 or not code.replace("-", "").replace("_", "").isalnum():
        raise PartnersError(
            Code.INVALID_FIGURES, _("A prospect needs a short code (letters, digits, -)."), field="code"
        )
    name = str(name or "").strip()
    if not name or len(name) > 120:
        raise PartnersError(Code.INVALID_FIGURES, _("A prospect needs a name of at most 120 characters."), field="name")
    parsed = scoring.parse_figures(figures)
    prospect, _created = Prospect.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "country": str(country or "")[:2].upper(),
            "figures": parsed.as_json(),
            "source": source,
            "partner": partner,
            "updated_at": now or timezone.now(),
        },
    )
    return prospect, score_prospect(prospect=prospect, now=now)


def receive_metrics(*, partnership, payload):
    """A platform's own figures, sent signed when it links: kept as its prospect entry."""
    partner = partnership.partner
    return save_prospect(
        code=partner.code,
        name=partner.name,
        country=partner.country,
        figures=payload["figures"],
        source=Prospect.Source.MESSAGE,
        partner=partner,
    )


@transaction.atomic
def send_metrics(*, partnership, figures):
    """Send our own figures to a platform we link with (`partner.metrics`), validated as the
    receiver will; refused naming the figure, nothing queued."""
    parsed = scoring.parse_figures(figures)
    return core.send_to_partner(partnership, METRICS_MESSAGE, {"figures": parsed.as_json()})
