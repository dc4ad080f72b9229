"""Celery wiring: task names, the beat schedule, and that each task calls its service."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from backoffice.celery import app
from complaints.models import Complaint
from core.models import JobRun
from core.tasks import drain_outbox
from shops.tests.factories import sh
from tickets import tasks
from tickets.models import ServiceMetricDaily, UrgeTask
from tickets.tests.factories import UrgeTaskFactory


def test_beat_schedule_is_merged_and_every_task_is_registered():
    schedule = settings.CELERY_BEAT_SCHEDULE
    for key in ("tickets-sweep-overdue", "tickets-send-due-reminders", "tickets-rollup-service-metrics-daily"):
        assert key in schedule
        assert schedule[key]["task"] in app.tasks
        assert schedule[key]["options"]["expires"] > 0
    assert schedule["tickets-sweep-overdue"]["options"]["expires"] < 60


@pytest.mark.django_db
def test_tasks_call_their_services(shop, merchant, mailoutbox):
    overdue = UrgeTaskFactory(order__product__shop=shop, opened_at=sh(2022, 12, 28, 12))
    assert tasks.sweep_overdue() == {"overdue": 1, "complaints_filed": 1, "complaints_waived": 0}
    assert Complaint.objects.filter(event_id=f"ticket-overdue:{overdue.pk}").exists()
    assert JobRun.objects.get(name="tickets.sweep_overdue").counts == {
        "overdue": 1,
        "complaints_filed": 1,
        "complaints_waived": 0,
    }
    assert tasks.rollup_service_metrics(day="2022-12-29") == 1
    assert ServiceMetricDaily.objects.get(shop=shop).overdue == 1
    soon = UrgeTaskFactory(order__product__shop=shop, opened_at=timezone.now() - timedelta(hours=21))
    assert tasks.send_due_reminders() == 1
    assert UrgeTask.objects.get(pk=soon.pk).reminder_sent_at is not None
    # the reminder, and the sweep's inbox mails (task overdue, complaint filed)
    assert drain_outbox() == {"delivered": 3, "failed": 0, "pruned": 0} and len(mailoutbox) == 3
    assert set(JobRun.objects.values_list("name", "outcome")) == {
        (name, "success")
        for name in ("tickets.sweep_overdue", "tickets.rollup_service_metrics", "tickets.send_due_reminders", "core.outbox_drain")
    }
