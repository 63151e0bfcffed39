"""Agreement compliance: each observable term checked against what happened; a breach is recorded
with its evidence and sent to the partner (`compliance.breach` through the outbox); the count of
breaches since the last resume warns at the policy's first threshold and suspends the partner zone
at the second, through the core's suspension (new orders stop; open orders, stock, returns and
settlement go on). Ops hold automatic suspension off until a moment with their reason, and resume
explicitly, recorded with who and why."""

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crossborder import services as core
from crossborder.models import Partnership

from .. import selectors
from ..errors import PartnersError
from ..errors import PartnersErrorCode as Code
from ..models import ComplianceBreach, ComplianceWatch
from .policy import current_policy

log = logging.getLogger(__name__)

BREACH_MESSAGE = "compliance.breach"
MAX_OVERRIDE_DAYS = 365


def _watch(partnership):
    watch, _created = ComplianceWatch.objects.select_for_update().get_or_create(partnership=partnership)
    return watch


def _send(partnership, breach):
    if partnership.is_live:
        core.send_to_partner(
            partnership,
            BREACH_MESSAGE,
            {
                "term": breach.term,
                "severity": breach.severity,
                "reference": breach.reference,
                "due_at": breach.due_at.isoformat() if breach.due_at else None,
                "observed_at": breach.observed_at.isoformat(),
                "evidence": breach.evidence,
            },
        )


def _record(partnership, *, term, severity, reference, due_at, now, evidence):
    breach, created = ComplianceBreach.objects.get_or_create(
        partnership=partnership,
        term=term,
        reference=reference,
        defaults={"severity": severity, "due_at": due_at, "observed_at": now, "evidence": evidence},
    )
    if created:
        _send(partnership, breach)
    return breach if created else None


@transaction.atomic
def check_partnership(*, partnership, now=None, policy=None):
    """Check one partnership's observable terms at `now`. Returns {"breaches": new breaches,
    "warned": bool, "suspended": bool}."""
    now = now or timezone.now()
    policy = policy or current_policy()
    partnership = Partnership.objects.select_for_update().select_related("partner").get(pk=partnership.pk)
    watch = _watch(partnership)
    since = now - dt.timedelta(days=policy.window_days)
    new = []
    for seen in selectors.observations(partnership=partnership, since=since, now=now):
        if seen.late:
            recorded = _record(
                partnership,
                term=seen.term,
                severity=ComplianceBreach.Severity.BREACH,
                reference=seen.reference,
                due_at=seen.due_at,
                now=now,
                evidence=seen.evidence,
            )
            if recorded:
                new.append(recorded)
    # What counts: the breaches observed in the window, and after the last resume (not at it).
    counting = ComplianceBreach.objects.filter(partnership=partnership, observed_at__gte=since)
    if watch.counting_since:
        counting = counting.filter(observed_at__gt=watch.counting_since)
    counted_from = max(since, watch.counting_since) if watch.counting_since else since
    count = counting.filter(severity=ComplianceBreach.Severity.BREACH).count()
    warned = False
    if count >= policy.warn_after:
        already = counting.filter(severity=ComplianceBreach.Severity.WARNING).exists()
        if not already:
            warned = bool(
                _record(
                    partnership,
                    term=ComplianceBreach.Term.THRESHOLD,
                    severity=ComplianceBreach.Severity.WARNING,
                    reference=f"warning:{now.isoformat()}",
                    due_at=None,
                    now=now,
                    evidence=f"{count} breaches in the last {policy.window_days} days; "
                    f"the partner zone is suspended at {policy.suspend_after}",
                )
            )
    suspended = False
    held_off = watch.no_auto_suspend_until and now < watch.no_auto_suspend_until
    if count >= policy.suspend_after and partnership.status == Partnership.Status.ACTIVE and not held_off:
        core.suspend_partnership(
            partnership=partnership,
            reason=f"automatic: {count} agreement breaches since {counted_from:%Y-%m-%d} "
            f"(threshold {policy.suspend_after})",
        )
        watch.auto_suspended_at = now
        watch.save(update_fields=["auto_suspended_at"])
        suspended = True
        log.warning("partner %s suspended automatically: %s breaches", partnership.partner.code, count)
    return {"breaches": new, "warned": warned, "suspended": suspended}


def check_compliance(*, now=None, partners=None):
    """Check every watched partnership (or those of these partner codes), one transaction each.
    Returns {partner code: the check's result}."""
    policy = current_policy()
    results = {}
    for partnership in selectors.watched_partnerships():
        if partners and partnership.partner.code not in partners:
            continue
        results[partnership.partner.code] = check_partnership(partnership=partnership, now=now, policy=policy)
    return results


def _reason(reason):
    reason = str(reason or "").strip()
    if not reason:
        raise PartnersError(Code.REASON_REQUIRED, _("Say why."), field="reason")
    if len(reason) > 300:
        raise PartnersError(Code.REASON_REQUIRED, _("A reason has at most 300 characters."), field="reason")
    return reason


@transaction.atomic
def hold_off_auto_suspension(*, partnership, until, reason, actor=None, now=None):
    """Ops' override: do not suspend this partner automatically until `until` (within a year), for
    `reason`. Breaches are still recorded and sent."""
    now = now or timezone.now()
    reason = _reason(reason)
    if not isinstance(until, dt.datetime) or timezone.is_naive(until):
        raise PartnersError(Code.INVALID_OVERRIDE, _("Give the moment with its time zone."), field="until")
    if not now < until <= now + dt.timedelta(days=MAX_OVERRIDE_DAYS):
        raise PartnersError(
            Code.INVALID_OVERRIDE,
            _("The override must end in the future and within %(days)s days.") % {"days": MAX_OVERRIDE_DAYS},
            field="until",
        )
    watch = _watch(partnership)
    watch.no_auto_suspend_until = until
    watch.override_reason = reason
    watch.override_by = actor
    watch.save(update_fields=["no_auto_suspend_until", "override_reason", "override_by"])
    return watch


@transaction.atomic
def resume_partner(*, partnership, reason, actor=None, now=None):
    """Resume a suspended partner zone, recorded with who and why (the partnership's event); the
    breaches before now no longer count towards the next suspension."""
    now = now or timezone.now()
    reason = _reason(reason)
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    if partnership.status != Partnership.Status.SUSPENDED:
        raise PartnersError(
            Code.INVALID_STATE,
            _("Only a suspended partnership can be resumed; this one is %(status)s.")
            % {"status": partnership.get_status_display()},
            field="status",
            status=409,
        )
    watch = _watch(partnership)
    core.resume_partnership(partnership=partnership, actor=actor, reason=reason)
    watch.counting_since = now
    watch.auto_suspended_at = None
    watch.save(update_fields=["counting_since", "auto_suspended_at"])
    return partnership
