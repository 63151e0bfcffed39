"""Read replicas (README, "Scaling out"): with `DATABASE_REPLICA_URL` set, the
storefront's pages read the catalog and the partner zone from a replica; everything else, every
write, and every read inside a transaction or after this request wrote anything stays on the
primary. Without a replica every query goes to the primary, as before.

What decides: `ReplicaReadsMiddleware` opens a window for each GET or HEAD request whose view
belongs to one of `DATABASE_REPLICA_PAGES` (URL namespaces: the storefront and the partner zones);
inside it the router sends reads of models of `DATABASE_REPLICA_APPS` to the replica until the
first write (any `db_for_write`: a save, an update, `select_for_update`, `get_or_create`) or while
the primary has a transaction open. Raw SQL (`connection.cursor()`) always runs on the primary.
Sessions, accounts, carts and orders are never read from the replica, so a shopper's own writes are
never read back stale; catalog figures may lag the primary by the replica's delay (seconds at most
on a healthy stream)."""

import contextlib
import contextvars

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"


class _Window:
    __slots__ = ("open", "wrote")

    def __init__(self, open=True):
        self.open = open
        self.wrote = False


_window = contextvars.ContextVar("crossborder_replica_window", default=None)


@contextlib.contextmanager
def replica_reads(open=True):
    """Within this block (one request's storefront view) reads may go to the replica."""
    token = _window.set(_Window(open))
    try:
        yield _window.get()
    finally:
        _window.reset(token)


def replica_configured():
    return REPLICA in connections.settings


def _reads_from_replica(model):
    window = _window.get()
    if window is None or not window.open or window.wrote:
        return False
    if model._meta.app_label not in settings.DATABASE_REPLICA_APPS or not replica_configured():
        return False
    return not connections[DEFAULT_DB_ALIAS].in_atomic_block


class ReplicaRouter:
    """The database router (settings.DATABASE_ROUTERS)."""

    def db_for_read(self, model, **hints):
        return REPLICA if _reads_from_replica(model) else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        window = _window.get()
        if window is not None:
            window.wrote = True  # read-your-writes: the rest of this request reads the primary
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's stream


class ReplicaReadsMiddleware:
    """Opens the replica window for a safe request to a storefront page (see the module's doc)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with replica_reads(open=False) as window:
            request._replica_window = window
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        window = getattr(request, "_replica_window", None)
        match = request.resolver_match
        if window is not None and match is not None and match.app_name in settings.DATABASE_REPLICA_PAGES:
            window.open = True
        return None
