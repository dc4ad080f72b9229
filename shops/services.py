"""Platform ingestion of shops, products, orders and order events (SPEC §2, §8).

Every create is idempotent: an identical repeat returns the existing object with
``created=False``; a repeat that differs is a 409. Concurrent identical posts are settled by
the unique constraint, not by a check-then-insert.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple, NotRequired, TypedDict, TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.translation import gettext

from core.audit import Actor, audit_entry, audit_record
from core.errors import Conflict, DomainError, InvalidInput, NotFound
from core.models import AuditEntry
from core.results import Ingested
from core.services import apply_changes
from core.setbased import audit_record_select, pk_in
from shops.models import Order, Product, Shop, ShopMembership
from shops.regions import unknown_region_codes


class ProductRef(NamedTuple):
    """What ingesting an order needs of its product (a batch reads 1,000 of these, not models)."""

    pk: int
    shop_id: int
    code: str


_M = TypeVar("_M", bound=Model)


class OrderPush(TypedDict):
    """One validated order of a push (``orders_ingest``): references resolved, values parsed."""

    order_no: str
    shop: Shop
    product: Product | ProductRef
    amount: Decimal
    paid_at: datetime
    ship_deadline: NotRequired[datetime | None]
    receiver_region: str
    sender_region: str


class OrderRow(TypedDict):
    """An order's stored values by column (``ORDER_COLUMNS`` but ``created_at``), as
    ``orders_ingest`` inserts them."""

    order_no: str
    shop_id: int
    product_id: int
    amount: Decimal
    paid_at: datetime
    ship_deadline: datetime
    receiver_region_id: str
    sender_region_id: str


#: One order's answer: the stored ``Order`` of a repeat (or, of an earlier item of the same batch,
#: its row), the id of a new one (an ``Order`` with ``objects=True``), or the refusal.
OrderOutcome = Ingested[Order | int | OrderRow] | DomainError


def _create_or_match(
    model: type[_M], *, lookup: Mapping[str, object], values: Mapping[str, object], conflict_code: str, label: str
) -> Ingested[_M]:
    """Insert ``lookup | values``; on a unique clash, compare with the stored row."""
    try:
        with transaction.atomic():
            obj = model._default_manager.create(**lookup, **values)
            return Ingested(obj, True)
    except IntegrityError:
        existing = model._default_manager.filter(**lookup).first()
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
def shop_ingest(*, actor: Actor, code: str, name: str, kind: str) -> Ingested[Shop]:
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
def product_ingest(*, actor: Actor, shop: Shop, code: str, title: str, price: Decimal) -> Ingested[Product]:
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


def order_ingest(
    *,
    actor: Actor,
    order_no: str,
    shop: Shop,
    product: Product | ProductRef,
    amount: Decimal,
    paid_at: datetime,
    ship_deadline: datetime | None,
    receiver_region: str,
    sender_region: str,
) -> Ingested[Order | int | OrderRow]:
    """One order: ``orders_ingest`` with a batch of one (the same judgment, the same writes)."""
    (result,) = orders_ingest(
        actor=actor,
        objects=True,
        orders=[
            {
                "order_no": order_no,
                "shop": shop,
                "product": product,
                "amount": amount,
                "paid_at": paid_at,
                "ship_deadline": ship_deadline,
                "receiver_region": receiver_region,
                "sender_region": sender_region,
            }
        ],
    )
    if isinstance(result, DomainError):
        raise result
    return result


ORDER_COLUMNS = (
    "order_no",
    "shop_id",
    "product_id",
    "amount",
    "paid_at",
    "ship_deadline",
    "receiver_region_id",
    "sender_region_id",
    "created_at",
)
_ORDER_COMPARED = ORDER_COLUMNS[1:-1]  # what an identical repeat must match


def _order_row(order: OrderPush, unknown_regions: set[str]) -> OrderRow:
    """The stored values of one order, or the ``InvalidInput`` that refuses it."""
    shop, product, paid_at = order["shop"], order["product"], order["paid_at"]
    for code in (order["receiver_region"], order["sender_region"]):
        if code in unknown_regions:
            raise InvalidInput("region_unknown", gettext("Unknown or malformed region code: %(code)s.") % {"code": code})
    if product.shop_id != shop.pk:
        raise InvalidInput(
            "product_not_found",
            gettext("Product %(product)s is not a product of shop %(shop)s.") % {"product": product.code, "shop": shop.code},
        )
    deadline = order.get("ship_deadline") or paid_at + settings.ORDER_DEFAULT_SHIP_WINDOW
    if deadline < paid_at:
        raise InvalidInput("ship_deadline_before_paid", gettext("ship_deadline must not be before paid_at."))
    return {
        "order_no": order["order_no"],
        "shop_id": shop.pk,
        "product_id": product.pk,
        "amount": order["amount"],
        "paid_at": paid_at,
        "ship_deadline": deadline,
        "receiver_region_id": order["receiver_region"],
        "sender_region_id": order["sender_region"],
    }


def field_of(name: str) -> "Field[object, object]":
    """A concrete field of ``Order`` (typed: ``get_field`` may also return a relation)."""
    field = Order._meta.get_field(name)
    assert isinstance(field, Field)
    return field


def _orders_insert(rows: Sequence[Mapping[str, object]], now: datetime) -> dict[str, int]:
    """``INSERT … ON CONFLICT (order_no) DO NOTHING RETURNING id, order_no`` of all rows in one
    statement; returns the order numbers actually inserted with their ids. A row whose number
    exists (stored before, by a concurrent request, or earlier in this batch) is skipped."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    fields = [field_of(name) for name in ORDER_COLUMNS]
    columns = ", ".join(quote(str(f.column)) for f in fields)
    table = quote(Order._meta.db_table)
    tail = f"ON CONFLICT ({quote('order_no')}) DO NOTHING RETURNING {quote('id')}, {quote('order_no')}"
    if connection.vendor == "postgresql":
        # One array per column: the statement text and its parameter count do not grow with the batch.
        arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
        sql = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) {tail}"
        params = [_pg_array(row[name] for row in rows) for name in ORDER_COLUMNS[:-1]]
        params.append(_pg_array([now] * len(rows)))
    else:
        placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
        sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholders] * len(rows))} {tail}"
        params = [field.get_db_prep_save(row.get(field.attname, now), connection) for row in rows for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {order_no: pk for pk, order_no in cursor.fetchall()}


def _pg_array(values: Iterable[object]) -> str:
    """A PostgreSQL array literal (``{"a","b"}``) of strings, numbers or datetimes, built with one
    join: passed as one text parameter it costs nothing to bind, where a Python list of 1,000
    values was adapted element by element (~0.1 s for a batch's 9 columns)."""
    quoted = (str(v).replace("\\", "\\\\").replace('"', '\\"') for v in values)
    return "{" + ",".join(f'"{v}"' for v in quoted) + "}"


@transaction.atomic
def orders_ingest(*, actor: Actor, orders: Sequence[OrderPush], objects: bool = False) -> list[OrderOutcome]:
    """Ingest a batch of validated orders; one result per order, in order (SPEC §8).

    Each order is judged as if posted alone, in sequence: ``Ingested(created=True)`` for a new
    order, ``created=False`` for an identical repeat (of a stored order or of an earlier item of
    the batch), ``Conflict("order_conflict")`` for a repeat that differs, ``InvalidInput`` for
    what the rules refuse. One refused order does not stop the others. Set-based, a fixed number
    of statements whatever the batch size: one region look-up, one ``INSERT … ON CONFLICT DO
    NOTHING``, one read of the numbers that already existed, one ``INSERT … SELECT`` of the audit rows.
    ``Ingested.obj`` is the stored ``Order`` of a repeat; of a new order its id (a batch has no use
    for 1,000 model instances), or with ``objects=True`` an ``Order`` built from the values.
    """
    results: dict[int, OrderOutcome] = {}  # by index: every order gets its answer
    unknown = set(unknown_region_codes(sorted({o[k] for o in orders for k in ("receiver_region", "sender_region")})))
    rows: dict[int, OrderRow] = {}
    for index, order in enumerate(orders):
        try:
            rows[index] = _order_row(order, unknown)
        except DomainError as error:
            results[index] = error
    now = timezone.now()
    inserted = _orders_insert(list(rows.values()), now) if rows else {}
    first_index: dict[str, int] = {}
    for index, row in rows.items():
        first_index.setdefault(row["order_no"], index)
    created = {first_index[order_no] for order_no in inserted}
    repeats = {row["order_no"] for index, row in rows.items() if index not in created}
    stored: dict[str, Order | OrderRow] = {o.order_no: o for o in Order.objects.filter(order_no__in=repeats)} if repeats else {}
    for index, row in rows.items():
        order_no = row["order_no"]
        if index in created:
            if objects:
                created_order = Order(pk=inserted[order_no], created_at=now, **row)
                created_order.shop = orders[index]["shop"]
                results[index] = Ingested(created_order, True)
            else:
                results[index] = Ingested(inserted[order_no], True)
            stored[order_no] = row
            continue
        existing = stored[order_no]
        get = existing.get if isinstance(existing, dict) else existing.__dict__.get
        values: Mapping[str, object] = row
        differing = sorted(name for name in _ORDER_COMPARED if get(name) != values[name])
        if differing:
            results[index] = Conflict(
                "order_conflict",
                gettext("Order %(no)s already exists with different %(fields)s.")
                % {"no": order_no, "fields": ", ".join(differing)},
            )
        else:
            results[index] = Ingested(existing, False)
    if inserted:
        audit_record_select(actor=actor, rows=Order.objects.filter(pk_in(inserted.values())), action="order_created", at=now)
    return [results[index] for index in range(len(orders))]


EVENT_FIELDS = {"shipped": "shipped_at", "picked_up": "picked_up_at", "cancelled": "cancelled_at"}


def _event_judge(order: Order | None, order_no: str, event_type: str, at: datetime) -> bool:
    """Whether the event changes ``order`` (True) or repeats what it holds (False); raises the
    domain error that refuses it. Mutates ``order`` when it applies."""
    if order is None:
        raise NotFound("order_not_found", gettext("Order %(no)s not found.") % {"no": order_no})
    field = EVENT_FIELDS[event_type]
    current = getattr(order, field)
    if current is not None:
        if current == at:
            return False
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
    return True


def _orders_update_events(orders: list[Order]) -> None:
    """Write the three event timestamps of ``orders`` (locked by the caller) in one statement."""
    connection = connections[DEFAULT_DB_ALIAS]
    fields = list(EVENT_FIELDS.values())
    assignments = ", ".join(f"{f} = v.{f}" for f in fields)
    if connection.vendor == "postgresql":
        source = f"unnest(%s::bigint[], {', '.join(['%s::timestamptz[]'] * len(fields))}) AS v(id, {', '.join(fields)})"
        params = [[o.pk for o in orders], *([getattr(o, f) for o in orders] for f in fields)]
    else:  # SQLite ≥ 3.33: UPDATE … FROM (VALUES …)
        field = field_of(fields[0])
        row = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
        names = ", ".join(f"column{i + 2} AS {f}" for i, f in enumerate(fields))
        source = f"(SELECT column1 AS id, {names} FROM (VALUES {', '.join([row] * len(orders))})) AS v"
        params = [value for o in orders for value in (o.pk, *(field.get_db_prep_save(getattr(o, f), connection) for f in fields))]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Order._meta.db_table} AS o SET {assignments} FROM {source} WHERE o.id = v.id", params)


@transaction.atomic
def order_events_apply(*, actor: Actor, events: Sequence[tuple[str, str, datetime]]) -> list[Ingested[Order] | DomainError]:
    """Record shipped / picked-up / cancelled events ``(order_no, type, at)``; one result per
    event, in order, each judged as if posted alone in sequence (an earlier event of the batch
    counts for a later one). Impossible sequences are refused with their own 409 codes, an
    unknown order is ``order_not_found``; the same event twice is a no-op (``created=False``).
    A fixed number of statements: lock the orders (by id order), one ``UPDATE … FROM unnest``,
    one audit insert."""
    wanted = {order_no for order_no, _, _ in events}
    orders = {o.order_no: o for o in Order.objects.select_for_update().filter(order_no__in=wanted).order_by("pk")}
    results: list[Ingested[Order] | DomainError] = []
    changed: dict[int, Order] = {}
    audit: list[AuditEntry] = []
    now = timezone.now()
    for order_no, event_type, at in events:
        order = orders.get(order_no)
        try:
            applied = _event_judge(order, order_no, event_type, at)
        except DomainError as error:
            results.append(error)
            continue
        assert order is not None  # _event_judge refused a missing order
        results.append(Ingested(order, applied))
        if applied:
            changed[order.pk] = order
            audit.append(
                audit_entry(actor=actor, target=order, action=f"order_{event_type}", data={"at": at.isoformat()}, at=now)
            )
    if changed:
        _orders_update_events(list(changed.values()))
        AuditEntry.objects.bulk_create(audit)
    return results


def order_event_apply(*, actor: Actor, order_no: str, event_type: str, at: datetime) -> Ingested[Order]:
    """Record that the order was shipped, picked up or cancelled at ``at``: ``order_events_apply``
    with one event. Refuses impossible sequences with their own 409 codes; the same event twice is
    a no-op."""
    (result,) = order_events_apply(actor=actor, events=[(order_no, event_type, at)])
    if isinstance(result, DomainError):
        raise result
    return result


# --- ops writes (the admin calls these) ------------------------------------------------------

SHOP_EDITABLE_FIELDS = ("code", "name", "kind")


@transaction.atomic
def shop_create(*, actor: User, code: str, name: str, kind: str) -> Shop:
    """A shop added by ops by hand (the platform's way in is ``shop_ingest``)."""
    shop = Shop.objects.create(code=code, name=name, kind=kind)
    audit_record(actor=actor, target=shop, action="shop_created", data={"kind": kind})
    return shop


@transaction.atomic
def shop_update(*, actor: User, shop: Shop, changes: Mapping[str, object]) -> Shop:
    """Change a shop's fields; the audit row holds each changed field's before → after."""
    shop = Shop.objects.select_for_update().get(pk=shop.pk)
    diff = apply_changes(shop, changes, editable=SHOP_EDITABLE_FIELDS, shown=str)
    if changes:
        shop.save(update_fields=list(changes))
        audit_record(actor=actor, target=shop, action="shop_changed", data=diff)
    return shop


@transaction.atomic
def shop_member_add(*, actor: User, shop: Shop, user: User) -> ShopMembership:
    """Give ``user`` access to ``shop`` (tenant access: audited on the shop)."""
    membership, _ = ShopMembership.objects.get_or_create(shop=shop, user=user)
    audit_record(actor=actor, target=shop, action="shop_member_added", data={"user": user.get_username()})
    return membership


@transaction.atomic
def shop_member_move(*, actor: User, membership: ShopMembership, user: User) -> ShopMembership:
    """Point an existing membership row at another user (audited as that user's addition)."""
    membership.user = user
    membership.save(update_fields=["user"])
    audit_record(actor=actor, target=membership.shop, action="shop_member_added", data={"user": user.get_username()})
    return membership


@transaction.atomic
def shop_member_remove(*, actor: User, membership: ShopMembership) -> None:
    """Take ``membership.user``'s access to the shop away (audited on the shop)."""
    shop, user = membership.shop, membership.user
    membership.delete()
    audit_record(actor=actor, target=shop, action="shop_member_removed", data={"user": user.get_username()})
