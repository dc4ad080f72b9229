"""GET /api/v1/orders/{order_no}/coverage/ — the "why covered?" explainer."""

import pytest

from reports.tests.factories import DeliveryReportFactory, UnifiedExemptionFactory
from shops.tests.factories import OrderFactory, ProductFactory, sh

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(shop):
    return OrderFactory(product=ProductFactory(shop=shop), order_no="O-EXPLAIN")  # deadline 12-30 10:00


def url(order, at=None):
    return f"/api/v1/orders/{order.order_no}/coverage/" + (f"?at={at}" if at else "")


def test_every_report_of_the_shop_with_its_reasons(merchant_api, order, shop, other_shop):
    covering = DeliveryReportFactory(shop=shop, report_no="BB2022122700001")
    DeliveryReportFactory(
        shop=shop,
        report_no="BB2022122700002",
        status="withdrawn",
        approved_at=sh(2022, 12, 27),
        withdrawn_at=sh(2022, 12, 29, 8, 30),
    )
    DeliveryReportFactory(shop=shop, report_no="BB2022122700003", approved_at=sh(2022, 12, 30, 10, 0, 1))
    DeliveryReportFactory(shop=shop, report_no="BB2022122700004", scope="region", regions=["440000"])
    DeliveryReportFactory(shop=shop, report_no="BB2022122700005", ends_at=sh(2022, 12, 29))
    DeliveryReportFactory(shop=other_shop, report_no="BB2022122700006")
    data = merchant_api.get(url(order, "2022-12-29T09:00:00%2B08:00")).json()
    assert data["covered"] is True
    assert data["verdict"]["kind"] == "report" and data["verdict"]["report_no"] == covering.report_no
    reports = {r["report_no"]: r for r in data["reports"]}
    assert set(reports) == {f"BB202212270000{n}" for n in range(1, 6)}
    assert reports["BB2022122700001"]["covers"] is True and reports["BB2022122700001"]["reasons"] == []
    codes = {no: [x["code"] for x in r["reasons"]] for no, r in reports.items()}
    assert codes["BB2022122700002"] == ["withdrawn"]
    assert reports["BB2022122700002"]["reasons"][0]["detail"] == "已于 2022-12-29 08:30:00 撤回。"
    assert codes["BB2022122700003"] == ["approved_after_ship_deadline", "approved_after_time"]
    assert "2022-12-30 10:00:01" in reports["BB2022122700003"]["reasons"][0]["detail"]
    assert codes["BB2022122700004"] == ["other_scope"]
    assert codes["BB2022122700005"] == ["after_window"]
    assert data["exemptions"] == []


def test_an_exemption_comes_first_in_the_verdict(merchant_api, order, shop):
    DeliveryReportFactory(shop=shop)
    exemption = UnifiedExemptionFactory(applies_to="sender", regions=["440300"])
    UnifiedExemptionFactory(title="湖北", applies_to="receiver", regions=["420000"])
    UnifiedExemptionFactory(
        title="浙江-过期", applies_to="receiver", regions=["330000"], starts_at=sh(2022, 12, 1), ends_at=sh(2022, 12, 2)
    )
    data = merchant_api.get(url(order, "2022-12-29T09:00:00%2B08:00")).json()
    assert data["verdict"] == {
        "kind": "exemption",
        "report_no": None,
        "exemption_id": exemption.pk,
        "promised_ship_by": None,
        "version": None,
    }
    exemptions = {e["title"]: e for e in data["exemptions"]}
    assert exemptions["统一免责"]["covers"] is True
    assert [r["code"] for r in exemptions["湖北"]["reasons"]] == ["other_region"]
    assert [r["code"] for r in exemptions["浙江-过期"]["reasons"]] == ["after_window"]
    assert exemptions["湖北"]["regions"] == [{"code": "420000", "name": "湖北省"}]


def test_not_covered_has_no_verdict(merchant_api, order):
    data = merchant_api.get(url(order, "2022-12-29T09:00:00%2B08:00")).json()
    assert (data["covered"], data["verdict"], data["reports"]) == (False, None, [])


def test_defaults_to_now_and_ops_ask_in_the_admin_not_here(merchant_api, ops_api, order, shop):
    DeliveryReportFactory(shop=shop)
    assert ops_api.get(url(order)).status_code == 403  # SPEC §9: a merchant endpoint
    data = merchant_api.get(url(order)).json()
    assert data["covered"] is False
    assert [r["code"] for r in data["reports"][0]["reasons"]] == ["after_window"]


def test_another_shops_order_is_404(other_merchant_api, order):
    response = other_merchant_api.get(url(order))
    assert (response.status_code, response.json()["code"]) == (404, "order_not_found")


def test_bad_time_is_400(merchant_api, order):
    response = merchant_api.get(url(order, "tomorrow"))
    assert (response.status_code, response.json()["code"]) == (400, "datetime_invalid")


def test_platform_users_may_not_ask(platform_api, order):
    assert platform_api.get(url(order)).status_code == 403
