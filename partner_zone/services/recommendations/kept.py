"""A shopper's recommendations kept in the shared cache between requests, until their history
changes: a returning shopper's page then costs one cache read instead of reading the history,
ranking and rendering the cards (PARTNER_ZONE["RECOMMENDATION_BLOCK_SECONDS"]; 0 keeps nothing;
docs/adr/0038).

Every kept value is filed under the shopper's *history stamp*, a random value in the cache that
each change of the history deletes, at once and again when it is committed (a view, a search once
written, the merge at login, a clearing), and under the *history epoch*, deleted by the retention
purge. A read fetches the stamp, the epoch and the value in one round trip and keeps the value only
when it was filed under both as they are now; a missing stamp or epoch is made anew, so nothing
filed before matches it. A value computed while the history changed is filed under the stamp read
before the history was, which the change has deleted: it is never served.

Only where every process reads one cache (Redis, settings.CACHE_URL): a process's own memory
would not see another process delete a stamp."""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

STAMP_PREFIX = "partner_zone:reco:stamp:"
EPOCH_KEY = "partner_zone:reco:epoch"
KEPT_PREFIX = "partner_zone:reco:kept:"
STAMP_SECONDS = 7 * 24 * 3600  # a stamp outlives every value filed under it; losing one only costs a recomputation


def kept_seconds():
    return settings.PARTNER_ZONE.get("RECOMMENDATION_BLOCK_SECONDS", 0)


def _stamp_key(*, user_id=None, history_id=None):
    return f"{STAMP_PREFIX}u{user_id}" if user_id else f"{STAMP_PREFIX}h{history_id}"


def history_changed(*, user_id=None, history_id=None):
    """The history of this user and (or) this anonymous history id changed: what was kept for them
    is stale. Takes effect when the current transaction commits (at once outside one), so that a
    request reading the history meanwhile cannot file its old ranking under a new stamp."""
    keys = [_stamp_key(user_id=user_id)] if user_id else []
    if history_id:
        keys.append(_stamp_key(history_id=history_id))
    if keys and kept_seconds() > 0:
        _forget_now_and_at_commit(keys)


def every_history_changed():
    """Many shoppers' histories changed at once (the retention purge): nothing kept is current."""
    if kept_seconds() > 0:
        _forget_now_and_at_commit([EPOCH_KEY])


def _forget_now_and_at_commit(keys):
    # Now: this transaction's own later reads see the change. At commit again: a request that read
    # the history before the commit may have made a new stamp meanwhile and filed the old ranking
    # under it.
    cache.delete_many(keys)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: cache.delete_many(keys))


def _current(key, found):
    """The stamp or epoch under `key` as the cache holds it, made anew when missing."""
    value = found.get(key)
    if value is None:
        value = uuid.uuid4().hex
        if not cache.add(key, value, STAMP_SECONDS):
            value = cache.get(key)  # another request made it first (None: deleted again meanwhile)
    return value


def kept(shopper, key_parts, compute):
    """`compute()` for this shopper (a `history.Shopper`), kept in the cache under `key_parts` (which
    must name everything else the value depends on: zone generation, language, ...) until the
    shopper's history changes or RECOMMENDATION_BLOCK_SECONDS pass. A shopper without history shares
    one value per `key_parts`: there is no history to change."""
    seconds = kept_seconds()
    if seconds <= 0:
        return compute()
    who = _stamp_key(user_id=shopper.user_id, history_id=shopper.history_id) if shopper.is_known else None
    raw = "|".join(str(part) for part in (who, *key_parts))
    key = KEPT_PREFIX + hashlib.sha256(raw.encode()).hexdigest()
    found = cache.get_many([key, EPOCH_KEY] + ([who] if who else []))
    filed_under = (_current(EPOCH_KEY, found), _current(who, found) if who else "")
    hit = found.get(key)
    if hit is not None and hit[0] == filed_under:
        return hit[1]
    value = compute()
    if None not in filed_under:
        cache.set(key, (filed_under, value), seconds)
    return value
