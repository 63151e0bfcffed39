"""Settings for one platform instance, read from environment variables (README lists them).

Unset, every value falls back to the embedded default: a SQLite file and a filesystem Celery
broker under var/<platform code>/, so a new user needs nothing but Python.
"""

import json
import math
import os
import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if value in (None, ""):
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


# --- This platform's identity -------------------------------------------------------------
PLATFORM_CODE = env("CROSSBORDER_PLATFORM_CODE", "cn").lower()
PLATFORM_NAME = env("CROSSBORDER_PLATFORM_NAME", f"Platform {PLATFORM_CODE.upper()}")
PLATFORM_COUNTRY = env("CROSSBORDER_COUNTRY", "CN").upper()
PLATFORM_CURRENCY = env("CROSSBORDER_CURRENCY", "CNY").upper()
PLATFORM_BASE_URL = env("CROSSBORDER_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
PLATFORM_ENV = env("CROSSBORDER_ENV", "development")  # development | production
PRODUCTION = PLATFORM_ENV == "production"

DATA_DIR = Path(env("CROSSBORDER_DATA_DIR", str(BASE_DIR / "var" / PLATFORM_CODE)))


def _dev_secret_key():
    """A per-instance random key kept beside the instance's data, for the embedded default only."""
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    return key


SECRET_KEY = env("DJANGO_SECRET_KEY") or (None if PRODUCTION else _dev_secret_key())
if not SECRET_KEY:
    raise RuntimeError("DJANGO_SECRET_KEY must be set when CROSSBORDER_ENV=production")

DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [PLATFORM_BASE_URL])


def _dev_field_encryption_key():
    """Like the secret key: one Fernet key generated into the data dir, for the embedded default only."""
    from cryptography.fernet import Fernet

    path = DATA_DIR / "field-encryption-key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    path.write_text(key)
    path.chmod(0o600)
    return key


# Keys that encrypt resident ID numbers and signing private keys in the database (crossborder/fields.py):
# comma-separated Fernet keys, the first encrypts, all decrypt. Production requires them (a system check).
FIELD_ENCRYPTION_KEYS = env_list("CROSSBORDER_FIELD_ENCRYPTION_KEY", []) or (
    [] if PRODUCTION else [_dev_field_encryption_key()]
)

SIGNING_KEY_FILE = Path(env("CROSSBORDER_SIGNING_KEY_FILE", str(DATA_DIR / "signing-key.pem")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "djmoney",
    "django_countries",
    "django_filters",
    "import_export",
    "crossborder.vendor_apps.AxesConfig",
    "csp",
    "allauth",
    "allauth.account",
    # Two-factor sign-in of merchant owners and finance staff (catalog/two_factor.py).
    "django_otp",
    "crossborder.vendor_apps.TotpConfig",
    "crossborder.vendor_apps.StaticConfig",
    "simple_history",
    "crossborder",
    "catalog",
    "logistics",
    "partner_zone",
    "payments",
    "aftersales",
    "accounts",
    "partners",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The admin speaks the language its user chose (the language cookie), not only the platform's.
    "crossborder.middleware.AdminLanguageMiddleware",
    # Before any view or CSRF check reads the query or form: no control characters in text input.
    "crossborder.middleware.RefuseControlCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed a second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # The audit trail (django-simple-history) records who changed agreements, rates, rules, dispositions.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "partner_zone.middleware.HistoryCookieMiddleware",
    # Shopper accounts (django-allauth): its login flows' state.
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RateLimitedMiddleware",
    # Last, so it sees the outcome of authentication (brute-force lockout for staff logins).
    "axes.middleware.AxesMiddleware",
    # Storefront pages read the catalog from the read replica when there is one (crossborder/dbrouter.py).
    "crossborder.dbrouter.ReplicaReadsMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Shoppers sign in by e-mail or phone (accounts/, docs/adr/0024); staff keep the admin's login.
    "allauth.account.auth_backends.AuthenticationBackend",
]
AXES_FAILURE_LIMIT = int(env("CROSSBORDER_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
# A lockout is per user name AND address together: failures for one user lock that user from that
# address, never other users there (behind a proxy or NAT many share one address).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# How many proxies of ours stand in front of the app: the client address is read from
# X-Forwarded-For only that many hops deep (crossborder.http.client_ip); 0 ignores the header.
TRUSTED_PROXIES = int(env("CROSSBORDER_TRUSTED_PROXIES", "0"))
AXES_CLIENT_IP_CALLABLE = "crossborder.http.client_ip"
AXES_ENABLED = env_bool("CROSSBORDER_LOGIN_LOCKOUT", True)

ROOT_URLCONF = "crossborder.urls"
WSGI_APPLICATION = "crossborder.wsgi.application"
ASGI_APPLICATION = "crossborder.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "crossborder.context_processors.platform",
                # The header's cart count (read lazily: pages without the header pay nothing).
                "payments.shop.context_processors.cart",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
        # In production each web and worker process keeps its connection (checked before reuse)
        # instead of opening one per request; the embedded default opens and closes.
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60" if PRODUCTION else "0")),
        conn_health_checks=True,
    )
}
# A read replica of the primary (PostgreSQL streaming replication): the storefront's pages read the
# catalog and the zones there (crossborder/dbrouter.py); unset, everything is on the primary.
if env("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(
        env("DATABASE_REPLICA_URL"),
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["crossborder.dbrouter.ReplicaRouter"]
# URL namespaces whose GET pages may read from the replica, and the apps whose models they read there.
DATABASE_REPLICA_PAGES = ("catalog", "partner_zone")
DATABASE_REPLICA_APPS = ("catalog", "partner_zone")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Merchant staff: days an invitation link stays valid; the issuer name in authenticator apps.
MERCHANT_INVITATION_DAYS = int(env("CROSSBORDER_MERCHANT_INVITATION_DAYS", "7"))
OTP_TOTP_ISSUER = PLATFORM_NAME
# After the n-th wrong second-factor code in a row the next waits 10 x 2^(n-1) seconds (django-otp).
OTP_TOTP_THROTTLE_FACTOR = 10
OTP_STATIC_THROTTLE_FACTOR = 10

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages ----------------------------------------------------------------------------
_LANGUAGE_NAMES = {"zh-hans": _("Simplified Chinese"), "en": _("English"), "ja": _("Japanese")}
PLATFORM_LANGUAGES = env_list(
    "CROSSBORDER_LANGUAGES", ["zh-hans", "en"] if PLATFORM_COUNTRY == "CN" else ["en", "zh-hans"]
)
for _code in ("zh-hans", "en"):  # the storefront always speaks both
    if _code not in PLATFORM_LANGUAGES:
        PLATFORM_LANGUAGES.append(_code)
LANGUAGE_CODE = PLATFORM_LANGUAGES[0]
LANGUAGES = [(code, _LANGUAGE_NAMES.get(code, code)) for code in PLATFORM_LANGUAGES]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("CROSSBORDER_TIME_ZONE", "Asia/Shanghai" if PLATFORM_COUNTRY == "CN" else "UTC")
USE_I18N = True
# One date format per language that ends cleanly in a sentence (crossborder/formats).
FORMAT_MODULE_PATH = ["crossborder.formats"]
USE_TZ = True
LANGUAGE_COOKIE_NAME = f"{PLATFORM_CODE}_language"

STATIC_URL = "static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(DATA_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files' URL prefix: production may serve them from a cookieless domain of their own
# (https://media.example.com/); README "Uploaded media".
MEDIA_URL = env("DJANGO_MEDIA_URL", "media/")
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# Two instances on one host (the demo) must not share session or CSRF cookies.
SESSION_COOKIE_NAME = f"{PLATFORM_CODE}_sessionid"
CSRF_COOKIE_NAME = f"{PLATFORM_CODE}_csrftoken"
# Shoppers sign in on the storefront (accounts/); the admin keeps its own login page for staff.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"

# --- Production hardening (manage.py check --deploy is clean with CROSSBORDER_ENV=production) --
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("DJANGO_SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts only from our own static files, never inline
# (templates hold no <script> body and no on*= attribute: static/js/site.js gives the behaviour);
# styles from our files; images also from partners (their catalog images) and data: URLs. The API
# docs pages relax what their third-party UIs need, per view (crossborder/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"] + ([] if PRODUCTION else ["http:"]),
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True

# --- API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["crossborder.parsers.StrictJSONParser"],
    "EXCEPTION_HANDLER": "crossborder.api_errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cross-border partner-storefront API",
    "DESCRIPTION": (
        "The signed partner API between partnered platforms (/partner-api/v1/). Every request and "
        "response is signed with Ed25519 per RFC 9421; see the README for the covered components."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # One name for each set of choices the schema lists in several places: the return reasons
    # (agreement terms, return notices) and the agreement's three service_*_payer terms.
    "ENUM_NAME_OVERRIDES": {
        "ReturnReasonEnum": "crossborder.terms.RETURN_REASONS",
        "ServicePayerEnum": "crossborder.terms.SERVICE_PAYERS",
        # The grades a unit is inspected to, and the three a returned unit is resold at.
        "GradeEnum": ["new", "like_new", "good", "acceptable", "unsellable"],
        "ResaleGradeEnum": ["like_new", "good", "acceptable"],
    },
}

# --- Partner API policy (DESIGN.md section 6) -------------------------------------------------
PARTNER_API = {
    "SIGNATURE_MAX_AGE": int(env("CROSSBORDER_SIGNATURE_MAX_AGE", "300")),  # seconds
    "CLOCK_SKEW": int(env("CROSSBORDER_CLOCK_SKEW", "60")),  # seconds
    "REQUEST_TIMEOUT": float(env("CROSSBORDER_PARTNER_TIMEOUT", "10")),
    "KEY_GRACE_DAYS": int(env("CROSSBORDER_KEY_GRACE_DAYS", "7")),
    "INBOX_CLAIM_SECONDS": int(env("CROSSBORDER_INBOX_CLAIM_SECONDS", "60")),
    # A larger body is refused 413 too_large before it is read (docs/partner-protocol.md section 1).
    "MAX_BODY_BYTES": int(env("CROSSBORDER_PARTNER_API_MAX_BODY_BYTES", str(4 * 1024 * 1024))),
    # Requests per partner (per address before it is known), counted in the cache: 429 throttled
    # with Retry-After past it. High enough for a relay draining a backlog one message at a time.
    "RATE": env("CROSSBORDER_PARTNER_API_RATE", "6000/minute"),
    # A batch of messages (POST messages/batch/, protocol 1.2) carries at most this many, and the
    # receiver stops applying them after this many seconds (the rest get no result: sent again), so
    # that a batch is answered well within the sender's timeout.
    "BATCH_MAX": int(env("CROSSBORDER_PARTNER_API_BATCH_MAX", "100")),
    "BATCH_SECONDS": float(env("CROSSBORDER_PARTNER_API_BATCH_SECONDS", "4")),
}
OUTBOX = {
    "BACKOFF_BASE": float(env("CROSSBORDER_OUTBOX_BACKOFF_BASE", "2")),  # seconds
    "BACKOFF_CAP": float(env("CROSSBORDER_OUTBOX_BACKOFF_CAP", "600")),
    # The lease is renewed before every send and released when a relay stops, so it only has to
    # outlast one send (connect and read, each up to the partner timeout) and its bookkeeping: a
    # crashed worker's partnership waits at most this long (README, "Outbox relay").
    "LEASE_SECONDS": int(
        env("CROSSBORDER_OUTBOX_LEASE_SECONDS", str(math.ceil(2 * PARTNER_API["REQUEST_TIMEOUT"]) + 5))
    ),
    "BATCH": int(env("CROSSBORDER_OUTBOX_BATCH", "100")),  # messages per relay run
    # Messages per signed request to a partner on protocol 1.2 or later (1: one request each), and
    # the most bytes of messages one request carries (a larger message travels alone).
    "SEND_BATCH": int(env("CROSSBORDER_OUTBOX_SEND_BATCH", "25")),
    "SEND_BATCH_BYTES": int(env("CROSSBORDER_OUTBOX_SEND_BATCH_BYTES", str(512 * 1024))),
    # Ask a worker to relay right after commit; the beat schedule is the safety net either way.
    "RELAY_ON_COMMIT": env_bool("CROSSBORDER_OUTBOX_RELAY_ON_COMMIT", True),
}

# Hosts whose addresses may be non-public when we fetch a URL a partner chose (crossborder.public_fetch):
# none unless set (tests serving from loopback, a partner on a private network).
FETCH_PRIVATE_HOSTS_ALLOWED = env_list("CROSSBORDER_FETCH_PRIVATE_HOSTS_ALLOWED", [])

# Admin exports through django-import-export write formula-like text inert, as all our files do.
from crossborder.export_formats import SafeCSV, SafeXLSX  # noqa: E402

EXPORT_FORMATS = [SafeCSV, SafeXLSX]

# --- Catalog --------------------------------------------------------------------------------
CATALOG_MAX_IMAGE_BYTES = int(env("CROSSBORDER_MAX_IMAGE_BYTES", str(5 * 1024 * 1024)))
# Every stored image is decoded and re-encoded (crossborder.uploads): a larger one (all frames of an
# animation counted) is refused before a pixel is decoded, so a small file cannot expand into gigabytes.
IMAGE_MAX_PIXELS = int(env("CROSSBORDER_MAX_IMAGE_PIXELS", str(25_000_000)))
IMAGE_MAX_SIDE = int(env("CROSSBORDER_MAX_IMAGE_SIDE", "10000"))
CATALOG_MAX_IMPORT_BYTES = int(env("CROSSBORDER_MAX_IMPORT_BYTES", str(10 * 1024 * 1024)))
CATALOG_MAX_IMPORT_ROWS = int(env("CROSSBORDER_MAX_IMPORT_ROWS", "5000"))
# An XLSX upload is a zip: its declared uncompressed size and compression ratio are checked before any
# part is decompressed (a 200 KB file must not become gigabytes of XML).
CATALOG_MAX_IMPORT_UNCOMPRESSED_BYTES = int(env("CROSSBORDER_MAX_IMPORT_UNCOMPRESSED_BYTES", str(50 * 1024 * 1024)))
CATALOG_MAX_IMPORT_COMPRESSION_RATIO = int(env("CROSSBORDER_MAX_IMPORT_COMPRESSION_RATIO", "100"))
CATALOG_PAGE_SIZE = int(env("CROSSBORDER_CATALOG_PAGE_SIZE", "24"))
CATALOG_FEED_PAGE_SIZE = int(env("CROSSBORDER_CATALOG_FEED_PAGE_SIZE", "200"))
# How far behind "now" the catalog feed's watermark stays: longer than any catalog write takes from
# stamping an offer's changed_at to committing, plus the clock difference between app servers.
# Shoppers' cached category and search pages check for a product change at most this often per
# process (one MAX(updated_at) query); 0 checks on every request. Production: a page lags a product
# change by up to this many seconds. The partner zones' pages read their zone (listing changes,
# prices, campaign) as often, but ask the partnership's status on every request: a suspension
# hides a zone at once.
CATALOG_GENERATION_SECONDS = float(env("CROSSBORDER_CATALOG_GENERATION_SECONDS", "2" if PRODUCTION else "0"))
CATALOG_FEED_SETTLE_SECONDS = int(env("CROSSBORDER_CATALOG_FEED_SETTLE_SECONDS", "60"))
# Uploaded product images are served by Django itself unless a web server in front does it.
SERVE_MEDIA = env_bool("CROSSBORDER_SERVE_MEDIA", not PRODUCTION)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = CATALOG_MAX_IMPORT_BYTES + 1024 * 1024
# Currencies a price may be stated in; fixed (not per instance) so every deployment has the same migrations.
# Any of them may be a platform's own: the money columns keep 3 decimals, so KWD and BHD (3) work as
# well as JPY (0) and the others (2); amounts are in their currency's decimals (docs/adr/0029).
CURRENCIES = ("AUD", "BHD", "CAD", "CNY", "EUR", "GBP", "HKD", "JPY", "KRW", "KWD", "SGD", "USD")
if PLATFORM_CURRENCY not in CURRENCIES:
    raise ImproperlyConfigured(f"CROSSBORDER_CURRENCY {PLATFORM_CURRENCY} is not one of {', '.join(CURRENCIES)}")

# --- Celery -------------------------------------------------------------------------------
_BROKER_DIR = DATA_DIR / "broker"
# The cache (storefront facets and listing fragments): Redis on the real stack, shared by every web
# worker; each process's own memory on the embedded default.
CACHE_URL = env("CROSSBORDER_CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": f"crossborder-{PLATFORM_CODE}",
            "TIMEOUT": 300,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "TIMEOUT": 300}}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (_BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith("redis"):
    # Tasks are idempotent; a task unacknowledged this long is handed to another worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = f"crossborder-{PLATFORM_CODE}"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Logistics: checkout holds, the nightly handoff, ageing thresholds and replenishment targets
# (a partnership's terms, crossborder/terms.py, may override the thresholds and the storage fee).
_handoff_hour, _handoff_minute = (int(part) for part in env("CROSSBORDER_HANDOFF_TIME", "01:30").split(":"))
LOGISTICS = {
    "RESERVATION_HOLD_MINUTES": int(env("CROSSBORDER_RESERVATION_HOLD_MINUTES", "15")),
    "HANDOFF_HOUR": _handoff_hour,
    "HANDOFF_MINUTE": _handoff_minute,
    "AGED_THRESHOLDS_DAYS": tuple(int(d) for d in env_list("CROSSBORDER_AGED_THRESHOLDS_DAYS", ["90", "180"])),
    "LEAD_TIME_DAYS": int(env("CROSSBORDER_LEAD_TIME_DAYS", "21")),
    "TARGET_COVER_DAYS": int(env("CROSSBORDER_TARGET_COVER_DAYS", "45")),
    "CONSIGNMENT_WAREHOUSE": env("CROSSBORDER_CONSIGNMENT_WAREHOUSE", ""),
    "CARRIERS": env_list("CROSSBORDER_CARRIERS", ["sandbox"]),
}
# Partner zone: how often partners' catalogs are mirrored, whether their images are cached here,
# and how long shoppers' browsing and search history is kept. A partnership's pricing terms
# (fx_margin, duties_included, per-item fees) are typed in crossborder/terms.py.
PARTNER_ZONE = {
    "SYNC_INTERVAL": int(env("CROSSBORDER_ZONE_SYNC_SECONDS", "300")),
    "SYNC_PAGE_SIZE": int(env("CROSSBORDER_ZONE_SYNC_PAGE_SIZE", "1000")),  # the feed's largest page
    # How long a process keeps a shopper history's recommendation ranking (a new view or search
    # makes a new one at once); 0 computes every request.
    "RECOMMENDATION_SECONDS": float(env("CROSSBORDER_RECOMMENDATION_SECONDS", "60" if PRODUCTION else "0")),
    "CACHE_IMAGES": env_bool("CROSSBORDER_ZONE_CACHE_IMAGES", False),
    "HISTORY_RETENTION_DAYS": int(env("CROSSBORDER_HISTORY_RETENTION_DAYS", "180")),
    # Searches are written to the history in batches by each process at most this often (0: each
    # search at once). A search reaches recommendations that much later; a killed process loses the
    # searches of its last interval (history for recommendations, nothing anyone paid for).
    "SEARCH_WRITE_BEHIND_SECONDS": float(env("CROSSBORDER_SEARCH_WRITE_BEHIND_SECONDS", "1" if PRODUCTION else "0")),
    "LOCAL_DELIVERY_DAYS": env("CROSSBORDER_LOCAL_DELIVERY_DAYS", "1-3"),
    "DIRECT_DELIVERY_DAYS": env("CROSSBORDER_DIRECT_DELIVERY_DAYS", "7-15"),
}
# Shop: how long a checkout's quote is locked (its stock held), how long a placed order waits for
# its payment before it expires and gives the stock back, and the flat delivery charge of an order
# of our own goods, in the platform currency (partner goods carry their freight in their price).
SHOP = {
    "QUOTE_MINUTES": int(env("CROSSBORDER_QUOTE_MINUTES", "15")),
    "PAYMENT_MINUTES": int(env("CROSSBORDER_ORDER_PAYMENT_MINUTES", "30")),
    "OWN_SHIPPING_PER_ORDER": env("CROSSBORDER_OWN_SHIPPING_PER_ORDER", "10" if PLATFORM_CURRENCY == "CNY" else "5"),
}
# Local service providers (aftersales/service): how long a provider's page link is valid, where ops
# hear of missed SLAs and tickets nobody could take, and who pays a service on our own goods (a
# partner's goods follow the agreement's service_*_payer terms).
SERVICE_TICKETS = {
    "PROVIDER_LINK_DAYS": int(env("CROSSBORDER_PROVIDER_LINK_DAYS", "90")),
    "OPS_EMAIL": env("CROSSBORDER_OPS_EMAIL", ""),
    "OWN_GOODS_PAYERS": {"installation": "shopper", "maintenance": "shopper", "repair": "platform"},
}
# How much stock one shopper (an IP address, an account, an e-mail or a phone) may hold unpaid: open
# quotes plus orders awaiting payment, and units of any one SKU in them (payments/shop/services/unpaid_limits.py).
SHOP_LIMITS = {
    "MAX_UNPAID_ORDERS": int(env("CROSSBORDER_MAX_UNPAID_ORDERS", "5")),
    "MAX_UNPAID_UNITS_PER_SKU": int(env("CROSSBORDER_MAX_UNPAID_UNITS_PER_SKU", "20")),
}
# The shop API's request rates per client (per account when signed in, else per IP address), DRF's
# "number/second|minute|hour|day"; counted in the cache, so production needs CROSSBORDER_CACHE_URL
# (Redis) for one count across web processes.
SHOP_API_RATES = {
    "order": env("CROSSBORDER_SHOP_API_ORDER_RATE", "20/hour"),
    "read": env("CROSSBORDER_SHOP_API_READ_RATE", "300/minute"),
}
# Settlement: our bank account (the debtor of the payouts we owe) and each partner's, by partner code,
# as JSON: {"name": ..., "iban": ... or "account": ..., "bic": ...}.
SETTLEMENT_BANK = json.loads(env("CROSSBORDER_SETTLEMENT_BANK", "{}"))
SETTLEMENT_PARTNER_BANKS = json.loads(env("CROSSBORDER_SETTLEMENT_PARTNER_BANKS", "{}"))
# Money owed to merchants (payments/merchants): the platform's default commission in percent (a
# merchant's own rate wins), the smallest payout per currency ("default" for the others), how far
# back a payout run asks after-sales which home sales are still open to returns, and when it runs.
MERCHANT_MONEY = {
    "COMMISSION_PERCENT": env("CROSSBORDER_MERCHANT_COMMISSION_PERCENT", "8"),
    "PAYOUT_MINIMUM": json.loads(
        env("CROSSBORDER_MERCHANT_PAYOUT_MINIMUM", '{"CNY": "100", "JPY": "2000", "default": "20"}')
    ),
    "HOLD_LOOKBACK_DAYS": int(env("CROSSBORDER_MERCHANT_HOLD_LOOKBACK_DAYS", "180")),
    # A sale abroad is credited when its settlement is reconciled, and held this long after: the
    # partner's shoppers may still return it, and its charge-back comes in a later settlement.
    "ABROAD_HOLD_DAYS": int(env("CROSSBORDER_MERCHANT_ABROAD_HOLD_DAYS", "30")),
    "PAYOUT_HOUR": int(env("CROSSBORDER_MERCHANT_PAYOUT_HOUR", "6")),
}
# Payment providers by code: the class implementing payments.providers.PaymentProvider and its
# options (secrets from the environment). Production takes real money only: the payments checks
# (payments/providers/checks.py, crossborder.E020-E025) refuse to start with a sandbox, an empty or development
# secret, or no provider.
PAYMENT_PROVIDERS = {}
# --- Real providers: each registers here under its code, from its own environment variables. ---
# Offered when configured (payments/providers/stripe_provider.py, alipay_provider.py).
if env("STRIPE_SECRET_KEY"):
    PAYMENT_PROVIDERS["stripe"] = {
        "CLASS": "payments.providers.stripe_provider.StripeCard",
        "SECRET_KEY": env("STRIPE_SECRET_KEY"),
        "WEBHOOK_SECRET": env("STRIPE_WEBHOOK_SECRET", ""),
        "API_BASE": env("STRIPE_API_BASE", ""),  # a stand-in's address; Stripe's own when empty
    }
if env("ALIPAY_APP_ID"):
    PAYMENT_PROVIDERS["alipay"] = {
        "CLASS": "payments.providers.alipay_provider.AlipayQR",
        "APP_ID": env("ALIPAY_APP_ID"),
        "APP_PRIVATE_KEY_FILE": env("ALIPAY_APP_PRIVATE_KEY_FILE", ""),
        "ALIPAY_PUBLIC_KEY_FILE": env("ALIPAY_PUBLIC_KEY_FILE", ""),
        "GATEWAY": env("ALIPAY_GATEWAY", ""),  # a stand-in's address; Alipay's own when empty
        "SANDBOX": env_bool("ALIPAY_SANDBOX"),  # Alipay's sandbox gateway
    }

# --- The sandbox providers: they take no money. Offered outside production; in production only
# on a staging deployment that asks for them, and then with secrets of its own (no defaults).
SANDBOX_PAYMENTS = not PRODUCTION or env_bool("CROSSBORDER_STAGING_SANDBOX_PAYMENTS")
if SANDBOX_PAYMENTS:
    PAYMENT_PROVIDERS["sandbox_wallet"] = {
        "CLASS": "payments.providers.sandbox.SandboxWallet",
        "WEBHOOK_SECRET": env(
            "CROSSBORDER_SANDBOX_WALLET_WEBHOOK_SECRET", "" if PRODUCTION else "dev-sandbox-wallet-webhook-secret"
        ),
    }
    PAYMENT_PROVIDERS["sandbox_card"] = {
        "CLASS": "payments.providers.sandbox.SandboxCard",
        "WEBHOOK_SECRET": env(
            "CROSSBORDER_SANDBOX_CARD_WEBHOOK_SECRET", "" if PRODUCTION else "dev-sandbox-card-webhook-secret"
        ),
    }
PAYMENT_OPTIONS = {
    # The local method checkout offers: a QR wallet in China, a card with a 3-D Secure challenge elsewhere.
    # Unset: the sandbox for the country where sandboxes are offered, else the first real provider.
    "DEFAULT_PROVIDER": env(
        "CROSSBORDER_PAYMENT_PROVIDER",
        ("sandbox_wallet" if PLATFORM_COUNTRY == "CN" else "sandbox_card")
        if SANDBOX_PAYMENTS
        else next(iter(PAYMENT_PROVIDERS), ""),
    ),
    "WEBHOOK_TOLERANCE_SECONDS": int(env("CROSSBORDER_PAYMENT_WEBHOOK_TOLERANCE", "300")),
    # One window, driven by the shop's SHOP["PAYMENT_MINUTES"] (CROSSBORDER_ORDER_PAYMENT_MINUTES): an
    # order's payment expires with the order (payments/shop/services/paying.py), and a payment made
    # outside the shop gets as long.
    "PAYMENT_WINDOW_MINUTES": SHOP["PAYMENT_MINUTES"],
    # After the window and this grace, a payment whose checkout placed no order is voided or refunded.
    "ABANDONED_GRACE_MINUTES": int(env("CROSSBORDER_PAYMENT_ABANDONED_GRACE_MINUTES", "30")),
    # How the sandbox providers send their webhooks (a dotted path; tests post through the test client).
    "SANDBOX_WEBHOOK_DELIVERY": "payments.providers.sandbox.deliver_over_http",
    "SANDBOX_WEBHOOK_TIMEOUT": float(env("CROSSBORDER_SANDBOX_WEBHOOK_TIMEOUT", "5")),
}
# Mail: an SMTP server when one is configured, else files under the data directory (the demo).
EMAIL_HOST = env("CROSSBORDER_EMAIL_HOST", "")
EMAIL_PORT = int(env("CROSSBORDER_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("CROSSBORDER_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env("CROSSBORDER_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env("CROSSBORDER_EMAIL_TLS", "") == "1"
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = str(DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = env("CROSSBORDER_EMAIL_FROM", f"no-reply@{PLATFORM_CODE}.example")
# The nightly demand report to each partner (aftersales/demand/): what our shoppers searched for in
# its zone without good results, viewed without buying and returned, over the last WINDOW_DAYS
# days, aggregated. MIN_SHOPPERS is the minimum crowd: a figure counted from fewer distinct
# shoppers (a search, a product's views, a return reason) is left out, so no line of the report
# can point at a person. A search "found too little" when it found at most FEW_RESULTS listings.
DEMAND_REPORTS = {
    "MIN_SHOPPERS": int(env("CROSSBORDER_DEMAND_MIN_SHOPPERS", "3")),
    "FEW_RESULTS": int(env("CROSSBORDER_DEMAND_FEW_RESULTS", "2")),
    "WINDOW_DAYS": int(env("CROSSBORDER_DEMAND_WINDOW_DAYS", "30")),
    "HOUR": int(env("CROSSBORDER_DEMAND_HOUR", "1")),  # UTC; the report of the day that just ended
}
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {
        "task": "crossborder.tasks.relay_all_outboxes",
        "schedule": float(env("CROSSBORDER_RELAY_INTERVAL", "5")),
    },
    "purge-seen-nonces": {"task": "crossborder.tasks.purge_seen_nonces", "schedule": 600.0},
    # Notifications whose send failed or was never enqueued (crossborder/notifications.py).
    "send-due-notifications": {"task": "crossborder.tasks.send_due_notifications", "schedule": 60.0},
    # Logistics (platform time). Every task is idempotent: a beat that fires twice does no harm.
    "logistics-expire-reservations": {"task": "logistics.expire_reservations", "schedule": 60.0},
    "logistics-poll-carriers": {"task": "logistics.poll_carriers", "schedule": 300.0},
    "logistics-storage-fees": {"task": "logistics.accrue_storage_fees", "schedule": crontab(hour=0, minute=30)},
    "logistics-nightly-handoff": {
        "task": "logistics.nightly_handoff",
        "schedule": crontab(hour=LOGISTICS["HANDOFF_HOUR"], minute=LOGISTICS["HANDOFF_MINUTE"]),
    },
    "logistics-stock-check": {"task": "logistics.check_stock_counts", "schedule": crontab(hour=2, minute=15)},
    "logistics-aged-stock": {"task": "logistics.review_aged_stock", "schedule": crontab(hour=3, minute=0)},
    # Partner zone: mirror every active partner's catalog feed; forget old shopper history.
    "partner-zone-sync": {"task": "partner_zone.sync_all", "schedule": float(PARTNER_ZONE["SYNC_INTERVAL"])},
    "partner-zone-reprice": {"task": "partner_zone.reprice_all", "schedule": crontab(hour=0, minute=5)},
    "partner-zone-purge-history": {"task": "partner_zone.purge_history", "schedule": crontab(hour=4, minute=0)},
    "partner-zone-cache-images": {"task": "partner_zone.cache_missing_images", "schedule": crontab(minute=40)},
    # After-sales: the demand report of the day that ended, to each live partner (once per day).
    "aftersales-demand-reports": {
        "task": "aftersales.send_demand_reports",
        "schedule": crontab(hour=DEMAND_REPORTS["HOUR"], minute=20),
    },
    # Partners: scores recomputed nightly; agreement compliance checked every hour.
    "partners-score": {"task": "partners.score_partners", "schedule": crontab(hour=3, minute=30)},
    "partners-compliance": {"task": "partners.check_compliance", "schedule": crontab(minute=50)},
    # Our own figures to every partner on the first of the month (they are sent at linking too).
    "partners-metrics": {"task": "partners.send_metrics", "schedule": crontab(day_of_month=1, hour=4, minute=15)},
    # Payments: close each partnership's settlement period once its cut-off (agreed, in UTC) has passed.
    "payments-close-settlement-periods": {"task": "payments.close_settlement_periods", "schedule": 300.0},
    # Merchants: one payout run a day (idempotent per day: a second fire finds the day's run).
    "payments-pay-merchants": {
        "task": "payments.pay_merchants",
        "schedule": crontab(hour=MERCHANT_MONEY["PAYOUT_HOUR"], minute=10),
    },
    # Shop: lapsed quotes and orders unpaid past their window give their stock back.
    "payments-expire-checkouts": {"task": "payments.expire_checkouts", "schedule": 60.0},
    # Payments: void or refund payments whose checkout never placed an order.
    "payments-void-abandoned-payments": {"task": "payments.void_abandoned_payments", "schedule": 300.0},
    # Shop: catch up payments that secured their money but placed no order or were not captured.
    "payments-settle-secured-payments": {"task": "payments.settle_secured_payments", "schedule": 60.0},
    # After-sales: record service tickets that missed their SLA and tell ops (idempotent).
    "aftersales-service-sla": {"task": "aftersales.mark_service_breaches", "schedule": 300.0},
}
if SANDBOX_PAYMENTS:  # the sandboxes resend their undelivered webhooks, like a provider would
    CELERY_BEAT_SCHEDULE["payments-retry-sandbox-webhooks"] = {
        "task": "payments.retry_sandbox_webhooks",
        "schedule": 60.0,
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Order and payment tokens never reach a log line (crossborder/logs.py).
    "filters": {"redact_tokens": {"()": "crossborder.logs.RedactTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": env("CROSSBORDER_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# How many days after writing it a shopper may still change a review (aftersales.reviews).
REVIEW_EDIT_DAYS = int(env("CROSSBORDER_REVIEW_EDIT_DAYS", "30"))

# --- Shopper accounts (django-allauth; accounts/, docs/adr/0024) -------------------------------
# China: the phone number comes first (sign-up and sign-in by a code sent as a text message); elsewhere
# the e-mail address, verified before it is trusted. Both platforms let a shopper add the other.
ACCOUNTS_PHONE_FIRST = env_bool("CROSSBORDER_PHONE_FIRST", PLATFORM_COUNTRY == "CN")
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# No user names for shoppers: allauth fills Django's unique username itself; pages show user_display.
ACCOUNT_USER_DISPLAY = "accounts.adapter.user_display"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_BY_CODE_ENABLED = True  # "send me a sign-in code": by text message to a phone, else by e-mail
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60  # seconds a sign-in code is good for
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3  # wrong codes before it is void
# Codes a shopper types: six digits by text message, like every bank and shop in China sends.
ACCOUNT_PHONE_VERIFICATION_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_LOGIN_BY_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_PHONE_VERIFICATION_TIMEOUT = 10 * 60
ACCOUNT_PHONE_VERIFICATION_MAX_ATTEMPTS = 3
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_CHANGE = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = None  # the sign-in form asks
ACCOUNT_PREVENT_ENUMERATION = True  # docs/adr/0024: what an address in use is told, and to whom
if ACCOUNTS_PHONE_FIRST:
    # The phone is verified at sign-up; an e-mail address is optional, verified when given.
    ACCOUNT_EMAIL_VERIFICATION = "optional"
    ACCOUNT_LOGIN_METHODS = {"phone", "email"}
    ACCOUNT_SIGNUP_FIELDS = ["phone*", "email", "password1*"]
else:
    ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    ACCOUNT_LOGIN_METHODS = {"email"}
    ACCOUNT_SIGNUP_FIELDS = ["email*", "phone", "password1*", "password2*"]
# Codes asked for: one per phone per minute and five an hour, ten an hour from one address (a text costs
# money); sign-in codes and password resets likewise per key and address.
ACCOUNT_RATE_LIMITS = {
    "verify_phone": "1/60s/key,5/h/key,10/h/ip",
    "change_phone": "3/h/user",
    "request_login_code": "1/60s/key,5/h/key,20/h/ip",
    "reset_password": "20/m/ip,3/h/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"{PLATFORM_NAME}: "
# Text messages (accounts/sms.py): a dotted class path. The default writes each message to the log and
# to a file under the data dir (like the file e-mail backend); a real gateway is a class of the same shape.
SMS_BACKEND = env("CROSSBORDER_SMS_BACKEND", "accounts.sms.FileBackend")
SMS_FILE_PATH = str(DATA_DIR / "sms")
