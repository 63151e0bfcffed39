"""A sync run: claiming the partnership, where to start (the last watermark, or an interrupted
run's cursor), fetching the next page and writing this one in threads of their own, and how the
run ends (succeeded, interrupted and resumed by the next run, or failed)."""

import datetime as dt
import logging
import queue
import threading
from concurrent.futures import ThreadPoolExecutor, wait

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import feed as catalog_feed
from catalog.errors import CatalogErrorCode
from crossborder.client import PartnerResponseUnverified, PartnerUnreachable
from crossborder.models import Partnership
from partner_zone.errors import PartnerZoneErrorCode
from partner_zone.models import PartnerListing, SyncRun
from partner_zone.services import PartnerZoneError

from .changes import after_change
from .items import prepare_page
from .writer import SyncSuperseded, _hold_claim, apply_page

logger = logging.getLogger(__name__)

# Errors after which the next run resumes from the cursor: the partner or the network, not us.
INTERRUPTIONS = (PartnerUnreachable, PartnerResponseUnverified, catalog_feed.PartnerFeedError)


# A RUNNING run older than this without finishing is taken to be dead (its worker stopped) and the
# partnership may be claimed again; a live run checks its claim on every page, so it stops then.
RUN_LEASE_SECONDS = 3600


def _claim(partnership, *, full):
    """Start a run, in one short transaction holding the partnership row: refuse while another
    live run holds the partnership; work out where to start from the earlier runs."""
    with transaction.atomic():
        locked = Partnership.objects.select_for_update().select_related("partner").get(pk=partnership.pk)
        if locked.status != Partnership.Status.ACTIVE:
            raise PartnerZoneError(
                PartnerZoneErrorCode.PARTNERSHIP_NOT_LIVE,
                _("Only an active partnership's catalog is synced; this one is %(status)s.")
                % {"status": locked.get_status_display()},
                status=409,
            )
        now = timezone.now()
        running = SyncRun.objects.filter(partnership=locked, status=SyncRun.Status.RUNNING)
        if running.filter(started_at__gt=now - dt.timedelta(seconds=RUN_LEASE_SECONDS)).exists():
            raise PartnerZoneError(
                PartnerZoneErrorCode.INVALID,
                _("A sync of this partnership is already running."),
                status=409,
            )
        running.update(
            status=SyncRun.Status.INTERRUPTED,
            error=_("abandoned: the run did not finish within %(seconds)d seconds") % {"seconds": RUN_LEASE_SECONDS},
            finished_at=now,
        )
        latest = SyncRun.objects.filter(partnership=locked).order_by("-started_at", "-pk").first()
        updated_since, cursor = "", ""
        if full:
            pass
        elif latest is not None and latest.status != SyncRun.Status.SUCCEEDED and latest.cursor:
            # Resume the unfinished fetch: same updated_since (the cursor is bound to it).
            updated_since, cursor = latest.updated_since, latest.cursor
        else:
            succeeded = (
                SyncRun.objects.filter(partnership=locked, status=SyncRun.Status.SUCCEEDED)
                .exclude(watermark="")
                .order_by("-started_at", "-pk")
                .first()
            )
            updated_since = succeeded.watermark if succeeded else ""
        run = SyncRun.objects.create(partnership=locked, updated_since=updated_since, cursor=cursor)
    return locked, run


def _deactivate_unseen(partnership, seen, run):
    """After a complete full sync: what the full catalog no longer lists has been withdrawn."""
    active = PartnerListing.objects.filter(partnership=partnership, is_active=True)
    gone = [pk for pk, reference in active.values_list("pk", "reference") if reference not in seen]
    now = timezone.now()
    for start in range(0, len(gone), 1000):
        chunk = gone[start : start + 1000]
        with transaction.atomic():
            _hold_claim(run)
            PartnerListing.objects.filter(pk__in=chunk).update(is_active=False, updated_at=now)
            run.tombstones += len(chunk)
            run.save(update_fields=["tombstones"])
        after_change(chunk)


class _Prefetched:
    """Iterate `pages` (an iterator of feed pages, each an HTTP call) one page ahead in a thread, so
    the next page travels while this one is applied. The pages and the iterator's exceptions come
    out in order; close() stops the thread when the consumer gives up early. Inside a transaction
    (a test's, say) the pages are fetched in line: the thread's own connection could not see what
    the transaction wrote (the partner's keys, for one)."""

    _END = object()

    def __init__(self, pages):
        self._pages = pages
        self._inline = connection.in_atomic_block
        if self._inline:
            return
        self._queue = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._fetch, name="feed-prefetch", daemon=True)
        self._thread.start()

    def _put(self, item):
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def _fetch(self):
        try:
            for page in self._pages:
                if not self._put(("page", page)):
                    return
            self._put(("end", None))
        except BaseException as error:  # handed to the consumer, raised there in order
            self._put(("error", error))
        finally:
            connection.close()  # the thread's own connection (partner keys are read per call)

    def __iter__(self):
        if self._inline:
            yield from self._pages
            return
        while True:
            kind, value = self._queue.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value

    def close(self):
        if not self._inline:
            self._stop.set()
            self._thread.join(timeout=30)


def _close_connection():
    connection.close()  # this thread's own (the proxy resolves per thread when called)


class _Writer:
    """Applies prepared pages in order, in a thread of its own, one page at a time: the sync
    prepares the next page (checks, translation, pricing: Python) while PostgreSQL writes this one.
    write() hands over a page and returns the results of the pages written meanwhile; their
    errors are raised there, in order. Inside a transaction (a test's) pages are written in line,
    as _Prefetched fetches them."""

    def __init__(self, partnership, run):
        self.partnership, self.run = partnership, run
        self.pending = None
        self.executor = None if connection.in_atomic_block else ThreadPoolExecutor(1, "feed-apply")

    def _apply(self, prepared, next_cursor):
        result = apply_page(self.partnership, prepared=prepared, run=self.run, next_cursor=next_cursor)
        after_change(result.changed_ids, to_price=result.unpriced_ids)
        return result

    def write(self, prepared, next_cursor):
        if self.executor is None:
            return [self._apply(prepared, next_cursor)]
        done = self.finish()
        self.pending = self.executor.submit(self._apply, prepared, next_cursor)
        return done

    def finish(self):
        """The result of the page still being written, once written."""
        pending, self.pending = self.pending, None
        return [pending.result()] if pending is not None else []

    def close(self):
        """Let a page being written commit or fail (the run's cursor is where it ends), then
        release the thread and its connection."""
        if self.executor is None:
            return
        if self.pending is not None:
            wait([self.pending])
        self.executor.submit(_close_connection).result()
        self.executor.shutdown()


def sync_partnership(partnership, *, full=False, limit=None):
    """Mirror the partner's catalog feed: from the last successful run's watermark (the full
    catalog with `full` or the first time), or from an unfinished run's cursor. Pages are fetched
    outside any transaction (the next while this one is applied) and prepared outside it (the
    next while this one is written); each is written, with the run's cursor and counts, in one
    transaction, in order. Returns
    the SyncRun: SUCCEEDED, INTERRUPTED (the partner or the network failed; the next run resumes
    from its cursor) or FAILED. Raises PartnerZoneError when the partnership is not active or
    another run holds it."""
    partnership, run = _claim(partnership, full=full)
    resumed = bool(run.cursor)
    seen = set()
    pages = _Prefetched(
        catalog_feed.iter_partner_feed(
            partnership,
            updated_since=run.updated_since or None,
            limit=limit or settings.PARTNER_ZONE["SYNC_PAGE_SIZE"],
            cursor=run.cursor or None,
        )
    )
    watermark = ""
    writer = _Writer(partnership, run)
    try:
        try:
            for page in pages:
                for result in writer.write(prepare_page(partnership, page.items), page.next_cursor):
                    if full and not resumed:
                        seen |= result.seen
                watermark = page.watermark
            for result in writer.finish():
                if full and not resumed:
                    seen |= result.seen
        finally:
            # Before the run is finished: a page still being written commits (or fails) first.
            writer.close()
            pages.close()
        if full and not resumed:
            _deactivate_unseen(partnership, seen, run)
    except catalog_feed.PartnerFeedError as error:
        if error.code == CatalogErrorCode.INVALID_CURSOR:
            # The partner no longer honours the cursor (keys rotated, say): the next run fetches
            # again from this run's updated_since, the last good watermark.
            return _finish(run, SyncRun.Status.FAILED, error=str(error), cursor="")
        return _finish(run, SyncRun.Status.INTERRUPTED, error=str(error))
    except INTERRUPTIONS as error:
        return _finish(run, SyncRun.Status.INTERRUPTED, error=str(error) or type(error).__name__)
    except SyncSuperseded as error:
        return run if _refresh(run) else _finish(run, SyncRun.Status.INTERRUPTED, error=str(error))
    except Exception as error:
        logger.exception("the catalog sync of %s failed", partnership.partner.code)
        return _finish(run, SyncRun.Status.FAILED, error=f"{type(error).__name__}: {error}")
    return _finish(run, SyncRun.Status.SUCCEEDED, watermark=watermark, cursor="")


def _refresh(run):
    run.refresh_from_db()
    return run.status != SyncRun.Status.RUNNING


def _finish(run, status, *, error="", watermark=None, cursor=None):
    run.status = status
    run.error = error[:2000]
    run.finished_at = timezone.now()
    fields = ["status", "error", "finished_at"]
    if watermark is not None:
        run.watermark = watermark
        fields.append("watermark")
    if cursor is not None:
        run.cursor = cursor
        fields.append("cursor")
    run.save(update_fields=fields)
    return run
