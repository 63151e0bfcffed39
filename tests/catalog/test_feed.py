"""The partner catalog feed: only the caller's live offers, cursor-paged in (changed_at, id) order,
incremental with tombstones, a watermark that never skips a late commit, bad parameters refused
by name, signed replies, a fixed number of queries per page; and the importing side's loop and
command paging through it over signed HTTP."""

import datetime as dt
import io
import json
import re
from urllib.parse import urlencode

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from PIL import Image

from catalog import feed, services
from catalog.models import ExportOffer, Product
from catalog.serializers import CatalogFeedItemSerializer, CatalogFeedTombstoneSerializer, iso
from crossborder import client as partner_client
from crossborder.models import Partner, PartnerKey, Partnership
from tests.partners import RemotePartner, body_json, table_counts, verify_reply

from .factories import NURSING_AND_FEEDING, make_merchant, make_product, money, product_input

pytestmark = pytest.mark.django_db

FEED = feed.FEED_PATH


# --- helpers ----------------------------------------------------------------------------------


def get_feed(api, remote, **params):
    path = FEED + ("?" + urlencode(params) if params else "")
    return remote.send(api, remote.sign("GET", path))


def page_of(api, remote, **params):
    response = get_feed(api, remote, **params)
    assert response.status_code == 200, response.content
    return body_json(response)


def fetch_all(api, remote, **params):
    """Every page of one fetch; returns (entries, pages)."""
    params = dict(params)
    cursor = params.pop("cursor", None)
    entries, pages = [], []
    while True:
        page = page_of(api, remote, **params, **({"cursor": cursor} if cursor else {}))
        pages.append(page)
        entries.extend(page["items"])
        if not page["has_more"]:
            return entries, pages
        cursor = page["next_cursor"]


def offer(merchant, product, partnership, *, price="80.00", stock=5, is_offered=True):
    return services.set_export_offer(
        merchant=merchant,
        product=product,
        partnership=partnership,
        is_offered=is_offered,
        export_price=money(price) if is_offered else None,
        direct_stock=stock,
    )


def offered_products(partnership, n, merchant=None):
    merchant = merchant or make_merchant()
    products = [make_product(merchant) for _ in range(n)]
    for product in products:
        offer(merchant, product, partnership)
    return merchant, products


def other_partner():
    partner = Partner.objects.create(
        code="jp", name="Other Platform", country="JP", currency="JPY", base_url="http://other.invalid"
    )
    partnership = Partnership.objects.create(
        partner=partner,
        status=Partnership.Status.ACTIVE,
        initiated_by=Partnership.Initiator.US,
        settlement_currency="USD",
        commission_rate="0.0800",
        settlement_cutoff=dt.time(23, 0),
    )
    other = RemotePartner(partner, partnership)
    other.add_key()
    return other


def png_upload(name="bottle.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 200, 80)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def assert_documented(serializer_class, entry):
    """The entry has the shape the OpenAPI schema describes."""
    serializer = serializer_class(data=entry)
    assert serializer.is_valid(), serializer.errors
    assert set(entry) == set(serializer.fields)


def ids(entries):
    return [entry["id"] for entry in entries]


def ref(product):
    return str(product.reference)


# --- what the feed holds ----------------------------------------------------------------------


def test_full_feed_holds_only_the_callers_live_offers(api, remote):
    merchant = make_merchant()
    offered = make_product(merchant)
    never_offered = make_product(merchant)  # noqa: F841 - exists, must not appear
    withdrawn = make_product(merchant)
    draft = make_product(merchant, status=Product.Status.DRAFT)
    archived = make_product(merchant)
    to_other_only = make_product(merchant)
    for product in (offered, withdrawn, draft, archived):
        offer(merchant, product, remote.partnership)
    offer(merchant, withdrawn, remote.partnership, is_offered=False)
    services.archive_product(merchant=merchant, product=archived)
    other = other_partner()
    offer(merchant, to_other_only, other.partnership)
    offer(merchant, offered, other.partnership, price="70.00")

    page = page_of(api, remote)

    assert ids(page["items"]) == [ref(offered)]
    assert page["items"][0]["export_price"] == {"amount": "80.00", "currency": "CNY"}
    assert (page["has_more"], page["next_cursor"]) == (False, None)
    other_page = page_of(api, other)
    assert ids(other_page["items"]) == [ref(to_other_only), ref(offered)]
    assert other_page["items"][1]["export_price"] == {"amount": "70.00", "currency": "CNY"}


def test_an_item_carries_everything_the_partner_lists_the_product_with(api, remote, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PLATFORM_BASE_URL = "https://shop.example.cn"
    merchant = services.create_merchant(name="Bao Bei Baby", slug="bao-bei")
    data = product_input(
        code="BOTTLE-1",
        titles={"zh-hans": "婴儿奶瓶", "en": "Baby bottle"},
        descriptions={"zh-hans": "玻璃材质", "en": "Glass, 240 ml"},
        brand="Acme",
        hs_code="701399",
        weight_grams=310,
        variants=[
            services.VariantInput(sku="BOTTLE-1-S", price=money("99.00"), stock=3, attributes={"size": "S"}),
            services.VariantInput(sku="BOTTLE-1-L", price=money("129.00"), stock=0, is_active=False),
        ],
    )
    data.length_mm, data.width_mm = 70, 70
    product = services.save_product(merchant=merchant, data=data)
    image = services.add_product_image(merchant=merchant, product=product, upload=png_upload())
    current = offer(merchant, product, remote.partnership, price="12.30", stock=7)

    (item,) = page_of(api, remote)["items"]

    assert item == {
        "id": ref(product),
        "deleted": False,
        "version": current.version,
        "changed_at": iso(current.changed_at),
        "merchant": {"code": "bao-bei", "name": {"zh-hans": "Bao Bei Baby"}},
        "category": {"taxonomy_id": NURSING_AND_FEEDING, "path_en": "Baby & Toddler > Nursing & Feeding"},
        "brand": "Acme",
        "original_language": "zh-hans",
        "texts": {
            "en": {"title": "Baby bottle", "description": "Glass, 240 ml"},
            "zh-hans": {"title": "婴儿奶瓶", "description": "玻璃材质"},
        },
        "hs_code": "701399",
        "needs_installation": False,
        "weight_grams": 310,
        "dimensions_mm": {"length": 70, "width": 70, "height": None},
        "country_of_origin": "CN",
        "export_price": {"amount": "12.30", "currency": "CNY"},
        "direct_stock": 7,
        "variants": [
            {"sku": "BOTTLE-1-S", "attributes": {"size": {"zh-hans": "S"}}, "is_active": True},
            {"sku": "BOTTLE-1-L", "attributes": {}, "is_active": False},
        ],
        "images": [f"https://shop.example.cn/media/{image.image.name}"],
    }
    assert_documented(CatalogFeedItemSerializer, item)


# --- paging -----------------------------------------------------------------------------------


def test_small_pages_return_every_offer_exactly_once_in_feed_order(api, remote):
    _, products = offered_products(remote.partnership, 7)
    # Three offers share one changed_at: the id breaks the tie, also across a page boundary.
    same_moment = timezone.now()
    tied = ExportOffer.objects.filter(product__in=products[2:5])
    tied.update(changed_at=same_moment)
    expected = list(
        ExportOffer.objects.filter(partnership=remote.partnership)
        .order_by("changed_at", "id")
        .values_list("product__reference", flat=True)
    )

    entries, pages = fetch_all(api, remote, limit=2)

    assert ids(entries) == [str(reference) for reference in expected]
    assert len(set(ids(entries))) == 7
    assert [len(page["items"]) for page in pages] == [2, 2, 2, 1]
    assert [page["has_more"] for page in pages] == [True, True, True, False]
    assert pages[-1]["next_cursor"] is None


def test_an_offer_changed_while_paging_comes_again_later_with_a_higher_version(api, remote):
    merchant, products = offered_products(remote.partnership, 4)
    first = page_of(api, remote, limit=2)
    assert ids(first["items"]) == [ref(products[0]), ref(products[1])]
    old_version = first["items"][0]["version"]

    services.set_export_offer(
        merchant=merchant,
        product=products[0],
        partnership=remote.partnership,
        is_offered=True,
        export_price=money("75.00"),
        direct_stock=1,
    )
    rest, _ = fetch_all(api, remote, limit=2, cursor=first["next_cursor"])

    assert ids(rest) == [ref(products[2]), ref(products[3]), ref(products[0])]
    assert rest[-1]["version"] == old_version + 1
    assert rest[-1]["export_price"]["amount"] == "75.00"


# --- incremental ------------------------------------------------------------------------------


def test_incremental_fetch_returns_changes_since_with_tombstones(api, remote, settings):
    settings.CATALOG_FEED_SETTLE_SECONDS = 0
    merchant, (unchanged, withdrawn, archived, edited) = offered_products(remote.partnership, 4)
    since = page_of(api, remote)["watermark"]

    offer(merchant, withdrawn, remote.partnership, is_offered=False)
    services.archive_product(merchant=merchant, product=archived)
    services.save_product(merchant=merchant, product=edited, data=product_input(code=edited.code, brand="NewBrand"))
    changes = page_of(api, remote, updated_since=since)

    versions = dict(ExportOffer.objects.values_list("product__reference", "version"))
    withdrawn_offer = ExportOffer.objects.get(product=withdrawn)
    assert ids(changes["items"]) == [ref(withdrawn), ref(archived), ref(edited)]
    assert changes["items"][0] == {
        "id": ref(withdrawn),
        "deleted": True,
        "version": withdrawn_offer.version,
        "changed_at": iso(withdrawn_offer.changed_at),
    }
    assert changes["items"][1]["deleted"] is True
    assert changes["items"][1]["version"] == versions[archived.reference]
    assert changes["items"][2]["deleted"] is False
    assert changes["items"][2]["brand"] == "NewBrand"
    for entry in changes["items"][:2]:
        assert_documented(CatalogFeedTombstoneSerializer, entry)
    assert ref(unchanged) not in ids(changes["items"])


def test_a_product_edit_re_emits_its_offer_with_a_higher_version(api, remote, settings):
    settings.CATALOG_FEED_SETTLE_SECONDS = 0
    merchant, (product,) = offered_products(remote.partnership, 1)
    (before,) = page_of(api, remote)["items"]
    since = before["changed_at"]

    services.save_product(
        merchant=merchant,
        product=product,
        data=product_input(code=product.code, titles={"zh-hans": "新奶瓶", "en": "New bottle"}),
    )
    (after,) = page_of(api, remote, updated_since=since)["items"]

    assert after["id"] == before["id"]
    assert after["version"] == before["version"] + 1
    assert after["changed_at"] > before["changed_at"]
    assert after["texts"]["en"]["title"] == "New bottle"


def test_without_updated_since_withdrawn_offers_send_no_tombstones(api, remote):
    merchant, (kept, withdrawn) = offered_products(remote.partnership, 2)
    offer(merchant, withdrawn, remote.partnership, is_offered=False)

    assert ids(page_of(api, remote)["items"]) == [ref(kept)]


# --- watermark --------------------------------------------------------------------------------


def test_watermark_stays_the_settle_lag_behind_the_start_of_the_fetch(api, remote, settings):
    settings.CATALOG_FEED_SETTLE_SECONDS = 60
    offered_products(remote.partnership, 3)
    lag = dt.timedelta(seconds=60)

    before = timezone.now()
    first = page_of(api, remote, limit=2)
    after_first = timezone.now()
    last = page_of(api, remote, limit=2, cursor=first["next_cursor"])

    watermark = dt.datetime.fromisoformat(last["watermark"])
    # The final page's watermark comes from the first page's start, not its own.
    assert before - lag <= watermark <= after_first - lag
    # A page with more to come is capped by its last entry, so resuming from it skips nothing.
    settings.CATALOG_FEED_SETTLE_SECONDS = 0
    capped = page_of(api, remote, limit=2)
    assert capped["watermark"] == capped["items"][-1]["changed_at"]


def test_a_late_commit_stamped_before_the_fetch_is_still_in_the_next_fetch(api, remote, settings):
    settings.CATALOG_FEED_SETTLE_SECONDS = 30
    merchant, (early, late) = offered_products(remote.partnership, 2)
    offer(merchant, late, remote.partnership, is_offered=False)
    watermark = page_of(api, remote)["watermark"]

    # A write stamped 5 s ago that only commits now, after the full fetch had read past that time.
    offer(merchant, late, remote.partnership)
    ExportOffer.objects.filter(product=late).update(changed_at=timezone.now() - dt.timedelta(seconds=5))
    changes = page_of(api, remote, updated_since=watermark)

    assert ref(late) in ids(changes["items"])


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, field",
    [
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "2025-02-30T00:00:00Z"}, "updated_since"),
        ({"updated_since": "2025-01-31T08:00:00"}, "updated_since"),  # no offset
        ({"updated_since": "2025-01-31T08:00:00 08:00"}, "updated_since"),  # an unencoded + became a space
        ({"updated_since": "2025-01-31\x00"}, "updated_since"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "-5"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_bad_parameters_are_refused_naming_the_field_and_change_nothing(api, remote, params, field):
    offered_products(remote.partnership, 1)
    before = table_counts()

    response = get_feed(api, remote, **params)

    assert response.status_code == 400, response.content
    body = body_json(response)
    assert body["field"] == field
    nul = any(
        "\x00" in value for value in params.values()
    )  # refused before the feed reads it (issue 13: one place for control characters)
    assert body["code"] == ("control_character" if nul else "invalid_cursor" if field == "cursor" else "invalid")
    assert body["detail"]
    counts = table_counts()
    assert counts.pop("crossborder.SeenNonce") == before.pop("crossborder.SeenNonce") + 1  # the request's nonce
    assert counts == before
    assert verify_reply(response)


def test_a_tampered_cursor_is_refused(api, remote):
    offered_products(remote.partnership, 3)
    cursor = page_of(api, remote, limit=1)["next_cursor"]
    value, signature = cursor.rsplit(":", 1)
    forged = value + ":" + ("A" if signature[0] != "A" else "B") + signature[1:]

    response = get_feed(api, remote, limit=1, cursor=forged)

    assert response.status_code == 400
    assert body_json(response)["code"] == "invalid_cursor"
    assert body_json(response)["field"] == "cursor"


def test_a_cursor_from_another_query_is_refused(api, remote, settings):
    settings.CATALOG_FEED_SETTLE_SECONDS = 0
    offered_products(remote.partnership, 3)
    cursor = page_of(api, remote, limit=1)["next_cursor"]

    response = get_feed(api, remote, limit=1, cursor=cursor, updated_since="2020-01-01T00:00:00Z")

    assert response.status_code == 400
    assert body_json(response) == {
        "code": "invalid_cursor",
        "detail": "This cursor belongs to a fetch with another updated_since; repeat that fetch's updated_since.",
        "field": "cursor",
    }


def test_a_cursor_from_another_partners_feed_is_refused(api, remote):
    merchant, products = offered_products(remote.partnership, 3)
    other = other_partner()
    for product in products:
        offer(merchant, product, other.partnership)
    cursor = page_of(api, other, limit=1)["next_cursor"]

    response = get_feed(api, remote, limit=1, cursor=cursor)

    assert response.status_code == 400
    assert body_json(response)["code"] == "invalid_cursor"


def test_unsigned_and_session_requests_are_refused(api, remote, admin_user):
    offered_products(remote.partnership, 1)

    unsigned = api.get(FEED)
    api.force_login(admin_user)
    with_session = api.get(FEED)

    assert (unsigned.status_code, body_json(unsigned)["code"]) == (401, "signature_missing")
    assert (with_session.status_code, body_json(with_session)["code"]) == (401, "session_not_accepted")


def test_a_partner_whose_partnership_ended_is_refused(api, remote):
    Partnership.objects.filter(pk=remote.partnership.pk).update(status=Partnership.Status.ENDED)

    response = get_feed(api, remote)

    assert (response.status_code, body_json(response)["code"]) == (403, "partner_inactive")


# --- the reply --------------------------------------------------------------------------------


def test_the_reply_is_signed_and_bound_to_the_request(api, remote):
    offered_products(remote.partnership, 2)

    response = get_feed(api, remote, limit=1)

    assert response.status_code == 200
    assert verify_reply(response)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the page is built by PostgreSQL only there")
def test_the_page_postgresql_builds_is_the_page_built_in_python(remote, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PLATFORM_BASE_URL = "https://shop.example.cn"
    named = services.create_merchant(
        name="Bao Bei", slug="bao-bei", names={"zh-hans": "宝贝\t小店", "en": 'Bao "Bei" \\ Shop'}
    )
    unnamed = make_merchant()
    variants = [
        services.VariantInput(sku="V-ALL", price=money("9.00"), weight_grams=120, length_mm=1, width_mm=2, height_mm=3),
        services.VariantInput(sku="V-WEIGHT", price=money("9.00"), weight_grams=130, attributes={"size": "L"}),
        services.VariantInput(sku="V-SIZE", price=money("9.00"), length_mm=4, width_mm=5, height_mm=6, is_active=False),
        services.VariantInput(sku="V-HALF-SIZE", price=money("9.00"), length_mm=4, width_mm=5),
    ]
    rich = make_product(
        named,
        titles={"zh-hans": "奶瓶\n第二行", "en": 'Bottle \u2028 \\ "quoted"'},
        descriptions={"en": "Tab\there"},
        variants=variants,
    )
    services.add_product_image(merchant=named, product=rich, upload=png_upload("bottle 1+ü.png"))
    services.add_product_image(merchant=named, product=rich, upload=png_upload("second.png"))
    plain = make_product(unnamed, titles={"en": "Plain"}, original_language="en", brand="")
    withdrawn = make_product(unnamed)
    offer(named, rich, remote.partnership, price="12.30")
    offer(unnamed, plain, remote.partnership, price="7")
    offer(unnamed, withdrawn, remote.partnership)
    since = timezone.now() - dt.timedelta(days=1)
    offer(unnamed, withdrawn, remote.partnership, is_offered=False)
    partnership = Partnership.objects.get(pk=remote.partnership.pk)

    for params in ({}, {"limit": "2"}, {"updated_since": iso(since)}):
        query = feed.parse_feed_query(partnership, params)
        built_in_python = feed.feed_page(partnership, query)
        built_by_postgresql = json.loads(feed.feed_page_json(partnership, query))

        cursors = built_in_python.pop("next_cursor"), built_by_postgresql.pop("next_cursor")
        assert built_by_postgresql == json.loads(json.dumps(built_in_python))
        positions = [
            feed.decode_cursor(partnership, c, updated_since=query.updated_since) if c else None for c in cursors
        ]
        assert positions[0] == positions[1]
    assert len(built_by_postgresql["items"]) == 3
    assert [item["deleted"] for item in built_by_postgresql["items"]] == [False, False, True]


def test_a_page_takes_a_fixed_number_of_queries_whatever_its_size(
    api, remote, settings, tmp_path, django_assert_max_num_queries
):
    settings.MEDIA_ROOT = tmp_path
    merchant = make_merchant()
    products = [make_product(merchant, skus=[f"Q{n}-A", f"Q{n}-B"]) for n in range(50)]
    for product in products:
        offer(merchant, product, remote.partnership)
    for product in products[:3]:
        services.add_product_image(merchant=merchant, product=product, upload=png_upload())
    small_request = remote.sign("GET", f"{FEED}?limit=2")
    large_request = remote.sign("GET", f"{FEED}?limit=50")
    # Key lookup, nonce (savepoint, insert, release), live partnership (authentication and view),
    # signing key; then the page: offers with product, merchant and category; texts; variants; images
    # (on PostgreSQL one query holds them all).
    queries = 8 if connection.vendor == "postgresql" else 11

    with django_assert_max_num_queries(queries) as small_queries:
        small = remote.send(api, small_request)
    with django_assert_max_num_queries(queries) as large_queries:
        large = remote.send(api, large_request)

    assert len(body_json(small)["items"]) == 2
    assert len(body_json(large)["items"]) == 50
    assert len(small_queries) == len(large_queries)


# --- the importing side -----------------------------------------------------------------------


class DjangoClientAdapter(requests.adapters.BaseAdapter):
    """Sends the partner client's real, signed requests into this process's Django test client,
    so the consumer is exercised against the real view: signing, verification and all."""

    def __init__(self, remote, client):
        super().__init__()
        self.remote = remote
        self.client = client
        self.sent = []
        self.alter = None  # a function of the reply's bytes, to play a meddling network

    def send(self, request, **kwargs):
        self.sent.append(request.path_url)
        answer = self.remote.send(self.client, request)
        reply = requests.Response()
        reply.status_code = answer.status_code
        reply._content = self.alter(answer.content) if self.alter else answer.content
        reply.headers = requests.structures.CaseInsensitiveDict(dict(answer.headers.items()))
        reply.request = request
        reply.url = request.url
        return reply

    def close(self):
        pass


@pytest.fixture
def loopback(api, remote, own_key, monkeypatch):
    """This platform as its own partner: its signed feed requests reach its own feed view, which
    knows its key as the partner's, and its replies verify against that same key."""
    PartnerKey.objects.create(partner=remote.partner, key_id=own_key.key_id, public_key=own_key.public_key)
    Partner.objects.filter(pk=remote.partner.pk).update(base_url="http://testserver")
    remote.partner.refresh_from_db()
    adapter = DjangoClientAdapter(remote, api)
    session = requests.Session()
    session.mount("http://testserver/", adapter)
    monkeypatch.setattr(partner_client, "_session", session)
    return adapter


def test_the_consumer_pages_through_the_feed_and_keeps_the_watermark(loopback, remote, settings):
    settings.CATALOG_FEED_SETTLE_SECONDS = 0
    merchant, products = offered_products(remote.partnership, 5)

    pages = list(feed.iter_partner_feed(remote.partnership, limit=2))

    assert [len(page.items) for page in pages] == [2, 2, 1]
    assert [entry["id"] for page in pages for entry in page.items] == [ref(p) for p in products]
    assert [path.split("?")[0] for path in loopback.sent] == [FEED] * 3
    assert "cursor=" not in loopback.sent[0] and "cursor=" in loopback.sent[1]

    offer(merchant, products[1], remote.partnership, is_offered=False)
    changes = list(feed.iter_partner_feed(remote.partnership, updated_since=pages[-1].watermark))
    assert [(entry["id"], entry["deleted"]) for page in changes for entry in page.items] == [(ref(products[1]), True)]
    assert changes[0].tombstones == 1


def test_fetch_partner_catalog_command_prints_a_summary_and_writes_json_lines(loopback, remote, settings, tmp_path):
    settings.CATALOG_FEED_SETTLE_SECONDS = 0
    merchant, products = offered_products(remote.partnership, 3)
    out = io.StringIO()
    jsonl = tmp_path / "feed.jsonl"

    call_command("fetch_partner_catalog", "--partner", "us", "--limit", "2", "--jsonl", str(jsonl), stdout=out)

    summary = out.getvalue().strip()
    assert summary.startswith("items=3 tombstones=0 pages=2 watermark=")
    watermark = summary.split("watermark=")[1]
    lines = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [ref(p) for p in products]
    assert lines[0]["texts"]["zh-hans"]["title"].startswith("婴儿奶瓶")

    offer(merchant, products[0], remote.partnership, is_offered=False)
    out = io.StringIO()
    call_command("fetch_partner_catalog", "--partner", "us", "--since", watermark, stdout=out)
    assert out.getvalue().startswith("items=0 tombstones=1 pages=1 watermark=")


def test_the_consumer_refuses_a_reply_altered_on_the_way(loopback, remote):
    offered_products(remote.partnership, 1)
    # Whatever the spacing of the JSON text (PostgreSQL writes '"direct_stock" : 5').
    loopback.alter = lambda content: re.sub(rb'("direct_stock"\s*:\s*)5', rb"\g<1>9", content)

    with pytest.raises(partner_client.PartnerResponseUnverified, match="digest_mismatch"):
        list(feed.iter_partner_feed(remote.partnership))


def test_a_refusal_from_the_partner_stops_the_consumer_with_its_code(loopback, remote):
    with pytest.raises(feed.PartnerFeedError) as refused:
        list(feed.iter_partner_feed(remote.partnership, updated_since="yesterday"))

    assert (refused.value.status, refused.value.code) == (400, "invalid")
    assert "updated_since" in str(refused.value)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--partner", "zz"], "no partner with the code 'zz'"),
        (["--partner", "us", "--since", "2025-01-31"], "--since: updated_since needs a UTC offset"),
        (["--partner", "us", "--limit", "5000"], "--limit: limit must be a whole number from 1 to 1000."),
    ],
)
def test_fetch_partner_catalog_refuses_bad_arguments_before_calling(loopback, remote, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("fetch_partner_catalog", *args)

    assert loopback.sent == []


def test_the_schema_describes_the_feed_and_stays_valid(client):
    from drf_spectacular.validation import validate_schema

    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()

    validate_schema(schema)
    operation = schema["paths"][FEED]["get"]
    assert operation["operationId"] == "partner_catalog_feed"
    assert {p["name"] for p in operation["parameters"]} == {"updated_since", "cursor", "limit"}
    assert operation["security"] == [{"partnerSignature": []}]
    assert "watermark" in operation["description"]
    entry = schema["components"]["schemas"]["CatalogFeedEntry"]
    assert entry["oneOf"] == [
        {"$ref": "#/components/schemas/CatalogFeedItem"},
        {"$ref": "#/components/schemas/CatalogFeedTombstone"},
    ]


def test_a_product_offered_to_two_partners_has_each_partners_own_price_and_stock(api, remote):
    merchant = make_merchant()
    product = make_product(merchant)
    other = other_partner()
    offer(merchant, product, remote.partnership, price="80.00", stock=5)
    offer(merchant, product, other.partnership, price="66.00", stock=12)

    mine, theirs = page_of(api, remote)["items"], page_of(api, other)["items"]

    assert ids(mine) == ids(theirs) == [ref(product)]
    assert (mine[0]["export_price"]["amount"], mine[0]["direct_stock"]) == ("80.00", 5)
    assert (theirs[0]["export_price"]["amount"], theirs[0]["direct_stock"]) == ("66.00", 12)
    assert ExportOffer.objects.filter(product=product).count() == 2
