"""The recommenders built on a shopper's history: *similar partner goods* (the taxonomy branches and
words of what the shopper viewed and searched), *goods we don't carry* (partner goods in branches
where the shopper showed interest and the home catalog has little) and a popularity baseline (cold
start, and the yardstick of `evaluate_recommenders`). Reads only.

A recommendation call runs at most four indexed queries whatever the history's length or the
catalog's size: the 50 newest events (by the (user | session_key, -created_at) indexes), the home
products of the interest branches (counted per category up to HOME_FEW_PRODUCTS), one candidate
query for both recommenders (LIMITed index range scans per category, see CANDIDATE_PARTS), one
fetch of the chosen listings. The blend reads the history once and shares the branches and the
candidate query between its two recommenders. The popularity of listings (view counts over every
shopper) is a cached aggregate, refreshed at most every few minutes, never counted per request."""

import functools
import json
import math
import re
import time
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, Q, Value, When
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from catalog import search
from catalog import selectors as catalog_selectors
from catalog.models import Category, Product
from catalog.taxonomy import name_in as category_name_in
from crossborder.models import Partnership
from partner_zone.models import PartnerListing, ShopperEvent
from partner_zone.selectors import CARD_FIELDS, title_in

from .history import shopper_for

RECENT_EVENTS = 50
DEFAULT_LIMIT = 10
CANDIDATES_MATCHED = 150  # searches only: text matches over the whole zone
NEAREST_CATEGORIES = 4  # categories whose newest listings are candidates (PostgreSQL)
CANDIDATES_PER_CATEGORY = 30  # newest per nearest category (PostgreSQL)
MATCH_CATEGORIES = 4  # the closest categories of the branch, searched for the shopper's words
MATCH_WINDOW = 200  # ... among each one's newest listings
CANDIDATES_MATCHED_PER_CATEGORY = 12  # ... keeping the best matches
MATCH_TERMS = 8  # the words searched for: the shopper's strongest (each one more costs on every row)
CANDIDATES_POPULAR = 30  # most viewed listings anywhere in the shopper's branches (PostgreSQL)
SQLITE_NEWEST = 300  # SQLite (small catalogs): the branch's newest listings
SQLITE_POPULAR = 60  # ... and its most viewed
INTEREST_CATEGORIES = 8
PROFILE_TERMS = 16
MAX_SOURCES = 16
HOME_FEW_PRODUCTS = 3  # a branch with fewer active home products is one "we don't carry"
POPULARITY_KEY = "partner_zone:reco:popularity:v1"
POPULARITY_SECONDS = 300
POPULARITY_WINDOW_DAYS = 30
POPULARITY_POOL = 2000
TAXONOMY_KEY = "partner_zone:reco:taxonomy:v2"  # v2: names carry Japanese
TAXONOMY_SECONDS = 3600
RECENCY_DECAY = 0.93

KINDS = ("all", "similar", "not_carried", "popular")
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "for",
        "with",
        "in",
        "on",
        "to",
        "by",
        "from",
        "at",
        "or",
        "is",
        "it",
        "its",
        "this",
        "that",
        "new",
        "set",
        "pack",
        "pcs",
        "piece",
        "pieces",
    ]
)
WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


class Recommendation(NamedTuple):
    """A partner listing recommended to a shopper, and why, in the shopper's language. The listing
    holds what its card shows (selectors.CARD_FIELDS) and its partnership's partner code."""

    listing: PartnerListing
    reason: str


# --- taxonomy and popularity (cached aggregates) -------------------------------------------------


@dataclass
class Taxonomy:
    parent: dict[int, int | None]
    names: dict[int, tuple[str, str, str]]  # (English, Chinese, Japanese)
    children: dict[int, list[int]] = field(default_factory=dict)

    def subtree(self, category_id):
        found, stack = [], [category_id]
        while stack:
            node = stack.pop()
            found.append(node)
            stack.extend(self.children.get(node, ()))
        return found

    def name(self, category_id, language=None):
        return category_name_in(language, *self.names.get(category_id, ("", "", "")))


def taxonomy():
    """The shared taxonomy's shape (a few hundred nodes), cached: it changes only with a migration."""
    return _memoised(TAXONOMY_KEY, _load_taxonomy)


def _load_taxonomy():
    tree = cache.get(TAXONOMY_KEY)
    if tree is None:
        parent, names, children = {}, {}, defaultdict(list)
        for pk, parent_id, *node_names in Category.objects.values_list(
            "id", "parent_id", "name_en", "name_zh_hans", "name_ja"
        ):
            parent[pk] = parent_id
            names[pk] = tuple(node_names)
            if parent_id is not None:
                children[parent_id].append(pk)
        tree = Taxonomy(parent=parent, names=names, children=dict(children))
        cache.set(TAXONOMY_KEY, tree, TAXONOMY_SECONDS)
    return tree


@dataclass
class Popularity:
    """View counts of the most viewed listings over every shopper: listing id -> (category, views),
    and the ids most viewed first."""

    views: dict[int, tuple[int, int]]
    ranked_ids: list[int] = field(default_factory=list)

    def __post_init__(self):
        if not self.ranked_ids:
            self.ranked_ids = sorted(self.views, key=lambda pk: (-self.views[pk][1], -pk))

    def count(self, listing_id):
        entry = self.views.get(listing_id)
        return entry[1] if entry else 0

    def ranked(self):
        return self.ranked_ids

    @functools.cached_property
    def positions_by_category(self):
        """Category -> positions in ranked_ids, once per copy of the aggregate: a recommender looks
        at its branch's categories, not at the whole list."""
        found = defaultdict(list)
        for position, pk in enumerate(self.ranked_ids):
            found[self.views[pk][0]].append(position)
        return found

    def ranked_in(self, category_ids):
        """The ids of these categories, most viewed first."""
        by_category = self.positions_by_category
        return [self.ranked_ids[p] for p in sorted(p for c in category_ids for p in by_category.get(c, ()))]


def compute_popularity(now=None):
    """One grouped query over the recent view events; the result is small (the top of the list)."""
    since = (now or timezone.now()) - timedelta(days=POPULARITY_WINDOW_DAYS)
    rows = (
        ShopperEvent.objects.filter(kind=ShopperEvent.Kind.VIEW, listing__isnull=False, created_at__gte=since)
        .values("listing_id", "category_id")
        .annotate(views=Count("id"))
        .order_by("-views", "-listing_id")[:POPULARITY_POOL]
    )
    return Popularity(views={row["listing_id"]: (row["category_id"], row["views"]) for row in rows})


_memo = {}  # per process: the cached aggregates, re-read from the cache at most every MEMO_SECONDS
MEMO_SECONDS = 30


def _memoised(key, load):
    now = time.monotonic()
    hit = _memo.get(key)
    if hit is not None and now - hit[0] < MEMO_SECONDS:
        return hit[1]
    value = load()
    _memo[key] = (now, value)
    return value


def popularity(*, refresh=False):
    """The cached popularity aggregate (recomputed at most every POPULARITY_SECONDS per cache)."""

    def load():
        value = None if refresh else cache.get(POPULARITY_KEY)
        if value is None:
            value = compute_popularity()
            cache.set(POPULARITY_KEY, value, POPULARITY_SECONDS)
        return value

    if refresh:
        _memo.pop(POPULARITY_KEY, None)
    return _memoised(POPULARITY_KEY, load)


def forget_cached_aggregates():
    """Drop this process's copies (tests, and after a bulk change of history)."""
    _memo.clear()
    _rankings.clear()
    _home_counts.update(generation=None, counts={})


# --- the shopper's profile -----------------------------------------------------------------------


@functools.lru_cache(maxsize=50_000)
def tokens(text):
    """Words (2+ letters, no stop words) and CJK character pairs of a text: what similarity counts.
    Memoised: the same listings' documents come back call after call."""
    text = (text or "").lower()
    found = set()
    for run in search.CJK_RUN.findall(text):
        if len(run) > 1:
            found.update(search.bigrams(run))
    for word in WORD.findall(search.CJK_RUN.sub(" ", text)):
        if word not in STOP_WORDS:
            found.add(word)
    return found


@dataclass
class Source:
    """Something the shopper did that a recommendation can be explained by."""

    kind: str  # "search" or "view"
    label: str  # the query, or the viewed item's title
    tokens: frozenset
    weight: float
    category_id: int | None = None


@dataclass
class Profile:
    categories: dict[int, float] = field(default_factory=dict)  # viewed categories -> interest
    terms: dict[str, float] = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)
    seen_listing_ids: set[int] = field(default_factory=set)

    @property
    def is_empty(self):
        return not (self.categories or self.terms)

    def top_terms(self, n=PROFILE_TERMS):
        return [term for term, _w in sorted(self.terms.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]

    def top_categories(self, n=INTEREST_CATEGORIES):
        return [pk for pk, _w in sorted(self.categories.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


# Plain SQL: the ORM took four to five times longer to build this statement (a correlated subquery,
# CASE ordering, a join) than the database takes to answer it through the index.
RECENT_EVENTS_SQL = """
    SELECT e.kind, e.listing_id, e.product_id, e.category_id, e.query, l.title, l.texts, (
        SELECT t.title FROM catalog_producttext t
        WHERE t.product_id = e.product_id
        ORDER BY CASE WHEN t.language = %s THEN 0 ELSE 1 END, t.id
        LIMIT 1
    )
    FROM partner_zone_shopperevent e
    LEFT JOIN partner_zone_partnerlisting l ON l.id = e.listing_id
    WHERE {shopper} = %s
    ORDER BY e.created_at DESC, e.id DESC
    LIMIT %s
"""
EVENT_COLUMNS = (
    "kind",
    "listing_id",
    "product_id",
    "category_id",
    "query",
    "listing_title",
    "listing_texts",
    "product_title",
)


def recent_events(shopper, limit=RECENT_EVENTS):
    """The shopper's newest events with what a profile needs, in one indexed query."""
    if not shopper.is_known:
        return []
    language = (get_language() or settings.LANGUAGE_CODE).lower()
    if shopper.user_id:
        sql, key = RECENT_EVENTS_SQL.format(shopper="e.user_id"), shopper.user_id  # noqa: S608 (a column name)
    else:
        sql, key = RECENT_EVENTS_SQL.format(shopper="e.session_key"), shopper.history_id  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [language, key, limit])
        return [dict(zip(EVENT_COLUMNS, row, strict=True)) for row in cursor.fetchall()]


NEWEST_EVENT_SQL = """
    SELECT e.id FROM partner_zone_shopperevent e WHERE {shopper} = %s ORDER BY e.created_at DESC, e.id DESC LIMIT 1
"""


def history_mark(shopper):
    """What changes whenever the shopper's recommendations may: the id of their newest event (a
    view, a search, a clearing of the history), one row of the shopper's events index; None
    without history. A page keeps what it recommended under this mark."""
    if not shopper.is_known:
        return None
    if shopper.user_id:
        sql, key = NEWEST_EVENT_SQL.format(shopper="e.user_id"), shopper.user_id  # noqa: S608 (a column name)
    else:
        sql, key = NEWEST_EVENT_SQL.format(shopper="e.session_key"), shopper.history_id  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    return row[0] if row else None


def build_profile(events):
    """A profile from events, newest first (dicts shaped like `recent_events` rows)."""
    profile = Profile()
    for position, event in enumerate(events):
        weight = RECENCY_DECAY**position
        if event["kind"] == ShopperEvent.Kind.SEARCH:
            query = event.get("query") or ""
            found = tokens(query)
            for term in found:
                profile.terms[term] = profile.terms.get(term, 0) + weight
            if found:
                _add_source(profile, Source("search", query, frozenset(found), weight))
            continue
        if event.get("listing_id"):
            profile.seen_listing_ids.add(event["listing_id"])
        category_id = event.get("category_id")
        if category_id:
            profile.categories[category_id] = profile.categories.get(category_id, 0) + weight
        title = event.get("listing_title") or event.get("product_title") or ""
        found = tokens(title)
        for term in found:
            profile.terms[term] = profile.terms.get(term, 0) + 0.5 * weight
        if title:
            label = _shown_title(event, title)
            _add_source(profile, Source("view", label, frozenset(found), weight, category_id))
    # The strongest explanations only: each candidate is compared with every source.
    profile.sources = sorted(profile.sources, key=lambda source: -source.weight)[:MAX_SOURCES]
    return profile


def _shown_title(event, title):
    """The viewed item's title as the reason quotes it: a partner listing's in the reader's language
    when its texts have it (the stored title is the home language's), an own product's as read."""
    texts = event.get("listing_texts")
    if isinstance(texts, str):
        try:
            texts = json.loads(texts)
        except ValueError:
            texts = None
    if isinstance(texts, dict) and event.get("listing_id"):
        return title_in(texts, get_language() or settings.LANGUAGE_CODE) or title
    return title


def _add_source(profile, source):
    """A repeated search or view strengthens one source instead of adding another."""
    for known in profile.sources:
        if known.kind == source.kind and known.label == source.label:
            known.weight += source.weight
            return
    profile.sources.append(source)


def profile_for(shopper):
    return build_profile(recent_events(shopper)) if shopper.is_known else Profile()


# --- candidates ----------------------------------------------------------------------------------


def _live_listings():
    # As in every zone strip: active, of an ACTIVE partnership, and priced (a listing whose pricing
    # failed is not shown anywhere but its own product page).
    return PartnerListing.objects.filter(
        is_active=True, partnership__status=Partnership.Status.ACTIVE, price__isnull=False
    )


def branch_closeness(profile, tree):
    """Category -> closeness to the shopper's interests: a viewed category 1, its sub-categories
    0.8, its parent's other branches (siblings) 0.5, scaled by how much the shopper looked there."""
    if not profile.categories:
        return {}
    top = max(profile.categories.values())
    closeness = {}

    def offer(pk, value):
        if value > closeness.get(pk, 0):
            closeness[pk] = value

    for category_id in profile.top_categories():
        interest = 0.5 + 0.5 * profile.categories[category_id] / top
        for pk in tree.subtree(category_id):
            offer(pk, interest * (1.0 if pk == category_id else 0.8))
        parent = tree.parent.get(category_id)
        if parent is not None and tree.parent.get(parent) is not None:  # never a whole top-level branch
            for pk in tree.subtree(parent):
                offer(pk, interest * 0.5)
    return closeness


@dataclass
class Candidates:
    """What the one candidate query found: rows to score as similar goods (id, category_id,
    search_document, changed_at), and the newest listings where we don't carry goods, as
    (id, category), newest first."""

    rows: list[dict] = field(default_factory=list)
    not_carried_newest: list[tuple[int, int]] = field(default_factory=list)


def _nearest_categories(profile, closeness):
    """The categories whose newest listings are candidates: the ones the shopper looked at most,
    then the closest of the rest, NEAREST_CATEGORIES in all. Up to 40 once brought 25 listings
    each (over 1,700 candidates to score) for next to nothing in the top ten: the text matches of
    the closest categories and the branch's most viewed listings find the rest."""
    top = max(closeness.values())
    near = sorted((pk for pk in closeness if closeness[pk] >= 0.75 * top), key=lambda pk: (-closeness[pk], pk))
    return list(dict.fromkeys(profile.top_categories(4) + near))[:NEAREST_CATEGORIES]


def _branch_popular(profile, closeness, popular, limit=CANDIDATES_POPULAR):
    return [pk for pk in popular.ranked_in(closeness) if pk not in profile.seen_listing_ids][:limit]


def _candidates(profile, popular, *, closeness=None, not_carried_in=(), not_carried_limit=0):
    """One query for both recommenders: with `closeness`, the similar goods' candidates (the
    nearest categories' newest listings, text matches in the closest categories, the branch's most
    viewed listings); with `not_carried_in`, the newest `not_carried_limit` listings of those
    categories."""
    if search.uses_postgres():
        return _candidates_postgres(profile, popular, closeness, not_carried_in, not_carried_limit)
    return _candidates_sqlite(profile, popular, closeness, not_carried_in, not_carried_limit)


# PostgreSQL: every part is a LIMITed range scan of listing_category_idx (is_active, category,
# -changed_at) per category, or a primary-key lookup, so its cost does not grow with the catalog or
# with how common the shopper's words are; UNION ALL sends the parts a call needs in one round
# trip. Text matching reads at most MATCH_WINDOW rows per close category. Matching the whole branch
# through the GIN index instead costs one heap row per match (thousands for the common words of a
# big branch, 20-120 ms), and an AND query per search or view through it reads the long posting
# lists of those words (90 ms); without an ORDER BY it also returned whichever rows came first.
LIVE_LISTING = """pl.is_active AND pl.price IS NOT NULL AND pl.id <> ALL (%(seen)s::bigint[])
        AND pl.partnership_id = ANY (ARRAY(SELECT id FROM crossborder_partnership WHERE status = %(active)s))"""
CANDIDATE_PARTS = {
    # the nearest categories' newest listings
    "newest": f"""SELECT 'newest' AS part, l.id, l.category_id, l.search_document, l.changed_at
        FROM unnest(%(nearest)s::integer[]) AS c(id)
        CROSS JOIN LATERAL (
            SELECT pl.id, pl.category_id, pl.search_document, pl.changed_at
            FROM partner_zone_partnerlisting pl
            WHERE pl.category_id = c.id AND {LIVE_LISTING}
            ORDER BY pl.changed_at DESC
            LIMIT %(per_category)s
        ) AS l""",  # noqa: S608 (constant text: every value is a parameter, in all the parts)
    # in each close category's newest listings, those with a word of the shopper's: first those
    # with every word of a search or a viewed title, then the newest
    "matched": f"""SELECT 'matched', l.id, l.category_id, l.search_document, l.changed_at
        FROM unnest(%(match_in)s::integer[]) AS c(id)
        CROSS JOIN LATERAL (
            SELECT recent.id, recent.category_id, recent.search_document, recent.changed_at
            FROM (
                SELECT pl.id, pl.category_id, pl.search_document, pl.changed_at, pl.search_vector
                FROM partner_zone_partnerlisting pl
                WHERE pl.category_id = c.id AND {LIVE_LISTING}
                ORDER BY pl.changed_at DESC
                LIMIT %(match_window)s
            ) AS recent
            WHERE recent.search_vector @@ to_tsquery(%(config)s::regconfig, %(any_word)s)
            ORDER BY recent.search_vector @@ to_tsquery(%(config)s::regconfig, %(every_word)s) DESC,
                recent.changed_at DESC
            LIMIT %(matched_per_category)s
        ) AS l""",  # noqa: S608
    # searches only, no branch: text matches anywhere in the zone (the GIN index)
    "anywhere": f"""SELECT 'matched', pl.id, pl.category_id, pl.search_document, pl.changed_at
        FROM partner_zone_partnerlisting pl
        WHERE pl.search_vector @@ to_tsquery(%(config)s::regconfig, %(any_word)s) AND {LIVE_LISTING}
        LIMIT %(anywhere)s""",  # noqa: S608
    "popular": f"""SELECT 'popular', pl.id, pl.category_id, pl.search_document, pl.changed_at
        FROM partner_zone_partnerlisting pl
        WHERE pl.id = ANY (%(popular)s::bigint[]) AND {LIVE_LISTING}""",  # noqa: S608
    # the newest of every category where we don't carry goods
    "not_carried": f"""SELECT 'not_carried', l.id, l.category_id, NULL, l.changed_at
        FROM unnest(%(not_carried_in)s::integer[]) AS c(id)
        CROSS JOIN LATERAL (
            SELECT pl.id, pl.category_id, pl.changed_at
            FROM partner_zone_partnerlisting pl
            WHERE pl.category_id = c.id AND {LIVE_LISTING}
            ORDER BY pl.changed_at DESC, pl.id DESC
            LIMIT %(not_carried)s
        ) AS l
        ORDER BY l.changed_at DESC, l.id DESC
        LIMIT %(not_carried)s""",  # noqa: S608
}


def _every_word_query(profile):
    """A tsquery text matching listings that have every word of one of the shopper's searches or
    viewed titles: the closest matches, which the text similarity scores highest."""
    parts = [" & ".join(sorted(source.tokens)) for source in profile.sources if source.tokens]
    return " | ".join(f"({part})" for part in parts) if parts else None


def _candidates_postgres(profile, popular, closeness, not_carried_in, not_carried_limit):
    terms = profile.top_terms(MATCH_TERMS) if closeness is not None else []
    closest = sorted(closeness or (), key=lambda pk: (-closeness[pk], pk))
    params = {
        "seen": sorted(profile.seen_listing_ids),
        "active": Partnership.Status.ACTIVE.value,
        "nearest": _nearest_categories(profile, closeness) if closeness else [],
        "per_category": CANDIDATES_PER_CATEGORY,
        # Terms are letters or CJK pairs only (see tokens), never tsquery syntax: joined with "|"
        # they are one OR query, stemmed like the stored vectors.
        "config": search.CONFIG,
        "any_word": " | ".join(terms),
        "every_word": _every_word_query(profile),
        "match_in": closest[:MATCH_CATEGORIES] if terms else [],
        "match_window": MATCH_WINDOW,
        "matched_per_category": CANDIDATES_MATCHED_PER_CATEGORY,
        "anywhere": CANDIDATES_MATCHED,
        "popular": _branch_popular(profile, closeness, popular) if closeness else [],
        "not_carried_in": list(not_carried_in),
        "not_carried": not_carried_limit,
    }
    wanted = {
        "newest": params["nearest"],
        "matched": params["match_in"],
        "anywhere": terms and not closeness,  # searches only: the words alone choose
        "popular": params["popular"],
        "not_carried": params["not_carried_in"],
    }
    parts = [f"({CANDIDATE_PARTS[name]})" for name, needed in wanted.items() if needed]
    candidates, kept = Candidates(), set()
    if not parts:
        return candidates
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        found = cursor.fetchall()
    for part, pk, category_id, document, changed_at in found:
        if part == "not_carried":
            candidates.not_carried_newest.append((pk, category_id))
        elif pk not in kept:
            kept.add(pk)
            candidates.rows.append(
                {"id": pk, "category_id": category_id, "search_document": document, "changed_at": changed_at}
            )
    return candidates


def _candidates_sqlite(profile, popular, closeness, not_carried_in, not_carried_limit):
    """SQLite (the embedded default, small catalogs): the candidates of before in one query, the
    branch's most viewed listings first, then its newest (or, with no branch, the newest matches of
    the searched words). The newest where we don't carry goods come from the same rows: those
    categories lie inside the branch, and the rows after the most viewed are a newest-first prefix
    of it."""
    fields = ("id", "category_id", "search_document", "changed_at")
    terms = profile.top_terms() if closeness is not None else []
    branch_popular = _branch_popular(profile, closeness, popular, SQLITE_POPULAR) if closeness else []
    condition = Q(pk__in=branch_popular) | Q(category_id__in=list(closeness or ())) | Q(category_id__in=not_carried_in)
    if terms and not closeness:  # searches only: substring matches of any term
        for term in terms:
            condition |= Q(search_document__icontains=term)
    rows = list(
        _live_listings()
        .exclude(pk__in=profile.seen_listing_ids)
        .filter(condition)
        .annotate(most_viewed=Case(When(pk__in=branch_popular, then=Value(0)), default=Value(1)))
        .order_by("most_viewed", "-changed_at", "-id")
        .values(*fields)[: len(branch_popular) + SQLITE_NEWEST + not_carried_limit]
    )
    newest_first = sorted(rows, key=lambda row: (row["changed_at"], row["id"]), reverse=True)
    candidates = Candidates()
    if closeness:
        newest = [row for row in newest_first if row["category_id"] in closeness][:SQLITE_NEWEST]
        chosen, most_viewed = {row["id"] for row in newest}, set(branch_popular)
        candidates.rows = newest + [row for row in rows if row["id"] in most_viewed and row["id"] not in chosen]
    elif closeness is not None:
        candidates.rows = newest_first[:CANDIDATES_MATCHED]
    if not_carried_in:
        wanted = set(not_carried_in)
        candidates.not_carried_newest = [
            (row["id"], row["category_id"]) for row in newest_first if row["category_id"] in wanted
        ][:not_carried_limit]
    return candidates


def _best_source(sources, found, category_id):
    """The search or view that explains a candidate best, and how strongly (0..1). `sources` are
    `_scoring_sources` (the profile's, without empty ones, their sizes computed once per call)."""
    best, best_score = None, 0.0
    for words, size, weight, source_category_id, source in sources:
        score = len(words & found) / size * weight
        if source_category_id is not None and source_category_id == category_id:
            score += 0.05 * weight
        if score > best_score:
            best, best_score = source, score
    return best, best_score


def _scoring_sources(profile):
    return [
        (source.tokens, len(source.tokens), source.weight, source.category_id, source)
        for source in profile.sources
        if source.tokens
    ]


def _reason(source, tree, category_id):
    if source is not None and source.kind == "search":
        return _("Because you searched “%(query)s”") % {"query": source.label}
    if source is not None:
        return _("Because you viewed “%(title)s”") % {"title": source.label}
    return _("More from %(category)s, which you browsed") % {"category": tree.name(category_id, get_language())}


def _fetch(ranked):
    """[(listing id, reason)] -> [Recommendation], in order, in one query; gone listings drop out."""
    if not ranked:
        return []
    # Only what a card shows and the partner's code for its link: building and reading the select of
    # every column of the listing, its partnership and partner took longer than the query.
    listings = _live_listings().select_related("partnership__partner").only(*CARD_FIELDS, "partnership__partner__code")
    by_id = listings.in_bulk([pk for pk, _reason in ranked])
    return [Recommendation(by_id[pk], reason) for pk, reason in ranked if pk in by_id]


# --- the recommenders ----------------------------------------------------------------------------


def rank_similar(profile, *, limit=DEFAULT_LIMIT, popular=None, tree=None):
    """[(listing id, reason)]: live listings in the shopper's branches, scored by branch closeness,
    text similarity to what they viewed and searched, and a little popularity."""
    if profile.is_empty:
        return []
    tree = tree or taxonomy()
    popular = popular or popularity()
    closeness = branch_closeness(profile, tree)  # empty for searches only: the words alone choose
    rows = _candidates(profile, popular, closeness=closeness).rows
    return _score_similar(profile, rows, closeness, popular, tree, limit)


def _score_similar(profile, rows, closeness, popular, tree, limit):
    sources = _scoring_sources(profile)
    terms = profile.terms
    total_terms = sum(terms.values()) or 1
    scored = []
    for row in rows:
        found = tokens(row["search_document"])
        source, text = _best_source(sources, found, row["category_id"])
        term_share = sum(terms.get(t, 0) for t in found) / total_terms
        score = (
            closeness.get(row["category_id"], 0)
            + 1.5 * text
            + 0.5 * term_share
            + 0.15 * math.log1p(popular.count(row["id"]))
        )
        scored.append((score, row["changed_at"], row["id"], source, row["category_id"]))
    scored.sort(key=lambda item: (-item[0], -item[1].timestamp(), -item[2]))
    return [(pk, _reason(source, tree, category_id)) for _s, _c, pk, source, category_id in scored[:limit]]


def uncovered_branches(profile, tree):
    """The shopper's interest branches where the home catalog has fewer than HOME_FEW_PRODUCTS
    active products: {branch category: interest}. One query: per category of the branches, its
    active products counted up to HOME_FEW_PRODUCTS (an index-only scan that stops there; the sum
    over a branch reaches the threshold exactly when the full count does)."""
    interests = profile.top_categories()
    if not interests:
        return {}
    # A branch is the category's subtree, or its parent's when that is small too (never a root).
    candidates = {}
    for category_id in interests:
        candidates[category_id] = tree.subtree(category_id)
        parent = tree.parent.get(category_id)
        if parent is not None and tree.parent.get(parent) is not None:
            candidates.setdefault(parent, tree.subtree(parent))
    every = sorted({pk for subtree in candidates.values() for pk in subtree})
    counts = _home_products_up_to(every, HOME_FEW_PRODUCTS)
    home = {branch: sum(counts.get(pk, 0) for pk in subtree) for branch, subtree in candidates.items()}
    branches = {}
    for category_id in interests:
        if home[category_id] >= HOME_FEW_PRODUCTS:
            continue
        parent = tree.parent.get(category_id)
        branch = parent if parent in candidates and home[parent] < HOME_FEW_PRODUCTS else category_id
        branches[branch] = branches.get(branch, 0) + profile.categories[category_id]
    return branches


HOME_PRODUCTS_SQL = """
    SELECT c.id, (
        SELECT COUNT(*) FROM (
            SELECT 1 FROM catalog_product p WHERE p.status = %s AND p.category_id = c.id LIMIT %s
        ) AS few
    )
    FROM catalog_category c
    WHERE c.id IN ({})
"""


# Per process: the capped counts asked so far, for one catalog generation (and cap). Kept only
# where the process keeps the generation too (CATALOG_GENERATION_SECONDS > 0, production).
_home_counts = {"generation": None, "counts": {}}


def _home_products_up_to(category_ids, cap):
    """{category: active home products, counted up to `cap`}; a grouped count of every product of a
    big branch read thousands of rows (a sequential scan of the products) per request. Where the
    process keeps the catalog generation, the counts are kept with it: every product change moves
    the generation, so a shopper's "goods we don't carry" follow the home catalog as its pages do,
    and a returning interest costs no query."""
    if not category_ids:
        return {}
    kept = None
    if settings.CATALOG_GENERATION_SECONDS > 0:
        generation = (catalog_selectors.catalog_generation(), cap)
        if _home_counts["generation"] != generation:
            _home_counts.update(generation=generation, counts={})
        kept = _home_counts["counts"]
        missing = [pk for pk in category_ids if pk not in kept]
    else:
        missing = list(category_ids)
    counted = {}
    if missing:
        sql = HOME_PRODUCTS_SQL.format(", ".join(["%s"] * len(missing)))  # noqa: S608 (placeholders only)
        with connection.cursor() as cursor:
            cursor.execute(sql, [Product.Status.ACTIVE.value, cap, *missing])
            counted = dict(cursor.fetchall())
    if kept is None:
        return counted
    for pk in missing:
        kept[pk] = counted.get(pk, 0)
    return {pk: kept[pk] for pk in category_ids}


@dataclass
class NotCarried:
    """Goods we don't carry, before the newest listings fill in: the branches (branch -> interest),
    each category's branch, and the listings scored from the cached popularity."""

    branches: dict[int, float]
    category_branch: dict[int, int]
    scored: dict[int, tuple[float, int]]

    def needs_newest(self, limit):
        return len(self.scored) < limit

    def ranked(self, newest, limit, tree):
        top = max(self.branches.values())
        scored = dict(self.scored)
        for position, (pk, category_id) in enumerate(newest):
            branch = self.category_branch[category_id]
            if pk not in scored:
                scored[pk] = (0.5 * self.branches[branch] / top - 0.001 * position, branch)
        ranked = sorted(scored, key=lambda pk: (-scored[pk][0], -pk))[:limit]
        language = get_language()
        return [
            (pk, _("We don't carry %(category)s ourselves") % {"category": tree.name(scored[pk][1], language)})
            for pk in ranked
        ]


def not_carried_from_popular(profile, *, limit, popular, tree):
    """The first step of goods we don't carry: the branches (one query) and their most viewed
    listings (from the cached popularity). None when the home catalog covers every interest."""
    branches = uncovered_branches(profile, tree)
    if not branches:
        return None
    category_branch = {}
    for branch in sorted(branches, key=lambda b: -branches[b]):
        for pk in tree.subtree(branch):
            category_branch.setdefault(pk, branch)
    top = max(branches.values())
    scored = {}
    for pk in popular.ranked_in(category_branch):
        category_id, views = popular.views[pk]
        branch = category_branch[category_id]
        if pk in profile.seen_listing_ids:
            continue
        scored[pk] = (0.5 + 0.5 * branches[branch] / top + 0.3 * math.log1p(views), branch)
        if len(scored) >= limit * 3:
            break
    return NotCarried(branches, category_branch, scored)


def rank_not_carried(profile, *, limit=DEFAULT_LIMIT, popular=None, tree=None):
    """[(listing id, reason)]: partner goods in the shopper's branches the home catalog lacks,
    the most viewed first (from the cached popularity), then the newest."""
    if profile.is_empty:
        return []
    tree = tree or taxonomy()
    popular = popular or popularity()
    pending = not_carried_from_popular(profile, limit=limit, popular=popular, tree=tree)
    if pending is None:
        return []
    newest = []
    if pending.needs_newest(limit):  # too few viewed goods there yet: the newest fill in (one more query)
        newest = _candidates(
            profile, popular, not_carried_in=list(pending.category_branch), not_carried_limit=limit * 2
        ).not_carried_newest
    return pending.ranked(newest, limit, tree)


def rank_popular(*, limit=DEFAULT_LIMIT, popular=None, exclude=()):
    popular = popular or popularity()
    exclude = set(exclude)
    reason = _("Popular in the partner zone")
    return [(pk, reason) for pk in popular.ranked() if pk not in exclude][:limit]


def _blend(*lists, limit):
    """Interleave ranked lists, first come first kept, without repeats."""
    chosen, seen = [], set()
    for items in zip(*[lst + [None] * (limit - len(lst)) for lst in lists], strict=False):
        for item in items:
            if item is not None and item[0] not in seen:
                seen.add(item[0])
                chosen.append(item)
    return chosen[:limit]


def rank_blended(profile, *, limit=DEFAULT_LIMIT, popular=None, tree=None):
    """Both recommenders interleaved, from one read of everything they share: the profile (one
    history read), the branches, and one candidate query that also brings the newest goods we
    don't carry when popularity has too few of them."""
    if profile.is_empty:
        return []
    tree = tree or taxonomy()
    popular = popular or popularity()
    closeness = branch_closeness(profile, tree)
    not_carried_limit = max(3, limit // 3)
    pending = not_carried_from_popular(profile, limit=not_carried_limit, popular=popular, tree=tree)
    fill_in = pending is not None and pending.needs_newest(not_carried_limit)
    found = _candidates(
        profile,
        popular,
        closeness=closeness,
        not_carried_in=list(pending.category_branch) if fill_in else (),
        not_carried_limit=not_carried_limit * 2,
    )
    return _blend(
        _score_similar(profile, found.rows, closeness, popular, tree, limit),
        pending.ranked(found.not_carried_newest, not_carried_limit, tree) if pending else [],
        limit=limit,
    )


def rank(profile, kind="all", *, limit=DEFAULT_LIMIT, popular=None):
    """[(listing id, reason)] of one recommender; "all" blends both and falls back on popularity."""
    if kind not in KINDS:
        raise ValueError(f"unknown recommender {kind!r}")
    popular = popular or popularity()
    if kind == "popular":
        return rank_popular(limit=limit, popular=popular, exclude=profile.seen_listing_ids)
    tree = taxonomy()
    if kind == "similar":
        return rank_similar(profile, limit=limit, popular=popular, tree=tree)
    if kind == "not_carried":
        return rank_not_carried(profile, limit=limit, popular=popular, tree=tree)
    chosen = rank_blended(profile, limit=limit, popular=popular, tree=tree)
    if len(chosen) < limit:  # cold start, or too little in the shopper's branches
        taken = {pk for pk, _r in chosen} | profile.seen_listing_ids
        chosen += rank_popular(limit=limit - len(chosen), popular=popular, exclude=taken)
    return chosen


_rankings = OrderedDict()  # per process: (language, kind, limit, history) -> (when, ranked)
MAX_RANKINGS = 10_000


def recommend(shopper, kind="all", *, limit=DEFAULT_LIMIT):
    """Recommendations for a shopper: [Recommendation(listing, reason)], at most `limit`.

    The ranking of a history is kept by the process for PARTNER_ZONE["RECOMMENDATION_SECONDS"]:
    a shopper who comes back to a page without having viewed or searched anything since gets the
    same ranking without it being computed again (the shopper's events are read every time, so a
    new view or search changes the key; the listings are read every time, so a withdrawn or
    suspended one drops out at once)."""
    events = recent_events(shopper)
    seconds = settings.PARTNER_ZONE["RECOMMENDATION_SECONDS"]
    if seconds <= 0:
        return _fetch(rank(build_profile(events), kind, limit=limit))
    key = (get_language(), kind, limit, tuple(tuple(event.values()) for event in events))
    now = time.monotonic()
    hit = _rankings.get(key)
    if hit is not None and now - hit[0] < seconds:
        _rankings.move_to_end(key)
        return _fetch(hit[1])
    ranked = rank(build_profile(events), kind, limit=limit)
    _rankings[key] = (now, ranked)
    _rankings.move_to_end(key)
    while len(_rankings) > MAX_RANKINGS:
        _rankings.popitem(last=False)
    return _fetch(ranked)


# How many more candidates a zone's page ranks than it shows: with several partners, the ranking
# over every zone is cut to the one zone the shopper is in.
ZONE_WIDENING = 4


def recommendations_for(request, kind="all", *, limit=DEFAULT_LIMIT, partnership=None):
    """Recommendations for the shopper behind a request (the pages' entry point); on a zone's page
    (`partnership`) only that partner's goods, never another partner's."""
    if partnership is None:
        return recommend(shopper_for(request), kind, limit=limit)
    ranked = recommend(shopper_for(request), kind, limit=limit * ZONE_WIDENING)
    return [item for item in ranked if item.listing.partnership_id == partnership.pk][:limit]
