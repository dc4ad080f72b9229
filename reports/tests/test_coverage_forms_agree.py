"""The Python and SQL forms of the coverage rule must agree (a smoke table; the full table of
scope × time × status lives beside the reports services)."""

from datetime import timedelta

import pytest

from reports import coverage
from reports.models import DeliveryReport
from reports.tests.factories import DeliveryReportFactory, UnifiedExemptionFactory
from shops.models import Order
from shops.tests.factories import OrderFactory, ProductFactory, sh

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(shop):
    return OrderFactory(product=ProductFactory(shop=shop))  # paid 12-28 10:00, deadline 12-30 10:00


def sql_covers(report, order, at) -> bool:
    q = coverage.report_coverage_q(
        shop=order.shop_id,
        product=order.product_id,
        receiver_region=order.receiver_region_id,
        ship_deadline=order.ship_deadline,
        at=at,
    )
    return DeliveryReport.objects.filter(q, pk=report.pk).exists()


@pytest.mark.parametrize(
    ("kwargs", "at", "expected"),
    [
        ({}, sh(2022, 12, 29), True),
        ({"scope": "product"}, sh(2022, 12, 29), False),
        ({"scope": "region", "regions": ["330000"]}, sh(2022, 12, 29), True),
        ({"scope": "region", "regions": ["330100"]}, sh(2022, 12, 29), True),
        ({"scope": "region", "regions": ["330105"]}, sh(2022, 12, 29), False),
        ({"scope": "region", "regions": ["440000"]}, sh(2022, 12, 29), False),
        ({}, sh(2023, 1, 5), True),
        ({}, sh(2023, 1, 5) + timedelta(seconds=1), False),
        ({"starts_at": sh(2022, 12, 29)}, sh(2022, 12, 29) - timedelta(seconds=1), False),
        ({"status": "pending_review"}, sh(2022, 12, 29), False),
        ({"approved_at": sh(2022, 12, 30, 10, 0, 1)}, sh(2022, 12, 31), False),
        ({"approved_at": sh(2022, 12, 30, 10)}, sh(2022, 12, 31), True),
        ({"withdrawn_at": sh(2022, 12, 29)}, sh(2022, 12, 29), False),
        ({"withdrawn_at": sh(2022, 12, 29)}, sh(2022, 12, 29) - timedelta(seconds=1), True),
        ({"revoked_at": sh(2022, 12, 29)}, sh(2022, 12, 30), False),
    ],
)
def test_report_python_and_sql_agree(order, kwargs, at, expected):
    report = DeliveryReportFactory(shop=order.shop, **kwargs)
    assert coverage.report_covers(report, order, at) is expected
    assert sql_covers(report, order, at) is expected


def test_product_scope_lists_the_orders_product(order):
    report = DeliveryReportFactory(shop=order.shop, scope="product", products=[order.product])
    assert coverage.report_covers(report, order, sh(2022, 12, 29))
    assert sql_covers(report, order, sh(2022, 12, 29))


def test_other_shops_report_never_covers(order, other_shop):
    report = DeliveryReportFactory(shop=other_shop)
    assert coverage.report_coverage_failures(report, order, sh(2022, 12, 29)) == ["other_shop"]
    assert not sql_covers(report, order, sh(2022, 12, 29))


@pytest.mark.parametrize(
    ("applies_to", "regions", "expected"),
    [
        ("receiver", ["330000"], True),
        ("receiver", ["440000"], False),
        ("sender", ["440300"], True),
        ("sender", ["330000"], False),
        ("either", ["440305"], True),
        ("either", ["110000"], False),
    ],
)
def test_exemption_python_and_sql_agree_and_bulk_annotation(order, applies_to, regions, expected):
    exemption = UnifiedExemptionFactory(applies_to=applies_to, regions=regions)
    at = sh(2022, 12, 29)
    assert coverage.exemption_covers(exemption, order, at) is expected
    assert (coverage.covering_exemption(order, at) == exemption) is expected
    row = coverage.annotate_coverage(Order.objects.filter(pk=order.pk), at="paid_at").get()
    assert (row.covering_exemption_id == exemption.pk) is expected


def test_bulk_annotation_matches_per_order_in_one_query(shop, django_assert_num_queries):
    product = ProductFactory(shop=shop)
    orders = [OrderFactory(product=product, receiver_region_id=code) for code in ("330102", "330281", "440305")]
    report = DeliveryReportFactory(shop=shop, scope="region", regions=["330100"])
    with django_assert_num_queries(1):
        rows = {o.pk: o.covering_report_id for o in coverage.annotate_coverage(Order.objects.all(), at="paid_at")}
    assert rows == {orders[0].pk: report.pk, orders[1].pk: None, orders[2].pk: None}
