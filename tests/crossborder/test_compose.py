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
    for name in ["postgres", "redis", *(f"{c}-{p}" for c in ("cn", "us") for p in ("web", "worker", "beat"))]:
        assert name in services, name
    cn, us = services["cn-web"]["environment"], services["us-web"]["environment"]
    assert cn["DATABASE_URL"] != us["DATABASE_URL"]
    assert cn["CELERY_BROKER_URL"] != us["CELERY_BROKER_URL"]
    assert (cn["CROSSBORDER_PLATFORM_CODE"], us["CROSSBORDER_PLATFORM_CODE"]) == ("cn", "us")
    assert "worker" in services["cn-worker"]["command"] and "beat" in services["us-beat"]["command"]


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
    }
    env.update(
        CN_FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(), US_FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode()
    )
    result = subprocess.run([*cli, "config", "-q"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
