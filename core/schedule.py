"""Periodic tasks of the core app (merged into CELERY_BEAT_SCHEDULE by the settings)."""

from datetime import timedelta

from celery.schedules import schedule

BEAT_SCHEDULE = {
    "core-outbox-drain": {
        # Every 10 s: how long a notification waits at most while the broker is up.
        "task": "core.outbox_drain",
        "schedule": schedule(run_every=timedelta(seconds=10)),
        "options": {"expires": 10},
    },
}
