"""Ops admin: queues, manual review with coverage side by side, appeal decisions, re-review."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from complaints.models import Appeal, Complaint
from complaints.services import complaint_file, complaints_judge_pending
from complaints.tests.factories import AppealFactory, ComplaintFactory, JudgedComplaintFactory
from reports.tests.factories import DeliveryReportFactory, UnifiedExemptionFactory
from shops.tests.factories import OrderFactory, ProductFactory, sh

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops_client(client, ops_user):
    client.force_login(ops_user)
    return client


@pytest.fixture
def order(shop):
    return OrderFactory(product=ProductFactory(shop=shop))


def test_complaint_queue_with_filters(ops_client, order):
    ComplaintFactory(order=order)
    url = reverse("admin:complaints_complaint_changelist")
    for params in [
        "",
        "?status__exact=pending_review",
        "?verdict__exact=exempt",
        "?reason__exact=cannot_ship",
        "?source__exact=platform",
        "?order__shop__kind=tmall",
        "?filed_at__year=2022&filed_at__month=12&filed_at__day=30",
        "?rereview=yes",
    ]:
        response = ops_client.get(url + params)
        assert response.status_code == 200, params
    body = ops_client.get(url).content.decode()
    assert "投诉" in body and order.order_no in body


def test_change_view_shows_evidence_order_coverage_and_trail(ops_client, order):
    report = DeliveryReportFactory(shop=order.shop)
    stale = DeliveryReportFactory(shop=order.shop, ends_at=sh(2022, 12, 29))
    UnifiedExemptionFactory(title="杭州封控", regions=["440000"])
    complaint, _ = complaint_file(
        actor=None,
        event_id="e1",
        order=order,
        reason="delayed_shipment",
        source="buyer",
        filed_at=sh(2022, 12, 30, 12),
        evidence=["https://img.example.com/evidence.png"],
    )
    complaints_judge_pending()
    body = ops_client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk])).content.decode()
    assert "https://img.example.com/evidence.png" in body
    assert report.report_no in body and stale.report_no in body and "杭州封控" in body
    assert "覆盖" in body  # the covering report is marked
    assert "<td>投诉提交</td>" in body and "<td>已判定</td>" in body and "<td>系统</td>" in body  # audit trail


def test_judge_action_shows_form_then_judges(ops_client, order, ops_user):
    complaint = ComplaintFactory(order=order, filed_at=sh(2022, 12, 27, 20), message="仓库被封")
    url = reverse("admin:complaints_complaint_changelist")
    form = ops_client.post(url, {"action": "judge_action", ACTION_CHECKBOX_NAME: [complaint.pk]})
    assert form.status_code == 200 and "仓库被封" in form.content.decode()
    done = ops_client.post(
        url,
        {
            "action": "judge_action",
            ACTION_CHECKBOX_NAME: [complaint.pk],
            "apply": "1",
            "verdict": "merchant_liable",
            "reason": "无报备",
        },
    )
    assert done.status_code == 302
    complaint.refresh_from_db()
    assert complaint.verdict == "merchant_liable" and complaint.judged_by == ops_user
    # a second time is refused with a message, not a crash
    again = ops_client.post(
        url,
        {"action": "judge_action", ACTION_CHECKBOX_NAME: [complaint.pk], "apply": "1", "verdict": "exempt", "reason": "x"},
        follow=True,
    )
    assert "complaint_already_judged" in again.content.decode()
    assert Complaint.objects.get().verdict == "merchant_liable"


def test_appeal_queue_accept_and_reject_actions(ops_client, order, shop):
    report = DeliveryReportFactory(shop=shop)
    a1 = AppealFactory(complaint=JudgedComplaintFactory(order=order), report=report, report_no=report.report_no)
    a2 = AppealFactory(complaint=JudgedComplaintFactory(order=OrderFactory(product=order.product)))
    url = reverse("admin:complaints_appeal_changelist")
    for params in [
        "",
        "?status__exact=pending_review",
        "?complaint__order__shop__kind=tmall",
        "?complaint__reason__exact=delayed_shipment",
        "?requires_prior_report__exact=1",
    ]:
        assert ops_client.get(url + params).status_code == 200
    assert ops_client.get(reverse("admin:complaints_appeal_change", args=[a1.pk])).status_code == 200
    ops_client.post(url, {"action": "accept_action", ACTION_CHECKBOX_NAME: [a1.pk], "apply": "1", "reason": ""})
    # reject without a reason shows the form again and changes nothing
    blank = ops_client.post(url, {"action": "reject_action", ACTION_CHECKBOX_NAME: [a2.pk], "apply": "1", "reason": ""})
    assert blank.status_code == 200 and Appeal.objects.get(pk=a2.pk).status == "pending_review"
    ops_client.post(url, {"action": "reject_action", ACTION_CHECKBOX_NAME: [a2.pk], "apply": "1", "reason": "不符"})
    assert Appeal.objects.get(pk=a1.pk).status == "accepted"
    assert Appeal.objects.get(pk=a1.pk).complaint.penalty == Decimal("0.00")
    assert Appeal.objects.get(pk=a2.pk).status == "rejected"


def test_revoked_basis_appears_in_rereview_list_until_settled(ops_client, order):
    report = DeliveryReportFactory(shop=order.shop)
    complaint = ComplaintFactory(order=order)
    untouched = ComplaintFactory(order=OrderFactory(product=ProductFactory(shop=order.shop), receiver_region_id="110101"))
    UnifiedExemptionFactory(regions=["110000"])
    complaints_judge_pending()
    url = reverse("admin:complaints_complainttorereview_changelist")
    assert f">{complaint.pk}<" not in ops_client.get(url).content.decode()
    report.revoked_at, report.status = sh(2023, 1, 3), "revoked"
    report.save()
    listed = ops_client.get(url).context["cl"].result_list
    assert [c.pk for c in listed] == [complaint.pk]  # the exemption-based one is not listed
    assert untouched.pk not in [c.pk for c in listed]
    assert Complaint.objects.get(pk=complaint.pk).verdict == "exempt"  # nothing flipped
    ops_client.post(url, {"action": "make_liable", ACTION_CHECKBOX_NAME: [complaint.pk], "apply": "1", "reason": "承诺不实"})
    assert Complaint.objects.get(pk=complaint.pk).verdict == "merchant_liable"
    assert list(ops_client.get(url).context["cl"].result_list) == []


def test_admin_is_read_only(ops_client, order):
    complaint = ComplaintFactory(order=order)
    assert ops_client.get(reverse("admin:complaints_complaint_add")).status_code == 403
    assert ops_client.get(reverse("admin:complaints_complaint_delete", args=[complaint.pk])).status_code == 403
