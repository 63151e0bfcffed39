"""The shopper's error pages with DEBUG off, as the demo and production run: the project's own 404
and 500 pages in the language of the URL's prefix, with the storefront's header and favicon and no
listing of URL patterns; the demo's instances run with DEBUG off; dates end cleanly in English."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import formats, translation

from catalog import views as catalog_views
from scripts.instances import CN, Instance

pytestmark = pytest.mark.django_db

PAGES = {"zh-hans": {"prefix": ""}, "en": {"prefix": "/en"}}


def words(language, text):
    """The page's own words in `language`, from the catalog (as the page takes them)."""
    with translation.override(language):
        return translation.gettext(text)


@pytest.fixture
def debug_off(settings):
    settings.DEBUG = False
    return settings


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_unknown_page_is_the_projects_404_in_the_urls_language(client, debug_off, language):
    response = client.get(f"{PAGES[language]['prefix']}/no-such-page/", HTTP_ACCEPT_LANGUAGE="fr")

    html = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{language}">' in html
    assert words(language, "Page not found") in html
    assert 'class="site-header"' in html and 'rel="icon"' in html
    assert "URLconf" not in html and "catalog:" not in html and "Using the URLconf" not in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_failure_is_the_projects_500_in_the_urls_language(debug_off, monkeypatch, language):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(catalog_views.selectors, "home_categories", broken)
    client = Client(raise_request_exception=False)

    response = client.get(f"{PAGES[language]['prefix']}/")

    html = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{language}">' in html
    assert 'class="site-header"' in html and "error-page" in html
    assert words(language, "Something went wrong") in html
    assert "RuntimeError" not in html and "Traceback" not in html and "the database went away" not in html


def test_a_failure_on_the_shop_api_answers_json(debug_off, rf):
    from crossborder.views import server_error

    response = server_error(rf.get("/api/shop/v1/orders/"))

    assert response.status_code == 500 and response["Content-Type"] == "application/json"


def test_the_demo_and_end_to_end_instances_run_with_debug_off(tmp_path):
    assert Instance(CN, tmp_path).env()["DJANGO_DEBUG"] == "false"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_date_and_time_shown_to_shoppers_ends_cleanly_before_a_full_stop(language):
    moment = dt.datetime(2026, 12, 5, 12, 33)

    with translation.override(language):
        shown = [formats.date_format(moment, name) for name in ("SHORT_DATETIME_FORMAT", "DATETIME_FORMAT")]
        shown += [formats.date_format(moment.date(), name) for name in ("SHORT_DATE_FORMAT", "DATE_FORMAT")]

    assert not any(text.endswith(".") for text in shown), shown
    assert not any("m." in text for text in shown), shown
    if language == "en":
        assert shown[0] == "Dec 5, 2026, 12:33"
