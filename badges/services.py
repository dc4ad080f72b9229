"""Badge runs (SPEC §6): start, compute, publish. Tasks, the command and the admin call these.

Two paths give the same result:

* **one worker** — ``badge_run_day``: in one transaction, lock the day's run row, delete D's
  stats, one ``INSERT … SELECT`` from the orders (aggregate, withholding, badge), swap the
  current badges (a pointer), record counts.
* **sharded** — ``badge_run_begin`` (a new attempt), ``badge_stage_range`` per product range
  (chord subtasks, into a staging table), ``badge_run_publish`` (one transaction: the staged rows
  of *this* attempt become D's stats with the same statement, swap). A newer attempt supersedes an older one:
  the older one's publish sees the attempt number moved on and writes nothing.

Concurrency: the run row of D is unique and locked ``FOR UPDATE NOWAIT`` to start; a second
start while one holds it, or while a sharded attempt is running (and not stale), is a 409
``badge_run_in_progress``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from badges import computation
from badges.models import BadgeRun, PickupStatStage, ProductPickupStat
from core.audit import Actor, audit_record
from core.errors import Conflict
from core.policies import FAST_PICKUP_BADGE, policy_in_force
from core.transitions import guard_transition

Status = BadgeRun.Status
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: FOR UPDATE NOWAIT found the row locked

# A failed attempt rolls back, so "failed" can follow any state (the earlier results stay).
TRANSITIONS: dict[str, set[str]] = {
    Status.PENDING: {Status.RUNNING, Status.SKIPPED, Status.FAILED},
    Status.RUNNING: {Status.RUNNING, Status.SUCCEEDED, Status.FAILED},  # running → running: stale takeover
    Status.SUCCEEDED: {Status.RUNNING, Status.SKIPPED, Status.FAILED},
    Status.FAILED: {Status.RUNNING, Status.SKIPPED, Status.FAILED},
    Status.SKIPPED: {Status.RUNNING, Status.SKIPPED, Status.FAILED},
}


def stale_after() -> timedelta:
    """A sharded attempt still ``running`` after this long is taken over by a new start."""
    return getattr(settings, "BADGE_RUN_STALE_AFTER", timedelta(hours=1))


def shard_size() -> int:
    """Product ids per chord subtask; at most this many products → one worker."""
    return getattr(settings, "BADGE_SHARD_PRODUCTS", 5000)


@dataclass(frozen=True)
class Begun:
    run: BadgeRun
    skipped: bool


def _set_status(
    run: BadgeRun, target: str, *, actor: Actor = None, reason: str = "", data: dict[str, object] | None = None
) -> None:
    guard_transition(TRANSITIONS, current=run.status, target=target, code="badge_run_illegal_transition", entity="Badge run")
    audit_record(
        actor=actor, target=run, action=f"badge_run_{target}", from_status=run.status, to_status=target, reason=reason, data=data
    )
    run.status = target


def _started(run: BadgeRun) -> datetime:
    """When the running attempt began (``_begin`` sets it before any stats are written)."""
    if run.started_at is None:
        raise Conflict("badge_run_illegal_transition", gettext("Badge run %(day)s has no running attempt.") % {"day": run.day})
    return run.started_at


def badge_run_ensure(*, day: date) -> BadgeRun:
    """The run row of D, created (and committed) if needed, so that it can be locked."""
    run, _ = BadgeRun.objects.get_or_create(day=day)
    return run


def _lock_run(day: date) -> BadgeRun:
    try:
        return BadgeRun.objects.select_for_update(nowait=True).get(day=day)
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        raise Conflict("badge_run_in_progress", gettext("A badge run of %(day)s is in progress.") % {"day": day}) from exc


def _begin(*, day: date, now: datetime, actor: Actor, trigger: str, mode: str, shards: int) -> Begun:
    """Inside a transaction: lock D's row, refuse a live run, record skipped or start an attempt."""
    run = _lock_run(day)
    if run.status == Status.RUNNING and run.started_at and now - run.started_at < stale_after():
        raise Conflict(
            "badge_run_in_progress",
            gettext("A badge run of %(day)s is in progress (attempt %(attempt)s).") % {"day": day, "attempt": run.attempt},
        )
    policy_at, _ = computation.day_bounds(day)
    run.policy_at, run.trigger, run.triggered_by = policy_at, trigger, actor
    run.started_at, run.finished_at, run.duration, run.error = now, None, None, ""
    if not policy_in_force(FAST_PICKUP_BADGE, policy_at):
        _set_status(run, Status.SKIPPED, actor=actor, reason=f"{FAST_PICKUP_BADGE} not in force on {day}")
        run.finished_at, run.duration = now, timedelta(0)
        run.save()
        return Begun(run, skipped=True)
    _set_status(run, Status.RUNNING, actor=actor, data={"trigger": trigger, "mode": mode})
    run.attempt += 1
    run.mode, run.shards = mode, shards
    run.save()
    return Begun(run, skipped=False)


def _publish(run: BadgeRun, *, fill: Callable[[], computation.Totals]) -> BadgeRun:
    """Inside the run's transaction: replace D's stats (``fill`` inserts them, withholding by the
    reports in force at ``run.started_at``, and returns their totals), record the counts and,
    when D is the latest published day, swap the current badges."""
    if not computation.partitioned():
        ProductPickupStat.objects.filter(run=run).delete()
    totals = fill()  # PostgreSQL: into a new partition of its own, not yet attached
    board = computation.lock_current_badges()
    if computation.partitioned():
        computation.stats_partition_swap(run_id=run.pk, attempt=run.attempt)
    latest = BadgeRun.objects.filter(status=Status.SUCCEEDED).exclude(pk=run.pk).aggregate(day=Max("day"))["day"]
    finished = timezone.now()
    if latest is None or run.day >= latest:
        computation.make_current(board, run_id=run.pk, at=finished)
    run.orders_count, run.products_count = totals.orders, totals.products
    run.badged_count, run.withheld_count = totals.badged, totals.withheld
    run.finished_at, run.duration = finished, finished - _started(run)
    _set_status(
        run,
        Status.SUCCEEDED,
        actor=run.triggered_by,
        data={
            "attempt": run.attempt,
            "orders": run.orders_count,
            "products": run.products_count,
            "badged": run.badged_count,
            "withheld": run.withheld_count,
            "duration_s": run.duration.total_seconds(),
        },
    )
    run.save()
    return run


def badge_run_day(
    *, day: date, actor: Actor = None, trigger: str = BadgeRun.Trigger.SCHEDULE, now: datetime | None = None
) -> BadgeRun:
    """Run D on one worker: one transaction from lock to swap. Re-running D replaces it."""
    now = now or timezone.now()
    badge_run_ensure(day=day)
    try:
        return _run_single(day=day, actor=actor, trigger=trigger, now=now)
    except Conflict:
        raise
    except Exception as exc:
        badge_run_fail(day=day, error=repr(exc))
        raise


@transaction.atomic
def _run_single(*, day: date, actor: Actor, trigger: str, now: datetime) -> BadgeRun:
    begun = _begin(day=day, now=now, actor=actor, trigger=trigger, mode=BadgeRun.Mode.SINGLE, shards=1)
    if begun.skipped:
        return begun.run
    return _publish(
        begun.run,
        fill=lambda: computation.insert_stats_from_orders(run_id=begun.run.pk, attempt=begun.run.attempt, day=day, at=now),
    )


@transaction.atomic
def badge_run_begin(
    *, day: date, shards: int, actor: Actor = None, trigger: str = BadgeRun.Trigger.SCHEDULE, now: datetime | None = None
) -> Begun:
    """Start a sharded attempt of D (committed as ``running``); the chord carries its attempt."""
    now = now or timezone.now()
    badge_run_ensure(day=day)
    return _begin(day=day, now=now, actor=actor, trigger=trigger, mode=BadgeRun.Mode.SHARDED, shards=shards)


def _attempt_is_current(run_id: int, attempt: int) -> bool:
    return BadgeRun.objects.filter(pk=run_id, attempt=attempt, status=Status.RUNNING).exists()


@transaction.atomic
def badge_stage_range(*, run_id: int, attempt: int, product_range: tuple[int, int]) -> int:
    """A chord subtask: (re)write one product range's aggregate of this attempt. Idempotent."""
    run = BadgeRun.objects.filter(pk=run_id).only("day").first()
    if run is None or not _attempt_is_current(run_id, attempt):
        return 0
    lo, hi = product_range
    PickupStatStage.objects.filter(run_id=run_id, attempt=attempt, product_id__gte=lo, product_id__lt=hi).delete()
    return computation.stage_range(run_id=run_id, attempt=attempt, day=run.day, product_range=(lo, hi))


@transaction.atomic
def badge_run_publish(*, run_id: int, attempt: int) -> BadgeRun | None:
    """The chord's final step: publish this attempt's staged rows, unless superseded."""
    run = BadgeRun.objects.select_for_update().get(pk=run_id)
    if run.attempt != attempt or run.status != Status.RUNNING:
        PickupStatStage.objects.filter(run_id=run_id, attempt=attempt).delete()
        return None
    published = _publish(
        run, fill=lambda: computation.insert_stats_from_stage(run_id=run.pk, attempt=attempt, day=run.day, at=_started(run))
    )
    PickupStatStage.objects.filter(run_id=run_id).delete()
    return published


@transaction.atomic
def badge_run_fail(*, day: date, error: str, attempt: int | None = None) -> None:
    """Record a failed run (after the failed transaction rolled back)."""
    run = BadgeRun.objects.select_for_update().filter(day=day).first()
    if run is None or (attempt is not None and run.attempt != attempt):
        return
    _set_status(run, Status.FAILED, reason=error[:500])
    run.error, run.finished_at = error[:2000], timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])


def product_ranges(*, lo: int, hi: int, size: int) -> list[tuple[int, int]]:
    """Half-open ``[a, b)`` ranges of product ids covering ``[lo, hi]``."""
    return [(start, min(start + size, hi + 1)) for start in range(lo, hi + 1, size)]
