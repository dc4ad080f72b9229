import io

import pytest
from django.conf import settings

from complaints import demo as complaints_demo
from complaints.models import Appeal, Complaint
from complaints.schedule import BEAT_SCHEDULE
from complaints.tasks import judge_pending_complaints
from complaints.tests.factories import ComplaintFactory
from shops import demo as shops_demo

pytestmark = pytest.mark.django_db


def test_beat_schedule_is_merged_with_expiry():
    entry = BEAT_SCHEDULE["complaints-judge-pending"]
    assert entry["task"] == judge_pending_complaints.name
    assert entry["options"]["expires"] < 5 * 60
    assert settings.CELERY_BEAT_SCHEDULE["complaints-judge-pending"] == entry


def test_task_calls_the_service(shop):
    ComplaintFactory.create_batch(2)
    assert judge_pending_complaints() == 2
    assert judge_pending_complaints() == 0


def test_demo_seed_is_idempotent():
    out = io.StringIO()
    shops_demo.seed(out)
    complaints_demo.seed(out)
    counts = (Complaint.objects.count(), Appeal.objects.count())
    assert Complaint.objects.filter(status="judged", verdict="exempt").exists()
    assert Complaint.objects.filter(status="judged", verdict="merchant_liable").exists()
    assert Complaint.objects.filter(status="pending_review").exists()
    assert Appeal.objects.get().status == "pending_review"
    complaints_demo.seed(out)
    assert (Complaint.objects.count(), Appeal.objects.count()) == counts
    assert {c for c in Complaint.objects.values_list("order__shop__code", flat=True)} == {
        "hz-tea",
        "sz-digital",
        "cd-snacks",
        "sh-beauty",
    }
