"""docker-compose.yml describes the real stack: postgres, redis, and per instance web, worker, beat."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_instance_has_web_worker_and_beat_with_its_own_database_and_broker():
    services = compose()["services"]
    codes = ("cn", "us", "jp")
    for name in ["postgres", "redis", *(f"{c}-{p}" for c in codes for p in ("web", "worker", "beat"))]:
        assert name in services, name
    envs = [services[f"{code}-web"]["environment"] for code in codes]
    for key in ("DATABASE_URL", "CELERY_BROKER_URL", "CROSSBORDER_CACHE_URL"):
        assert len({env[key] for env in envs}) == 3, key
    assert tuple(env["CROSSBORDER_PLATFORM_CODE"] for env in envs) == codes
    assert (envs[2]["CROSSBORDER_CURRENCY"], envs[2]["CROSSBORDER_LANGUAGES"]) == ("JPY", "ja,en,zh-hans")
    assert "worker" in services["cn-worker"]["command"] and "beat" in services["us-beat"]["command"]
    assert "crossborder_jp" in (ROOT / "docker" / "create-databases.sql").read_text()


def _compose_cli():
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_compose_cli_accepts_the_file():
    cli = _compose_cli()
    if cli is None:
        pytest.skip("no docker compose CLI on this machine")
    env = {
        **os.environ,
        "CN_SECRET_KEY": "c" * 60,
        "US_SECRET_KEY": "u" * 60,
        "CN_SANDBOX_WEBHOOK_SECRET": "cs" * 20,
        "US_SANDBOX_WEBHOOK_SECRET": "us" * 20,
        "JP_SECRET_KEY": "j" * 60,
        "JP_SANDBOX_WEBHOOK_SECRET": "jp" * 20,
    }
    env.update({f"{code}_FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode() for code in ("CN", "US", "JP")})
    result = subprocess.run([*cli, "config", "-q"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_scaled_out_stack_runs_several_web_and_worker_replicas_one_beat_and_a_read_replica():
    services = compose()["services"]
    assert services["cn-web"]["deploy"]["replicas"] >= 2 and "ports" not in services["cn-web"]
    assert services["cn-worker"]["deploy"]["replicas"] >= 2
    assert "deploy" not in services["cn-beat"]  # one beat: two would schedule everything twice
    assert services["cn-lb"]["ports"] == ["8001:80"]
    assert "server cn-web:8000" in (ROOT / "docker" / "nginx-web.conf").read_text()
    assert "pg_basebackup -h postgres" in "".join(services["postgres-replica"]["command"])
    assert "REPLICATION" in (ROOT / "docker" / "replication.sh").read_text()
    for code in ("cn", "us", "jp"):
        env = services[f"{code}-web"]["environment"]
        assert env["DATABASE_REPLICA_URL"] == env["DATABASE_URL"].replace("@postgres:", "@postgres-replica:")
        assert services[f"{code}-web"]["depends_on"]["postgres-replica"] == {"condition": "service_healthy"}
