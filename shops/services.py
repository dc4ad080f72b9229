"""Platform ingestion of shops, products, orders and order events (SPEC §2, §8).

Every create is idempotent: an identical repeat returns the existing object with
``created=False``; a repeat that differs is a 409. Concurrent identical posts are settled by
the unique constraint, not by a check-then-insert.
"""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from core.audit import audit_record
from core.errors import Conflict, InvalidInput
from core.results import Ingested
from core.services import apply_changes
from shops.models import Order, Product, Shop, ShopMembership
from shops.regions import unknown_region_codes


def _create_or_match(model, *, lookup: dict, values: dict, conflict_code: str, label: str) -> Ingested:
    """Insert ``lookup | values``; on a unique clash, compare with the stored row."""
    try:
        with transaction.atomic():
            obj = model.objects.create(**lookup, **values)
            return Ingested(obj, True)
    except IntegrityError:
        existing = model.objects.filter(**lookup).first()
        if existing is None:  # the clash was on some other constraint
            raise
    differing = sorted(k for k, v in values.items() if getattr(existing, k) != v)
    if differing:
        raise Conflict(
            conflict_code,
            gettext("%(what)s already exists with different %(fields)s.") % {"what": label, "fields": ", ".join(differing)},
        )
    return Ingested(existing, False)


@transaction.atomic
def shop_ingest(*, actor, code: str, name: str, kind: str) -> Ingested:
    result = _create_or_match(
        Shop,
        lookup={"code": code},
        values={"name": name, "kind": kind},
        conflict_code="shop_conflict",
        label=gettext("Shop %(code)s") % {"code": code},
    )
    if result.created:
        audit_record(actor=actor, target=result.obj, action="shop_created", data={"kind": kind})
    return result


@transaction.atomic
def product_ingest(*, actor, shop: Shop, code: str, title: str, price: Decimal) -> Ingested:
    result = _create_or_match(
        Product,
        lookup={"shop": shop, "code": code},
        values={"title": title, "price": price},
        conflict_code="product_conflict",
        label=gettext("Product %(code)s of shop %(shop)s") % {"code": code, "shop": shop.code},
    )
    if result.created:
        audit_record(actor=actor, target=result.obj, action="product_created")
    return result


@transaction.atomic
def order_ingest(
    *,
    actor,
    order_no: str,
    shop: Shop,
    product: Product,
    amount: Decimal,
    paid_at: datetime,
    ship_deadline: datetime | None,
    receiver_region: str,
    sender_region: str,
) -> Ingested:
    unknown = unknown_region_codes([receiver_region, sender_region])
    if unknown:
        raise InvalidInput("region_unknown", gettext("Unknown or malformed region code: %(code)s.") % {"code": unknown[0]})
    if product.shop_id != shop.pk:
        raise InvalidInput(
            "product_not_found",
            gettext("Product %(product)s is not a product of shop %(shop)s.") % {"product": product.code, "shop": shop.code},
        )
    deadline = ship_deadline or paid_at + settings.ORDER_DEFAULT_SHIP_WINDOW
    if deadline < paid_at:
        raise InvalidInput("ship_deadline_before_paid", gettext("ship_deadline must not be before paid_at."))
    result = _create_or_match(
        Order,
        lookup={"order_no": order_no},
        values={
            "shop_id": shop.pk,
            "product_id": product.pk,
            "amount": amount,
            "paid_at": paid_at,
            "ship_deadline": deadline,
            "receiver_region_id": receiver_region,
            "sender_region_id": sender_region,
        },
        conflict_code="order_conflict",
        label=gettext("Order %(no)s") % {"no": order_no},
    )
    if result.created:
        audit_record(actor=actor, target=result.obj, action="order_created")
    return result


EVENT_FIELDS = {"shipped": "shipped_at", "picked_up": "picked_up_at", "cancelled": "cancelled_at"}


@transaction.atomic
def order_event_apply(*, actor, order_no: str, event_type: str, at: datetime) -> Ingested:
    """Record that the order was shipped, picked up or cancelled at ``at``.

    Refuses impossible sequences with their own 409 codes; the same event twice is a no-op.
    """
    from shops.selectors import order_get_for_update

    order = order_get_for_update(order_no=order_no)
    field = EVENT_FIELDS[event_type]
    current = getattr(order, field)
    if current is not None:
        if current == at:
            return Ingested(order, False)
        raise Conflict(
            "event_conflict",
            gettext("Order %(no)s already has %(event)s at %(at)s.")
            % {"no": order_no, "event": event_type, "at": current.isoformat()},
        )
    if at < order.paid_at:
        raise Conflict(
            "event_before_paid",
            gettext("%(event)s at %(at)s is before the order was paid.") % {"event": event_type, "at": at.isoformat()},
        )
    if event_type == "shipped" and order.cancelled_at is not None:
        raise Conflict("shipped_after_cancelled", gettext("Order %(no)s was cancelled; it cannot ship.") % {"no": order_no})
    if event_type == "picked_up" and (order.shipped_at is None or at < order.shipped_at):
        raise Conflict("picked_up_before_shipped", gettext("A parcel cannot be picked up before it is shipped."))
    if event_type == "cancelled" and order.shipped_at is not None:
        raise Conflict("cancelled_after_shipped", gettext("Order %(no)s has shipped; it cannot be cancelled.") % {"no": order_no})
    setattr(order, field, at)
    order.save(update_fields=[field])
    audit_record(actor=actor, target=order, action=f"order_{event_type}", data={"at": at.isoformat()})
    return Ingested(order, True)


# --- ops writes (the admin calls these) ------------------------------------------------------

SHOP_EDITABLE_FIELDS = ("code", "name", "kind")


@transaction.atomic
def shop_create(*, actor, code: str, name: str, kind: str) -> Shop:
    """A shop added by ops by hand (the platform's way in is ``shop_ingest``)."""
    shop = Shop.objects.create(code=code, name=name, kind=kind)
    audit_record(actor=actor, target=shop, action="shop_created", data={"kind": kind})
    return shop


@transaction.atomic
def shop_update(*, actor, shop: Shop, changes: dict) -> Shop:
    """Change a shop's fields; the audit row holds each changed field's before → after."""
    shop = Shop.objects.select_for_update().get(pk=shop.pk)
    diff = apply_changes(shop, changes, editable=SHOP_EDITABLE_FIELDS, shown=str)
    if changes:
        shop.save(update_fields=list(changes))
        audit_record(actor=actor, target=shop, action="shop_changed", data=diff)
    return shop


@transaction.atomic
def shop_member_add(*, actor, shop: Shop, user) -> ShopMembership:
    """Give ``user`` access to ``shop`` (tenant access: audited on the shop)."""
    membership, _ = ShopMembership.objects.get_or_create(shop=shop, user=user)
    audit_record(actor=actor, target=shop, action="shop_member_added", data={"user": user.get_username()})
    return membership


@transaction.atomic
def shop_member_move(*, actor, membership: ShopMembership, user) -> ShopMembership:
    """Point an existing membership row at another user (audited as that user's addition)."""
    membership.user = user
    membership.save(update_fields=["user"])
    audit_record(actor=actor, target=membership.shop, action="shop_member_added", data={"user": user.get_username()})
    return membership


@transaction.atomic
def shop_member_remove(*, actor, membership: ShopMembership) -> None:
    """Take ``membership.user``'s access to the shop away (audited on the shop)."""
    shop, user = membership.shop, membership.user
    membership.delete()
    audit_record(actor=actor, target=shop, action="shop_member_removed", data={"user": user.get_username()})
