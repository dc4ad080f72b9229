"""Ops admin: the review queue, decisions with a reason through the services, exemptions."""

import pytest
from django.urls import reverse

from core.audit import audit_trail
from reports.models import DeliveryReport, UnifiedExemption
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import OrderFactory, ProductFactory, sh

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:reports_deliveryreport_changelist")


@pytest.fixture
def ops_client(client, ops_user):
    client.force_login(ops_user)
    return client


def test_queue_shows_pending_first_in_chinese(ops_client, shop):
    DeliveryReportFactory(shop=shop, report_no="BB2022122700001", submitted_at=sh(2022, 12, 27, 12))
    DeliveryReportFactory(shop=shop, report_no="BB2022122600001", status="pending_review", submitted_at=sh(2022, 12, 26))
    response = ops_client.get(CHANGELIST)
    assert response.status_code == 200
    assert [r.report_no for r in response.context["cl"].result_list] == ["BB2022122600001", "BB2022122700001"]
    body = response.content.decode()
    assert "待审核" in body and "报备" in body


def test_search_by_order_number_finds_scope_matching_reports(ops_client, shop):
    order = OrderFactory(product=ProductFactory(shop=shop), order_no="O-ADMIN", receiver_region_id="330102")
    match = DeliveryReportFactory(shop=shop, scope="region", regions=["330000"])
    DeliveryReportFactory(shop=shop, scope="region", regions=["440000"])
    response = ops_client.get(CHANGELIST, {"q": order.order_no})
    assert [r.pk for r in response.context["cl"].result_list] == [match.pk]
    response = ops_client.get(CHANGELIST, {"q": match.report_no})
    assert [r.pk for r in response.context["cl"].result_list] == [match.pk]


def test_reject_action_asks_for_a_reason_then_calls_the_service(ops_client, shop, ops_user):
    report = DeliveryReportFactory(shop=shop, status="pending_review")
    data = {"action": "reject_reports", "_selected_action": [report.pk]}
    page = ops_client.post(CHANGELIST, data)
    assert page.status_code == 200 and "原因" in page.content.decode()
    empty = ops_client.post(CHANGELIST, {**data, "apply": "yes", "reason": ""})
    assert empty.status_code == 200 and empty.context["form"].errors
    report.refresh_from_db()
    assert report.status == "pending_review"
    done = ops_client.post(CHANGELIST, {**data, "apply": "yes", "reason": "材料不足"})
    assert done.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.reason, report.decided_by) == ("rejected", "材料不足", ops_user)
    assert [e.action for e in audit_trail(report)] == ["report_rejected"]


def test_illegal_admin_decision_is_a_message_not_a_change(ops_client, shop):
    report = DeliveryReportFactory(shop=shop, status="rejected")
    response = ops_client.post(
        CHANGELIST, {"action": "approve_reports", "_selected_action": [report.pk], "apply": "yes", "reason": ""}, follow=True
    )
    assert report.report_no in response.content.decode()
    report.refresh_from_db()
    assert report.status == "rejected"


def test_detail_page_revoke_button_and_history(ops_client, shop):
    report = DeliveryReportFactory(shop=shop)
    url = reverse("admin:reports_deliveryreport_decide", args=[report.pk, "revoke"])
    page = ops_client.get(reverse("admin:reports_deliveryreport_change", args=[report.pk]))
    assert url in page.content.decode()
    ops_client.post(url, {"apply": "yes", "reason": "抽查不实"})
    report.refresh_from_db()
    assert report.status == "revoked" and report.revoked_at
    page = ops_client.get(reverse("admin:reports_deliveryreport_change", args=[report.pk]))
    assert "报备已撤销" in page.content.decode() and "抽查不实" in page.content.decode()


def test_merchants_cannot_reach_the_admin(client, merchant):
    client.force_login(merchant)
    assert client.get(CHANGELIST).status_code == 302


def test_exemption_admin_sets_region_prefixes_through_the_service(ops_client, ops_user):
    url = reverse("admin:reports_unifiedexemption_add")
    assert ops_client.get(url).status_code == 200
    data = {
        "title": "湖北统一免责",
        "scenario": "epidemic",
        "applies_to": "receiver",
        "region_codes": ["420000", "330106"],
        "starts_at_0": "2022-12-20",
        "starts_at_1": "00:00:00",
        "ends_at_0": "2022-12-31",
        "ends_at_1": "00:00:00",
    }
    response = ops_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    exemption = UnifiedExemption.objects.get()
    assert sorted(exemption.region_links.values_list("prefix", flat=True)) == ["330106", "42"]
    assert exemption.created_by == ops_user and exemption.source == "ops"
    change = reverse("admin:reports_unifiedexemption_change", args=[exemption.pk])
    response = ops_client.post(change, {**data, "region_codes": ["420100"], "ends_at_0": "2022-12-25"})
    assert response.status_code == 302
    assert list(exemption.region_links.values_list("prefix", flat=True)) == ["4201"]
    assert [e.action for e in audit_trail(exemption)] == ["exemption_created", "exemption_changed"]
    bad = ops_client.post(url, {**data, "ends_at_0": "2022-12-19"})
    assert bad.status_code == 200 and UnifiedExemption.objects.count() == 1


def test_region_autocomplete_answers_chinese_names(ops_client):
    response = ops_client.get(
        "/admin/autocomplete/",
        {"term": "湖北", "app_label": "reports", "model_name": "unifiedexemption", "field_name": "regions"},
    )
    assert response.status_code == 200
    assert {"id": "420000", "text": "420000 湖北省"} in response.json()["results"]


def test_report_admin_is_read_only(ops_client, shop):
    report = DeliveryReportFactory(shop=shop)
    assert ops_client.get(reverse("admin:reports_deliveryreport_add")).status_code == 403
    assert ops_client.post(reverse("admin:reports_deliveryreport_delete", args=[report.pk])).status_code == 403
    assert DeliveryReport.objects.count() == 1


def test_expired_filter_and_label_read_the_version_in_force(ops_client, shop, merchant):
    from datetime import timedelta

    from django.utils import timezone

    from reports.services import report_amend

    now = timezone.now()
    window = {"starts_at": now - timedelta(days=10), "submitted_at": now - timedelta(days=10)}
    ended = DeliveryReportFactory(shop=shop, ends_at=now - timedelta(days=1), **window)
    extended = DeliveryReportFactory(shop=shop, ends_at=now - timedelta(days=1), **window)
    report_amend(actor=merchant, report=extended, ends_at=now + timedelta(days=5), at=now - timedelta(days=2))
    live = DeliveryReportFactory(shop=shop, ends_at=now + timedelta(days=1), **window)

    def listed(**params):
        return {r.pk for r in ops_client.get(CHANGELIST, params).context["cl"].result_list}

    assert listed(expired="yes") == {ended.pk}
    assert listed(expired="no") == {extended.pk, live.pk}
    body = ops_client.get(CHANGELIST).content.decode()
    assert body.count("(已过期)") == 1
