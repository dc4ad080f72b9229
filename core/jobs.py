"""Job runs (SPEC §10 "jobs are visible"): one row per execution of a periodic job.

``recorded_job("tickets.sweep_overdue")`` wraps a task function (or ``with job_run(name) as run``
wraps a block): a ``running`` row is written before the work, and ``success``/``failure`` with the
end time and counts after it, each in its own short transaction (so the row survives the job's
rollback). Only the newest ``JOB_RUNS_KEPT`` rows per job are kept: one DELETE after each run.

``job_overview()`` is what the 任务运行 admin page shows: each job of the beat schedule with its
period, its last run and last success, the lag since that success, and a flag when the job has
not succeeded within twice its period.
"""

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import JobRun

logger = logging.getLogger(__name__)

JOB_RUNS_KEPT = 200

P = ParamSpec("P")
R = TypeVar("R")

JOB_LABELS = {
    "tickets.sweep_overdue": _("Overdue urge-task sweep"),
    "tickets.send_due_reminders": _("Due-time reminders"),
    "tickets.rollup_service_metrics": _("Service metric rollup"),
    "complaints.judge_pending": _("Complaint judgment"),
    "badges.run_scheduled": _("48h pickup badge run"),
    "core.outbox_drain": _("Outbox delivery"),
    "workbench.sample_spot_checks": _("Spot-check sampling"),
}


@dataclass
class RunRecorder:
    row: JobRun
    counts: Any = field(default_factory=dict)  # whatever the job returns; _counts_of keeps the numbers


def _counts_of(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if isinstance(v, int | float | str | bool) or v is None}
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"count": value}
    if hasattr(value, "as_counts"):
        counts: dict[str, Any] = value.as_counts()
        return counts
    return {}


def _prune(name: str) -> None:
    """Keep the newest ``JOB_RUNS_KEPT`` runs of ``name`` (ids grow with start times)."""
    cutoff = list(
        JobRun.objects.filter(name=name).order_by("-id").values_list("id", flat=True)[JOB_RUNS_KEPT - 1 : JOB_RUNS_KEPT]
    )
    if cutoff:
        JobRun.objects.filter(name=name, id__lt=cutoff[0]).delete()


@contextmanager
def job_run(name: str) -> Iterator[RunRecorder]:
    """Record one execution of ``name``; put counts in ``recorder.counts``. Re-raises failures."""
    row = JobRun.objects.create(name=name, started_at=timezone.now())
    recorder = RunRecorder(row=row)
    try:
        yield recorder
    except BaseException as exc:
        row.outcome = JobRun.Outcome.FAILURE
        row.error = f"{type(exc).__name__}: {exc}"[:2000]
        raise
    else:
        row.outcome = JobRun.Outcome.SUCCESS
    finally:
        row.finished_at = timezone.now()
        row.counts = _counts_of(recorder.counts)
        try:
            row.save(update_fields=["outcome", "error", "finished_at", "counts"])
            _prune(name)
        except Exception:  # the database itself failed: the job's own error is the one to raise
            logger.exception("could not record the end of job run %s", row.pk)


def recorded_job(name: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator: record each call of a periodic task function; its return value gives the counts."""

    def wrap(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            with job_run(name) as recorder:
                result = func(*args, **kwargs)
                recorder.counts = _counts_of(result)
                return result

        return run

    return wrap


# --- What the jobs page shows -----------------------------------------------------------------


def _crontab_period(sched: Any) -> timedelta:
    """The shortest gap between two firings of a crontab within a day (daily jobs: 24 h)."""
    fires = [h * 60 + m for h in range(24) if h in sched.hour for m in range(60) if m in sched.minute]
    if len(fires) <= 1:
        return timedelta(days=1)
    gaps = [b - a for a, b in zip(fires, fires[1:], strict=False)] + [fires[0] + 1440 - fires[-1]]
    return timedelta(minutes=min(gaps))


def schedule_period(sched: Any) -> timedelta:
    from celery.schedules import crontab, schedule

    if isinstance(sched, crontab):
        return _crontab_period(sched)
    if isinstance(sched, schedule):
        every: timedelta = sched.run_every
        return every
    if isinstance(sched, timedelta):
        return sched
    return timedelta(seconds=float(sched))


def job_periods() -> dict[str, timedelta]:
    """Each periodic task of the beat schedule and its (shortest) period."""
    periods: dict[str, timedelta] = {}
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        period = schedule_period(entry["schedule"])
        name = entry["task"]
        periods[name] = min(period, periods.get(name, period))
    return periods


@dataclass
class JobStatus:
    name: str
    period: timedelta
    last_run: JobRun | None
    last_success_at: datetime | None
    lag: timedelta | None
    late: bool

    @property
    def label(self) -> str:
        return str(JOB_LABELS.get(self.name, self.name))

    @property
    def period_text(self) -> str:
        return duration_text(self.period)

    @property
    def lag_text(self) -> str:
        return duration_text(self.lag) if self.lag is not None else ""


def duration_text(value: timedelta) -> str:
    """``1 d 2 h``, ``5 min 3 s``, ``10 s``: the two largest units, in the page's language."""
    from django.utils.translation import gettext

    seconds = max(int(value.total_seconds()), 0)
    parts: list[str] = []
    for size, unit in ((86400, gettext("d")), (3600, gettext("h")), (60, gettext("min")), (1, gettext("s"))):
        if seconds >= size or (size == 1 and not parts):
            parts.append(f"{seconds // size} {unit}")
            seconds %= size
    return " ".join(parts[:2])


def job_overview(*, now: datetime | None = None) -> list[JobStatus]:
    """Three queries whatever the number of jobs and runs."""
    now = now or timezone.now()
    periods = job_periods()
    names = sorted(periods)
    successes = dict(
        JobRun.objects.filter(name__in=names, outcome=JobRun.Outcome.SUCCESS)
        .values_list("name")
        .annotate(last=Max("finished_at"))
        .values_list("name", "last")
    )
    latest_ids = JobRun.objects.filter(name__in=names).values("name").annotate(last=Max("id")).values_list("last", flat=True)
    last_runs = {run.name: run for run in JobRun.objects.filter(pk__in=list(latest_ids))}
    overview = []
    for name in names:
        success_at = successes.get(name)
        lag = now - success_at if success_at else None
        late = lag is None or lag > 2 * periods[name]
        overview.append(JobStatus(name, periods[name], last_runs.get(name), success_at, lag, late))
    return overview
