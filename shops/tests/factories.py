from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth import get_user_model

from shops.models import Order, Product, Shop

SHANGHAI = ZoneInfo("Asia/Shanghai")


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, microsecond: int = 0) -> datetime:
    """An aware datetime in Asia/Shanghai: ``sh(2022, 12, 28, 9, 30)``."""
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=SHANGHAI)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pass12345")


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"shop{n}")
    name = factory.LazyAttribute(lambda s: f"店铺 {s.code}")
    kind = Shop.Kind.TMALL


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    shop = factory.SubFactory(ShopFactory)
    code = factory.Sequence(lambda n: f"P{n:05d}")
    title = factory.Sequence(lambda n: f"商品 {n}")
    price = Decimal("99.00")


class OrderFactory(factory.django.DjangoModelFactory):
    """An order paid at 2022-12-28 10:00 Shanghai, to Hangzhou Shangcheng from Shenzhen Nanshan."""

    class Meta:
        model = Order

    order_no = factory.Sequence(lambda n: f"O{n:08d}")
    product = factory.SubFactory(ProductFactory)
    shop = factory.SelfAttribute("product.shop")
    amount = Decimal("100.00")
    paid_at = factory.LazyFunction(lambda: sh(2022, 12, 28, 10, 0))
    ship_deadline = factory.LazyAttribute(lambda o: o.paid_at + timedelta(hours=48))
    receiver_region_id = "330102"
    sender_region_id = "440305"


def order_body(order_no: str = "T0001", **overrides: object) -> dict[str, object]:
    """An order as the platform posts it (``POST /api/v1/platform/orders/``, one item of
    ``orders/bulk/``): shop-a's product P1, 88.00, paid 2022-12-28 10:00 Asia/Shanghai,
    to 330102 from 440305."""
    body: dict[str, object] = {
        "order_no": order_no,
        "shop": "shop-a",
        "product": "P1",
        "amount": "88.00",
        "paid_at": "2022-12-28T10:00:00+08:00",
        "receiver_region": "330102",
        "sender_region": "440305",
    }
    return {**body, **overrides}
