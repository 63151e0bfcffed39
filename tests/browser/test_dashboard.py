"""The ops dashboard in a real browser, in both languages, at desktop width and at 390 px: every chart
that has figures is drawn by the vendored Chart.js with datasets holding points, the charts fit the
screen, and the admin speaks the language the staff member chose."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from catalog import taxonomy
from catalog.models import Category
from partners.services import scores
from tests.chromium import ARTIFACTS
from tests.dashboard.factories import build_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DRAWN = (
    "sales-in",
    "sales-out",
    "settlements",
    "disputes",
    "stock-value",
    "stock-age",
    "first-leg",
    "return-rates",
    "scores",
)

CHARTS_DRAWN = """() => {
  const canvases = [...document.querySelectorAll("canvas[data-chart]")];
  if (!canvases.length || typeof Chart === "undefined") return null;
  const charts = canvases.map((c) => [c.dataset.chart, Chart.getChart(c), c.getBoundingClientRect()]);
  if (charts.some(([, chart]) => !chart)) return null;
  return charts.map(([key, chart, box]) => ({
    key,
    datasets: chart.data.datasets.length,
    points: chart.data.datasets.reduce((n, d) => n + d.data.filter((v) => v !== null).length, 0),
    nonZero: chart.data.datasets.some((d) => d.data.some((v) => v !== null && v !== 0)),
    drawn: chart.getDatasetMeta(0).data.length,
    width: box.width,
    right: box.right,
  }));
}"""


@pytest.fixture
def history(settings):
    taxonomy.load_rows(Category, taxonomy.read_rows())
    built = build_history(settings)
    for days_ago in (3, 1):  # the partners app's nightly scores, twice: a line per partner and score
        scores.score_partners(now=built.now - timezone.timedelta(days=days_ago))
    return built


def signed_in(page, live_server, language):
    user = get_user_model().objects.filter(username=f"ops-{language}").first()
    user = user or get_user_model().objects.create_superuser(f"ops-{language}", f"ops-{language}@example.com", "pw")
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_chart_is_drawn_with_its_figures_at_desktop_and_phone_width(browser, live_server, history, language):
    ARTIFACTS.mkdir(exist_ok=True)
    errors = []

    def record(error):
        errors.append(str(error))

    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.on("pageerror", record)
        signed_in(page, live_server, language)
        page.goto(live_server.url + "/admin/dashboard/?days=30")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator(".breadcrumbs a").first.inner_text() == ("首页" if language == "zh-hans" else "Home")
        page.wait_for_function(CHARTS_DRAWN, timeout=15000)
        charts = page.evaluate(CHARTS_DRAWN)
        assert [chart["key"] for chart in charts] == list(DRAWN)
        for chart in charts:
            assert chart["datasets"] >= 1 and chart["points"] >= 1 and chart["nonZero"], chart
            assert chart["drawn"] >= 1, chart  # Chart.js laid out the first dataset's points or bars
            assert chart["width"] > 0 and chart["right"] <= width + 1, chart
        assert page.locator(".not-available").count() == 0  # scores and breaches come from the partners app
        assert not errors
        page.screenshot(path=str(ARTIFACTS / f"dashboard-{language}-{width}.png"), full_page=True)
        context.close()


def test_the_admin_language_follows_the_staff_members_choice(browser, live_server, history):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    signed_in(page, live_server, "en")
    page.goto(live_server.url + "/admin/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.select_option("#admin-language", "zh-hans")
    page.locator(".admin-language button").click()
    page.wait_for_load_state()
    assert page.url.endswith("/admin/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("#ops-pages a[href='/admin/dashboard/']").count() == 1
    page.screenshot(path=str(ARTIFACTS / "admin-index-zh-hans.png"), full_page=True)
    context.close()


def test_a_scores_parts_fit_a_phone_without_scrolling_sideways(browser, live_server, history):
    from partners.models import PartnerScore

    score = PartnerScore.objects.filter(partner__isnull=False, kind="credit").first()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    signed_in(page, live_server, "en")
    page.goto(f"{live_server.url}/admin/partners/partnerscore/{score.pk}/change/")
    table = page.locator("table.score-parts")
    assert table.count() == 1
    box = table.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "score-parts-390.png"), full_page=True)
    context.close()
