from celery.schedules import crontab

BEAT_SCHEDULE = {
    "complaints-judge-pending": {
        "task": "complaints.judge_pending",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
}
