"""Orders of day D for badge tests, bulk-created (1,000-order cases stay fast)."""

from datetime import datetime, timedelta

from badges.models import ProductPickupStat
from reports.models import DeliveryReport
from reports.tests.factories import DeliveryReportFactory
from shops.models import Order, Product
from shops.tests.factories import OrderFactory, ProductFactory, ShopFactory, sh

D = (2022, 12, 28)
RUN_AT = sh(2022, 12, 31, 2, 0)  # 02:00 on D + 3


def paid_on_d(hour: int = 10, minute: int = 0) -> datetime:
    return sh(*D, hour, minute)


def make_orders(
    product: Product,
    *,
    on_time: int = 0,
    late: int = 0,
    not_picked: int = 0,
    paid_at: datetime | None = None,
    pickup_after: timedelta = timedelta(hours=20),
) -> list[Order]:
    """``on_time`` orders picked up ``pickup_after`` after payment, ``late`` ones 48h+1s after,
    ``not_picked`` never picked up."""
    paid_at = paid_at or paid_on_d()
    rows = []
    for kind, n in (("on_time", on_time), ("late", late), ("none", not_picked)):
        for _ in range(n):
            order = OrderFactory.build(
                product=product, shop=product.shop, paid_at=paid_at, ship_deadline=paid_at + timedelta(hours=48)
            )
            if kind != "none":
                delay = pickup_after if kind == "on_time" else timedelta(hours=48, seconds=1)
                order.shipped_at = paid_at + min(delay, timedelta(hours=1))
                order.picked_up_at = paid_at + delay
            rows.append(order)
    return Order.objects.bulk_create(rows)


def current_badges():
    """The stats rows products carry now (those of the current run)."""
    return ProductPickupStat.objects.filter(run__current_badges__isnull=False)


STAT_FIELDS = (
    "product_id",
    "shop_id",
    "paid_orders",
    "picked_up_48h",
    "rate",
    "meets_threshold",
    "badged",
    "ranking_boost",
    "withheld_reason",
    "withheld_report_id",
)
BADGE_FIELDS = ("product_id", "day", "rate", "badged", "ranking_boost", "withheld_reason")


def mixed_catalogue(run_at: datetime = RUN_AT) -> list[Product]:
    """Seven products over two shops with mixed rates (some badged, some not); shop ``ra`` has a
    product-scope report in force at ``run_at`` on one qualifying product (withheld)."""
    shop_a, shop_b = ShopFactory(code="ra"), ShopFactory(code="rb")
    products = [ProductFactory.create(shop=shop_a if i % 2 else shop_b) for i in range(7)]
    for i, product in enumerate(products):
        make_orders(product, on_time=20 + i, late=i % 3, paid_at=paid_on_d(i))
    DeliveryReportFactory(
        shop=shop_a,
        scope=DeliveryReport.Scope.PRODUCT,
        products=[products[3]],
        starts_at=run_at - timedelta(days=2),
        ends_at=run_at + timedelta(days=2),
    )
    return products


def stats_snapshot() -> tuple[list, list]:
    """Every stats row and the current badges, comparable across runs (no ids of the rows)."""
    return (
        sorted(ProductPickupStat.objects.values_list(*STAT_FIELDS)),
        sorted(current_badges().values_list(*BADGE_FIELDS)),
    )
