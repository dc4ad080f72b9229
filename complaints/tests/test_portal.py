"""Merchant portal pages (Chinese): list, detail with timeline, appeal form with the report look-up."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Appeal
from complaints.services import complaint_file, complaints_judge_pending
from complaints.tests.factories import AppealFactory, ComplaintFactory, JudgedComplaintFactory
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import OrderFactory, ProductFactory, sh

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(shop):
    return OrderFactory(product=ProductFactory(shop=shop), order_no="O-PORTAL-1")


@pytest.fixture
def merchant_client(client, merchant):
    client.force_login(merchant)
    return client


def test_nav_name_and_login_required(client):
    url = reverse("complaints:portal-list")
    assert url == "/complaints/"
    assert client.get(url).status_code == 302


def test_list_shows_only_my_complaints_in_chinese(merchant_client, order, other_shop):
    JudgedComplaintFactory(order=order)
    other = ComplaintFactory(order=OrderFactory(product=ProductFactory(shop=other_shop), order_no="O-THEIRS"))
    body = merchant_client.get(reverse("complaints:portal-list")).content.decode()
    assert "O-PORTAL-1" in body and "O-THEIRS" not in body
    assert "投诉" in body and "商家责任" in body and "5.00" in body
    filtered = merchant_client.get(reverse("complaints:portal-list"), {"verdict": "exempt"}).content.decode()
    assert "O-PORTAL-1" not in filtered and "暂无投诉" in filtered
    assert merchant_client.get(reverse("complaints:portal-detail", args=[other.pk])).status_code == 404
    assert merchant_client.get(reverse("complaints:portal-appeal", args=[other.pk])).status_code == 404


@pytest.mark.parametrize("count", [1, 8])
def test_list_query_count_does_not_grow(merchant_client, shop, count, django_assert_max_num_queries):
    for _ in range(count):
        c = JudgedComplaintFactory(
            order=OrderFactory(product=ProductFactory(shop=shop)), basis_report=DeliveryReportFactory(shop=shop)
        )
        AppealFactory(complaint=c)
    with django_assert_max_num_queries(8):
        merchant_client.get(reverse("complaints:portal-list"))


def test_detail_shows_verdict_basis_penalty_and_timeline(merchant_client, order):
    report = DeliveryReportFactory(shop=order.shop)
    complaint, _ = complaint_file(
        actor=None,
        event_id="p1",
        order=order,
        reason="delayed_shipment",
        source="buyer",
        filed_at=sh(2022, 12, 30, 12),
        message="还没发货",
    )
    complaints_judge_pending()
    body = merchant_client.get(reverse("complaints:portal-detail", args=[complaint.pk])).content.decode()
    assert "免责" in body and report.report_no in body and "还没发货" in body
    assert "投诉提交" in body and "已判定" in body and "系统" in body
    assert "留言与凭证不作为判定依据" in body


def test_basis_reads_chinese_in_list_and_detail(merchant_client, order):
    report = DeliveryReportFactory(shop=order.shop)
    complaint, _ = complaint_file(
        actor=None, event_id="p2", order=order, reason="delayed_shipment", source="buyer", filed_at=sh(2022, 12, 30, 12)
    )
    complaints_judge_pending()
    for url in (reverse("complaints:portal-list"), reverse("complaints:portal-detail", args=[complaint.pk])):
        body = merchant_client.get(url).content.decode()
        assert f"报备：{report.report_no}" in body and "Delivery report" not in body


def test_appeal_form_lists_matching_reports_and_files_an_appeal(merchant_client, order, shop):
    good = DeliveryReportFactory(shop=shop, scope="region", regions=["330000"])
    elsewhere = DeliveryReportFactory(shop=shop, scope="region", regions=["440000"])
    late = DeliveryReportFactory(shop=shop, approved_at=timezone.now())
    complaint = JudgedComplaintFactory(order=order, judged_at=timezone.now() - timedelta(hours=2))
    url = reverse("complaints:portal-appeal", args=[complaint.pk])
    page = merchant_client.get(url)
    body = page.content.decode()
    numbers = [r.report_no for r in page.context["candidates"]]
    assert good.report_no in numbers and late.report_no in numbers and elsewhere.report_no not in numbers
    assert "该报备在投诉判定之后才通过" in body  # why the late one cannot be used
    refused = merchant_client.post(url, {"report_no": late.report_no, "statement": ""})
    assert refused.status_code == 200 and "该报备在投诉判定之后才通过" in refused.content.decode()
    assert not Appeal.objects.exists()
    done = merchant_client.post(url, {"report_no": good.report_no, "statement": "疫情封控"})
    assert done.status_code == 302
    assert Appeal.objects.get().report == good
    detail = merchant_client.get(done["Location"]).content.decode()
    assert "待审核" in detail and "提交申诉" in detail


def test_appeals_page_lists_my_appeals(merchant_client, other_merchant, order, other_shop, client):
    mine = AppealFactory(complaint=JudgedComplaintFactory(order=order), status="rejected", reason="范围不符")
    AppealFactory(
        complaint=JudgedComplaintFactory(order=OrderFactory(product=ProductFactory(shop=other_shop), order_no="O-THEIRS"))
    )
    body = merchant_client.get(reverse("complaints:portal-appeals")).content.decode()
    assert f"#{mine.pk}" in body and "范围不符" in body and "已驳回" in body and "O-THEIRS" not in body
    pending_only = merchant_client.get(reverse("complaints:portal-appeals"), {"status": "pending_review"})
    assert "暂无申诉" in pending_only.content.decode()


def test_ops_reviewers_cannot_appeal_for_a_merchant_in_the_portal(client, ops_user, order):
    """As on the API (POST /appeals/ is merchants' only): ops may neither read another shop's
    complaint in the portal (they read it in the admin) nor appeal."""
    report = DeliveryReportFactory(shop=order.shop, scope="shop")
    complaint = JudgedComplaintFactory(order=order, judged_at=timezone.now() - timedelta(hours=2))
    client.force_login(ops_user)
    url = reverse("complaints:portal-appeal", args=[complaint.pk])
    assert client.get(reverse("complaints:portal-detail", args=[complaint.pk])).status_code == 404
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, {"report_no": report.report_no, "statement": "x"}).status_code == 403
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    ("case", "refusal", "shown"),
    [
        ("liable", None, "申诉截止"),
        ("exempt", "complaint_not_appealable", "该投诉不可申诉"),
        ("pending", "complaint_not_appealable", "该投诉不可申诉"),
        ("window_closed", "appeal_window_closed", "申诉期已过"),
        ("open_appeal", "appeal_already_open", "该投诉的申诉正在等待运营审核"),
    ],
)
def test_portal_offers_an_appeal_only_when_the_service_would_take_it(merchant_client, order, case, refusal, shown):
    """The portal asks ``appeal_refusal`` (checks 1–3 of §5) and only shows its answer: removing
    any one check from the service makes one of these pages offer an appeal it would refuse."""
    # given a complaint in each state
    judged_at = timezone.now() - (timedelta(days=7, minutes=1) if case == "window_closed" else timedelta(hours=1))
    complaint = JudgedComplaintFactory(order=order, judged_at=judged_at)
    if case == "exempt":
        complaint.verdict, complaint.penalty = "exempt", 0
        complaint.save(update_fields=["verdict", "penalty"])
    if case == "pending":
        complaint = ComplaintFactory(order=OrderFactory(product=order.product))
    if case == "open_appeal":
        AppealFactory(complaint=complaint)
    appeal_url = reverse("complaints:portal-appeal", args=[complaint.pk])
    # when the merchant opens the detail and the appeal page
    detail = merchant_client.get(reverse("complaints:portal-detail", args=[complaint.pk]))
    form_page = merchant_client.get(appeal_url)
    # then the appeal is offered exactly when the service has no refusal
    assert detail.context["appeal_refusal"] == refusal
    assert detail.context["can_appeal"] is (refusal is None)
    assert (f'href="{appeal_url}"' in detail.content.decode()) is (refusal is None)
    assert ('id="appeal"' in form_page.content.decode()) is (refusal is None)
    assert shown in (detail.content.decode() + form_page.content.decode())
