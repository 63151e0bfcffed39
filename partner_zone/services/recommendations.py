"""Shoppers' browsing and search history, and the recommenders built on it: *similar partner goods*
(the taxonomy branches and words of what the shopper viewed and searched), *goods we don't carry*
(partner goods in branches where the shopper showed interest and the home catalog has little) and a
popularity baseline (cold start, and the yardstick of `evaluate_recommenders`).

An anonymous shopper is known by a random history id kept in the session data (not the session
key, which Django rotates at login), stored as `ShopperEvent.session_key`; a logged-in shopper's
events also carry the user, and logging in moves the session's events to the user.

A recommendation call runs a fixed number of indexed queries whatever the history's length: the
50 newest events (by the (user | session_key, -created_at) indexes), at most two candidate queries
limited by category, one grouped count of home products, one fetch of the chosen listings. The
popularity of listings (view counts over every shopper) is a cached aggregate, refreshed at most
every few minutes, never counted per request."""

import functools
import math
import re
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from catalog import search
from catalog.models import Category, Product, ProductText
from crossborder.models import Partnership
from partner_zone.models import PartnerListing, ShopperEvent

HISTORY_SESSION_KEY = "partner_zone_history_id"
RECENT_EVENTS = 50
DEFAULT_LIMIT = 10
CANDIDATES_MATCHED = 150  # text-matched candidates fetched per call (PostgreSQL)
CANDIDATES_RECENT = 60  # newest listings of the shopper's closest categories
CANDIDATES_PER_CATEGORY = 25  # newest per closest category (PostgreSQL)
CANDIDATES_POPULAR = 60  # most viewed listings anywhere in the shopper's branches
INTEREST_CATEGORIES = 8
PROFILE_TERMS = 16
MAX_SOURCES = 16
HOME_FEW_PRODUCTS = 3  # a branch with fewer active home products is one "we don't carry"
POPULARITY_KEY = "partner_zone:reco:popularity:v1"
POPULARITY_SECONDS = 300
POPULARITY_WINDOW_DAYS = 30
POPULARITY_POOL = 2000
TAXONOMY_KEY = "partner_zone:reco:taxonomy:v1"
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
    """A partner listing recommended to a shopper, and why, in the shopper's language."""

    listing: PartnerListing
    reason: str


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


def shopper_for(request, *, create=False):
    """The shopper behind a request; with `create`, an anonymous session gets its history id."""
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    session = getattr(request, "session", None)
    history_id = None
    if session is not None:
        history_id = session.get(HISTORY_SESSION_KEY)
        if not history_id and create:
            history_id = uuid.uuid4().hex
            session[HISTORY_SESSION_KEY] = history_id  # marks the session modified: it gets a key
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


def record_search(request, query):
    """Record what the shopper searched for (blank queries are not history)."""
    query = " ".join((query or "").replace("\x00", "").split())[:200]
    if not search.query_terms(query):
        return None
    shopper = shopper_for(request, create=True)
    if not shopper.is_known:
        return None
    return ShopperEvent.objects.create(
        kind=ShopperEvent.Kind.SEARCH, session_key=shopper.history_id or "", user_id=shopper.user_id, query=query
    )


def merge_history_into_user(*, history_id, user):
    """At login: the anonymous session's events become the user's. Returns how many moved."""
    if not history_id or user is None:
        return 0
    with transaction.atomic():
        return ShopperEvent.objects.filter(session_key=history_id, user__isnull=True).update(user=user)


def clear_history(request):
    """Delete the shopper's own history (the user's and this session's); nobody else's."""
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


# --- taxonomy and popularity (cached aggregates) -------------------------------------------------


@dataclass
class Taxonomy:
    parent: dict[int, int | None]
    names: dict[int, tuple[str, str]]
    children: dict[int, list[int]] = field(default_factory=dict)

    def subtree(self, category_id):
        found, stack = [], [category_id]
        while stack:
            node = stack.pop()
            found.append(node)
            stack.extend(self.children.get(node, ()))
        return found

    def name(self, category_id, language=None):
        en, zh = self.names.get(category_id, ("", ""))
        return zh if (language or "").lower().startswith("zh") and zh else en


def taxonomy():
    """The shared taxonomy's shape (a few hundred nodes), cached: it changes only with a migration."""
    return _memoised(TAXONOMY_KEY, _load_taxonomy)


def _load_taxonomy():
    tree = cache.get(TAXONOMY_KEY)
    if tree is None:
        parent, names, children = {}, {}, defaultdict(list)
        for pk, parent_id, name_en, name_zh in Category.objects.values_list(
            "id", "parent_id", "name_en", "name_zh_hans"
        ):
            parent[pk] = parent_id
            names[pk] = (name_en, name_zh)
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


def recent_events(shopper, limit=RECENT_EVENTS):
    """The shopper's newest events with what a profile needs, in one indexed query."""
    language = (get_language() or settings.LANGUAGE_CODE).lower()
    product_title = Subquery(
        ProductText.objects.filter(product_id=OuterRef("product_id"))
        .annotate(mine=Case(When(language=language, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("mine", "id")
        .values("title")[:1]
    )
    return list(
        shopper.events()
        .order_by("-created_at", "-id")
        .annotate(listing_title=F("listing__title"), product_title=product_title)
        .values("kind", "listing_id", "product_id", "category_id", "query", "listing_title", "product_title")[:limit]
    )


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
            _add_source(profile, Source("view", title, frozenset(found), weight, category_id))
    # The strongest explanations only: each candidate is compared with every source.
    profile.sources = sorted(profile.sources, key=lambda source: -source.weight)[:MAX_SOURCES]
    return profile


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


def _or_tsquery(terms):
    combined = None
    for term in terms:
        if search.CJK_RUN.fullmatch(term):
            part = SearchQuery(term, config="simple", search_type="raw")
        else:
            part = SearchQuery(term, config=search.CONFIG, search_type="plain")
        combined = part if combined is None else combined | part
    return combined


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


def _candidate_rows(profile, closeness, popular):
    """Listings in the shopper's branches, at most three limited queries: the best text matches
    in the branch (PostgreSQL full text), the closest categories' newest listings, and the branch's most
    viewed listings (chosen from the cached popularity, fetched by primary key)."""
    fields = ("id", "category_id", "search_document", "changed_at")
    live = _live_listings().exclude(pk__in=profile.seen_listing_ids)
    rows, seen = [], set()
    terms = profile.top_terms()
    # Text matches come from the whole branch; the newest listings only from the closest categories
    # (the ones the shopper looked at most); the branch's popular listings from the cached aggregate.
    closest = profile.top_categories(4)
    top = max(closeness.values()) if closeness else 0
    near = sorted((pk for pk in closeness if closeness[pk] >= 0.75 * top), key=lambda pk: -closeness[pk])
    nearest = list(dict.fromkeys(closest + near))[:40]
    matched = None
    if terms and search.uses_postgres():
        tsquery = _or_tsquery(terms)
        scope = live.filter(category_id__in=list(closeness)) if closeness else live
        # No ORDER BY ts_rank: ranking thousands of matches of common words costs more than the
        # budget; the GIN index finds matches, Python scores them with the rest.
        matched = scope.filter(search_vector=tsquery).values(*fields)
    elif terms and not closeness:  # searches only, on SQLite: substring matches of any term
        condition = Q()
        for term in terms:
            condition |= Q(search_document__icontains=term)
        matched = live.filter(condition).order_by("-changed_at", "-id").values(*fields)
    if matched is not None:
        for row in matched[:CANDIDATES_MATCHED]:
            seen.add(row["id"])
            rows.append(row)
    branch_popular = [
        pk for pk in popular.ranked_ids if popular.views[pk][0] in closeness and pk not in profile.seen_listing_ids
    ][:CANDIDATES_POPULAR]
    if search.uses_postgres() and nearest:
        newest = _newest_per_category(nearest, CANDIDATES_PER_CATEGORY, profile.seen_listing_ids)
    else:
        # SQLite (the embedded default, small catalogs): the newest of the whole branch.
        newest = live.filter(category_id__in=list(closeness)).order_by("-changed_at", "-id").values(*fields)
        newest = newest[: CANDIDATES_RECENT * 5]
    popular_rows = live.filter(pk__in=branch_popular).values(*fields)
    for row in [*(newest if nearest else ()), *(popular_rows if branch_popular else ())]:
        if row["id"] not in seen:
            seen.add(row["id"])
            rows.append(row)
    return rows


NEWEST_PER_CATEGORY_SQL = """
    SELECT l.id, l.category_id, l.search_document, l.changed_at
    FROM unnest(%s::integer[]) AS c(id)
    CROSS JOIN LATERAL (
        SELECT pl.id, pl.category_id, pl.search_document, pl.changed_at
        FROM partner_zone_partnerlisting pl
        JOIN crossborder_partnership p ON p.id = pl.partnership_id AND p.status = %s
        WHERE pl.is_active AND pl.category_id = c.id AND pl.price IS NOT NULL
        ORDER BY pl.changed_at DESC
        LIMIT %s
    ) AS l
"""


def _newest_per_category(category_ids, per_category, exclude):
    """PostgreSQL: the newest listings of each category, each an index range scan of
    listing_category_idx with its own LIMIT (a big category never costs a big sort)."""
    with connection.cursor() as cursor:
        cursor.execute(
            NEWEST_PER_CATEGORY_SQL, [list(category_ids), Partnership.Status.ACTIVE.value, per_category + len(exclude)]
        )
        rows = cursor.fetchall()
    return [
        {"id": pk, "category_id": category_id, "search_document": document, "changed_at": changed_at}
        for pk, category_id, document, changed_at in rows
        if pk not in exclude
    ]


def _best_source(profile, found, category_id):
    """The search or view that explains a candidate best, and how strongly (0..1)."""
    best, best_score = None, 0.0
    for source in profile.sources:
        if not source.tokens:
            continue
        overlap = len(source.tokens & found) / len(source.tokens)
        score = overlap * source.weight
        if source.category_id is not None and source.category_id == category_id:
            score += 0.05 * source.weight
        if score > best_score:
            best, best_score = source, score
    return best, best_score


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
    listings = (
        _live_listings().select_related("partnership__partner", "category").defer("search_document", "search_vector")
    )
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
    scored = []
    for row in _candidate_rows(profile, closeness, popular):
        found = tokens(row["search_document"])
        source, text = _best_source(profile, found, row["category_id"])
        term_share = sum(profile.terms.get(t, 0) for t in found) / (sum(profile.terms.values()) or 1)
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
    active products: {branch category: interest}. One grouped count over the branches."""
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
    every = {pk for subtree in candidates.values() for pk in subtree}
    counts = dict(
        Product.objects.filter(status=Product.Status.ACTIVE, category_id__in=every)
        .values("category_id")
        .annotate(n=Count("id"))
        .values_list("category_id", "n")
    )
    home = {branch: sum(counts.get(pk, 0) for pk in subtree) for branch, subtree in candidates.items()}
    branches = {}
    for category_id in interests:
        if home[category_id] >= HOME_FEW_PRODUCTS:
            continue
        parent = tree.parent.get(category_id)
        branch = parent if parent in candidates and home[parent] < HOME_FEW_PRODUCTS else category_id
        branches[branch] = branches.get(branch, 0) + profile.categories[category_id]
    return branches


def rank_not_carried(profile, *, limit=DEFAULT_LIMIT, popular=None, tree=None):
    """[(listing id, reason)]: partner goods in the shopper's branches the home catalog lacks,
    the most viewed first (from the cached popularity), then the newest."""
    if profile.is_empty:
        return []
    tree = tree or taxonomy()
    popular = popular or popularity()
    branches = uncovered_branches(profile, tree)
    if not branches:
        return []
    category_branch = {}
    for branch in sorted(branches, key=lambda b: -branches[b]):
        for pk in tree.subtree(branch):
            category_branch.setdefault(pk, branch)
    top = max(branches.values())
    scored = {}
    for pk in popular.ranked():
        category_id, views = popular.views[pk]
        branch = category_branch.get(category_id)
        if branch is None or pk in profile.seen_listing_ids:
            continue
        scored[pk] = (0.5 + 0.5 * branches[branch] / top + 0.3 * math.log1p(views), branch)
        if len(scored) >= limit * 3:
            break
    newest = []
    if len(scored) < limit:  # too few viewed goods there yet: the newest fill in (one more query)
        newest = (
            _live_listings()
            .filter(category_id__in=list(category_branch))
            .exclude(pk__in=profile.seen_listing_ids)
            .order_by("-changed_at", "-id")
            .values_list("id", "category_id")[: limit * 2]
        )
    for position, (pk, category_id) in enumerate(newest):
        branch = category_branch[category_id]
        if pk not in scored:
            scored[pk] = (0.5 * branches[branch] / top - 0.001 * position, branch)
    ranked = sorted(scored, key=lambda pk: (-scored[pk][0], -pk))[:limit]
    language = get_language()
    return [
        (pk, _("We don't carry %(category)s ourselves") % {"category": tree.name(scored[pk][1], language)})
        for pk in ranked
    ]


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
    chosen = _blend(
        rank_similar(profile, limit=limit, popular=popular, tree=tree),
        rank_not_carried(profile, limit=max(3, limit // 3), popular=popular, tree=tree),
        limit=limit,
    )
    if len(chosen) < limit:  # cold start, or too little in the shopper's branches
        taken = {pk for pk, _r in chosen} | profile.seen_listing_ids
        chosen += rank_popular(limit=limit - len(chosen), popular=popular, exclude=taken)
    return chosen


def recommend(shopper, kind="all", *, limit=DEFAULT_LIMIT):
    """Recommendations for a shopper: [Recommendation(listing, reason)], at most `limit`."""
    return _fetch(rank(profile_for(shopper), kind, limit=limit))


def recommendations_for(request, kind="all", *, limit=DEFAULT_LIMIT):
    """Recommendations for the shopper behind a request (the pages' entry point)."""
    return recommend(shopper_for(request), kind, limit=limit)
