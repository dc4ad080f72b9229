"""Periodic tasks of the tickets app (merged into CELERY_BEAT_SCHEDULE by the settings)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "tickets-sweep-overdue": {
        "task": "tickets.sweep_overdue",
        "schedule": crontab(),  # every minute
        "options": {"expires": 50},
    },
    "tickets-send-due-reminders": {
        "task": "tickets.send_due_reminders",
        "schedule": crontab(),
        "options": {"expires": 50},
    },
    "tickets-rollup-service-metrics-today": {
        "task": "tickets.rollup_service_metrics",
        "schedule": crontab(minute="*/15"),
        "kwargs": {"days": 1},
        "options": {"expires": 10 * 60},
    },
    "tickets-rollup-service-metrics-daily": {
        # Shortly after midnight Asia/Shanghai: finish yesterday (and the day before, for late events).
        "task": "tickets.rollup_service_metrics",
        "schedule": crontab(hour=0, minute=20),
        "kwargs": {"days": 3},
        "options": {"expires": 60 * 60},
    },
}
