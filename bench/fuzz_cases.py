"""How many generated cases the fuzz tests ran (tests/fuzz/: the schema-driven fuzz of the shop
and partner APIs, the forms, the partner messages, the webhooks), per test, and how each ended:
pytest runs them as usual, with this file as a plugin counting every case Hypothesis reports. A case
answered with a server error fails its test, so "0 failed" is "0 server errors".

    .venv/bin/python bench/fuzz_cases.py [pytest arguments; default tests/fuzz/]

with the test command's environment (README); exits with pytest's status."""

import collections
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CASES = collections.defaultdict(collections.Counter)  # test -> {status: cases}
CURRENT = ["(collection)"]


def _observed(observation, _thread=None):
    if getattr(observation, "type", None) == "test_case":
        CASES[CURRENT[0]][observation.status] += 1


def pytest_configure(config):
    from hypothesis.internal import observability

    observability.OBSERVABILITY_COLLECT_COVERAGE = False  # counting only: no line coverage per case
    observability.add_observability_callback(_observed, all_threads=True)


def pytest_runtest_call(item):
    CURRENT[0] = item.nodeid


def pytest_terminal_summary(terminalreporter):
    write = terminalreporter.write_line
    write("")
    write("| fuzz test | cases | by outcome |")
    write("|---|---|---|")
    for test, statuses in sorted(CASES.items()):
        write(f"| {test} | {sum(statuses.values())} | {dict(sorted(statuses.items()))} |")
    total = collections.Counter()
    for statuses in CASES.values():
        total.update(statuses)
    write(f"| all | {sum(total.values())} | {dict(sorted(total.items()))} |")


if __name__ == "__main__":
    import pytest

    sys.path.insert(0, str(ROOT / "bench"))
    sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "-p", "fuzz_cases", *(sys.argv[1:] or ["tests/fuzz/"])]))
