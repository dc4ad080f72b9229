"""Bulk ingestion (SPEC §8): ``orders/bulk/`` and ``order-events/bulk/`` judge each item exactly as
the single endpoints do, answer one result per item in order, and a repeated batch is a no-op."""

import json
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.models import AuditEntry
from core.tests.openapi import assert_matches_schema
from shops.models import Order
from shops.tests.factories import OrderFactory, ProductFactory
from shops.tests.factories import order_body as order

pytestmark = pytest.mark.django_db
PAID = datetime(2022, 12, 28, 2, tzinfo=UTC)  # 10:00 Asia/Shanghai

ORDERS = "/api/v1/platform/orders/"
ORDERS_BULK = "/api/v1/platform/orders/bulk/"
EVENTS_BULK = "/api/v1/platform/order-events/bulk/"


def events_url(order_no: str) -> str:
    return f"/api/v1/platform/orders/{order_no}/events/"


def without(key: str, body: dict) -> dict:
    return {k: v for k, v in body.items() if k != key}


# Good and bad items, in one batch: new orders, repeats of a stored order and of an earlier item
# (identical and conflicting), and every way the single endpoint refuses an order.
ORDER_TABLE: list[object] = [
    order("B1"),
    order("B2", ship_deadline="2022-12-29T10:00:00+08:00"),
    order("B1"),  # identical repeat of item 0: 200
    order("B1", amount="1.00"),  # conflicting repeat of item 0: 409
    order("STORED"),  # identical to the stored order: 200
    order("STORED", receiver_region="110101"),  # differs from the stored order: 409
    order("B3", receiver_region="999999"),
    order("B4", sender_region="12345"),
    order("B5", receiver_region="33010x"),
    order("B6", product="nope"),
    order("B7", product="PB"),  # a product of another shop
    order("B8", shop="nope"),
    order("B9", shop="shop\x00a"),
    order("B10", amount="0.00"),
    order("B11", paid_at="yesterday"),
    order("B12", ship_deadline="2022-12-27T10:00:00+08:00"),
    order("B13", paid_at="9999-12-31T23:00:00+08:00"),
    order("B14", ship_deadline="9999-12-31T23:00:00+08:00"),
    without("amount", order("B15")),
    order("B16", shop=None),
    order("x" * 41),
    order("B18", product=" P1 "),  # trimmed like any CharField: P1
    order("B19", receiver_region=" 330102"),
    order("B20", shop=7),
    "not an object",
    [],
    {},
    None,
    order("B21", amount="not a number"),
    order("B22", paid_at="2090-01-01T00:00:00+08:00"),  # in the future
    order("B2", ship_deadline="2022-12-29T10:00:00+08:00"),  # identical repeat of item 1
]


@pytest.fixture
def products(shop, other_shop):
    product = ProductFactory(shop=shop, code="P1")
    ProductFactory(shop=other_shop, code="PB")
    OrderFactory(
        order_no="STORED",
        shop=shop,
        product=product,
        amount="88.00",
        paid_at=PAID,
        ship_deadline=datetime(2022, 12, 30, 2, tzinfo=UTC),
        receiver_region_id="330102",
        sender_region_id="440305",
    )
    return product


def _single_answer(response) -> tuple[int, str | None]:
    body = response.json()
    return response.status_code, (body.get("code") if response.status_code >= 400 else None)


def _orders_state() -> list[tuple]:
    return sorted(
        Order.objects.values_list(
            "order_no", "shop_id", "product_id", "amount", "paid_at", "ship_deadline", "receiver_region_id", "sender_region_id"
        )
    )


def _audit_state() -> list[tuple]:
    """The audit rows by order number (ids differ between two runs on PostgreSQL: sequences)."""
    numbers = {str(pk): order_no for pk, order_no in Order.objects.values_list("pk", "order_no")}
    return sorted(
        (action, numbers.get(target_id, target_id), data)
        for action, target_id, data in AuditEntry.objects.values_list("action", "target_id", "data")
    )


def _in_rolled_back_savepoint(run):
    """Run ``run()`` and return what it returns together with the state it left, then undo it."""
    with transaction.atomic():
        answer = run()
        state = (_orders_state(), _audit_state())
        transaction.set_rollback(True)
    return answer, state


class TestOrdersBulk:
    def test_each_item_is_judged_as_the_single_endpoint_judges_it(self, platform_api, products):
        # Given the table posted as one batch (undone afterwards) ...
        response, bulk_state = _in_rolled_back_savepoint(
            lambda: platform_api.post(ORDERS_BULK, {"orders": ORDER_TABLE}, format="json")
        )
        assert response.status_code == 200, response.content
        results = response.json()["results"]
        assert [r["index"] for r in results] == list(range(len(ORDER_TABLE)))
        # ... and the same items posted one by one to the single endpoint, in order,
        singles, single_state = _in_rolled_back_savepoint(
            lambda: [
                _single_answer(platform_api.post(ORDERS, json.dumps(item), content_type="application/json"))
                for item in ORDER_TABLE
            ]
        )
        # then every item has the same status and code, and the database ends the same.
        assert [(r["status"], r.get("code")) for r in results] == singles
        assert bulk_state == single_state
        # The table does exercise every kind of answer.
        codes = {r.get("code") for r in results}
        assert {201, 200, 400, 409} == {r["status"] for r in results}
        for code in [
            "region_unknown",
            "region_malformed",
            "product_not_found",
            "shop_not_found",
            "null_characters_not_allowed",
            "invalid",
            "required",
            "ship_deadline_before_paid",
            "datetime_out_of_range",
            "order_conflict",
        ]:
            assert code in codes, code
        assert all(r["detail"] for r in results if r["status"] >= 400)

    def test_one_bad_item_does_not_reject_the_others(self, platform_api, products):
        response = platform_api.post(ORDERS_BULK, {"orders": [order("G1"), order("X", shop="nope"), order("G2")]}, format="json")
        assert [r["status"] for r in response.json()["results"]] == [201, 400, 201]
        assert set(Order.objects.values_list("order_no", flat=True)) == {"STORED", "G1", "G2"}
        created = AuditEntry.objects.filter(action="order_created")
        assert sorted(created.values_list("target_id", flat=True)) == sorted(
            str(pk) for pk in Order.objects.filter(order_no__in=["G1", "G2"]).values_list("pk", flat=True)
        )
        assert set(created.values_list("actor__username", flat=True)) == {"platform"} or created.count() == 2

    def test_a_repeated_batch_is_a_no_op(self, platform_api, products):
        first = platform_api.post(ORDERS_BULK, {"orders": ORDER_TABLE}, format="json").json()["results"]
        state = (_orders_state(), _audit_state())
        again = platform_api.post(ORDERS_BULK, {"orders": ORDER_TABLE}, format="json").json()["results"]
        assert (_orders_state(), _audit_state()) == state
        assert [r["status"] for r in again] == [200 if r["status"] == 201 else r["status"] for r in first]
        assert [r.get("code") for r in again] == [r.get("code") for r in first]

    def test_the_answer_matches_the_schema(self, platform_api, products):
        response = platform_api.post(ORDERS_BULK, {"orders": [order("G1"), order("X", shop="nope")]}, format="json")
        assert_matches_schema(response, ORDERS_BULK, "POST")

    def test_query_count_does_not_grow_with_the_batch(self, platform_api, products):
        def queries(n: int, prefix: str) -> int:
            batch = [order(f"{prefix}{i}") for i in range(n)] + [order(f"{prefix}-bad", shop="nope"), order("STORED")]
            with CaptureQueriesContext(connection) as ctx:
                response = platform_api.post(ORDERS_BULK, {"orders": batch}, format="json")
            assert response.status_code == 200
            assert [r["status"] for r in response.json()["results"]] == [201] * n + [400, 200]
            return len(ctx.captured_queries)

        queries(1, "W")  # the client's first request reads what later ones have cached
        assert queries(3, "S") == queries(300, "L") <= 10

    @pytest.mark.parametrize(
        ("body", "code"),
        [
            ({}, "required"),
            ([], "required"),
            ({"orders": "B1"}, "invalid"),
            ({"orders": {"order_no": "B1"}}, "invalid"),
            ({"orders": [order(f"M{i}") for i in range(1001)]}, "too_many_items"),
        ],
    )
    def test_a_bad_envelope_is_400_and_creates_nothing(self, platform_api, products, body, code):
        response = platform_api.post(ORDERS_BULK, body, format="json")
        assert response.status_code == 400, response.content
        assert response.json()["code"] == code
        assert response.json()["detail"]
        assert list(Order.objects.values_list("order_no", flat=True)) == ["STORED"]

    def test_a_thousand_items_are_accepted(self, platform_api, products):
        response = platform_api.post(ORDERS_BULK, {"orders": [order(f"K{i}") for i in range(1000)]}, format="json")
        assert [r["status"] for r in response.json()["results"]] == [201] * 1000
        assert Order.objects.count() == 1001

    def test_an_empty_batch_is_an_empty_answer(self, platform_api):
        response = platform_api.post(ORDERS_BULK, {"orders": []}, format="json")
        assert response.status_code == 200
        assert response.json() == {"results": []}


# Events for orders E1 (paid 10:00), E2 and a missing one, in one batch: an earlier event of the
# batch counts for a later one, exactly as posting them one after the other would.
EVENT_TABLE = [
    {"order_no": "E1", "type": "picked_up", "at": "2022-12-28T15:00:00+08:00"},  # before shipped: 409
    {"order_no": "E1", "type": "shipped", "at": "2022-12-28T12:00:00+08:00"},
    {"order_no": "E1", "type": "shipped", "at": "2022-12-28T12:00:00+08:00"},  # repeat: no-op
    {"order_no": "E1", "type": "shipped", "at": "2022-12-28T13:00:00+08:00"},  # event_conflict
    {"order_no": "E1", "type": "picked_up", "at": "2022-12-28T11:00:00+08:00"},  # before shipped at
    {"order_no": "E1", "type": "picked_up", "at": "2022-12-28T15:00:00+08:00"},
    {"order_no": "E1", "type": "cancelled", "at": "2022-12-28T16:00:00+08:00"},  # after shipped
    {"order_no": "E2", "type": "shipped", "at": "2022-12-28T09:59:59+08:00"},  # before paid
    {"order_no": "E2", "type": "cancelled", "at": "2022-12-28T11:00:00+08:00"},
    {"order_no": "E2", "type": "shipped", "at": "2022-12-28T12:00:00+08:00"},  # after cancelled
    {"order_no": "NOPE", "type": "shipped", "at": "2022-12-28T12:00:00+08:00"},
    {"order_no": "E2", "type": "delivered", "at": "2022-12-28T12:00:00+08:00"},
    {"order_no": "E2", "type": "shipped", "at": "9999-12-31T23:59:00+08:00"},
    {"order_no": "E2", "type": "shipped"},
    {"order_no": "E1\x00", "type": "shipped", "at": "2022-12-28T12:00:00+08:00"},
    {"type": "shipped", "at": "2022-12-28T12:00:00+08:00"},
    "not an object",
]


@pytest.fixture
def event_orders(shop):
    product = ProductFactory(shop=shop, code="P1")
    for order_no in ("E1", "E2"):
        OrderFactory(order_no=order_no, shop=shop, product=product, paid_at=PAID)


def _events_state() -> list[tuple]:
    return sorted(Order.objects.values_list("order_no", "shipped_at", "picked_up_at", "cancelled_at"))


def _single_event(api, item) -> tuple[int, str | None]:
    if not isinstance(item, dict) or "order_no" not in item:
        return 400, "invalid" if not isinstance(item, dict) else "required"  # no URL to post to
    body = {k: v for k, v in item.items() if k != "order_no"}
    return _single_answer(api.post(events_url(item["order_no"]), body, format="json"))


class TestOrderEventsBulk:
    def test_each_event_is_judged_as_the_single_endpoint_judges_it(self, platform_api, event_orders):
        def bulk():
            response = platform_api.post(EVENTS_BULK, {"events": EVENT_TABLE}, format="json")
            return response, _events_state()

        (response, bulk_orders), bulk_state = _in_rolled_back_savepoint(bulk)
        assert response.status_code == 200, response.content
        results = response.json()["results"]

        def singles():
            # A NUL in a URL path never reaches the view; the body field is what bulk refuses.
            answers = [
                (400, "null_characters_not_allowed") if "\x00" in str(item) else _single_event(platform_api, item)
                for item in EVENT_TABLE
            ]
            return answers, _events_state()

        (single_answers, single_orders), single_state = _in_rolled_back_savepoint(singles)
        # The single endpoint answers 200 whether it recorded the event or it was already there,
        # and 404 for an order named in its URL; the batch says 201 / 200, and 400 for a body reference.
        expected = [(201 if status == 200 else 400 if status == 404 else status, code) for status, code in single_answers]
        expected[2] = (200, None)  # the repeat
        assert [(r["status"], r.get("code")) for r in results] == expected
        assert bulk_orders == single_orders
        assert bulk_state == single_state
        codes = {r.get("code") for r in results}
        assert {
            "picked_up_before_shipped",
            "event_conflict",
            "cancelled_after_shipped",
            "event_before_paid",
            "shipped_after_cancelled",
            "order_not_found",
            "invalid",
            "datetime_out_of_range",
            "required",
            "null_characters_not_allowed",
        } <= codes

    def test_a_repeated_batch_is_a_no_op(self, platform_api, event_orders):
        platform_api.post(EVENTS_BULK, {"events": EVENT_TABLE}, format="json")
        state = (_events_state(), _audit_state())
        again = platform_api.post(EVENTS_BULK, {"events": EVENT_TABLE}, format="json").json()["results"]
        assert (_events_state(), _audit_state()) == state
        assert 201 not in {r["status"] for r in again}

    def test_query_count_does_not_grow_with_the_batch(self, platform_api, shop):
        product = ProductFactory(shop=shop, code="P1")
        for i in range(200):
            OrderFactory(order_no=f"Q{i}", shop=shop, product=product, paid_at=PAID)

        def queries(order_nos) -> int:
            events = [{"order_no": n, "type": "shipped", "at": "2022-12-28T12:00:00+08:00"} for n in order_nos]
            with CaptureQueriesContext(connection) as ctx:
                response = platform_api.post(EVENTS_BULK, {"events": events}, format="json")
            assert {r["status"] for r in response.json()["results"]} == {201}
            return len(ctx.captured_queries)

        queries(["Q0"])  # the client's first request reads what later ones have cached
        # SQLite: Django splits a bulk_create (the audit rows) into statements of 999 parameters.
        last = 200 if connection.vendor == "postgresql" else 60
        assert queries(["Q1", "Q2"]) == queries([f"Q{i}" for i in range(3, last)]) <= 8

    def test_too_many_items(self, platform_api):
        events = [{"order_no": "E1", "type": "shipped", "at": "2022-12-28T12:00:00+08:00"}] * 1001
        response = platform_api.post(EVENTS_BULK, {"events": events}, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "too_many_items"

    def test_the_answer_matches_the_schema(self, platform_api, event_orders):
        events = [{"order_no": "E1", "type": "shipped", "at": "2022-12-28T12:00:00+08:00"}, {"order_no": "NOPE"}]
        response = platform_api.post(EVENTS_BULK, {"events": events}, format="json")
        assert_matches_schema(response, EVENTS_BULK, "POST")


class TestRoles:
    @pytest.mark.parametrize("url", [ORDERS_BULK, EVENTS_BULK])
    def test_only_platform_service_users(self, merchant_api, ops_api, api, url):
        assert merchant_api.post(url, {"orders": [], "events": []}, format="json").status_code == 403
        assert ops_api.post(url, {"orders": [], "events": []}, format="json").status_code == 403
        assert api.post(url, {"orders": [], "events": []}, format="json").status_code in (401, 403)


PLAIN_TABLE = [
    order("A1"),
    order("A2", amount="88"),
    order("A3", amount="88.5"),
    order("A4", amount="0.01"),
    order("A5", amount="9999999999.99"),
    order("A6", amount="00088.10"),
    order("A7", paid_at="2022-12-28T02:00:00Z"),
    order("A8", paid_at="2022-12-28T02:00:00.123456+00:00"),
    order("A9", paid_at="2022-12-28 10:00:00+08:00"),
    order("A10", paid_at="2022-12-28T10:00:00"),  # no offset: Asia/Shanghai (serializer path)
    order("A11", ship_deadline=None),
    order("A12", ship_deadline="2022-12-29T00:00:00-05:00"),
    order("订单-十三"),
    order("x" * 40),
    order(" A15"),
    order("A16", amount=88),
    order("A17", amount="1e2"),
    order("A18", amount="0.001"),
    order("A19", paid_at="1999-12-31T15:59:59+00:00"),
    order("A20", paid_at="1999-12-31T16:00:00+00:00"),
    order("A21", paid_at="2100-01-01T00:00:00+08:00"),
    order("A22", paid_at="2099-12-31T23:59:59.999999+08:00"),
    order("A23", extra="ignored"),
    order("A24", receiver_region=330102),
    order("A25", product="P1 "),
    order("A26", amount="0.00"),
    order("A27", amount="-1.00"),
    order("A28", amount="12345678901.00"),
    order("A29", paid_at="2090-01-01T00:00:00+08:00"),
]


def test_plain_order_path_agrees_with_the_serializer(products):
    """The shortcut in ``validate_items`` accepts only what the serializer accepts, and returns
    exactly the serializer's values for it; everything else goes to the serializer."""
    from shops.api.bulk import _PlainOrder
    from shops.api.serializers import IngestRefs, OrderIngestSerializer

    serializer = OrderIngestSerializer(context={"refs": IngestRefs(PLAIN_TABLE)})
    plain = _PlainOrder(serializer, serializer.context["refs"])
    taken = 0
    for item in PLAIN_TABLE:
        shortcut = plain(item)
        if shortcut is None:
            continue
        taken += 1
        assert shortcut == serializer.run_validation(item), item
    assert taken >= 15  # the shortcut is really taken for plain orders
