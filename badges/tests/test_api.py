from datetime import date

import pytest

from badges.services import badge_run_day
from badges.tests.factories import RUN_AT, make_orders
from reports.models import DeliveryReport
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/products/"
DAY = date(2022, 12, 28)


@pytest.fixture
def badged(shop, other_shop):
    """``shop``: one badged product, one withheld by a product report, one below threshold, one idle;
    ``other_shop``: one badged product."""
    made = {
        "star": ProductFactory(shop=shop, code="A-STAR"),
        "held": ProductFactory(shop=shop, code="A-HELD"),
        "slow": ProductFactory(shop=shop, code="A-SLOW"),
        "idle": ProductFactory(shop=shop, code="A-IDLE"),
        "theirs": ProductFactory(shop=other_shop, code="B-STAR"),
    }
    make_orders(made["star"], on_time=100)
    make_orders(made["held"], on_time=50)
    make_orders(made["slow"], on_time=9, late=1)
    make_orders(made["theirs"], on_time=5)
    report = DeliveryReportFactory(shop=shop, scope=DeliveryReport.Scope.PRODUCT, products=[made["held"]])
    badge_run_day(day=DAY, now=RUN_AT)
    made["report"] = report
    return made


def test_merchant_sees_own_products_with_badges(merchant_api, badged):
    response = merchant_api.get(URL)
    assert response.status_code == 200
    rows = {r["code"]: r for r in response.json()["results"]}
    assert set(rows) == {"A-STAR", "A-HELD", "A-SLOW", "A-IDLE"}
    assert rows["A-STAR"] == {
        "shop": "shop-a",
        "code": "A-STAR",
        "title": badged["star"].title,
        "price": "99.00",
        "fast_ship_badge": True,
        "ranking_boost": "1.20",
        "pickup_rate": "1.0000",
        "pickup_day": "2022-12-28",
        "paid_orders": 100,
        "picked_up_48h": 100,
        "withheld_reason": "",
        "withheld_report": None,
    }
    held = rows["A-HELD"]
    assert (held["fast_ship_badge"], held["ranking_boost"], held["withheld_reason"], held["withheld_report"]) == (
        False,
        "1.00",
        "product",
        badged["report"].report_no,
    )
    assert (rows["A-SLOW"]["fast_ship_badge"], rows["A-SLOW"]["pickup_rate"]) == (False, "0.9000")
    idle = rows["A-IDLE"]
    assert (idle["fast_ship_badge"], idle["ranking_boost"], idle["pickup_rate"], idle["pickup_day"]) == (
        False,
        "1.00",
        None,
        None,
    )


def test_tenant_isolation(other_merchant_api, badged):
    codes = [r["code"] for r in other_merchant_api.get(URL).json()["results"]]
    assert codes == ["B-STAR"]
    assert other_merchant_api.get(URL, {"shop": "shop-a"}).json()["count"] == 0


def test_filters(merchant_api, badged):
    assert [r["code"] for r in merchant_api.get(URL, {"fast_ship_badge": "true"}).json()["results"]] == ["A-STAR"]
    assert merchant_api.get(URL, {"fast_ship_badge": "false"}).json()["count"] == 3
    assert merchant_api.get(URL, {"shop": "shop-a"}).json()["count"] == 4
    bad = merchant_api.get(URL, {"fast_ship_badge": "maybe"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"


def test_merchant_endpoint_refuses_ops_platform_and_anonymous(ops_api, platform_api, api, badged):
    assert ops_api.get(URL).status_code == 403  # SPEC §9: ops read every shop in the admin
    assert platform_api.get(URL).status_code == 403
    assert api.get(URL).status_code in (401, 403)


def test_fixed_number_of_queries(merchant_api, shop, badged, django_assert_num_queries):
    for n in range(60):
        product = ProductFactory(shop=shop, code=f"X{n:03d}")
        make_orders(product, on_time=1)
    badge_run_day(day=DAY, now=RUN_AT)
    merchant_api.get(URL, {"page_size": 1})  # the forced user keeps its role cache after this
    with django_assert_num_queries(3) as small:
        assert len(merchant_api.get(URL, {"page_size": 1}).json()["results"]) == 1
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(merchant_api.get(URL, {"page_size": 50}).json()["results"]) == 50
