"""The `cn` platform of the after-sales tests, speaking English (the tests read its messages), with
the sandbox provider's webhooks delivered through the test client."""

import pytest

from tests.payments.paying_factories import set_up_cn
from tests.payments.payment_factories import sandbox_webhooks_through_test_client  # noqa: F401

from .service_factories import service_shop  # noqa: F401


@pytest.fixture
def cn(db, settings):
    settings.LANGUAGE_CODE = "en"
    return set_up_cn(settings)
