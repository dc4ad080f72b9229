"""Thin Celery tasks of the core app: the outbox drain (beat, every few seconds)."""

from celery import shared_task

from core.jobs import recorded_job
from core.outbox import outbox_drain


@shared_task(name="core.outbox_drain", ignore_result=True)
@recorded_job("core.outbox_drain")
def drain_outbox() -> dict[str, int]:
    return outbox_drain().as_counts()
