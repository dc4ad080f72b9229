"""SPEC §9 separation of duties: no one decides their own case — not through the ops API, not in
the admin (the actions are hidden and refused with the same message), not as a superuser."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from rest_framework.test import APIClient

from complaints.models import Appeal, Complaint
from complaints.services import complaint_rereview
from complaints.tests.factories import AppealFactory, ComplaintFactory, JudgedComplaintFactory
from core.duties import CONFLICT_MESSAGE, ConflictOfInterest
from core.roles import OPS_REVIEWER, grant_role
from reports.models import DeliveryReport
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import OrderFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

PENDING = DeliveryReport.Status.PENDING_REVIEW


@pytest.fixture
def reviewer_in_shop(shop):
    """An ops reviewer who is also a member of shop A."""
    user = UserFactory(username="reviewer-in-shop")
    grant_role(user, OPS_REVIEWER)
    shop.memberships.create(user=user)
    return user


@pytest.fixture
def superuser_in_shop(shop):
    user = UserFactory(username="root-in-shop", is_superuser=True, is_staff=True)
    shop.memberships.create(user=user)
    return user


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _refused(response):
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["code"] == "conflict_of_interest" and body["detail"]
    return body


@pytest.fixture
def order(shop):
    return OrderFactory(product=ProductFactory(shop=shop))


@pytest.mark.parametrize("who", ["reviewer_in_shop", "superuser_in_shop"])
@pytest.mark.parametrize(
    ("action", "status"), [("approve", PENDING), ("reject", PENDING), ("revoke", DeliveryReport.Status.APPROVED)]
)
def test_a_member_of_the_shop_may_not_decide_its_report(request, shop, who, action, status):
    user = request.getfixturevalue(who)
    report = DeliveryReportFactory(shop=shop, status=status)
    _refused(_api(user).post(f"/api/v1/ops/reports/{report.report_no}/{action}/", {"reason": "x"}, format="json"))
    report.refresh_from_db()
    assert report.status == status and report.decided_by is None


def test_the_submitter_may_not_decide_its_own_report_even_in_another_shop(ops_user, other_shop, ops_api):
    report = DeliveryReportFactory(shop=other_shop, status=PENDING, submitted_by=ops_user)
    _refused(ops_api.post(f"/api/v1/ops/reports/{report.report_no}/approve/", {}, format="json"))
    assert DeliveryReport.objects.get(pk=report.pk).status == PENDING


def test_the_conflict_is_checked_before_the_reason(shop, reviewer_in_shop):
    report = DeliveryReportFactory(shop=shop, status=PENDING)
    _refused(_api(reviewer_in_shop).post(f"/api/v1/ops/reports/{report.report_no}/reject/", {}, format="json"))


def test_an_unconflicted_reviewer_still_decides(ops_api, shop):
    report = DeliveryReportFactory(shop=shop, status=PENDING)
    response = ops_api.post(f"/api/v1/ops/reports/{report.report_no}/approve/", {}, format="json")
    assert (response.status_code, response.json()["status"]) == (200, "approved")


@pytest.mark.parametrize(("action", "body"), [("accept", {}), ("reject", {"reason": "不符"})])
def test_a_member_may_not_decide_an_appeal_of_its_shop(reviewer_in_shop, order, action, body):
    appeal = AppealFactory(complaint=JudgedComplaintFactory(order=order))
    _refused(_api(reviewer_in_shop).post(f"/api/v1/ops/appeals/{appeal.pk}/{action}/", body, format="json"))
    appeal.refresh_from_db()
    assert appeal.status == "pending_review" and appeal.complaint.verdict == "merchant_liable"


def test_the_author_may_not_decide_its_own_appeal(ops_user, ops_api, other_shop):
    order = OrderFactory(product=ProductFactory(shop=other_shop))
    appeal = AppealFactory(complaint=JudgedComplaintFactory(order=order), created_by=ops_user)
    _refused(ops_api.post(f"/api/v1/ops/appeals/{appeal.pk}/accept/", {}, format="json"))
    assert Appeal.objects.get(pk=appeal.pk).status == "pending_review"


def test_a_member_may_not_judge_a_complaint_of_its_shop(superuser_in_shop, order):
    complaint = ComplaintFactory(order=order)
    body = {"verdict": "exempt", "reason": "看过了"}
    _refused(_api(superuser_in_shop).post(f"/api/v1/ops/complaints/{complaint.pk}/judge/", body, format="json"))
    assert Complaint.objects.get(pk=complaint.pk).status == "pending_review"


def test_a_member_may_not_rereview_a_complaint_of_its_shop(reviewer_in_shop, order):
    report = DeliveryReportFactory(shop=order.shop, revoked_at=timezone.now())
    complaint = JudgedComplaintFactory(order=order, verdict="exempt", basis_report=report, penalty=None)
    with pytest.raises(ConflictOfInterest):
        complaint_rereview(actor=reviewer_in_shop, complaint=complaint, verdict="merchant_liable", reason="x")


def test_the_message_is_chinese_first(shop, reviewer_in_shop):
    report = DeliveryReportFactory(shop=shop, status=PENDING)
    body = _refused(_api(reviewer_in_shop).post(f"/api/v1/ops/reports/{report.report_no}/approve/", {}, format="json"))
    assert "利益冲突" in body["detail"]


# --- the admin: hidden and refused --------------------------------------------------------


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_admin_hides_the_decision_links_of_a_conflicted_report(client, reviewer_in_shop, ops_user, shop):
    report = DeliveryReportFactory(shop=shop, status=PENDING)
    url = reverse("admin:reports_deliveryreport_change", args=[report.pk])
    decide = reverse("admin:reports_deliveryreport_decide", args=[report.pk, "approve"])
    client.force_login(reviewer_in_shop)
    page = client.get(url).content.decode()
    with override("zh-hans"):
        assert str(CONFLICT_MESSAGE) in page
    assert decide not in page
    client.force_login(ops_user)
    assert decide in client.get(url).content.decode()


def test_admin_refuses_a_conflicted_report_decision_with_the_same_message(client, reviewer_in_shop, shop):
    report = DeliveryReportFactory(shop=shop, status=PENDING)
    client.force_login(reviewer_in_shop)
    decide = reverse("admin:reports_deliveryreport_decide", args=[report.pk, "approve"])
    response = client.post(decide, {"apply": "1", "reason": ""}, follow=True)
    with override("zh-hans"):
        assert any(str(CONFLICT_MESSAGE) in m for m in _messages(response))
    assert DeliveryReport.objects.get(pk=report.pk).status == PENDING
    changelist = reverse("admin:reports_deliveryreport_changelist")
    client.post(changelist, {"action": "approve_reports", ACTION_CHECKBOX_NAME: [report.pk], "apply": "1", "reason": ""})
    assert DeliveryReport.objects.get(pk=report.pk).status == PENDING


def test_admin_refuses_conflicted_appeal_and_complaint_actions(client, reviewer_in_shop, order):
    appeal = AppealFactory(complaint=JudgedComplaintFactory(order=order, judged_at=timezone.now() - timedelta(hours=1)))
    complaint = ComplaintFactory(order=OrderFactory(product=order.product))
    client.force_login(reviewer_in_shop)
    response = client.post(
        reverse("admin:complaints_appeal_changelist"),
        {"action": "accept_action", ACTION_CHECKBOX_NAME: [appeal.pk], "apply": "1", "reason": ""},
        follow=True,
    )
    with override("zh-hans"):
        assert any(str(CONFLICT_MESSAGE) in m for m in _messages(response))
    assert Appeal.objects.get(pk=appeal.pk).status == "pending_review"
    response = client.post(
        reverse("admin:complaints_complaint_changelist"),
        {"action": "judge_action", ACTION_CHECKBOX_NAME: [complaint.pk], "apply": "1", "verdict": "exempt", "reason": "x"},
        follow=True,
    )
    with override("zh-hans"):
        assert any(str(CONFLICT_MESSAGE) in m for m in _messages(response))
    assert Complaint.objects.get(pk=complaint.pk).status == "pending_review"
