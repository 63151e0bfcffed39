"""What the commands of an ops decision on a partner share: who decides (a staff user) and the
partnership it is about, each refused with a clear message."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from partners import selectors


def staff_and_partnership(*, by, partner):
    actor = get_user_model().objects.filter(username=by, is_staff=True).first()
    if actor is None:
        raise CommandError(f"No staff user {by!r}.")
    partnership = selectors.watched_partnership(partner)
    if partnership is None:
        raise CommandError(f"No active or suspended partnership with partner {partner!r}.")
    return actor, partnership
