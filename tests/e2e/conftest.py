"""When an end-to-end test fails, show what the instances' processes logged and what a failed
management command printed, next to the failure."""

import subprocess

import pytest

# (cn, us) of the running module, set by the `pair` fixture as soon as the instances exist, so
# their logs are found even when starting them is what failed.
INSTANCES = pytest.StashKey[tuple]()
LOG_TAIL_CHARS = 4000


def _tail(text, limit=LOG_TAIL_CHARS):
    return text if len(text) <= limit else "[...]\n" + text[-limit:]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if not report.failed or "e2e" not in item.keywords:
        return report
    error = call.excinfo.value if call.excinfo else None
    if isinstance(error, subprocess.CalledProcessError):
        output = f"$ {' '.join(map(str, error.cmd))}\n--- stdout\n{error.stdout}\n--- stderr\n{error.stderr}"
        report.sections.append(("failed command", _tail(output)))
    for instance in item.config.stash.get(INSTANCES, ()):
        for component in ("web", "worker", "beat"):
            path = instance.log_path(component)
            if path.exists():
                text = path.read_text(errors="replace")
                report.sections.append((f"{instance.spec.code} {component} log ({path})", _tail(text)))
    return report
