"""The ops dashboard on the admin home and the spot-check review queue in the admin."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints.tests.factories import AppealFactory, ComplaintFactory, JudgedComplaintFactory
from reports.models import DeliveryReport
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import OrderFactory, ProductFactory, sh
from tickets.models import UrgeTask
from tickets.tests.factories import UrgeTaskFactory
from workbench.dashboard import dashboard_queues, dashboard_series
from workbench.models import SpotCheck
from workbench.spotchecks import spot_checks_sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops_client(client, ops_user):
    client.force_login(ops_user)
    return client


def _load(shop, n: int) -> None:
    """n of everything the dashboard counts, today."""
    now = timezone.now()
    for _ in range(n):
        order = OrderFactory(product=ProductFactory(shop=shop), paid_at=now - timedelta(hours=30))
        DeliveryReportFactory(shop=shop, status=DeliveryReport.Status.PENDING_REVIEW, submitted_at=now - timedelta(hours=2))
        UrgeTaskFactory(
            order=order, status=UrgeTask.Status.OVERDUE, opened_at=now - timedelta(hours=25), overdue_at=now - timedelta(hours=1)
        )
        ComplaintFactory(order=order, filed_at=now - timedelta(hours=3))
        AppealFactory(complaint=JudgedComplaintFactory(order=order, judged_at=now - timedelta(hours=1)))


def test_admin_home_shows_queues_with_links_and_charts(ops_client, shop):
    _load(shop, 2)
    body = ops_client.get(reverse("admin:index")).content.decode()
    for key in ("reports", "appeals", "rereview", "manual", "overdue", "spot_checks"):
        assert f'id="queue-{key}"' in body
    assert "待审核报备" in body and "待处理申诉" in body and "待复核投诉" in body and "抽查待处理" in body
    assert "/admin/reports/deliveryreport/?status__exact=pending_review" in body
    assert "/admin/complaints/complainttorereview/" in body
    assert "/admin/workbench/spotcheck/?status__exact=pending" in body
    for key in ("urges", "tasks", "overdue", "complaints", "exempt", "liable", "appeals"):
        assert f'id="chart-{key}"' in body
    assert "<svg" in body and "<rect" in body and "cdn" not in body.lower()
    assert 'id="last-badge-run"' in body and 'id="spot-check-counts"' in body
    assert 'id="job-health"' in body and "抽查抽样" in body


def test_queue_sizes_and_oldest_item(shop):
    now = timezone.now()
    _load(shop, 3)
    oldest = DeliveryReportFactory(shop=shop, status=DeliveryReport.Status.PENDING_REVIEW, submitted_at=now - timedelta(hours=50))
    UrgeTaskFactory(
        order__product__shop=shop,
        status=UrgeTask.Status.OVERDUE,
        opened_at=now - timedelta(hours=60),
        overdue_at=now - timedelta(hours=30),
    )  # overdue before the last 24h: not counted
    queues = {q.key: q for q in dashboard_queues(now=now)}
    assert queues["reports"].count == 4 and queues["reports"].oldest == oldest.submitted_at
    assert queues["reports"].age_hours == 50
    assert queues["overdue"].count == 3
    assert queues["appeals"].count == 3
    assert queues["spot_checks"].count == 0 and queues["spot_checks"].age is None


def test_manual_judgment_queue_is_complaints_before_judge_by_reports(shop):
    ComplaintFactory(order__product__shop=shop, filed_at=sh(2022, 12, 20, 12, 0))  # before the policy: ops judge
    ComplaintFactory(order__product__shop=shop)  # after: the job judges it
    queues = {q.key: q for q in dashboard_queues(now=timezone.now())}
    assert queues["manual"].count == 1
    assert "filed_at__lt=" in queues["manual"].url


def test_series_count_by_shanghai_day(shop):
    now = sh(2022, 12, 30, 12, 0)
    ComplaintFactory(order__product__shop=shop, filed_at=sh(2022, 12, 30, 0, 0))  # today, first second
    ComplaintFactory(order__product__shop=shop, filed_at=sh(2022, 12, 29, 23, 59, 59))  # yesterday, last second
    ComplaintFactory(order__product__shop=shop, filed_at=sh(2022, 12, 16, 23, 59))  # 15 days ago: outside
    series = {s.key: s for s in dashboard_series(now=now)}
    complaints = series["complaints"]
    assert len(complaints.days) == 14 and complaints.days[-1].isoformat() == "2022-12-30"
    assert complaints.values[-1] == 1 and complaints.values[-2] == 1 and complaints.total == 2
    assert complaints.bars[-1].today and complaints.bars[-1].height > 0


def test_dashboard_query_count_does_not_grow_with_the_data(ops_client, shop):
    _load(shop, 1)
    ops_client.get(reverse("admin:index"))
    with CaptureQueriesContext(connection) as small:
        ops_client.get(reverse("admin:index"))
    _load(shop, 6)
    with CaptureQueriesContext(connection) as large:
        assert ops_client.get(reverse("admin:index")).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    # session, user, roles, permissions (admin); policy + 6 queues; 6 charts; spot-check counts;
    # last badge run; 3 for job health
    assert len(large.captured_queries) <= 25


def test_merchant_cannot_see_the_admin(client, merchant):
    client.force_login(merchant)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


# --- spot-check review queue ---------------------------------------------------------------------


@pytest.fixture
def check(shop, merchant):
    at = sh(2022, 12, 28, 10, 0)
    DeliveryReportFactory(shop=shop, approved_at=at, decided_at=at)
    spot_checks_sample(day=at.date())
    return SpotCheck.objects.get()


def test_changelist_and_detail(ops_client, check):
    body = ops_client.get(reverse("admin:workbench_spotcheck_changelist")).content.decode()
    assert check.report.report_no in body and "待处理" in body
    body = ops_client.get(reverse("admin:workbench_spotcheck_change", args=[check.pk])).content.decode()
    assert 'id="spot-check-confirmed"' in body and 'id="spot-check-false"' in body


def test_decide_false_from_the_detail_page(ops_client, check):
    url = reverse("admin:workbench_spotcheck_decide", args=[check.pk, "false"])
    body = ops_client.get(url).content.decode()
    assert 'id="spot-check-apply"' in body and 'name="note"' in body
    response = ops_client.post(url, {"apply": "yes", "note": ""})
    assert response.status_code == 200  # the note is required: the form again
    check.refresh_from_db()
    assert check.status == "pending"
    response = ops_client.post(url, {"apply": "yes", "note": "未发生封控"})
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.status == "false" and check.report_revoked
    assert DeliveryReport.objects.get(pk=check.report_id).status == "revoked"
    response = ops_client.post(url, {"apply": "yes", "note": "again"}, follow=True)
    assert "已处理" in response.content.decode() or "already" in response.content.decode()


def test_confirm_action_on_the_changelist(ops_client, check):
    url = reverse("admin:workbench_spotcheck_changelist")
    data = {"action": "confirm_spot_checks", "_selected_action": [check.pk]}
    body = ops_client.post(url, data).content.decode()
    assert 'name="note"' in body  # the intermediate page asks for the note
    ops_client.post(url, {**data, "apply": "yes", "note": "资料齐全"})
    check.refresh_from_db()
    assert (check.status, check.note) == ("confirmed", "资料齐全")


def test_unknown_decision_is_refused(ops_client, check):
    assert ops_client.get(reverse("admin:workbench_spotcheck_decide", args=[check.pk, "pending"])).status_code == 403
