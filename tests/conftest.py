"""Shared fixtures: which real servers are here, and a remote partner platform to talk to."""

import os

import pytest

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
def _english_outside_requests():
    """Services, commands and tasks speak the active language, which outside a request is the
    platform's default (Chinese for cn). Tests read their messages in English; pages still choose
    their language per request (LocaleMiddleware)."""
    from django.utils import translation

    with translation.override("en"):
        yield


# A simulated remote partner platform (tests/partners.py), for every app's partner-API tests.
from tests.partners import api, own_key, remote  # noqa: E402, F401
