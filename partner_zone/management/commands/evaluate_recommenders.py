"""Offline evaluation of the recommenders on generated browsing sessions.

Each synthetic shopper has a few interests, each a taxonomy category with a preferred style (a word
of the titles); they view goods mostly there (sometimes in a sibling category of the same parent,
sometimes anything popular) and search words of those goods' titles. The session's last view is
held out; each recommender sees the rest and is scored on whether it ranks the held-out listing in
its top 10: hit-rate@10 and NDCG@10, next to the popularity baseline (the most viewed listings over
all sessions, which cannot know a shopper's interests).

With fewer than MIN_LISTINGS live listings (or --generate), listings are generated too, inside a
transaction rolled back at the end: the database is left as it was. Deterministic for a --seed."""

import math
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from djmoney.money import Money

from catalog import search
from catalog.models import Category
from crossborder.models import Partner, Partnership
from partner_zone.models import PartnerListing, ShopperEvent
from partner_zone.services import recommendations as reco

MIN_LISTINGS = 200
TOP_K = 10
RECOMMENDERS = ("similar", "not_carried", "all")
STYLES = ("trail", "compact", "classic", "deluxe", "organic", "travel", "silicone", "bamboo", "pro", "mini")
ADJECTIVES = ("soft", "light", "sturdy", "bright", "quiet", "warm", "smart", "slim")


@dataclass
class Result:
    name: str
    hit_rate: float
    ndcg: float
    sessions: int


class _Rollback(Exception):
    pass


def _generate_listings(rng, *, parents=12, children_per_parent=4, per_category=30):
    """Listings in clusters of sibling categories; titles carry the category name and a style."""
    partnership = Partnership.objects.filter(status=Partnership.Status.ACTIVE).select_related("partner").first()
    if partnership is None:
        partner = Partner.objects.filter(code="reco-eval").first() or Partner.objects.create(
            code="reco-eval", name="Evaluation partner", country="US", currency="USD", languages=["en"],
            base_url="http://reco-eval.invalid",
        )  # fmt: skip
        partnership = Partnership.objects.create(
            partner=partner,
            status=Partnership.Status.ACTIVE,
            initiated_by=Partnership.Initiator.US,
            settlement_currency="USD",
            commission_rate="0.0800",
            settlement_cutoff="23:00",
        )
    families = {}
    for child in Category.objects.filter(depth__gte=2).order_by("id").values("id", "parent_id", "name_en"):
        families.setdefault(child["parent_id"], []).append(child)
    usable = sorted((p for p, kids in families.items() if len(kids) >= 2), key=lambda p: p)
    chosen = rng.sample(usable, min(parents, len(usable)))
    now = timezone.now()
    rows, n = [], 0
    for parent_id in chosen:
        for category in rng.sample(families[parent_id], min(children_per_parent, len(families[parent_id]))):
            styles = rng.sample(STYLES, 3)
            for _i in range(per_category):
                n += 1
                title = f"{rng.choice(ADJECTIVES)} {rng.choice(styles)} {category['name_en'].lower()} {n}"
                rows.append(
                    PartnerListing(
                        partnership=partnership,
                        reference=_uuid(rng),
                        version=1,
                        changed_at=now - timezone.timedelta(minutes=rng.randrange(100000)),
                        category_id=category["id"],
                        brand="Eval",
                        original_language="en",
                        texts={"en": {"title": title, "description": ""}},
                        title=title,
                        title_language="en",
                        hs_code="392410",
                        weight_grams=250,
                        country_of_origin="US",
                        export_price=Money(Decimal("20.00"), "USD"),
                        price=Money(Decimal("149.00"), settings.PLATFORM_CURRENCY),
                        search_document=search.document("Eval", titles=[title]),
                    )
                )
    PartnerListing.objects.bulk_create(rows, batch_size=1000)
    if search.uses_postgres():
        PartnerListing.objects.filter(partnership=partnership, search_vector__isnull=True).update(
            search_vector=search.weighted_vector()
        )


def _uuid(rng):
    import uuid

    return uuid.UUID(int=rng.getrandbits(128), version=4)


@dataclass
class Catalogue:
    by_category: dict  # category -> [(id, title)] in popularity order (Zipf within the category)
    siblings: dict  # category -> sibling categories (same parent) that have listings
    category_weights: list
    categories: list


def _catalogue(rng):
    tree = reco.taxonomy()
    rows = list(reco._live_listings().order_by("category_id", "id").values_list("id", "category_id", "title"))
    by_category = {}
    for pk, category_id, title in rows:
        by_category.setdefault(category_id, []).append((pk, title))
    for items in by_category.values():
        rng.shuffle(items)  # a random popularity order within each category
    categories = sorted(c for c, items in by_category.items() if len(items) >= 5)
    siblings = {
        c: [s for s in categories if s != c and tree.parent.get(s) == tree.parent.get(c) is not None]
        for c in categories
    }
    order = categories[:]
    rng.shuffle(order)
    weights = {c: 1 / (rank + 1) ** 0.7 for rank, c in enumerate(order)}
    return Catalogue(by_category, siblings, [weights[c] for c in categories], categories)


def _style(title):
    words = title.split()
    return words[1] if len(words) > 1 else (words[0] if words else "")


def _zipf_pick(rng, items, exclude, skew=1.0):
    weights = [0 if pk in exclude else 1 / (rank + 1) ** skew for rank, (pk, _t) in enumerate(items)]
    if not any(weights):
        return None
    return rng.choices(items, weights=weights)[0]


def _session(rng, catalogue):
    """[(kind, listing id | None, category, query, title)] oldest first; at least two views."""
    interests = rng.choices(catalogue.categories, weights=catalogue.category_weights, k=rng.randint(1, 3))
    style = {c: rng.choice(sorted({_style(t) for _pk, t in catalogue.by_category[c]})) for c in interests}
    events, viewed = [], set()
    for _step in range(rng.randint(4, 12)):
        roll = rng.random()
        interest = rng.choice(interests)
        if roll < 0.12 and catalogue.siblings[interest]:
            category = rng.choice(catalogue.siblings[interest])
        elif roll < 0.22:
            category = rng.choices(catalogue.categories, weights=catalogue.category_weights)[0]
        else:
            category = interest
        items = catalogue.by_category[category]
        if category in style and rng.random() < 0.7:
            styled = [item for item in items if _style(item[1]) == style[category]]
            items = styled or items
        if rng.random() < 0.15:
            words = [style.get(category) or _style(items[0][1]), *items[0][1].split()[2:-1]]
            events.append(("search", None, None, " ".join(words[: rng.randint(1, 2)]), ""))
        item = _zipf_pick(rng, items, viewed)
        if item is None:
            continue
        viewed.add(item[0])
        events.append(("view", item[0], category, "", item[1]))
    return events


def _gain(ranked_ids, target):
    for position, pk in enumerate(ranked_ids[:TOP_K]):
        if pk == target:
            return 1.0, 1 / math.log2(position + 2)
    return 0.0, 0.0


def evaluate(*, sessions=2000, seed=7, generate=None, stdout=None):
    """Hit-rate@10 and NDCG@10 per recommender and for the popularity baseline: [Result]."""
    rng = random.Random(seed)
    results = None
    try:
        with transaction.atomic():
            if generate is None:
                generate = reco._live_listings().count() < MIN_LISTINGS
            if generate:
                _generate_listings(rng)
            results = _evaluate(rng, sessions)
            raise _Rollback  # generated listings (if any) leave with the transaction
    except _Rollback:
        pass
    return results


def _evaluate(rng, sessions):
    catalogue = _catalogue(rng)
    if not catalogue.categories:
        return []
    histories = []
    for _n in range(sessions):
        events = _session(rng, catalogue)
        views = [i for i, e in enumerate(events) if e[0] == "view"]
        if len(views) < 2:
            continue
        held_out = events[views[-1]][1]
        histories.append((events[: views[-1]], held_out))
    # Popularity as the cached aggregate would hold it: views over every session's training part.
    counts = Counter()
    for training, _held_out in histories:
        for kind, pk, category, _q, _t in training:
            if kind == "view":
                counts[(pk, category)] += 1
    popular = reco.Popularity(
        views={pk: (category, n) for (pk, category), n in counts.most_common(reco.POPULARITY_POOL)}
    )
    totals = {name: [0.0, 0.0] for name in (*RECOMMENDERS, "popular")}
    for training, held_out in histories:
        rows = [
            {
                "kind": ShopperEvent.Kind.SEARCH if kind == "search" else ShopperEvent.Kind.VIEW,
                "listing_id": pk,
                "product_id": None,
                "category_id": category,
                "query": query,
                "listing_title": title,
                "product_title": None,
            }
            for kind, pk, category, query, title in reversed(training)
        ]
        profile = reco.build_profile(rows)
        for name in totals:
            ranked = [pk for pk, _reason in reco.rank(profile, name, limit=TOP_K, popular=popular)]
            hit, ndcg = _gain(ranked, held_out)
            totals[name][0] += hit
            totals[name][1] += ndcg
    n = len(histories) or 1
    return [Result(name, hit / n, ndcg / n, len(histories)) for name, (hit, ndcg) in totals.items()]


LABELS = {
    "similar": "similar partner goods",
    "not_carried": "goods we don't carry",
    "all": "both, blended (as shown)",
    "popular": "popularity baseline",
}


class Command(BaseCommand):
    help = "Evaluate the recommenders offline: hit-rate@10 and NDCG@10 on generated sessions vs popularity."

    def add_arguments(self, parser):
        parser.add_argument("--sessions", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--generate", action="store_true", help="generate listings even if enough exist (rolled back)"
        )

    def handle(self, *args, sessions, seed, generate, **options):
        results = evaluate(sessions=sessions, seed=seed, generate=generate or None)
        if not results:
            self.stderr.write("No listings to evaluate on.")
            return
        baseline = next(r for r in results if r.name == "popular")
        self.stdout.write(f"{results[0].sessions} sessions, seed {seed}, top {TOP_K}, last view held out")
        self.stdout.write(f"{'recommender':<28} {'hit-rate@10':>12} {'NDCG@10':>9} {'vs baseline':>12}")
        for result in results:
            ratio = f"{result.hit_rate / baseline.hit_rate:.1f}x" if baseline.hit_rate else "-"
            self.stdout.write(f"{LABELS[result.name]:<28} {result.hit_rate:>12.3f} {result.ndcg:>9.3f} {ratio:>12}")
