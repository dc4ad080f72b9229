"""Thin Celery tasks: ids in, a service call, retries. Enqueued with ``transaction.on_commit``."""

from datetime import date

from celery import shared_task

from core.jobs import recorded_job
from tickets import services


@shared_task(name="tickets.sweep_overdue")
@recorded_job("tickets.sweep_overdue")
def sweep_overdue() -> dict:
    result = services.tickets_sweep_overdue()
    return {"overdue": result.overdue, "complaints_filed": result.complaints_filed, "complaints_waived": result.complaints_waived}


@shared_task(name="tickets.send_due_reminders")
@recorded_job("tickets.send_due_reminders")
def send_due_reminders() -> int:
    return services.tickets_send_due_reminders()


@shared_task(name="tickets.rollup_service_metrics")
@recorded_job("tickets.rollup_service_metrics")
def rollup_service_metrics(day: str | None = None, days: int = 2) -> int:
    """Recompute one day (``YYYY-MM-DD``) or the last ``days`` days."""
    if day:
        return services.service_metrics_rollup(day=date.fromisoformat(day))
    return services.service_metrics_rollup_recent(days=days)
