"""Bad input changes nothing and answers match the documented schema (SPEC §8), for reports,
exemptions and the coverage explainer. Found by fuzzing the API against its own OpenAPI schema
(core/tests/test_api_fuzz.py)."""

import pytest

from core.tests.openapi import assert_matches_schema
from reports.models import DeliveryReport, UnifiedExemption
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_the_explainer_with_never_approved_reports_matches_its_schema(merchant_api, shop):
    # The schema said approved_at / withdrawn_at / revoked_at are strings; they are null until set.
    order = OrderFactory(product=ProductFactory(shop=shop))
    DeliveryReportFactory(shop=shop, status="pending_review", approved_at=None)
    response = merchant_api.get(f"/api/v1/orders/{order.order_no}/coverage/")
    report = response.json()["reports"][0]
    assert (report["approved_at"], report["withdrawn_at"], report["revoked_at"]) == (None, None, None)
    assert_matches_schema(response, "/api/v1/orders/{order_no}/coverage/")


def test_an_explainer_time_out_of_range_is_400(merchant_api, shop):
    order = OrderFactory(product=ProductFactory(shop=shop))
    response = merchant_api.get(f"/api/v1/orders/{order.order_no}/coverage/", {"at": "9999-12-31T23:59:00+08:00"})
    assert response.status_code == 400 and response.json()["code"] == "datetime_out_of_range"


def test_a_report_window_out_of_range_is_400_and_files_nothing(merchant_api, shop):
    body = {
        "shop": shop.code,
        "scenario": "epidemic",
        "scope": "shop",
        "commitment_accepted": True,
        "starts_at": "9999-12-30T00:00:00+08:00",
        "ends_at": "9999-12-31T00:00:00+08:00",
    }
    response = merchant_api.post("/api/v1/reports/", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "datetime_out_of_range"
    assert not DeliveryReport.objects.exists()


def test_an_exemption_window_out_of_range_is_400_and_declares_nothing(platform_api):
    body = {
        "title": "t",
        "scenario": "epidemic",
        "regions": ["420000"],
        "applies_to": "either",
        "starts_at": "2022-12-28T00:00:00+08:00",
        "ends_at": "9999-12-31T00:00:00+08:00",
    }
    response = platform_api.post("/api/v1/platform/exemptions/", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "datetime_out_of_range"
    assert not UnifiedExemption.objects.exists()
