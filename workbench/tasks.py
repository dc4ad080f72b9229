"""Thin Celery tasks of the ops workbench."""

from datetime import date

from celery import shared_task

from core.jobs import recorded_job
from workbench.spotchecks import spot_checks_sample


@shared_task(name="workbench.sample_spot_checks")
@recorded_job("workbench.sample_spot_checks")
def sample_spot_checks(day: str | None = None) -> dict:
    """Sample one day (``YYYY-MM-DD``; default yesterday, Asia/Shanghai). Safe to run twice."""
    run = spot_checks_sample(day=date.fromisoformat(day) if day else None)
    return {"day": run.day.isoformat(), "created": run.created, "population": run.population, "sampled": run.sampled}
