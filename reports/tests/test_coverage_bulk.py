"""Coverage in bulk: one query for any number of orders, and the same answers as one by one."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest

from reports import coverage
from reports.tests.factories import DeliveryReportFactory, UnifiedExemptionFactory
from shops.models import Order
from shops.tests.factories import ProductFactory, ShopFactory, sh

pytestmark = pytest.mark.django_db

RECEIVERS = ["330102", "330105", "330281", "420102", "440305", "110105", "510104"]


def make_orders(shops_products, count: int, rng: random.Random, prefix: str) -> None:
    start = sh(2022, 12, 20)
    rows = []
    for n in range(count):
        shop, product = shops_products[n % len(shops_products)]
        paid = start + timedelta(minutes=rng.randrange(15 * 24 * 60))
        rows.append(
            Order(
                order_no=f"{prefix}{n:06d}",
                shop=shop,
                product=product,
                amount=Decimal("10.00"),
                paid_at=paid,
                ship_deadline=paid + timedelta(hours=48),
                receiver_region_id=rng.choice(RECEIVERS),
                sender_region_id=rng.choice(["440305", "330106", "420102"]),
            )
        )
    Order.objects.bulk_create(rows, batch_size=2000)


def make_reports(shops_products, rng: random.Random) -> None:
    for shop, product in shops_products:
        DeliveryReportFactory(shop=shop, starts_at=sh(2022, 12, 22), ends_at=sh(2022, 12, 24), approved_at=sh(2022, 12, 22))
        DeliveryReportFactory(
            shop=shop,
            scope="product",
            products=[product],
            starts_at=sh(2022, 12, 25),
            ends_at=sh(2022, 12, 30),
            approved_at=sh(2022, 12, 26),
        )
        DeliveryReportFactory(
            shop=shop,
            scope="region",
            regions=["330100"],
            starts_at=sh(2022, 12, 27),
            ends_at=sh(2023, 1, 3),
            approved_at=sh(2022, 12, 27),
            status="withdrawn",
            withdrawn_at=sh(2022, 12, 31),
        )
        DeliveryReportFactory(
            shop=shop,
            scope="region",
            regions=["420000"],
            starts_at=sh(2022, 12, 20),
            ends_at=sh(2023, 1, 3),
            approved_at=sh(2022, 12, 21),
            status="revoked",
            revoked_at=sh(2022, 12, 29),
        )
        DeliveryReportFactory(shop=shop, status="pending_review", starts_at=sh(2022, 12, 20), ends_at=sh(2023, 1, 4))
    UnifiedExemptionFactory(applies_to="sender", regions=["420000"], starts_at=sh(2022, 12, 28), ends_at=sh(2022, 12, 29))
    UnifiedExemptionFactory(applies_to="receiver", regions=["510104"], starts_at=sh(2022, 12, 21), ends_at=sh(2022, 12, 31))


@pytest.fixture
def shops_products():
    pairs = []
    for i in range(3):
        shop = ShopFactory(code=f"bulk-{i}")
        pairs += [(shop, ProductFactory(shop=shop)) for _ in range(2)]
    return pairs


def test_annotation_agrees_with_order_by_order_coverage(shops_products):
    rng = random.Random(7)
    make_orders(shops_products, 250, rng, "MIX")
    make_reports(shops_products, rng)
    for at in ("paid_at", "ship_deadline"):
        bulk = {
            o.pk: (o.covering_exemption_id, o.covering_report_id) for o in coverage.annotate_coverage(Order.objects.all(), at=at)
        }
        one_by_one = {}
        for order in Order.objects.all():
            report = coverage.covering_report(order, getattr(order, at))
            exemption = coverage.covering_exemption(order, getattr(order, at))
            one_by_one[order.pk] = (exemption.pk if exemption else None, report.pk if report else None)
        assert bulk == one_by_one
        kinds = {(e is not None, r is not None) for e, r in bulk.values()}
        assert kinds >= {(False, False), (False, True), (True, False)}, "the population exercises every outcome"


def test_ten_thousand_orders_take_one_query(shops_products, django_assert_num_queries):
    rng = random.Random(11)
    make_orders(shops_products, 10_000, rng, "BULK")
    make_reports(shops_products, rng)
    with django_assert_num_queries(1):
        rows = list(
            coverage.annotate_coverage(Order.objects.all(), at="paid_at").values_list(
                "pk", "covering_exemption_id", "covering_report_id"
            )
        )
    assert len(rows) == 10_000
    assert sum(1 for _, e, r in rows if e or r) > 0
