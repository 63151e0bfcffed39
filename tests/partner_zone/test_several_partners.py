"""One platform with several live partners (cn with us and jp): one zone entrance per live partner
on the home page, each zone page, its search and its recommendations showing only that partner's
goods, and one product offered to each partner at its own price."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from crossborder.models import Partnership
from partner_zone.models import ShopperEvent
from partner_zone.services import recommendations as reco
from tests.partner_zone.factories import make_partnership
from tests.partner_zone.test_pages import listing, shown, text_of, url, zone_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners(remote):
    """cn's live partners: us (the remote partner) and jp; and a suspended kr."""
    jp = make_partnership("jp", currency="JPY", country="JP", languages=("ja", "en"), name="Sakura Market")
    make_partnership("kr", currency="KRW", country="KR", name="Hanok Mall", status=Partnership.Status.SUSPENDED)
    return remote.partnership, jp


def test_home_page_shows_one_entrance_per_live_partner(client, partners):
    html = text_of(client.get(url("catalog:home", language="en")))

    assert html.count('class="zone-entrance') == 2 or (
        html.count(f'href="{zone_url("landing", "us", language="en")}"') >= 1
        and html.count(f'href="{zone_url("landing", "jp", language="en")}"') >= 1
    )
    assert f'href="{zone_url("landing", "us", language="en")}"' in html
    assert f'href="{zone_url("landing", "jp", language="en")}"' in html
    assert "Sakura Market" in html and "From our partner in Japan" in html
    assert "Hanok Mall" not in html


def test_each_zone_page_shows_only_its_partners_goods(client, partners):
    us, jp = partners
    tent = listing(us, titles={"zh-hans": "帐篷", "en": "Trail tent"})
    knife = listing(jp, titles={"zh-hans": "三德刀", "en": "Santoku knife"})

    assert shown(client.get(zone_url("landing", "us")), "newest") == [str(tent.reference)]
    assert shown(client.get(zone_url("landing", "jp")), "newest") == [str(knife.reference)]
    jp_page = text_of(client.get(zone_url("landing", "jp", language="en")))
    assert "Santoku knife" in jp_page and "Trail tent" not in jp_page


def test_search_in_a_zone_finds_only_that_partners_goods(client, partners):
    us, jp = partners
    listing(us, titles={"zh-hans": "不锈钢水壶", "en": "Steel kettle"})
    iron = listing(jp, titles={"zh-hans": "铸铁水壶", "en": "Iron kettle"})

    assert shown(client.get(zone_url("search", "jp", q="kettle", language="en"))) == [str(iron.reference)]
    assert len(shown(client.get(zone_url("search", "us", q="kettle", language="en")))) == 1


def test_recommendations_on_a_zone_page_come_from_that_zone_only(partners):
    us, jp = partners
    # us's goods are the most viewed: over every zone they fill the top of the popular list.
    theirs = [listing(us) for _ in range(6)]
    ours = [listing(jp) for _ in range(2)]
    for index, item in enumerate(theirs + ours):
        for n in range(10 - index):
            ShopperEvent.objects.create(
                kind="view", session_key=f"s{index}-{n}", listing=item, category_id=item.category_id
            )
    reco.popularity(refresh=True)
    request = RequestFactory().get("/")
    request.session, request.user = SessionStore(), AnonymousUser()

    everywhere = reco.recommendations_for(request, "popular", limit=4)
    in_jp = reco.recommendations_for(request, "popular", limit=4, partnership=jp)

    assert {item.listing.partnership_id for item in everywhere} == {us.pk}
    assert [item.listing.pk for item in in_jp] == [item.pk for item in ours]
