"""Thin Celery tasks: ids in, a service call, retries. The beat entry is ``run_scheduled``."""

import logging
from datetime import date

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone

from badges import services
from badges.computation import default_day
from badges.dispatch import badge_run_start
from badges.models import BadgeRun
from core.errors import Conflict
from core.jobs import recorded_job

logger = logging.getLogger(__name__)


@shared_task(name="badges.run_scheduled")
@recorded_job("badges.run_scheduled")
def run_scheduled() -> None:
    """02:00 Asia/Shanghai: the run of D = today − 3."""
    run_day(default_day(timezone.now()).isoformat(), BadgeRun.Trigger.SCHEDULE)


@shared_task(name="badges.run_day")
def run_day(day: str, trigger: str = BadgeRun.Trigger.SCHEDULE, actor_id: int | None = None) -> None:
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        badge_run_start(day=date.fromisoformat(day), actor=actor, trigger=trigger)
    except Conflict as exc:  # a second beat or a re-run while one is running: nothing to do
        logger.info("badge run of %s not started: %s", day, exc.detail)


@shared_task(name="badges.stage_range", ignore_result=False, autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def stage_range(run_id: int, attempt: int, lo: int, hi: int) -> int:
    """A chord subtask (chord members must keep their results)."""
    return services.badge_stage_range(run_id=run_id, attempt=attempt, product_range=(lo, hi))


@shared_task(name="badges.publish_run", autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def publish_run(run_id: int, attempt: int) -> None:
    services.badge_run_publish(run_id=run_id, attempt=attempt)
