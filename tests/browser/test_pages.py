"""A shopper and an ops user in a real browser: the storefront in both languages, the partner zone
entrance, the admin login and the partner-status page."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from crossborder import services
from crossborder.models import Partner, Partnership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def partnership(settings, tmp_path):
    settings.SIGNING_KEY_FILE = tmp_path / "key.pem"
    services.ensure_signing_key()
    partner = Partner.objects.create(
        code="us", name="Trailhead Goods", country="US", currency="USD", base_url="http://us.invalid"
    )
    return Partnership.objects.create(
        partner=partner,
        status="active",
        initiated_by="us",
        settlement_currency="USD",
        commission_rate="0.08",
        settlement_cutoff=dt.time(23),
    )


def test_shopper_sees_the_partner_zone_and_switches_language(live_server, page, shot, partnership):
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text().startswith("欢迎来到")
    assert page.locator("li.zone-entrance[data-partner=us] .zone-title").inner_text() == "Trailhead Goods"
    assert "伙伴专区" in page.locator(".partner-zones h2").inner_text()
    shot(page, "home-zh-hans")

    with page.expect_navigation():
        page.click('nav.language a[data-language="en"]')

    assert page.locator("h1").inner_text().startswith("Welcome to")
    assert page.locator(".partner-zones h2").inner_text() == "Partner zones"
    shot(page, "home-en")


def test_ops_logs_in_and_sees_each_partners_backlog(live_server, page, shot, partnership):
    get_user_model().objects.create_superuser("ops", "ops@example.com", "a-long-password")
    services.send_notice(partnership=partnership, subject="Spring Festival plan")

    page.goto(live_server.url + "/admin/partner-status/")
    page.fill("#id_username", "ops")
    page.fill("#id_password", "a-long-password")
    with page.expect_navigation():
        page.click("input[type=submit]")

    row = page.locator("tr.partner-row[data-partner=us]")
    assert "Trailhead Goods" in row.inner_text()
    assert row.locator("td.backlog").inner_text() == "1"
    shot(page, "partner-status")
