"""The write-behind buffer of search events: a process collects its shoppers' searches and writes
them in one INSERT every few seconds from a daemon thread (and at exit), instead of one INSERT and
commit per search request."""

import atexit
import logging
import os
import threading
import time

from django.db import connection

from partner_zone.models import ShopperEvent

log = logging.getLogger(__name__)


class SearchWriteBehind:
    """Search events of this process, written in one INSERT every SEARCH_WRITE_BEHIND_SECONDS by a
    daemon thread (and at exit), instead of one INSERT and commit in every search request. Started
    lazily in each process (after a fork too)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.events = []
        self.pid = None

    def add(self, event, interval):
        with self.lock:
            if self.pid != os.getpid():  # first search of this process, or a forked child
                self.pid = os.getpid()
                self.events = []  # a parent's events are the parent's to write
                threading.Thread(target=self._run, args=(interval,), name="search-history", daemon=True).start()
            self.events.append(event)

    def flush(self):
        with self.lock:
            events, self.events = self.events, []
        if events:
            try:
                ShopperEvent.objects.bulk_create(events)
            except Exception:  # noqa: BLE001 - history must never break a page; say what was lost
                log.exception("lost %d search events", len(events))
        return len(events)

    def _run(self, interval):
        while True:
            time.sleep(interval)
            try:
                self.flush()
            finally:
                connection.close()  # this thread's own connection


search_write_behind = SearchWriteBehind()
atexit.register(search_write_behind.flush)
