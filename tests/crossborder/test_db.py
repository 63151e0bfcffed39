"""Running a transaction again when PostgreSQL aborted it as a deadlock victim or a serialization
failure: a bounded number of times, then a clear "busy" refusal instead of a server error."""

import pytest
from django.db import OperationalError, connection, transaction
from psycopg2 import errors as pg

from crossborder import db
from crossborder.db import DatabaseBusy, retry_on_conflict


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch):
    monkeypatch.setattr(db.time, "sleep", lambda seconds: None)


def django_error(driver_error_class):
    """What Django raises for a driver error: its own OperationalError caused by the driver's."""
    error = OperationalError("deadlock detected")
    error.__cause__ = driver_error_class("deadlock detected")
    return error


class Flaky:
    def __init__(self, failures, error_class=pg.DeadlockDetected):
        self.failures, self.error_class, self.calls = failures, error_class, 0

    def __call__(self):
        self.calls += 1
        if self.calls <= self.failures:
            raise django_error(self.error_class)
        return "done"


def test_a_deadlock_victim_is_run_again_and_then_succeeds(caplog):
    flaky = Flaky(failures=1)
    assert retry_on_conflict(flaky)() == "done"
    assert flaky.calls == 2
    assert "lost a database conflict (attempt 1 of 3)" in caplog.text


def test_a_serialization_failure_is_run_again_too():
    flaky = Flaky(failures=2, error_class=pg.SerializationFailure)
    assert retry_on_conflict(attempts=3)(flaky)() == "done"
    assert flaky.calls == 3


def test_after_the_last_attempt_the_caller_gets_busy_not_a_server_error():
    flaky = Flaky(failures=10)
    with pytest.raises(DatabaseBusy) as refused:
        retry_on_conflict(attempts=3)(flaky)()
    assert flaky.calls == 3
    assert (refused.value.code, refused.value.status, refused.value.retry_after) == ("busy", 503, 1)
    assert "try again" in str(refused.value.detail)
    assert isinstance(refused.value.__cause__, OperationalError)


def test_other_database_errors_are_not_retried():
    calls = []

    def broken():
        calls.append(1)
        error = OperationalError("server closed the connection")
        error.__cause__ = pg.AdminShutdown("terminating connection")
        raise error

    with pytest.raises(OperationalError):
        retry_on_conflict(broken)()
    assert len(calls) == 1


def test_backoff_grows_with_jitter(monkeypatch):
    waits = []
    monkeypatch.setattr(db.time, "sleep", waits.append)
    with pytest.raises(DatabaseBusy):
        retry_on_conflict(attempts=3, backoff=0.1)(Flaky(failures=3))()
    assert len(waits) == 2
    assert 0.05 <= waits[0] <= 0.15 and 0.1 <= waits[1] <= 0.3


@pytest.mark.django_db
def test_inside_an_outer_transaction_it_runs_once_and_leaves_the_retry_to_the_owner():
    flaky = Flaky(failures=1)
    with transaction.atomic(), pytest.raises(OperationalError):
        retry_on_conflict(flaky)()
    assert flaky.calls == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_deadlock_from_postgresql_is_recognised():
    """The error Django really raises for a deadlock carries PostgreSQL's code 40P01."""
    import threading

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE deadlock_probe (id int PRIMARY KEY)")
        cursor.execute("INSERT INTO deadlock_probe VALUES (1), (2)")
    barrier = threading.Barrier(2)
    caught = []

    def lock(first, second):
        from django.db import connection as own

        try:
            with transaction.atomic(), own.cursor() as cursor:
                cursor.execute("SELECT id FROM deadlock_probe WHERE id = %s FOR UPDATE", [first])
                barrier.wait(timeout=10)
                cursor.execute("SELECT id FROM deadlock_probe WHERE id = %s FOR UPDATE", [second])
        except OperationalError as error:
            caught.append(error)
        finally:
            own.close()

    try:
        threads = [threading.Thread(target=lock, args=pair) for pair in ((1, 2), (2, 1))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert len(caught) == 1 and db.is_conflict(caught[0])
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE deadlock_probe")
