"""Shoppers' history and the recommenders: recording, merging at login, clearing, retention, the two
recommenders' choices and reasons, cold start, fixed query counts, and the offline evaluation."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.utils import timezone
from djmoney.money import Money

from catalog import search as catalog_search
from catalog.models import Category
from crossborder.models import Partnership
from partner_zone.management.commands.evaluate_recommenders import evaluate
from partner_zone.models import PartnerListing, ShopperEvent
from partner_zone.services import recommendations as reco
from tests.catalog.factories import make_product, make_user
from tests.partner_zone.factories import make_listing, make_partnership

BABY_BOTTLES = 564  # Baby & Toddler > Nursing & Feeding > Baby Bottles (a leaf)
NURSING_AND_FEEDING = 561
# the newest events, the home products per branch, one candidate query for both recommenders, the
# chosen listings: whatever the history's length
RECOMMENDATION_QUERIES = 4


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    reco.forget_cached_aggregates()
    yield
    cache.clear()
    reco.forget_cached_aggregates()


def _price():
    return Money(Decimal("99.00"), settings.PLATFORM_CURRENCY)


def listing(partnership, title, category_id, **fields):
    texts = {"en": {"title": title, "description": ""}}
    item = make_listing(partnership, texts=texts, category_id=category_id, price=_price(), **fields)
    if catalog_search.uses_postgres():  # as the sync stores them
        PartnerListing.objects.filter(pk=item.pk).update(search_vector=catalog_search.weighted_vector())
    return item


def shopper_request(user=None, session=None):
    request = RequestFactory().get("/")
    request.session = session if session is not None else SessionStore()
    request.user = user or AnonymousUser()
    return request


def two_leaves(parent_depth=1):
    """Two sibling leaves and a leaf of another branch, from the shipped taxonomy."""
    parents = Category.objects.filter(depth=parent_depth).order_by("id")
    picked = []
    for parent in parents:
        leaves = list(parent.children.filter(children__isnull=True).order_by("id")[:2])
        if len(leaves) == 2:
            picked.append(leaves)
        if len(picked) == 2:
            break
    (a, b), (c, _d) = picked
    return a, b, c


# --- history ---------------------------------------------------------------------------------------


def test_views_and_searches_of_an_anonymous_shopper_are_recorded_under_a_history_id(remote):
    item = listing(remote.partnership, "Glass baby bottle", BABY_BOTTLES)
    request = shopper_request()

    reco.record_view(request, listing=item)
    reco.record_search(request, "奶瓶")
    reco.record_search(request, "   ")

    history_id = reco.shopper_for(request).history_id
    assert history_id and request._history_id_is_new and not request.session.modified  # a cookie, no session row
    events = list(ShopperEvent.objects.order_by("id"))
    assert [(e.kind, e.listing_id, e.category_id, e.query, e.session_key, e.user_id) for e in events] == [
        ("view", item.pk, BABY_BOTTLES, "", history_id, None),
        ("search", None, None, "奶瓶", history_id, None),
    ]


def test_a_logged_in_shoppers_events_carry_the_user(remote):
    user = make_user()
    product = make_product()
    request = shopper_request(user=user)

    reco.record_view(request, product=product)

    event = ShopperEvent.objects.get()
    assert (event.user_id, event.product_id, event.category_id) == (user.pk, product.pk, product.category_id)


def test_a_history_kept_in_the_session_moves_to_the_user_at_login_although_the_session_key_changes(remote):
    item = listing(remote.partnership, "Glass baby bottle", BABY_BOTTLES)
    user = make_user()
    other = ShopperEvent.objects.create(kind="search", session_key="someone-else", query="tent")
    client = Client()
    session = client.session  # an anonymous session whose history began before the history cookie
    session[reco.HISTORY_SESSION_KEY] = "from-the-session"
    session.save()
    request = shopper_request(session=session)
    reco.record_view(request, listing=item)
    reco.record_search(request, "bottle")
    old_key = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = old_key

    client.force_login(user)

    assert client.session.session_key != old_key
    assert ShopperEvent.objects.filter(user=user).count() == 2
    other.refresh_from_db()
    assert other.user_id is None
    ranked = reco.rank(reco.profile_for(reco.Shopper(user_id=user.pk)), "similar")
    assert reco.profile_for(reco.Shopper(user_id=user.pk)).seen_listing_ids == {item.pk}
    assert isinstance(ranked, list)


def test_clearing_history_removes_only_the_shoppers_own_events(remote):
    user = make_user()
    session = SessionStore()
    request = shopper_request(user=user, session=session)
    session[reco.HISTORY_SESSION_KEY] = "mine"
    ShopperEvent.objects.create(kind="search", session_key="mine", query="before login")
    reco.record_search(request, "after login")
    kept = [
        ShopperEvent.objects.create(kind="search", session_key="theirs", query="tent"),
        ShopperEvent.objects.create(kind="search", user=make_user(), query="stove"),
    ]

    deleted = reco.clear_history(request)

    assert deleted == 2
    assert sorted(ShopperEvent.objects.values_list("pk", flat=True)) == sorted(e.pk for e in kept)


def test_the_clear_history_view_needs_a_post_with_the_csrf_token(remote, rf):
    from partner_zone.views_history import clear_history

    request = shopper_request()
    request.session[reco.HISTORY_SESSION_KEY] = "mine"
    ShopperEvent.objects.create(kind="search", session_key="mine", query="tent")
    assert clear_history(request).status_code == 405

    post = rf.post("/", {"next": "https://evil.example/"})
    post.session, post.user = request.session, request.user
    post._messages = type("Messages", (), {"add": lambda *a, **k: None})()
    response = clear_history(post)

    assert response.status_code == 302 and response["Location"] == "/"
    assert not ShopperEvent.objects.exists()


def test_purge_removes_only_events_older_than_the_retention(remote, settings):
    settings.PARTNER_ZONE = {**settings.PARTNER_ZONE, "HISTORY_RETENTION_DAYS": 30}
    now = timezone.now()
    old = ShopperEvent.objects.create(kind="search", session_key="a", query="old")
    recent = ShopperEvent.objects.create(kind="search", session_key="a", query="recent")
    ShopperEvent.objects.filter(pk=old.pk).update(created_at=now - dt.timedelta(days=31))
    ShopperEvent.objects.filter(pk=recent.pk).update(created_at=now - dt.timedelta(days=29))

    assert reco.purge_history(now=now) == 1

    assert list(ShopperEvent.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_purge_task_runs_under_the_beat_schedules_name(db):
    from partner_zone.tasks import purge_history

    ShopperEvent.objects.create(kind="search", session_key="a", query="old")
    ShopperEvent.objects.update(created_at=timezone.now() - dt.timedelta(days=365))

    assert purge_history.name == settings.CELERY_BEAT_SCHEDULE["partner-zone-purge-history"]["task"]
    assert purge_history.run() == 1


# --- recommenders ---------------------------------------------------------------------------------


def test_similar_goods_come_from_the_viewed_branch_with_a_reason_naming_the_search_or_view(remote):
    a, b, other = two_leaves()
    viewed = listing(remote.partnership, "Trail running shoe blue", a.pk)
    same_words = listing(remote.partnership, "Trail running shoe red", a.pk)
    sibling = listing(remote.partnership, "Waterproof jacket", b.pk)
    elsewhere = listing(remote.partnership, "Trail running shoe green", other.pk)
    searched = listing(remote.partnership, "Ultralight waterproof jacket", b.pk)
    suspended = make_partnership("eu", currency="EUR", country="DE", status=Partnership.Status.SUSPENDED)
    listing(suspended, "Trail running shoe black", a.pk)
    request = shopper_request()
    reco.record_view(request, listing=viewed)
    reco.record_search(request, "ultralight jacket")

    result = reco.recommendations_for(request, "similar")

    chosen = {item.listing.pk: item.reason for item in result}
    assert viewed.pk not in chosen and elsewhere.pk not in chosen
    assert set(chosen) == {same_words.pk, sibling.pk, searched.pk}
    assert [item.listing.pk for item in result][0] in (same_words.pk, searched.pk)
    assert chosen[same_words.pk] == "Because you viewed “Trail running shoe blue”"
    assert chosen[searched.pk] == "Because you searched “ultralight jacket”"


def test_goods_we_dont_carry_come_from_branches_without_home_products(remote):
    covered, uncovered, _other = two_leaves()
    for _n in range(3):
        make_product(category_id=covered.pk)
    viewed_covered = listing(remote.partnership, "Camping stove", covered.pk)
    viewed_uncovered = listing(remote.partnership, "Bamboo cutlery", uncovered.pk)
    partner_covered = listing(remote.partnership, "Camping stove deluxe", covered.pk)
    partner_uncovered = listing(remote.partnership, "Bamboo chopsticks", uncovered.pk)
    request = shopper_request()
    reco.record_view(request, listing=viewed_covered)
    reco.record_view(request, listing=viewed_uncovered)

    result = reco.recommendations_for(request, "not_carried")

    assert [(item.listing.pk, item.reason) for item in result] == [
        (partner_uncovered.pk, f"We don't carry {uncovered.name_en} ourselves")
    ]
    assert partner_covered.pk not in [item.listing.pk for item in result]


def test_a_shopper_without_history_is_shown_popular_goods(remote):
    a, b, _c = two_leaves()
    popular = listing(remote.partnership, "Popular tent", a.pk)
    quiet = listing(remote.partnership, "Quiet tent", b.pk)
    for n in range(3):
        ShopperEvent.objects.create(kind="view", session_key=f"s{n}", listing=popular, category_id=a.pk)
    ShopperEvent.objects.create(kind="view", session_key="s9", listing=quiet, category_id=b.pk)

    result = reco.recommendations_for(shopper_request())

    assert [(item.listing.pk, item.reason) for item in result] == [
        (popular.pk, "Popular in the partner zone"),
        (quiet.pk, "Popular in the partner zone"),
    ]


def _history(remote, count, categories):
    request = shopper_request()
    items = [listing(remote.partnership, f"Item {n} trail shoe", categories[n % len(categories)].pk) for n in range(10)]
    for n in range(count):
        if n % 5 == 4:
            reco.record_search(request, f"shoe {n}")
        else:
            reco.record_view(request, listing=items[n % len(items)])
    return request


@pytest.mark.parametrize("kind", ["all", "similar", "not_carried"])
@pytest.mark.parametrize("events", [5, 50])
def test_a_recommendation_call_runs_a_fixed_number_of_queries(remote, django_assert_max_num_queries, events, kind):
    a, b, c = two_leaves()
    request = _history(remote, events, [a, b, c])
    reco.taxonomy()
    reco.popularity()  # the cached aggregates, as on a warm server

    with django_assert_max_num_queries(RECOMMENDATION_QUERIES):
        result = reco.recommendations_for(request, kind)

    assert result


def test_a_process_keeps_a_historys_ranking_until_the_shopper_views_or_searches_again(
    remote, settings, django_assert_num_queries
):
    settings.PARTNER_ZONE = {**settings.PARTNER_ZONE, "RECOMMENDATION_SECONDS": 60}
    a, b, c = two_leaves()
    request = _history(remote, 10, [a, b, c])
    reco.taxonomy()
    reco.popularity()
    first = [item.listing.pk for item in reco.recommendations_for(request, "similar")]

    with django_assert_num_queries(2):  # the shopper's events and the chosen listings: no ranking
        again = [item.listing.pk for item in reco.recommendations_for(request, "similar")]
    PartnerListing.objects.filter(pk=first[0]).update(is_active=False)  # withdrawn meanwhile
    kept = [item.listing.pk for item in reco.recommendations_for(request, "similar")]
    searched = listing(remote.partnership, "Folding camp chair", c.pk)
    reco.record_search(request, "folding camp chair")
    after_search = [item.listing.pk for item in reco.recommendations_for(request, "similar")]

    assert again == first
    assert kept == first[1:]  # a withdrawn listing drops out at once
    assert after_search[0] == searched.pk  # a new search ranks again at once


def test_the_cards_of_the_recommendations_need_no_further_query(remote, django_assert_max_num_queries):
    """The chosen listings are loaded with only what a card shows (selectors.CARD_FIELDS): a field
    the card reads and the list lacks would cost one query per card."""
    from partner_zone.templatetags.recommendations import recommendation_block

    a, b, c = two_leaves()
    request = _history(remote, 10, [a, b, c])
    reco.taxonomy()
    reco.popularity()

    with django_assert_max_num_queries(RECOMMENDATION_QUERIES):
        block = recommendation_block(request, "all")

    assert block["items"] and all(item["card"].title and item["card"].url for item in block["items"])


def test_similar_goods_find_what_was_searched_among_many_newer_listings_of_the_category(remote):
    """Text matching is not limited to a category's newest listings: the listing with every word
    the shopper searched comes first although newer ones fill the category."""
    a, _b, _c = two_leaves()
    now = timezone.now()
    viewed = listing(remote.partnership, "Camping spork", a.pk, changed_at=now - dt.timedelta(days=60))
    wanted = listing(remote.partnership, "Ultralight titanium spork", a.pk, changed_at=now - dt.timedelta(days=30))
    for n in range(reco.CANDIDATES_PER_CATEGORY + 5):
        listing(remote.partnership, f"Camping gadget {n}", a.pk, changed_at=now - dt.timedelta(minutes=n))
    request = shopper_request()
    reco.record_view(request, listing=viewed)
    reco.record_search(request, "titanium spork")

    result = reco.recommendations_for(request, "similar")

    assert (result[0].listing.pk, result[0].reason) == (wanted.pk, "Because you searched “titanium spork”")


def test_the_template_tag_renders_each_recommendation_with_its_reason(remote):
    from django.template import Context, Template

    a, _b, _c = two_leaves()
    viewed = listing(remote.partnership, "Trail running shoe blue", a.pk)
    listing(remote.partnership, "Trail running shoe red", a.pk)
    request = shopper_request()
    reco.record_view(request, listing=viewed)

    html = Template("{% load recommendations %}{% recommendations request 'similar' %}").render(
        Context({"request": request})
    )

    assert "Trail running shoe red" in html
    assert "Because you viewed “Trail running shoe blue”" in html.replace("&ldquo;", "“").replace("&rdquo;", "”")


# --- offline evaluation ----------------------------------------------------------------------------


def test_the_offline_evaluation_reports_both_metrics_and_the_recommenders_beat_popularity(db, capsys):
    from django.core.management import call_command

    results = {r.name: r for r in evaluate(sessions=300, seed=7, generate=True)}

    baseline = results["popular"]
    assert results["popular"].sessions > 250
    for name in ("similar", "not_carried", "all"):
        assert results[name].hit_rate > baseline.hit_rate, name
        assert results[name].ndcg > baseline.ndcg, name
    assert not ShopperEvent.objects.exists()
    assert not PartnerListing.objects.exists()  # generated inside a transaction rolled back

    call_command("evaluate_recommenders", sessions=60, seed=3, generate=True)
    out = capsys.readouterr().out
    assert "hit-rate@10" in out and "NDCG@10" in out and "popularity baseline" in out


def test_a_first_visitors_search_sets_a_signed_history_cookie_and_creates_no_session(client, db):
    from django.conf import settings as django_settings

    response = client.get("/en/search/", {"q": "tent"})

    assert response.status_code == 200
    assert reco.HISTORY_COOKIE in response.cookies and django_settings.SESSION_COOKIE_NAME not in response.cookies
    first = ShopperEvent.objects.get()
    client.get("/en/search/", {"q": "stove"})  # the cookie comes back: the same history
    assert set(ShopperEvent.objects.values_list("session_key", flat=True)) == {first.session_key}


def test_a_tampered_history_cookie_is_ignored_and_a_new_history_begins(client, db):
    client.get("/en/search/", {"q": "tent"})
    mine = ShopperEvent.objects.get().session_key
    client.cookies[reco.HISTORY_COOKIE] = client.cookies[reco.HISTORY_COOKIE].value.replace(mine, "someone-else")

    client.get("/en/search/", {"q": "stove"})

    keys = list(ShopperEvent.objects.order_by("id").values_list("session_key", flat=True))
    assert keys[0] == mine and keys[1] not in (mine, "someone-else")


def test_the_cookie_history_joins_the_user_at_login(client, db):
    from django.contrib.auth import login

    user = make_user()
    response = client.get("/en/search/", {"q": "tent"})
    request = RequestFactory().get("/")
    request.COOKIES[reco.HISTORY_COOKIE] = response.cookies[reco.HISTORY_COOKIE].value
    request.session = SessionStore()

    login(request, user, backend="django.contrib.auth.backends.ModelBackend")  # what a login view does

    assert ShopperEvent.objects.get().user_id == user.pk


def test_in_production_searches_are_written_behind_in_one_insert(settings, db, django_assert_num_queries):
    settings.PARTNER_ZONE = {**settings.PARTNER_ZONE, "SEARCH_WRITE_BEHIND_SECONDS": 60}
    first, second = shopper_request(), shopper_request()

    with django_assert_num_queries(0):
        reco.record_search(first, "tent")
        reco.record_search(second, "stove")
    assert not ShopperEvent.objects.exists()

    with django_assert_num_queries(1):
        assert reco.search_write_behind.flush() == 2
    assert sorted(ShopperEvent.objects.values_list("query", flat=True)) == ["stove", "tent"]


def test_a_written_behind_search_joins_the_user_at_login_and_goes_with_a_cleared_history(settings, db):
    settings.PARTNER_ZONE = {**settings.PARTNER_ZONE, "SEARCH_WRITE_BEHIND_SECONDS": 60}
    user = make_user()
    request = shopper_request()
    reco.record_search(request, "tent")

    assert reco.merge_history_into_user(history_id=reco.shopper_for(request).history_id, user=user) == 1
    reco.record_search(request, "stove")
    request.user = user
    assert reco.clear_history(request) == 2
    assert not ShopperEvent.objects.exists() and reco.search_write_behind.flush() == 0


@pytest.mark.postgres
@pytest.mark.parametrize("shopper", ["e.session_key", "e.user_id"])
def test_a_shoppers_newest_events_are_read_from_one_index_in_order_without_a_sort(db, shopper):
    """Without an index in the read's order PostgreSQL sorted all of a heavy shopper's events, or
    walked everyone's back through created_at to this shopper's (60-80 ms a page on 100,000 events)."""
    from django.db import connection

    key = "a" * 32 if shopper == "e.session_key" else 1
    sql = reco.RECENT_EVENTS_SQL.format(shopper=shopper)  # noqa: S608 (a column name)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, ["en", key, 50])
        plan = "\n".join(row[0] for row in cursor.fetchall())

    index = "event_session_newest_idx" if shopper == "e.session_key" else "event_user_newest_idx"
    # (The product title's subquery sorts a product's few texts; that is not this.)
    assert index in plan and "Sort Key: e.created_at" not in plan, plan


def test_a_viewed_partner_title_is_quoted_in_the_language_the_reason_is_read_in(remote):
    """The shopper viewed a listing that has texts in both languages: the reason quotes its title
    in the language of the page showing the recommendation, whichever one it was viewed in."""
    from django.utils import translation

    a, _b, _c = two_leaves()
    viewed = listing(remote.partnership, "Trail running shoe blue", a.pk)
    viewed.texts = {"en": {"title": "Trail running shoe blue"}, "zh-hans": {"title": "蓝色越野跑鞋"}}
    viewed.save(update_fields=["texts"])
    red = listing(remote.partnership, "Trail running shoe red", a.pk)
    request = shopper_request()
    with translation.override("zh-hans"):
        reco.record_view(request, listing=viewed)

    reasons = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            reasons[language] = {item.listing.pk: item.reason for item in reco.recommendations_for(request, "similar")}

    assert reasons["en"][red.pk] == "Because you viewed “Trail running shoe blue”"
    assert "蓝色越野跑鞋" in reasons["zh-hans"][red.pk] and "Trail running" not in reasons["zh-hans"][red.pk]


def test_where_the_home_catalog_is_thin_is_kept_with_the_catalog_generation(
    remote, settings, django_assert_num_queries
):
    """In production (the catalog generation kept per process) the home catalog's capped counts
    per category are kept with the generation: a second shopper with the same interests costs one
    query less, and once products arrive (a new generation) "goods we don't carry" stops
    recommending that branch."""
    from catalog import selectors as catalog_selectors

    settings.CATALOG_GENERATION_SECONDS = 60
    catalog_selectors._generation_read.update(value=None, at=0.0)
    _covered, uncovered, _other = two_leaves()
    viewed = listing(remote.partnership, "Bamboo cutlery", uncovered.pk)
    partner_goods = listing(remote.partnership, "Bamboo chopsticks", uncovered.pk)
    first, second = shopper_request(), shopper_request()
    reco.record_view(first, listing=viewed)
    reco.record_view(second, listing=viewed)
    reco.taxonomy()
    reco.popularity()

    assert [item.listing.pk for item in reco.recommendations_for(first, "not_carried")] == [partner_goods.pk]
    with django_assert_num_queries(3):  # events, the partner's newest there, the listings: no home counts
        assert [item.listing.pk for item in reco.recommendations_for(second, "not_carried")] == [partner_goods.pk]

    for _n in range(reco.ranking.HOME_FEW_PRODUCTS):
        make_product(category_id=uncovered.pk)
    catalog_selectors._generation_read.update(value=None, at=0.0)  # the process reads the generation again
    assert reco.recommendations_for(first, "not_carried") == []
