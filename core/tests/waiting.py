"""Waiting for a real worker without polling the database.

On SQLite the test database is in memory with a shared cache, where a read from the test's
thread while the worker's thread writes fails at once with "database table is locked" (shared-
cache table locks ignore the busy timeout). So a test waits for Celery's ``task_postrun`` signal
of the task it expects, then reads."""

import threading
from contextlib import contextmanager

from celery.signals import task_postrun


@contextmanager
def task_finished(task_name: str, *, times: int = 1):
    """``with task_finished("tickets.sweep_overdue") as done: …; assert done.wait(30)``."""
    done = threading.Event()
    seen = []

    def on_postrun(sender=None, **kwargs):
        if sender is not None and sender.name == task_name:
            seen.append(kwargs.get("state"))
            if len(seen) >= times:
                done.set()

    task_postrun.connect(on_postrun, weak=False)
    try:
        yield done
    finally:
        task_postrun.disconnect(on_postrun)
