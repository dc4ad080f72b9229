"""The Celery app with a fault point, for the worker-kill tests (``celery -A core.tests.fault_worker``).

``FAULT_POINT`` names where the *first* execution stops, inside its database transaction, after
writing its process id to ``FAULT_MARKER``; the test then SIGKILLs that process. Every later
execution (the redelivery) runs normally.

- ``badge_range``: in the middle of a badge chord's range task (after its rows are written,
  before its transaction commits);
- ``sweep_batch``: in the middle of the second batch of the overdue sweep (batches of 3).
"""

import os
import time
from functools import partial
from pathlib import Path

from backoffice.celery import app  # the app celery -A loads

POINT = os.environ.get("FAULT_POINT", "")
MARKER = Path(os.environ.get("FAULT_MARKER", "/nonexistent/fault-marker"))


def _stop_here_once() -> None:
    if MARKER.exists():
        return
    MARKER.write_text(str(os.getpid()))
    time.sleep(600)  # the test kills this process long before


def _install() -> None:
    import django

    django.setup()
    from django.db import transaction

    if POINT == "badge_range":
        from badges import services

        real = services.badge_stage_range

        def stage_range(**kwargs):
            with transaction.atomic():
                result = real(**kwargs)
                _stop_here_once()
                return result

        services.badge_stage_range = stage_range
    elif POINT == "sweep_batch":
        from tickets import services as ticket_services
        from tickets.services import overdue

        real_make = overdue.make_overdue
        calls = []

        def make_overdue(**kwargs):
            result = real_make(**kwargs)
            calls.append(1)
            if len(calls) == 2:  # the second batch, inside its transaction
                _stop_here_once()
            return result

        overdue.make_overdue = make_overdue
        ticket_services.tickets_sweep_overdue = partial(overdue.tickets_sweep_overdue, batch_size=3)


_install()

# kombu's Redis transport scans for unacknowledged messages past the visibility timeout only every
# unacked_restore_interval × unacked_restore_throttle seconds (10 × 10 by default): longer than the
# test waits. Scan every second so the killed worker's message is re-delivered within the test.
app.conf.broker_transport_options = {
    **(app.conf.broker_transport_options or {}),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
