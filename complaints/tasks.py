"""Thin Celery tasks: they call a service and own only retries."""

from celery import shared_task

from complaints.services import complaints_judge_pending
from core.jobs import recorded_job


@shared_task(name="complaints.judge_pending", ignore_result=True)
@recorded_job("complaints.judge_pending")
def judge_pending_complaints() -> int:
    """Judge pending complaints filed under ``complaints.judge_by_reports`` (safe to overlap)."""
    return complaints_judge_pending().judged
