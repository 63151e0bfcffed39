"""Mirroring the partner's catalog feed: full and incremental runs, versions, tombstones, rejected
items, resumption after an interruption, suspended partnerships, local stock, query counts."""

import datetime as dt
import threading
import uuid
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from djmoney.money import Money

from catalog import feed as catalog_feed
from catalog import search
from catalog.serializers import iso
from crossborder import services as crossborder_services
from crossborder.client import PartnerUnreachable
from crossborder.models import Partnership
from logistics import hooks as logistics_hooks
from partner_zone import hooks as zone_hooks
from partner_zone import tasks
from partner_zone.models import PartnerListing, SyncRun
from partner_zone.services import PartnerZoneError, sync
from partner_zone.services.sync import items as sync_items
from partner_zone.services.sync import run as sync_run
from tests.logistics.factories import make_level
from tests.partner_zone.factories import feed_item, feed_tombstone, make_listing, make_partnership

pytestmark = pytest.mark.django_db


class FakeFeed:
    """Stands in for catalog.feed.iter_partner_feed: serves `pages` (lists of entries) with
    cursors c1, c2, ...; records each fetch's updated_since and starting cursor; raises
    `fail_after` (an exception) once that many pages have been served in a fetch."""

    def __init__(self, pages, *, watermark="2026-01-01T00:00:00.000000Z", fail_after=None, error=None):
        self.pages = pages
        self.watermark = watermark
        self.fail_after = fail_after
        self.error = error or PartnerUnreachable("connection reset by the partner")
        self.fetches = []

    def __call__(self, partnership, *, updated_since=None, limit=None, cursor=None):
        self.fetches.append({"updated_since": updated_since, "cursor": cursor})
        start = int(cursor[1:]) if cursor else 0
        for served, index in enumerate(range(start, len(self.pages))):
            if self.fail_after is not None and served >= self.fail_after:
                self.fail_after = None
                raise self.error
            has_more = index + 1 < len(self.pages)
            yield catalog_feed.ReceivedPage(
                items=self.pages[index],
                next_cursor=f"c{index + 1}" if has_more else None,
                has_more=has_more,
                watermark=self.watermark,
            )


@pytest.fixture
def partnership(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    return make_partnership()


@pytest.fixture
def serve(monkeypatch):
    def serve(pages, **kwargs):
        fake = FakeFeed(pages, **kwargs)
        monkeypatch.setattr(catalog_feed, "iter_partner_feed", fake)
        return fake

    return serve


@pytest.fixture
def changed(monkeypatch):
    calls = []
    monkeypatch.setattr(zone_hooks.listings_changed, "_subscribers", [lambda listing_ids: calls.append(listing_ids)])
    return calls


def listing(reference):
    return PartnerListing.objects.get(reference=reference)


def test_a_first_sync_fetches_the_full_catalog_and_titles_listings_in_the_home_language(partnership, serve, changed):
    items = [feed_item(), feed_item()]
    items[1]["texts"] = {"en": {"title": "Camp lantern", "description": ""}}
    fake = serve([items])

    run = sync.sync_partnership(partnership)

    assert fake.fetches == [{"updated_since": None, "cursor": None}]
    assert (run.status, run.items_changed, run.pages, run.watermark) == (
        SyncRun.Status.SUCCEEDED,
        2,
        1,
        "2026-01-01T00:00:00.000000Z",
    )
    first = listing(items[0]["id"])
    assert first.title == items[0]["texts"]["zh-hans"]["title"] and first.title_language == "zh-hans"
    assert first.export_price == Money(Decimal("20.00"), "USD")
    assert (first.category_id, first.hs_code, first.country_of_origin.code, first.version) == (561, "392410", "US", 1)
    assert first.images == items[0]["images"] and first.ships_from == PartnerListing.ShipsFrom.DIRECT
    assert "奶瓶" in first.search_document and "baby bottle" in first.search_document
    # No Chinese text: the original language's.
    assert (listing(items[1]["id"]).title, listing(items[1]["id"]).title_language) == ("Camp lantern", "en")
    assert sorted(changed[0]) == sorted(PartnerListing.objects.values_list("pk", flat=True))


def test_an_incremental_sync_changes_only_the_changed_listing_and_applies_a_tombstone(partnership, serve, changed):
    items = [feed_item(), feed_item(), feed_item()]
    serve([items], watermark="2026-01-01T00:00:00.000000Z")
    sync.sync_partnership(partnership)
    before = {row.reference: row.updated_at for row in PartnerListing.objects.all()}
    changed.clear()

    newer = dict(items[0], version=2, export_price={"amount": "25.50", "currency": "USD"})
    fake = serve([[newer, feed_tombstone(items[1]["id"], version=2)]], watermark="2026-01-02T00:00:00.000000Z")
    run = sync.sync_partnership(partnership)

    assert fake.fetches == [{"updated_since": "2026-01-01T00:00:00.000000Z", "cursor": None}]
    assert (run.status, run.items_changed, run.tombstones, run.watermark) == (
        SyncRun.Status.SUCCEEDED,
        1,
        1,
        "2026-01-02T00:00:00.000000Z",
    )
    updated = listing(items[0]["id"])
    assert (updated.version, updated.export_price.amount) == (2, Decimal("25.50"))
    assert updated.updated_at > before[updated.reference]
    withdrawn = listing(items[1]["id"])
    assert (withdrawn.is_active, withdrawn.version) == (False, 2)
    untouched = listing(items[2]["id"])
    assert untouched.updated_at == before[untouched.reference] and untouched.is_active
    assert sorted(changed[0]) == sorted([updated.pk, withdrawn.pk])


def test_an_older_or_equal_version_is_ignored_and_counted_unchanged(partnership, serve):
    item = feed_item(version=3)
    serve([[item]])
    sync.sync_partnership(partnership)

    older = dict(item, version=2, export_price={"amount": "1.00", "currency": "USD"})
    same = dict(item, export_price={"amount": "2.00", "currency": "USD"})
    serve([[older], [same, feed_tombstone(item["id"], version=1)]])
    run = sync.sync_partnership(partnership)

    assert (run.items_changed, run.tombstones, run.unchanged) == (0, 0, 3)
    kept = listing(item["id"])
    assert (kept.version, kept.export_price.amount, kept.is_active) == (3, Decimal("20.00"), True)


def test_malformed_items_are_rejected_with_their_reasons_and_the_rest_is_applied(partnership, serve):
    good = feed_item()
    unknown_category = feed_item(category={"taxonomy_id": 999999999, "path_en": "Nowhere"})
    negative = feed_item(export_price={"amount": "-3.00", "currency": "USD"})
    zero = feed_item(export_price={"amount": "0", "currency": "USD"})
    wrong_currency = feed_item(export_price={"amount": "20.00", "currency": "EUR"})
    no_texts = feed_item(texts={})
    bad_hs = feed_item(hs_code="39.24")
    not_a_uuid = feed_item()
    not_a_uuid["id"] = "product-7"
    serve([[good, unknown_category, negative, zero], [wrong_currency, no_texts, bad_hs, not_a_uuid, "garbage"]])

    run = sync.sync_partnership(partnership)

    assert (run.status, run.items_changed, run.rejected) == (SyncRun.Status.SUCCEEDED, 1, 8)
    assert list(PartnerListing.objects.values_list("reference", flat=True)) == [uuid.UUID(good["id"])]
    reasons = {entry["id"]: entry["reason"] for entry in run.rejections}
    assert "unknown taxonomy id 999999999" in reasons[unknown_category["id"]]
    assert "more than zero" in reasons[negative["id"]] and "more than zero" in reasons[zero["id"]]
    assert "EUR" in reasons[wrong_currency["id"]] and "USD" in reasons[wrong_currency["id"]]
    assert "texts are missing" in reasons[no_texts["id"]]
    assert "hs_code" in reasons[bad_hs["id"]]
    assert "UUID" in reasons["product-7"]
    assert "not an object" in reasons[None]


def test_the_settlement_currency_is_accepted_as_well_as_the_partners(partnership, serve):
    partnership.settlement_currency = "CNY"
    partnership.save(update_fields=["settlement_currency"])
    item = feed_item(export_price={"amount": "140.00", "currency": "CNY"})
    serve([[item]])

    assert sync.sync_partnership(partnership).rejected == 0
    assert listing(item["id"]).export_price == Money(Decimal("140.00"), "CNY")


def test_an_interrupted_sync_keeps_its_cursor_and_the_next_run_resumes_from_it_without_duplicates(partnership, serve):
    pages = [[feed_item(), feed_item()], [feed_item(), feed_item()], [feed_item()]]
    serve([pages[0]], watermark="2026-01-01T00:00:00.000000Z")
    sync.sync_partnership(partnership)
    pages[0] = [dict(pages[0][0], version=2), pages[0][1]]
    fake = serve(pages, watermark="2026-01-05T00:00:00.000000Z", fail_after=1)

    interrupted = sync.sync_partnership(partnership)

    assert (interrupted.status, interrupted.cursor, interrupted.pages) == (SyncRun.Status.INTERRUPTED, "c1", 1)
    assert "connection reset" in interrupted.error and interrupted.watermark == ""
    assert PartnerListing.objects.count() == 2

    resumed = sync.sync_partnership(partnership)

    assert fake.fetches[1] == {"updated_since": "2026-01-01T00:00:00.000000Z", "cursor": "c1"}
    assert (resumed.status, resumed.updated_since, resumed.pages, resumed.items_changed) == (
        SyncRun.Status.SUCCEEDED,
        "2026-01-01T00:00:00.000000Z",
        2,
        3,
    )
    assert resumed.watermark == "2026-01-05T00:00:00.000000Z" and resumed.cursor == ""
    assert PartnerListing.objects.count() == 5
    assert listing(pages[0][0]["id"]).version == 2
    # And the run after that starts from the resumed run's watermark.
    fake = serve([[]])
    sync.sync_partnership(partnership)
    assert fake.fetches == [{"updated_since": "2026-01-05T00:00:00.000000Z", "cursor": None}]


def test_a_partner_refusing_the_resume_cursor_fails_the_run_and_the_next_fetches_again(partnership, serve, monkeypatch):
    serve([[feed_item()], [feed_item()]], fail_after=1)
    assert sync.sync_partnership(partnership).cursor == "c1"
    refused = catalog_feed.PartnerFeedError("the partner refused (HTTP 400)", status=400, code="invalid_cursor")

    def refusing(*args, **kwargs):
        raise refused
        yield  # pragma: no cover

    monkeypatch.setattr(catalog_feed, "iter_partner_feed", refusing)
    failed = sync.sync_partnership(partnership)
    assert (failed.status, failed.cursor) == (SyncRun.Status.FAILED, "")

    fake = serve([[feed_item()]])
    sync.sync_partnership(partnership)
    assert fake.fetches == [{"updated_since": None, "cursor": None}]


def test_an_unexpected_error_fails_the_run_with_the_error(partnership, serve, monkeypatch):
    serve([[feed_item()]])
    monkeypatch.setattr(sync_items, "listing_values", lambda *a, **k: 1 / 0)

    run = sync.sync_partnership(partnership)

    assert run.status == SyncRun.Status.FAILED and "ZeroDivisionError" in run.error
    assert run.finished_at is not None and PartnerListing.objects.count() == 0


@pytest.mark.parametrize("status", [Partnership.Status.SUSPENDED, Partnership.Status.ENDED])
def test_a_partnership_that_is_not_active_is_not_synced(partnership, serve, status):
    partnership.status = status
    partnership.save(update_fields=["status"])
    fake = serve([[feed_item()]])

    with pytest.raises(PartnerZoneError) as refused:
        sync.sync_partnership(partnership)

    assert refused.value.code == "partnership_not_live"
    assert fake.fetches == [] and not SyncRun.objects.exists() and not PartnerListing.objects.exists()


def test_suspending_the_partnership_makes_its_listings_unorderable_at_once(partnership):
    priced = make_listing(partnership, price=Money(Decimal("149.90"), "CNY"))
    assert priced.is_orderable

    crossborder_services.suspend_partnership(partnership=partnership, reason="audit")

    assert not PartnerListing.objects.select_related("partnership").get(pk=priced.pk).is_orderable


def test_a_second_sync_of_a_partnership_is_refused_while_one_runs(partnership, serve):
    SyncRun.objects.create(partnership=partnership)
    fake = serve([[feed_item()]])

    with pytest.raises(PartnerZoneError) as refused:
        sync.sync_partnership(partnership)

    assert "already running" in refused.value.detail and fake.fetches == []


def test_a_run_left_running_past_its_lease_is_taken_for_dead_and_resumed(partnership, serve):
    dead = SyncRun.objects.create(partnership=partnership, updated_since="2026-01-01T00:00:00.000000Z", cursor="c1")
    SyncRun.objects.filter(pk=dead.pk).update(started_at=timezone.now() - dt.timedelta(hours=2))
    fake = serve([[feed_item()], [feed_item()]])

    run = sync.sync_partnership(partnership)

    dead.refresh_from_db()
    assert dead.status == SyncRun.Status.INTERRUPTED and "abandoned" in dead.error
    assert fake.fetches == [{"updated_since": "2026-01-01T00:00:00.000000Z", "cursor": "c1"}]
    assert run.status == SyncRun.Status.SUCCEEDED and PartnerListing.objects.count() == 1


def test_a_full_sync_withdraws_the_listings_the_catalog_no_longer_has(partnership, serve):
    kept, gone = feed_item(), feed_item()
    serve([[kept, gone]])
    sync.sync_partnership(partnership)

    serve([[kept]])
    run = sync.sync_partnership(partnership, full=True)

    assert run.tombstones == 1 and run.unchanged == 1
    assert listing(kept["id"]).is_active and not listing(gone["id"]).is_active


def test_the_queries_per_page_do_not_grow_with_the_items(partnership, django_assert_max_num_queries):
    def page(n):
        return [feed_item() for _ in range(n)]

    # SQLite splits a bulk write into batches of 999 parameters: the query count there stays flat
    # only below that; PostgreSQL takes a whole page in one statement.
    small, large = page(5), page(50 if search.uses_postgres() else 12)
    with CaptureQueriesContext(connection) as creating:
        sync.apply_page(partnership, small)
    with django_assert_max_num_queries(len(creating)):
        sync.apply_page(partnership, large)

    with CaptureQueriesContext(connection) as updating:
        sync.apply_page(partnership, [dict(item, version=2) for item in small])
    with django_assert_max_num_queries(len(updating)):
        sync.apply_page(partnership, [dict(item, version=2) for item in large])
    assert PartnerListing.objects.filter(version=2).count() == len(small) + len(large)


def test_consignment_stock_in_our_warehouse_makes_a_listing_ship_from_local(partnership, serve):
    partner = partnership.partner
    make_level(sku="RDG-MUG", owner=partner, on_hand=4)
    make_level(sku="RDG-MUG", owner=partner, on_hand=3)
    make_level(sku="RDG-MUG", owner=None, on_hand=50)  # our own goods: not the partner's
    mug = feed_item(variants=[{"sku": "RDG-MUG", "attributes": {}, "is_active": True}])
    lamp = feed_item(variants=[{"sku": "RDG-LAMP", "attributes": {}, "is_active": True}])
    serve([[mug, lamp]])

    sync.sync_partnership(partnership)

    assert (listing(mug["id"]).local_stock, listing(mug["id"]).ships_from) == (7, PartnerListing.ShipsFrom.LOCAL)
    assert (listing(lamp["id"]).local_stock, listing(lamp["id"]).ships_from) == (0, PartnerListing.ShipsFrom.DIRECT)


def test_a_consignment_stock_change_updates_the_listings_with_those_skus_and_tells_pricing(
    partnership, changed, django_capture_on_commit_callbacks
):
    lamp = make_listing(partnership, variants=[{"sku": "RDG-LAMP", "attributes": {}, "is_active": True}])
    other = make_listing(partnership, variants=[{"sku": "RDG-PAN", "attributes": {}, "is_active": True}])
    make_level(sku="RDG-LAMP", owner=partnership.partner, on_hand=10)

    with django_capture_on_commit_callbacks(execute=True):
        logistics_hooks.consignment_stock_changed.fire(partnership=partnership, skus=["RDG-LAMP"])

    lamp.refresh_from_db()
    other.refresh_from_db()
    assert (lamp.local_stock, lamp.ships_from) == (10, PartnerListing.ShipsFrom.LOCAL)
    assert (other.local_stock, other.ships_from) == (0, PartnerListing.ShipsFrom.DIRECT)
    assert changed == [[lamp.pk]]


def test_the_command_syncs_one_partner_and_prints_the_counts(partnership, serve):
    serve([[feed_item(), feed_item(hs_code="x")]])

    call_command("sync_partner_catalog", "--partner", "us")

    run = SyncRun.objects.get()
    assert (run.items_changed, run.rejected) == (1, 1)


def test_the_command_prints_the_counts_and_rejections(partnership, serve, capsys):
    bad = feed_item(hs_code="x")
    serve([[feed_item(), bad]])

    call_command("sync_partner_catalog", "--partner", "us", "--full")

    out = capsys.readouterr().out
    assert "succeeded: 1 pages, 1 changed, 0 withdrawn, 0 unchanged, 1 rejected, full catalog" in out
    assert f"rejected {bad['id']}: hs_code" in out


def test_the_command_refuses_an_unknown_partner(partnership):
    with pytest.raises(CommandError, match="No live partnership"):
        call_command("sync_partner_catalog", "--partner", "zz")


def test_sync_all_queues_one_sync_per_active_partnership(partnership, monkeypatch):
    make_partnership("jp", currency="JPY", country="JP", status=Partnership.Status.SUSPENDED)
    queued = []
    monkeypatch.setattr(tasks.sync_partnership, "delay", queued.append)

    assert tasks.sync_all() == 1
    assert queued == [partnership.pk]


def test_the_sync_task_skips_a_partnership_that_is_no_longer_active(partnership, serve):
    partnership.status = Partnership.Status.SUSPENDED
    partnership.save(update_fields=["status"])
    serve([[feed_item()]])

    assert tasks.sync_partnership(partnership.pk) is None
    assert not SyncRun.objects.exists()


@pytest.mark.postgres
def test_synced_listings_are_found_by_a_chinese_search(partnership, serve):
    item = feed_item()
    item["texts"]["zh-hans"]["title"] = "宝宝玻璃奶瓶"
    serve([[item, feed_item(texts={"en": {"title": "Camp lantern", "description": ""}})]])

    sync.sync_partnership(partnership)

    found = search.apply(PartnerListing.objects.all(), "奶瓶")
    assert [row.reference for row in found] == [uuid.UUID(item["id"])]


@pytest.mark.postgres
def test_a_changed_title_is_searched_by_its_new_words_and_not_its_old(partnership, serve):
    item = feed_item()
    item["texts"]["zh-hans"]["title"] = "宝宝玻璃奶瓶"
    serve([[item]])
    sync.sync_partnership(partnership)
    renamed = feed_item(item["id"], version=2)
    renamed["texts"]["zh-hans"]["title"] = "户外双人帐篷"
    serve([[renamed]])

    sync.sync_partnership(partnership)

    assert [row.reference for row in search.apply(PartnerListing.objects.all(), "帐篷")] == [uuid.UUID(item["id"])]
    assert not search.apply(PartnerListing.objects.all(), "奶瓶").exists()


def test_changed_at_is_kept_as_the_partner_stamped_it(partnership, serve):
    stamp = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
    item = feed_item(changed_at=stamp)
    serve([[item]])

    sync.sync_partnership(partnership)

    assert iso(listing(item["id"]).changed_at) == iso(stamp)


def test_ops_read_sync_runs_with_their_rejections_and_listings_in_the_admin(partnership, admin_client):
    make_listing(partnership, title="Enamel mug")
    run = SyncRun.objects.create(
        partnership=partnership,
        status=SyncRun.Status.SUCCEEDED,
        rejected=1,
        rejections=[{"id": "5b1c", "reason": "unknown taxonomy id 999"}],
    )

    runs = admin_client.get("/admin/partner_zone/syncrun/")
    detail = admin_client.get(f"/admin/partner_zone/syncrun/{run.pk}/change/")
    listings = admin_client.get("/admin/partner_zone/partnerlisting/?q=mug&is_active__exact=1")

    assert runs.status_code == detail.status_code == listings.status_code == 200
    assert "unknown taxonomy id 999" in detail.content.decode()
    assert "Enamel mug" in listings.content.decode()
    assert admin_client.get("/admin/partner_zone/syncrun/add/").status_code == 403


def test_a_failing_listings_changed_hook_does_not_stop_the_sync(partnership, serve, monkeypatch):
    def broken_pricing(listing_ids):
        PartnerListing.objects.filter(pk__in=listing_ids).update(weight_grams=-1)  # violates the column's check

    monkeypatch.setattr(zone_hooks.listings_changed, "_subscribers", [broken_pricing])
    serve([[feed_item()], [feed_item()]])

    run = sync.sync_partnership(partnership)

    assert (run.status, run.items_changed) == (SyncRun.Status.SUCCEEDED, 2)
    assert set(PartnerListing.objects.values_list("weight_grams", flat=True)) == {250}


def test_the_feed_loop_can_start_from_an_earlier_fetchs_cursor(partnership, monkeypatch):
    from crossborder import client

    asked = []

    def call_partner(partner, method, path, params=None, **kwargs):
        asked.append(dict(params))
        data = {"items": [], "next_cursor": None, "has_more": False, "watermark": "2026-01-05T00:00:00.000000Z"}
        return client.PartnerReply(status=200, data=data, headers={})

    monkeypatch.setattr(client, "call_partner", call_partner)

    pages = list(catalog_feed.iter_partner_feed(partnership, updated_since="2026-01-01T00:00:00Z", cursor="c7"))

    assert len(pages) == 1
    assert asked == [{"updated_since": "2026-01-01T00:00:00Z", "cursor": "c7"}]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_threads_fetch_ahead_and_write_pages_in_order_and_an_interruption_resumes(
    settings, serve, monkeypatch
):
    from catalog.models import Category
    from catalog.taxonomy import load_rows, read_rows

    if not Category.objects.exists():  # a transactional test before this one flushed the taxonomy
        load_rows(Category, read_rows())
    settings.LANGUAGE_CODE = "zh-hans"
    partnership = make_partnership()
    pages = [[feed_item() for _ in range(3)] for _ in range(4)]
    writers = []
    apply_page = sync.apply_page

    def recorded(*args, **kwargs):
        writers.append((threading.current_thread().name, kwargs["next_cursor"]))
        return apply_page(*args, **kwargs)

    monkeypatch.setattr(sync_run, "apply_page", recorded)
    fake = serve(pages, fail_after=3)

    run = sync.sync_partnership(partnership)

    # The fourth fetch failed while the third page was being written: that page still counts.
    assert (run.status, run.cursor, run.pages, run.items_changed) == (SyncRun.Status.INTERRUPTED, "c3", 3, 9)
    assert [cursor for _name, cursor in writers] == ["c1", "c2", "c3"]
    assert all(name.startswith("feed-apply") for name, _cursor in writers)
    assert PartnerListing.objects.count() == 9

    resumed = sync.sync_partnership(partnership)

    assert fake.fetches[-1]["cursor"] == "c3"
    assert (resumed.status, resumed.pages, resumed.items_changed) == (SyncRun.Status.SUCCEEDED, 1, 3)
    assert PartnerListing.objects.count() == 12
    assert threading.active_count() == 1 or not any(
        thread.name.startswith(("feed-apply", "feed-prefetch")) for thread in threading.enumerate()
    )


def test_text_with_tabs_newlines_backslashes_and_chinese_is_stored_as_the_partner_sent_it(partnership, serve):
    item = feed_item(merchant={"code": "tab\\co", "name": "Tab\tand back\\slash 商店"}, brand="O'Brien \\ Sons")
    item["texts"]["en"]["description"] = "line one\nline two\t\\N not null\r\n"
    item["texts"]["zh-hans"]["title"] = "婴儿奶瓶 \\ 240毫升"
    serve([[item]])

    sync.sync_partnership(partnership)

    stored = listing(item["id"])
    assert (stored.merchant_code, stored.merchant_name, stored.brand) == (
        "tab\\co",
        "Tab\tand back\\slash 商店",
        "O'Brien \\ Sons",
    )
    assert stored.texts["en"]["description"] == "line one\nline two\t\\N not null\r\n"
    assert stored.title == "婴儿奶瓶 \\ 240毫升"
