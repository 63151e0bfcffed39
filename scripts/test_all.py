"""The whole check a change must pass (./run test): ruff, the import layers, then pytest.

The suite runs on PostgreSQL and Redis when they answer on 127.0.0.1 (always in CI); with
CI=true a missing server fails the run instead of quietly falling back to SQLite."""

import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def reachable(host, port):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def step(title, argv, env=None):
    print(f"\n== {title}: {' '.join(argv)}", flush=True)
    result = subprocess.run(argv, cwd=ROOT, env=env)
    if result.returncode != 0:
        print(f"== {title} failed", flush=True)
        sys.exit(result.returncode)


def main():
    ci = os.environ.get("CI", "").lower() == "true"
    env = dict(os.environ)
    env.setdefault("CROSSBORDER_DATA_DIR", tempfile.mkdtemp(prefix="crossborder-test-"))
    pg = reachable("127.0.0.1", 5432)
    redis = reachable("127.0.0.1", 6379)
    if ci and not (pg and redis):
        missing = [name for name, up in (("PostgreSQL 127.0.0.1:5432", pg), ("Redis 127.0.0.1:6379", redis)) if not up]
        print(f"CI=true but {', '.join(missing)} is not answering: refusing to test on the embedded default.")
        sys.exit(1)
    if pg:
        env.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/crossborder")
        env.setdefault("CROSSBORDER_TEST_POSTGRES", "postgres://root@127.0.0.1:5432")
    if redis:
        env.setdefault("CROSSBORDER_TEST_REDIS", "redis://127.0.0.1:6379")
    print(f"database: {'PostgreSQL' if pg else 'SQLite'}; Redis: {'yes' if redis else 'no'}", flush=True)

    step("ruff", [str(BIN / "ruff"), "check", "."], env)
    step("ruff format", [str(BIN / "ruff"), "format", "--check", "."], env)
    step("import layers", [str(BIN / "lint-imports")], env)
    step("tests", [str(BIN / "pytest"), *sys.argv[1:]], env)


if __name__ == "__main__":
    main()
