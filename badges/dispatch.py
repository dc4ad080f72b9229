"""Choosing the path of a run: one worker, or a chord split by product id range (SPEC §6)."""

from datetime import date, datetime

from celery import chord, group
from django.db.models import Max, Min

from badges import services
from badges.models import BadgeRun
from core.outbox import outbox_enqueue_task
from shops.models import Product


def planned_ranges(*, size: int | None = None) -> list[tuple[int, int]]:
    """The product id ranges of a run: one when the catalogue fits one worker."""
    bounds = Product.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return []
    return services.product_ranges(lo=bounds["lo"], hi=bounds["hi"], size=size or services.shard_size())


def badge_run_start(
    *, day: date, actor=None, trigger: str = BadgeRun.Trigger.SCHEDULE, shard_size: int | None = None, now: datetime | None = None
) -> BadgeRun:
    """Run D now on this worker, or start a sharded attempt and enqueue its chord after commit.

    Returns the run (``running`` while a chord works on it)."""
    from badges import tasks  # tasks import this module's callers; keep the import local

    ranges = planned_ranges(size=shard_size)
    if len(ranges) <= 1:
        return services.badge_run_day(day=day, actor=actor, trigger=trigger, now=now)
    begun = services.badge_run_begin(day=day, shards=len(ranges), actor=actor, trigger=trigger, now=now)
    if begun.skipped:
        return begun.run
    run = begun.run
    canvas = chord(
        group(tasks.stage_range.si(run.pk, run.attempt, lo, hi) for lo, hi in ranges),
        tasks.publish_run.si(run.pk, run.attempt),
    )
    outbox_enqueue_task(canvas, dedupe_key=f"badge-run:{run.pk}:{run.attempt}")
    return run
