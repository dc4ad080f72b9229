"""Reads of shops, products and orders. Merchant-facing reads are scoped here, once."""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext

from core.errors import NotFound
from core.roles import is_ops_reviewer
from shops.models import Order, Product, Shop


def shops_for_user(*, user) -> QuerySet[Shop]:
    """The shops a merchant belongs to (ops reviewers see every shop)."""
    if is_ops_reviewer(user):
        return Shop.objects.all()
    return Shop.objects.filter(memberships__user=user)


def shop_ids_for_user(*, user) -> QuerySet:
    return shops_for_user(user=user).values("pk")


def shop_overview_for_user(*, user) -> QuerySet[Shop]:
    """The merchant's shops with product and order counts, for the portal home page."""
    return (
        shops_for_user(user=user)
        .annotate(
            product_count=Count("products", distinct=True),
            order_count=Count("orders", distinct=True),
            open_order_count=Count(
                "orders", filter=Q(orders__shipped_at__isnull=True, orders__cancelled_at__isnull=True), distinct=True
            ),
        )
        .order_by("code")
    )


def products_for_user(*, user) -> QuerySet[Product]:
    return Product.objects.filter(shop__in=shop_ids_for_user(user=user)).select_related("shop")


def orders_for_user(*, user) -> QuerySet[Order]:
    return Order.objects.filter(shop__in=shop_ids_for_user(user=user))


def order_get_for_user(*, user, order_no: str) -> Order:
    """The caller's order by number; another shop's order is indistinguishable from none."""
    order = (
        orders_for_user(user=user)
        .select_related("shop", "product", "receiver_region", "sender_region")
        .filter(order_no=order_no)
        .first()
    )
    if order is None:
        raise NotFound("order_not_found", gettext("Order %(no)s not found.") % {"no": order_no})
    return order


def shop_get(*, code: str) -> Shop:
    shop = Shop.objects.filter(code=code).first()
    if shop is None:
        raise NotFound("shop_not_found", gettext("Shop %(code)s not found.") % {"code": code})
    return shop


def order_get_for_update(*, order_no: str) -> Order:
    order = Order.objects.select_for_update().filter(order_no=order_no).first()
    if order is None:
        raise NotFound("order_not_found", gettext("Order %(no)s not found.") % {"no": order_no})
    return order
