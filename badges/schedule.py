from datetime import timedelta

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "badges-daily-48h-pickup": {
        "task": "badges.run_scheduled",
        "schedule": crontab(hour=2, minute=0),  # CELERY_TIMEZONE = Asia/Shanghai
        "options": {"expires": timedelta(hours=4).total_seconds()},
    },
}
