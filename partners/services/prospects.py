"""Prospective partners: their figures entered by ops or received in a `partner.metrics` message,
validated (impossible values refused with the reason, nothing stored) and scored at once."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crossborder import services as core
from crossborder.errors import DomainError
from crossborder.models import Partnership

from .. import scoring, selectors
from ..errors import PartnersError
from ..errors import PartnersErrorCode as Code
from ..models import Prospect
from .policy import current_policy
from .scores import score_prospect

logger = logging.getLogger(__name__)

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


@transaction.atomic
def receive_metrics(*, partnership, payload):
    """A platform's own figures, sent signed when it links: kept as its prospect entry. A partner
    that linked through our auto-accepting invitation hears ours in answer to its first (we could
    not send them at the activation: it had not recorded the partnership yet)."""
    partner = partnership.partner
    if not selectors.metrics_sent(partnership, METRICS_MESSAGE):
        send_own_metrics(partnership=partnership)
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


@transaction.atomic
def send_own_metrics(*, partnership, now=None):
    """Send our own figures, computed from our records (selectors.own_figures; what we cannot
    observe of ourselves is left out, missing at the receiver), to the partner. At linking (the core's
    partnership_activated hook, in the activation's transaction) and monthly (beat
    partners.send_metrics)."""
    now = now or timezone.now()
    figures = selectors.own_figures(partnership=partnership, policy=current_policy(), now=now)
    return send_metrics(partnership=partnership, figures=figures.as_json())


def send_own_metrics_to_partners(*, now=None):
    """Our figures to every live partner, one transaction each: a partner whose message is refused
    (say, a partnership ended meanwhile) is logged and the others still get theirs. Returns how many
    were sent."""
    sent = 0
    for partnership in Partnership.objects.filter(status__in=selectors.WATCHED_STATUSES).select_related("partner"):
        try:
            send_own_metrics(partnership=partnership, now=now)
        except DomainError as error:
            logger.warning("our partner.metrics to %s not sent: %s", partnership.partner.code, error.detail)
            continue
        sent += 1
    return sent
