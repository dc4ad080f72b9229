"""The one way race tests start threads: released together behind a barrier, every wait and
join bounded, so a deadlock fails the test instead of hanging CI (pytest-timeout is the last
resort, not the plan)."""

import threading
import time

import pytest
from django.db import connections

BARRIER_TIMEOUT = 30  # seconds for every thread to reach the start line
JOIN_TIMEOUT = 120  # seconds for all of them to finish


def run_together(*functions, join_timeout: float = JOIN_TIMEOUT) -> list:
    """Run each function in its own thread, all released at once; return their results in
    order (an exception a function raised is its result). Each thread closes its database
    connections. Threads still running after ``join_timeout`` fail the test."""
    barrier = threading.Barrier(len(functions), timeout=BARRIER_TIMEOUT)
    results: list = [None] * len(functions)

    def worker(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as exc:  # noqa: BLE001 — returned to the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, f), name=f"race-{i}", daemon=True) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + join_timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = [t.name for t in threads if t.is_alive()]
    if stuck:
        pytest.fail(f"race threads still running after {join_timeout}s (deadlock?): {stuck}")
    return results


def outcome(result, *errors: type[BaseException]):
    """A result as a race test compares it: an expected error by its ``code``; any other
    exception is raised (it is a bug, not an outcome)."""
    if isinstance(result, errors):
        return getattr(result, "code", result)
    if isinstance(result, BaseException):
        raise result
    return result
