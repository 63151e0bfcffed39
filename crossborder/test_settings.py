"""Settings for the test suite: the instance settings, with quiet and fast parts swapped in."""

from .settings import *  # noqa: F403
from .settings import OUTBOX

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
OUTBOX = {**OUTBOX, "RELAY_ON_COMMIT": False, "BACKOFF_BASE": 0.01, "BACKOFF_CAP": 0.05}
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
AXES_ENABLED = False
PLATFORM_BASE_URL = "http://testserver"
