"""Start and stop platform instances as separate processes (web, Celery worker, Celery beat).

Used by the demo (./run demo) and by the end-to-end tests, so both run exactly the same way."""

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Spec:
    code: str
    name: str
    country: str
    currency: str
    languages: str
    time_zone: str
    port: int


CN = Spec("cn", "Bao Bei Mall", "CN", "CNY", "zh-hans,en", "Asia/Shanghai", 8001)
US = Spec("us", "Trailhead Goods", "US", "USD", "en,zh-hans", "America/New_York", 8002)
JP = Spec("jp", "Sakura Market", "JP", "JPY", "ja,en,zh-hans", "Asia/Tokyo", 8003)


@dataclass
class Instance:
    spec: Spec
    data_dir: Path
    database_url: str | None = None
    broker_url: str | None = None
    host: str = "127.0.0.1"
    port: int | None = None
    extra_env: dict = field(default_factory=dict)
    processes: dict = field(default_factory=dict)

    @property
    def base_url(self):
        return f"http://{self.host}:{self.port or self.spec.port}"

    def env(self):
        env = dict(os.environ)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "crossborder.settings",
                "CROSSBORDER_PLATFORM_CODE": self.spec.code,
                "CROSSBORDER_PLATFORM_NAME": self.spec.name,
                "CROSSBORDER_COUNTRY": self.spec.country,
                "CROSSBORDER_CURRENCY": self.spec.currency,
                "CROSSBORDER_LANGUAGES": self.spec.languages,
                "CROSSBORDER_TIME_ZONE": self.spec.time_zone,
                "CROSSBORDER_BASE_URL": self.base_url,
                "CROSSBORDER_DATA_DIR": str(self.data_dir),
                "PYTHONUNBUFFERED": "1",
                # Shoppers see the project's own error pages, never Django's debug pages (which list
                # every URL pattern and setting); static files are served by WhiteNoise all the same.
                "DJANGO_DEBUG": "false",
            }
        )
        for name in ("DATABASE_URL", "CELERY_BROKER_URL"):
            env.pop(name, None)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        if self.broker_url:
            env["CELERY_BROKER_URL"] = self.broker_url
        env.update(self.extra_env)
        return env

    def manage(self, *args, check=True, capture=True):
        result = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=self.env(),
            check=False,
            text=True,
            capture_output=capture,
        )
        if check and result.returncode:
            # Show why: a captured failure would otherwise only say "exit status 1".
            sys.stderr.write(f"{self.spec.code}: manage.py {' '.join(args)} failed:\n{result.stderr or ''}")
            result.check_returncode()
        return result

    def prepare(self, *, admin="admin:admin"):
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.manage("migrate", "--noinput", "-v0")
        self.manage("bootstrap_platform", "--admin", admin)

    def log_path(self, component):
        return self.data_dir / f"{component}.log"

    def _spawn(self, component, argv):
        log = open(self.log_path(component), "ab")  # noqa: SIM115 - owned by the child's lifetime
        self.processes[component] = subprocess.Popen(
            argv, cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start_web(self):
        self._spawn(
            "web",
            [
                str(VENV_BIN / "gunicorn"),
                "crossborder.wsgi",
                "--bind",
                f"{self.host}:{self.port or self.spec.port}",
                "--workers",
                "1",
                "--threads",
                "8",
                "--graceful-timeout",
                "5",
                "--access-logfile",
                "-",
                # Order and payment tokens are masked in the access log.
                "--logger-class",
                "crossborder.gunicorn_logging.RedactingLogger",
                # gunicorn's control socket defaults to one path per user: two instances would clash.
                "--no-control-socket",
            ],
        )

    def start_worker(self):
        celery = [str(VENV_BIN / "celery"), "-A", "crossborder"]
        self._spawn("worker", [*celery, "worker", "--pool", "threads", "--concurrency", "2", "-l", "INFO"])

    def start_beat(self):
        celery = [str(VENV_BIN / "celery"), "-A", "crossborder"]
        schedule = self.data_dir / "celerybeat-schedule"
        self._spawn("beat", [*celery, "beat", "-l", "INFO", "--schedule", str(schedule)])

    def start(self, *, worker=True, beat=True):
        self.start_web()
        if worker:
            self.start_worker()
        if beat:
            self.start_beat()

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            web = self.processes.get("web")
            if web is not None and web.poll() is not None:
                raise RuntimeError(f"{self.spec.code} web exited; see {self.log_path('web')}")
            try:
                with urllib.request.urlopen(self.base_url + "/health/", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError(f"{self.spec.code} did not answer on {self.base_url} within {timeout}s")

    def stop(self, *components, timeout=15):
        for name in components or list(self.processes):
            process = self.processes.pop(name, None)
            if process is None or process.poll() is not None:
                continue
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            except ProcessLookupError:
                pass

    def kill(self, *components):
        """Stop without any chance to clean up, as a crash would."""
        for name in components or list(self.processes):
            process = self.processes.pop(name, None)
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def reset(self):
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)


# The demo agreement's fees per settlement currency (storage per unit-day, first leg per kg).
DEMO_FEES = {"USD": ("0.02", "9.50"), "JPY": ("3", "1400")}


def link(importer, exporter, *, token, settlement_currency="USD", fees=()):
    """Partner two prepared, running instances: `exporter` invites, `importer` proposes; they
    settle in `settlement_currency` (the demo settles with jp in yen). `fees`: further agreement
    terms, each "key=value"."""
    storage, first_leg = DEMO_FEES.get(settlement_currency, DEMO_FEES["USD"])
    extra = [argument for fee in fees for argument in ("--fee", fee)]
    exporter.manage("create_invitation", "--token", token, "--auto-accept", "--label", f"demo {importer.spec.code}")
    return importer.manage(
        "propose_partnership",
        "--base-url",
        exporter.base_url,
        "--invitation",
        token,
        "--settlement-currency",
        settlement_currency,
        "--commission-rate",
        "0.08",
        "--fee",
        f"warehouse_storage_per_unit_day={storage}",
        "--fee",
        f"first_leg_per_kg={first_leg}",
        *extra,
        "--wait",
        "20",
    ).stdout.strip()


def settlement_currency(first, second):
    """The currency two demo instances settle in: yen when either is Japan's, else dollars."""
    return "JPY" if "JPY" in (first.spec.currency, second.spec.currency) else "USD"
