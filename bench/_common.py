"""What the catalog benchmarks share: a loopback port, a PostgreSQL bench database, and a platform
instance served by gunicorn the way it is deployed (scripts/instances.py starts it; here with the
Dockerfile's production settings and a chosen number of workers)."""

import base64
import dataclasses
import hashlib
import os
import secrets
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.instances import VENV_BIN, Instance  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/cb_bench"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def default_workers():
    """gunicorn's rule of thumb for sync workers: two per core, plus one."""
    return 2 * (os.cpu_count() or 1) + 1


def production_env(data_dir):
    """The settings the Dockerfile and docker-compose.yml run with (DEBUG off, manifest static files),
    minus TLS redirects: the load generator speaks plain HTTP on loopback, as compose does inside."""
    return {
        "CROSSBORDER_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        # One key for every bench run: a bench database is filled by one script and served by the
        # next (catalog_pages.py, then zone_sync.py), which must read the signing key it stored.
        "CROSSBORDER_FIELD_ENCRYPTION_KEY": base64.urlsafe_b64encode(
            hashlib.sha256(b"bench data only").digest()
        ).decode(),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATIC_ROOT": str(Path(data_dir) / "static"),
        "CROSSBORDER_LOG_LEVEL": "WARNING",
        # Shoppers pay at the sandboxes, as on a staging deployment, with secrets of their own.
        "CROSSBORDER_STAGING_SANDBOX_PAYMENTS": "true",
        "CROSSBORDER_SANDBOX_WALLET_WEBHOOK_SECRET": secrets.token_urlsafe(32),
        "CROSSBORDER_SANDBOX_CARD_WEBHOOK_SECRET": secrets.token_urlsafe(32),
    }


@dataclasses.dataclass
class BenchInstance(Instance):
    """An Instance whose web server runs `workers` sync gunicorn workers (the Dockerfile's shape)
    instead of the demo's one worker with eight threads; no access log, so logging costs nothing."""

    workers: int = 0  # 0: the demo's one worker with eight threads
    threads: int = 8
    bind_port: int = 0  # listen here instead of on `port` (a gate in front of it takes `port`)

    def start_web(self):
        if not self.workers:
            return super().start_web()
        self._spawn(
            "web",
            [
                str(VENV_BIN / "gunicorn"),
                "crossborder.wsgi",
                "--bind",
                f"{self.host}:{self.bind_port or self.port or self.spec.port}",
                "--workers",
                str(self.workers),
                "--graceful-timeout",
                "5",
                "--no-control-socket",
            ],
        )


def setup_django(env):
    """This process reads and writes the instance's database with the instance's own settings."""
    os.environ.update(env)
    import django

    django.setup()


def database_name(url):
    return url.rsplit("/", 1)[-1].split("?", 1)[0]


def server_url(url):
    """The same server's maintenance database, to create or drop the bench database from."""
    return url.rsplit("/", 1)[0] + "/postgres"


# --- the partner zone benchmarks (bench/zone_sync.py, bench/zone_pages.py) -----------------------------

# The importing instance: the platform the bench catalog's offers are made to (generate_catalog.py
# --offers-to bench-partner creates that partner on the exporter as a US platform paying in USD), so
# that its partner zone mirrors the `cn` exporter's 100,000 offers. Its zone of cn is /zone/cn/.
ZONE_PARTNER = "bench-partner"
ZONE_DATABASE_URL = "postgres://root@127.0.0.1:5432/cb_bench_zone"


def importer_spec(port):
    from scripts.instances import Spec

    return Spec(ZONE_PARTNER, "Bench Partner", "US", "USD", "en,zh-hans", "America/New_York", port)


def shell_json(instance, code):
    """Run Python in the instance's own settings (manage.py shell -c) and return the JSON it prints
    on its last line."""
    import json

    output = instance.manage("shell", "-c", code).stdout.strip()
    return json.loads(output.splitlines()[-1])


def recreate_database(url):
    """Drop (disconnecting whoever is still on it) and create the bench database at `url`."""
    import psycopg2

    connection = psycopg2.connect(server_url(url))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{database_name(url)}"')
    finally:
        connection.close()


# wrk's end-of-run summary as one line the scripts parse (requests, latency percentiles, non-2xx and
# socket errors); a page script appends its request function before it.
WRK_SUMMARY_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d non2xx=%d errors=%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def log(message=""):
    print(message, flush=True)
