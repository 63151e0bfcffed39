"""What several management commands take alike: `--partner CODE` (one live partnership, or all of
them) and a moment in ISO 8601 (`--now`, a cut-off)."""

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from crossborder.selectors import live_partnerships


def partnerships_of(partner=None):
    """The live partnership with the partner of this code, or every live one when none is given."""
    partnerships = live_partnerships()
    if partner:
        partnerships = partnerships.filter(partner__code=partner)
        if not partnerships.exists():
            raise CommandError(f"No live partnership with partner {partner!r}.")
    return partnerships


def moment(value, option):
    """An ISO 8601 date and time given as `option`, in the default time zone when it names none."""
    if not value:
        return None
    at = parse_datetime(value)
    if at is None:
        raise CommandError(f"{option} {value!r} is not an ISO 8601 date and time.")
    return at if timezone.is_aware(at) else timezone.make_aware(at, timezone.get_default_timezone())
