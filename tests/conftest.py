"""Shared fixtures: which real servers are here, and a remote partner platform to talk to."""

import os

import pytest

from tests.chromium import browser  # noqa: F401  one Chromium per session, for tests/browser and tests/e2e

CI = os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    redis = os.environ.get("CROSSBORDER_TEST_REDIS")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            if CI:
                raise pytest.UsageError(f"{item.nodeid} needs PostgreSQL and CI=true: set DATABASE_URL")
            item.add_marker(pytest.mark.skip(reason="PostgreSQL is not configured (DATABASE_URL)"))
        if "redis" in item.keywords and not redis:
            if CI:
                raise pytest.UsageError(f"{item.nodeid} needs Redis and CI=true: set CROSSBORDER_TEST_REDIS")
            item.add_marker(pytest.mark.skip(reason="Redis is not configured (CROSSBORDER_TEST_REDIS)"))


@pytest.fixture(autouse=True)
def _empty_cache():
    """The cache holds the APIs' request counts per client (throttles): every test starts with none.
    Only the in-process cache is cleared; a shared Redis is not this test run's to empty."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()


@pytest.fixture(autouse=True)
def _fresh_category_trees():
    """Category trees live in process memory between requests; a test's rolled-back categories
    must not reach the next test."""
    from catalog import selectors

    selectors.forget_category_trees()


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Services, commands and tasks speak the active language, which outside a request is the
    platform's default (Chinese for cn). Tests read their messages in English; pages still choose
    their language per request (LocaleMiddleware)."""
    from django.core.signals import request_finished
    from django.test.signals import setting_changed
    from django.urls import clear_url_caches
    from django.utils import translation

    def stay_english(*, setting, **_kwargs):
        # Changing LANGUAGE_CODE (the `settings` fixture) makes Django forget the active language;
        # this receiver runs after Django's own and makes it English again.
        # The URL resolver caches each language's prefix, which depends on the default language:
        # forget it too, or /en/ URLs reversed during the change outlive it.
        if setting in ("LANGUAGE_CODE", "LANGUAGES"):
            clear_url_caches()
            translation.activate("en")

    def english_again(**_kwargs):
        # LocaleMiddleware leaves the request's language active in the thread when the test
        # client's request ends; what the test calls next speaks English again.
        translation.activate("en")

    setting_changed.connect(stay_english, weak=False, dispatch_uid="tests-stay-english")
    request_finished.connect(english_again, weak=False, dispatch_uid="tests-english-again")
    try:
        with translation.override("en"):
            yield
    finally:
        setting_changed.disconnect(dispatch_uid="tests-stay-english")
        request_finished.disconnect(dispatch_uid="tests-english-again")


# A simulated remote partner platform (tests/partners.py), for every app's partner-API tests.
from tests.partners import api, own_key, remote  # noqa: E402, F401
