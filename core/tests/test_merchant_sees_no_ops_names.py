"""SPEC §9: merchants see "平台运营" (or "系统" for automatic decisions), never an ops username;
ops see usernames."""

import pytest
from django.urls import reverse

from complaints.tests.factories import ComplaintFactory
from reports.models import DeliveryReport
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import OrderFactory, ProductFactory
from storefront.services import shop_unbind
from storefront.tests.factories import ShopBindingFactory, StorefrontFactory

pytestmark = pytest.mark.django_db


def test_report_decided_by_ops_shows_platform_ops_to_the_merchant_and_the_name_to_ops(merchant_api, ops_api, shop):
    report = DeliveryReportFactory(shop=shop, status=DeliveryReport.Status.PENDING_REVIEW, decided_by_system=False)
    decided = ops_api.post(f"/api/v1/ops/reports/{report.report_no}/approve/", {}, format="json").json()
    assert decided["decided_by"] == "ops-reviewer"
    seen = merchant_api.get(f"/api/v1/reports/{report.report_no}/").json()
    assert seen["decided_by"] == "平台运营"
    assert "ops-reviewer" not in merchant_api.get("/api/v1/reports/").content.decode()


def test_automatic_decisions_show_system(merchant_api, shop):
    report = DeliveryReportFactory(shop=shop)  # decided by the system
    assert merchant_api.get(f"/api/v1/reports/{report.report_no}/").json()["decided_by"] == "系统"


def test_complaint_judged_by_ops_hides_the_name(merchant_api, ops_api, shop):
    complaint = ComplaintFactory(order=OrderFactory(product=ProductFactory(shop=shop)))
    assert merchant_api.get(f"/api/v1/complaints/{complaint.pk}/").json()["judged_by"] is None
    judged = ops_api.post(
        f"/api/v1/ops/complaints/{complaint.pk}/judge/", {"verdict": "merchant_liable", "reason": "晚发"}, format="json"
    ).json()
    assert judged["judged_by"] == "ops-reviewer"
    assert merchant_api.get(f"/api/v1/complaints/{complaint.pk}/").json()["judged_by"] == "平台运营"


def test_portal_histories_show_platform_ops_and_colleagues_by_name(client, merchant, ops_api, shop):
    report = DeliveryReportFactory(shop=shop, status=DeliveryReport.Status.PENDING_REVIEW, decided_by_system=False)
    ops_api.post(f"/api/v1/ops/reports/{report.report_no}/reject/", {"reason": "材料不足"}, format="json")
    complaint = ComplaintFactory(order=OrderFactory(product=ProductFactory(shop=shop)))
    ops_api.post(f"/api/v1/ops/complaints/{complaint.pk}/judge/", {"verdict": "merchant_liable", "reason": "x"}, format="json")
    client.force_login(merchant)
    for url in (
        reverse("reports:portal-detail", args=[report.report_no]),
        reverse("complaints:portal-detail", args=[complaint.pk]),
    ):
        page = client.get(url).content.decode()
        assert "平台运营" in page and "ops-reviewer" not in page, url


def test_storefront_bindings_revoked_by_ops_hide_the_name(merchant, merchant_api, ops_user, client):
    storefront = StorefrontFactory(owner=merchant)
    binding = ShopBindingFactory(storefront=storefront, granted_by=merchant)
    shop_unbind(actor=ops_user, binding=binding, reason="违规")
    data = merchant_api.get(f"/api/v1/storefront/shop-bindings/{binding.pk}/").json()
    assert (data["granted_by"], data["revoked_by"]) == ("merchant-a", "平台运营")
    client.force_login(merchant)
    page = client.get(reverse("storefront:portal-shops")).content.decode()
    assert "ops-reviewer" not in page and "平台运营" in page
