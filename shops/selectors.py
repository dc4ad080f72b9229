"""Reads of shops, products and orders. Merchant-facing reads are scoped here, once."""

from typing import TypedDict

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext

from core.errors import NotFound
from core.roles import AnyUser, signed_in
from shops.models import Order, Product, Shop


def shops_for_user(*, user: AnyUser) -> QuerySet[Shop]:
    """The shops the caller is a **member** of — the one merchant scope (SPEC §9).

    Every merchant path (API views, portal views and pickers, merchant services) reads "the
    caller's shops" from here, and nothing else. Being an ops reviewer, an ops admin or a
    superuser adds nothing: ops powers come only through the ops endpoints and the admin,
    which read every shop through ``shops_for_ops`` below.
    """
    member = signed_in(user)
    if member is None:
        return Shop.objects.none()
    return Shop.objects.filter(memberships__user=member)


class ShopPk(TypedDict):
    """A row of ``shop_ids_for_user``: the one column of a subquery."""

    pk: int


def shop_ids_for_user(*, user: AnyUser) -> QuerySet[Shop, ShopPk]:
    return shops_for_user(user=user).values("pk")


def user_is_member(*, user: AnyUser, shop_id: int) -> bool:
    """Is the caller a member of this shop? (The merchant services' own check.)"""
    return shops_for_user(user=user).filter(pk=shop_id).exists()


def require_member(*, user: AnyUser, shop_id: int, code: str = "not_found", detail: str = "Not found.") -> None:
    """A merchant service's guard: another shop's object is indistinguishable from none (404)."""
    if not user_is_member(user=user, shop_id=shop_id):
        raise NotFound(code, detail)


def shops_for_ops() -> QuerySet[Shop]:
    """Every shop: the explicit ops read-all path (admin, ops endpoints). Never used on a
    merchant's behalf."""
    return Shop.objects.all()


def shop_overview_for_user(*, user: AnyUser) -> QuerySet[Shop]:
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


def products_for_user(*, user: AnyUser) -> QuerySet[Product]:
    return Product.objects.filter(shop__in=shop_ids_for_user(user=user)).select_related("shop")


def orders_for_user(*, user: AnyUser) -> QuerySet[Order]:
    return Order.objects.filter(shop__in=shop_ids_for_user(user=user))


def order_get_for_user(*, user: AnyUser, order_no: str) -> Order:
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


def order_get(*, order_no: str) -> Order:
    """Any order by number, for platform callers (no tenant: the platform owns every order)."""
    order = Order.objects.select_related("shop", "product").filter(order_no=order_no).first()
    if order is None:
        raise NotFound("order_not_found", gettext("Order %(no)s not found.") % {"no": order_no})
    return order


def shop_get(*, code: str) -> Shop:
    shop = Shop.objects.filter(code=code).first()
    if shop is None:
        raise NotFound("shop_not_found", gettext("Shop %(code)s not found.") % {"code": code})
    return shop
