"""Buyer delivery notice (SPEC §11): GET /api/v1/platform/orders/{order_no}/delivery-notice/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reports.tests.factories import DeliveryReportFactory, UnifiedExemptionFactory
from shops.tests.factories import OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db


def url(order_no: str) -> str:
    return f"/api/v1/platform/orders/{order_no}/delivery-notice/"


@pytest.fixture
def order(shop):
    now = timezone.now()
    return OrderFactory(product=ProductFactory(shop=shop), order_no="O-BUYER", paid_at=now - timedelta(hours=5))


def test_a_covering_report_gives_the_buyer_its_sentence(platform_api, order, shop):
    # given an approved epidemic report covering the order now, promising 12-03 18:00 (Shanghai)
    now = timezone.now()
    report = DeliveryReportFactory(
        shop=shop,
        starts_at=now - timedelta(hours=1),
        submitted_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=5),
        promised_ship_by=now + timedelta(days=2),
    )
    # when the platform asks for the order's notice
    response = platform_api.get(url(order.order_no))
    # then it says covered, by which report, the scenario in Chinese and the promised time
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["covered"] is True and data["kind"] == "report" and data["report_no"] == report.report_no
    assert data["scenario"] == "epidemic" and data["scenario_label"] == "疫情"
    assert data["promised_ship_by"] is not None and data["order_state"] == "awaiting_shipment"
    local = timezone.localtime(report.promised_ship_by)
    assert data["text"] == f"商家已报备（疫情），预计{local.month}月{local.day:02d}日 {local:%H:%M}前发货"


def test_an_exemption_comes_first(platform_api, order, shop):
    now = timezone.now()
    DeliveryReportFactory(
        shop=shop, starts_at=now - timedelta(hours=1), submitted_at=now - timedelta(hours=1), ends_at=now + timedelta(days=3)
    )
    UnifiedExemptionFactory(
        title="杭州封控",
        scenario="natural_disaster",
        regions=["330000"],
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=1),
    )
    data = platform_api.get(url(order.order_no)).json()
    assert data["kind"] == "exemption" and data["report_no"] is None and data["exemption_title"] == "杭州封控"
    assert data["scenario_label"] == "自然灾害" and "自然灾害" in data["text"] and "平台" in data["text"]


def test_not_covered_has_no_sentence(platform_api, order, shop):
    # a report that ended before now does not cover the order now
    DeliveryReportFactory(shop=shop)  # 2022-12-27 – 2023-01-05
    data = platform_api.get(url(order.order_no)).json()
    assert data == data | {"covered": False, "kind": None, "report_no": None, "text": "", "scenario": None}


def test_a_shipped_order_gets_no_sentence_but_the_coverage_is_stated(platform_api, order, shop):
    now = timezone.now()
    DeliveryReportFactory(
        shop=shop, starts_at=now - timedelta(hours=1), submitted_at=now - timedelta(hours=1), ends_at=now + timedelta(days=3)
    )
    order.shipped_at = now - timedelta(minutes=5)
    order.save(update_fields=["shipped_at"])
    data = platform_api.get(url(order.order_no)).json()
    assert data["order_state"] == "shipped" and data["covered"] is True and data["text"] == ""


def test_unknown_order_is_404_and_only_the_platform_may_ask(platform_api, merchant_api, ops_api, api, order):
    response = platform_api.get(url("NOPE"))
    assert (response.status_code, response.json()["code"]) == (404, "order_not_found")
    assert merchant_api.get(url(order.order_no)).status_code == 403
    assert ops_api.get(url(order.order_no)).status_code == 403
    assert api.get(url(order.order_no)).status_code == 401


def test_the_notice_is_chinese_whatever_the_callers_language(platform_api, order, shop):
    now = timezone.now()
    DeliveryReportFactory(
        shop=shop, starts_at=now - timedelta(hours=1), submitted_at=now - timedelta(hours=1), ends_at=now + timedelta(days=3)
    )
    data = platform_api.get(url(order.order_no), HTTP_ACCEPT_LANGUAGE="en").json()
    assert data["text"].startswith("商家已报备") and data["scenario_label"] == "疫情"
