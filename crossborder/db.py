"""Database conflicts: a transaction that PostgreSQL chose as a deadlock victim or refused as a
serialization failure did nothing, and can be run again. `retry_on_conflict` runs a whole
transaction again a few times, with a short jittered wait; if it still loses, the caller gets a
`DatabaseBusy` domain error (503, "try again"), never a server error."""

import functools
import logging
import random
import time

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.utils.translation import gettext as _

from .errors import DomainError

logger = logging.getLogger(__name__)

# PostgreSQL's SQLSTATEs for a transaction that may simply be run again.
SERIALIZATION_FAILURE = "40001"
DEADLOCK_DETECTED = "40P01"
RETRYABLE = frozenset({SERIALIZATION_FAILURE, DEADLOCK_DETECTED})

try:  # the driver's own classes for them (what Django's OperationalError is caused by)
    from psycopg2 import errors as _driver

    RETRYABLE_TYPES = (_driver.DeadlockDetected, _driver.SerializationFailure)
except ImportError:  # pragma: no cover - SQLite only
    RETRYABLE_TYPES = ()

ATTEMPTS = 3
BACKOFF_SECONDS = 0.05  # the first wait, doubled each time, with jitter


class DatabaseBusy(DomainError):
    """A transaction kept losing to concurrent ones: nothing was written; the client may try again."""

    status = 503
    retry_after = 1  # seconds, for the Retry-After header

    def __init__(self, detail=None):
        super().__init__(
            "busy",
            detail or _("The shop is very busy right now and nothing was changed: please try again in a moment."),
            status=503,
        )


def is_conflict(error):
    """Whether `error` is a deadlock or serialization failure (from Django or the driver)."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        code = getattr(error, "pgcode", None) or getattr(error, "sqlstate", None)
        if code in RETRYABLE or isinstance(error, RETRYABLE_TYPES):
            return True
        error = error.__cause__ or error.__context__
    return False


def retry_on_conflict(function=None, *, attempts=ATTEMPTS, backoff=BACKOFF_SECONDS, using=DEFAULT_DB_ALIAS):
    """Run `function` (which opens and commits its own transaction) again when PostgreSQL aborts it
    as a deadlock victim or a serialization failure, up to `attempts` times in all, waiting
    backoff x 2^n seconds with jitter between tries; then raise DatabaseBusy. Inside an outer
    transaction it runs once: the aborted transaction is the outer one's, only its owner may retry."""

    def decorate(function):
        @functools.wraps(function)
        def run(*args, **kwargs):
            if connections[using].in_atomic_block:
                return function(*args, **kwargs)
            for attempt in range(1, attempts + 1):
                try:
                    return function(*args, **kwargs)
                except OperationalError as error:
                    if not is_conflict(error):
                        raise
                    logger.warning(
                        "%s lost a database conflict (attempt %d of %d): %s",
                        getattr(function, "__qualname__", repr(function)),
                        attempt,
                        attempts,
                        str(error).splitlines()[0] if str(error) else type(error).__name__,
                    )
                    if attempt == attempts:
                        raise DatabaseBusy() from error
                    time.sleep(backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))
            raise AssertionError("unreachable")  # pragma: no cover

        return run

    return decorate(function) if function is not None else decorate


def lock_keys(keys, *, using=DEFAULT_DB_ALIAS):
    """Take a transaction-scoped lock on each named key (PostgreSQL advisory locks), in one sorted
    order so that two transactions sharing keys never wait on each other in a cycle; they are
    released at commit or rollback. Take them first in a transaction, before any row lock. On
    SQLite, whose writers are serialized anyway, it does nothing."""
    connection = connections[using]
    keys = sorted(set(keys))
    if not keys or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:  # one statement; unnest yields the sorted array in its order
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(key, 0)) FROM unnest(%s::text[]) AS key", [keys])


def set_column_compression(schema_editor, table, column, method):
    """Store a column's large values with `method` ("lz4" or "pglz") where PostgreSQL 14+ was built
    with it; elsewhere nothing changes. Only values written from then on are compressed so: lz4
    writes large JSON (handoff reports, their outbox parts) in about two thirds of pglz's time and
    reads it back faster (bench/README.md, "Issue 20 on a quiet machine")."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or connection.pg_version < 140000:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND %s = ANY(enumvals)", [method]
        )
        if cursor.fetchone() is None:  # a server built without it
            return
    quote = schema_editor.quote_name
    schema_editor.execute(f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(column)} SET COMPRESSION {method}")
