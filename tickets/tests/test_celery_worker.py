"""The overdue sweep on a real Celery worker (in-process thread; memory:// or Redis broker)."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from backoffice.celery import app
from complaints.models import Complaint
from core.tests.waiting import task_finished
from shops.tests.factories import ShopFactory
from tickets.tasks import sweep_overdue
from tickets.tests.factories import UrgeTaskFactory


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_sweep_task_runs_on_a_real_worker(reference_data):
    shop = ShopFactory(code="worker-shop", kind="tmall")
    task = UrgeTaskFactory(order__product__shop=shop, opened_at=timezone.now() - timedelta(hours=25))

    with start_worker(app, perform_ping_check=False, shutdown_timeout=30), task_finished("tickets.sweep_overdue") as done:
        sweep_overdue.delay()
        # no polling of the database while the worker writes (SQLite: "database table is locked")
        assert done.wait(60), "the worker did not run the sweep"

    task.refresh_from_db()
    assert task.status == "overdue"
    assert Complaint.objects.filter(event_id=f"ticket-overdue:{task.pk}", source="platform").count() == 1
