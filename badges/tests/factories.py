"""Orders of day D for badge tests, bulk-created (1,000-order cases stay fast)."""

from datetime import datetime, timedelta

from shops.models import Order, Product
from shops.tests.factories import OrderFactory, sh

D = (2022, 12, 28)
RUN_AT = sh(2022, 12, 31, 2, 0)  # 02:00 on D + 3


def paid_on_d(hour: int = 10, minute: int = 0) -> datetime:
    return sh(*D, hour, minute)


def make_orders(product: Product, *, on_time: int = 0, late: int = 0, not_picked: int = 0,
                paid_at: datetime | None = None, pickup_after: timedelta = timedelta(hours=20)) -> list[Order]:
    """``on_time`` orders picked up ``pickup_after`` after payment, ``late`` ones 48h+1s after,
    ``not_picked`` never picked up."""
    paid_at = paid_at or paid_on_d()
    rows = []
    for kind, n in (("on_time", on_time), ("late", late), ("none", not_picked)):
        for _ in range(n):
            order = OrderFactory.build(product=product, shop=product.shop, paid_at=paid_at,
                                       ship_deadline=paid_at + timedelta(hours=48))
            if kind != "none":
                delay = pickup_after if kind == "on_time" else timedelta(hours=48, seconds=1)
                order.shipped_at = paid_at + min(delay, timedelta(hours=1))
                order.picked_up_at = paid_at + delay
            rows.append(order)
    return Order.objects.bulk_create(rows)


def current_badges():
    """The stats rows products carry now (those of the current run)."""
    from badges.models import ProductPickupStat

    return ProductPickupStat.objects.filter(run__current_badges__isnull=False)
