from datetime import date

import pytest
from django.urls import reverse

from badges.models import BadgeRun
from badges.services import badge_run_day
from badges.tests.factories import RUN_AT, make_orders
from core.outbox import outbox_drain
from shops.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(shop):
    make_orders(ProductFactory(shop=shop), on_time=3)
    return badge_run_day(day=date(2022, 12, 28), now=RUN_AT)


def test_run_history_and_stats_pages_are_chinese(client, ops_user, run):
    client.force_login(ops_user)
    body = client.get(reverse("admin:badges_badgerun_changelist")).content.decode()
    assert "打标任务" in body and "2022" in body and "已完成" in body
    stats = client.get(reverse("admin:badges_productpickupstat_changelist"), {"badged__exact": "1"})
    assert stats.status_code == 200 and "100.0%" in stats.content.decode()
    current = client.get(reverse("admin:badges_productpickupstat_changelist"), {"current": "1"})
    assert current.status_code == 200 and len(current.context["cl"].result_list) == 1
    assert client.get(reverse("admin:badges_badgerun_change", args=[run.pk])).status_code == 200


def test_rerun_action_enqueues_the_task(client, ops_user, run, monkeypatch):
    calls = []
    monkeypatch.setattr("celery.canvas.Signature.apply_async", lambda sig, *a, **kw: calls.append((sig.task, tuple(sig.args))))
    client.force_login(ops_user)
    response = client.post(
        reverse("admin:badges_badgerun_changelist"), {"action": "rerun_days", "_selected_action": [run.pk]}, follow=True
    )
    assert response.status_code == 200
    assert calls == []  # written to the outbox; published by its drain
    assert outbox_drain().delivered == 1
    assert calls == [("badges.run_day", ("2022-12-28", BadgeRun.Trigger.ADMIN, ops_user.pk))]
    assert "2022-12-28" in response.content.decode()
