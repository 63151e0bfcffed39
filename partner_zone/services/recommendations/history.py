"""Shoppers' browsing and search history: who the shopper is (a logged-in user, else an anonymous
history id in a signed cookie), recording views and searches, moving an anonymous history to the
user at login, a shopper clearing their own history, and the retention purge.

An anonymous shopper is known by a random history id kept in the session data (not the session
key, which Django rotates at login), stored as `ShopperEvent.session_key`; a logged-in shopper's
events also carry the user, and logging in moves the session's events to the user."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from catalog import search
from partner_zone.models import ShopperEvent

from .write_behind import search_write_behind

# An anonymous shopper's history id lives in a signed cookie of its own, so recording a first
# visitor's search or view writes one event and no session row. Histories begun before the cookie
# (id kept in the session) are still read from there.
HISTORY_COOKIE = "shopper_history"
HISTORY_COOKIE_SALT = "partner_zone.history"
HISTORY_SESSION_KEY = "partner_zone_history_id"


@dataclass(frozen=True)
class Shopper:
    """Whose history: a logged-in user (their events), else an anonymous session's history id."""

    user_id: int | None = None
    history_id: str | None = None

    @property
    def is_known(self):
        return bool(self.user_id or self.history_id)

    def events(self):
        if self.user_id:
            return ShopperEvent.objects.filter(user_id=self.user_id)
        if self.history_id:
            return ShopperEvent.objects.filter(session_key=self.history_id)
        return ShopperEvent.objects.none()


# --- history -------------------------------------------------------------------------------------


def history_id_of(request):
    """This browser's history id: set on this request, from its signed cookie, or (histories begun
    before the cookie) from its session. None when it has none or the cookie was tampered with."""
    history_id = getattr(request, "_history_id", None)
    if history_id:
        return history_id
    cookies = getattr(request, "COOKIES", None)
    if cookies and HISTORY_COOKIE in cookies:
        history_id = request.get_signed_cookie(HISTORY_COOKIE, default=None, salt=HISTORY_COOKIE_SALT)
        if history_id:
            return history_id
    session = getattr(request, "session", None)
    return session.get(HISTORY_SESSION_KEY) if session is not None else None


def shopper_for(request, *, create=False):
    """The shopper behind a request; with `create`, an anonymous browser gets its history id (sent
    back as a signed cookie by partner_zone.middleware.HistoryCookieMiddleware)."""
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    history_id = history_id_of(request)
    if not history_id and create:
        history_id = uuid.uuid4().hex
        request._history_id = history_id
        request._history_id_is_new = True
    return Shopper(user_id=user_id, history_id=history_id)


def record_view(request, *, listing=None, product=None):
    """Record that the shopper viewed a partner listing or a home product (exactly one)."""
    if (listing is None) == (product is None):
        raise ValueError("record_view needs exactly one of listing and product")
    shopper = shopper_for(request, create=True)
    if not shopper.is_known:
        return None
    item = listing or product
    return ShopperEvent.objects.create(
        kind=ShopperEvent.Kind.VIEW,
        session_key=shopper.history_id or "",
        user_id=shopper.user_id,
        listing=listing,
        product=product,
        category_id=item.category_id,
    )


def record_search(request, query, *, partnership=None, result_count=None, category_id=None):
    """Record what the shopper searched for (blank queries are not history); in production written
    behind, in batches (settings.PARTNER_ZONE["SEARCH_WRITE_BEHIND_SECONDS"]). A search in a
    partner's zone names the `partnership`, how many listings it found and the category the shopper
    narrowed it to, for the demand report."""
    query = " ".join((query or "").replace("\x00", "").split())[:200]
    if not search.query_terms(query):
        return None
    shopper = shopper_for(request, create=True)
    if not shopper.is_known:
        return None
    event = ShopperEvent(
        kind=ShopperEvent.Kind.SEARCH,
        session_key=shopper.history_id or "",
        user_id=shopper.user_id,
        query=query,
        partnership=partnership,
        result_count=result_count,
        category_id=category_id,
    )
    interval = settings.PARTNER_ZONE.get("SEARCH_WRITE_BEHIND_SECONDS", 0)
    if interval > 0:
        search_write_behind.add(event, interval)
        return event
    event.save()
    return event


def merge_history_into_user(*, history_id, user):
    """At login: the anonymous session's events become the user's. Returns how many moved."""
    if not history_id or user is None:
        return 0
    search_write_behind.flush()  # this process's searches of the last moment join too
    with transaction.atomic():
        return ShopperEvent.objects.filter(session_key=history_id, user__isnull=True).update(user=user)


def clear_history(request):
    """Delete the shopper's own history (the user's and this session's); nobody else's."""
    search_write_behind.flush()  # nothing of theirs written after the clearing
    shopper = shopper_for(request)
    condition = Q()
    if shopper.user_id:
        condition |= Q(user_id=shopper.user_id)
    if shopper.history_id:
        condition |= Q(session_key=shopper.history_id)
    if not condition:
        return 0
    with transaction.atomic():
        deleted, _per_model = ShopperEvent.objects.filter(condition).delete()
    return deleted


def purge_history(now=None):
    """Delete events older than the retention (settings.PARTNER_ZONE["HISTORY_RETENTION_DAYS"])."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PARTNER_ZONE["HISTORY_RETENTION_DAYS"])
    with transaction.atomic():
        deleted, _per_model = ShopperEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted
