"""Shoppers' history and the partner-zone recommenders, in three modules (docs/adr/0015):

- `history`: who the shopper is, recording views and searches, the merge at login, clearing and
  the retention purge (writes);
- `write_behind`: the per-process buffer that writes search events in batches from a thread;
- `ranking`: the recommenders (similar goods, goods we don't carry, popularity) and the cached
  aggregates they read (reads only).

The names callers use are importable from here as before."""

from .history import (
    HISTORY_COOKIE,
    HISTORY_COOKIE_SALT,
    HISTORY_SESSION_KEY,
    Shopper,
    clear_history,
    history_id_of,
    merge_history_into_user,
    purge_history,
    record_search,
    record_view,
    shopper_for,
)
from .ranking import (
    CANDIDATES_PER_CATEGORY,
    DEFAULT_LIMIT,
    KINDS,
    POPULARITY_POOL,
    POPULARITY_SECONDS,
    RECENT_EVENTS_SQL,
    Popularity,
    Recommendation,
    Taxonomy,
    _live_listings,
    build_profile,
    compute_popularity,
    forget_cached_aggregates,
    history_mark,
    popularity,
    profile_for,
    rank,
    recent_events,
    recommend,
    recommendations_for,
    taxonomy,
)
from .write_behind import SearchWriteBehind, search_write_behind

__all__ = [
    "CANDIDATES_PER_CATEGORY",
    "DEFAULT_LIMIT",
    "HISTORY_COOKIE",
    "HISTORY_COOKIE_SALT",
    "HISTORY_SESSION_KEY",
    "KINDS",
    "POPULARITY_POOL",
    "POPULARITY_SECONDS",
    "RECENT_EVENTS_SQL",
    "Popularity",
    "Recommendation",
    "SearchWriteBehind",
    "Shopper",
    "Taxonomy",
    "_live_listings",
    "build_profile",
    "clear_history",
    "compute_popularity",
    "forget_cached_aggregates",
    "history_mark",
    "history_id_of",
    "merge_history_into_user",
    "popularity",
    "profile_for",
    "purge_history",
    "rank",
    "recent_events",
    "recommend",
    "recommendations_for",
    "record_search",
    "record_view",
    "search_write_behind",
    "shopper_for",
    "taxonomy",
]
