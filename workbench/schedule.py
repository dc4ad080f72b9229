"""Periodic tasks of the workbench app (merged into CELERY_BEAT_SCHEDULE by the settings)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "workbench-sample-spot-checks": {
        # Daily at 00:40 Asia/Shanghai: yesterday is over; a second beat or a re-run samples nothing.
        "task": "workbench.sample_spot_checks",
        "schedule": crontab(hour=0, minute=40),
        "options": {"expires": 6 * 60 * 60},
    },
}
