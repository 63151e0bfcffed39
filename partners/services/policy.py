"""The platform's scoring policy: read (made with the documented defaults the first time) and
validated: each score's weights name its parts exactly, whole numbers from 0, summing to 100;
thresholds within their ranges, suspension after more breaches than the warning."""

from django.db import transaction
from django.utils.translation import gettext as _

from .. import scoring
from ..errors import PartnersError
from ..errors import PartnersErrorCode as Code
from ..models import ScoringPolicy

RANGES = {
    "window_days": (1, 730),
    "growth_days": (1, 365),
    "full_growth_percent": (1, 1000),
    "max_return_rate_percent": (1, 100),
    "warn_after": (1, 100),
    "suspend_after": (1, 100),
}


def current_policy():
    policy = ScoringPolicy.objects.order_by("pk").first()
    return policy or ScoringPolicy.objects.create()


def _weights_error(kind, weights):
    parts = scoring.PARTS[kind]
    if not isinstance(weights, dict) or set(weights) != set(parts):
        return _("Give a weight for each part, and only those: %(parts)s.") % {"parts": ", ".join(parts)}
    bad = [key for key, value in weights.items() if isinstance(value, bool) or not isinstance(value, int) or value < 0]
    if bad:
        return _("The weight of %(part)s must be a whole number from 0.") % {"part": bad[0]}
    total = sum(weights.values())
    if total != scoring.WEIGHTS_TOTAL:
        return _("The weights must sum to %(expected)s; they sum to %(total)s.") % {
            "expected": scoring.WEIGHTS_TOTAL,
            "total": total,
        }
    return None


def policy_errors(policy):
    """{field: reason} of everything wrong with `policy`; empty when it is valid."""
    errors = {}
    for kind in scoring.KINDS:
        error = _weights_error(kind, policy.weights_of(kind))
        if error:
            errors[f"{kind}_weights"] = error
    for name, (low, high) in RANGES.items():
        value = getattr(policy, name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[name] = _("%(name)s must be a whole number from %(low)s to %(high)s.") % {
                "name": name,
                "low": low,
                "high": high,
            }
    if "warn_after" not in errors and "suspend_after" not in errors and policy.suspend_after <= policy.warn_after:
        errors["suspend_after"] = _("Suspension must come after more breaches than the warning (%(warn)s).") % {
            "warn": policy.warn_after
        }
    return errors


@transaction.atomic
def update_policy(**changes):
    """Change the policy's weights or thresholds; refused naming the first wrong field, nothing
    changed."""
    policy = current_policy()
    ScoringPolicy.objects.select_for_update().filter(pk=policy.pk).first()
    unknown = sorted(set(changes) - set(RANGES) - {f"{kind}_weights" for kind in scoring.KINDS})
    if unknown:
        raise PartnersError(
            Code.INVALID_THRESHOLD, _("No policy setting %(name)r.") % {"name": unknown[0]}, field=unknown[0]
        )
    for name, value in changes.items():
        setattr(policy, name, value)
    errors = policy_errors(policy)
    if errors:
        field, reason = next(iter(errors.items()))
        code = Code.INVALID_WEIGHTS if field.endswith("_weights") else Code.INVALID_THRESHOLD
        raise PartnersError(code, reason, field=field)
    policy.save()
    return policy
