"""Platform ingestion (SPEC §2, §8): creates, idempotent repeats, conflicts, bad input."""

import pytest

from core.models import AuditEntry
from shops.models import Order, Product, Shop
from shops.tests.factories import OrderFactory, ProductFactory, order_body

pytestmark = pytest.mark.django_db

SHOPS = "/api/v1/platform/shops/"
PRODUCTS = "/api/v1/platform/products/"
ORDERS = "/api/v1/platform/orders/"


def events_url(order_no: str) -> str:
    return f"/api/v1/platform/orders/{order_no}/events/"


@pytest.fixture
def product(shop):
    return ProductFactory(shop=shop, code="P1")


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["detail"]


class TestShops:
    def test_create_then_identical_repeat_then_conflict(self, platform_api):
        body = {"code": "s1", "name": "一号店", "kind": "taobao"}
        created = platform_api.post(SHOPS, body, format="json")
        assert created.status_code == 201
        assert created.json() | {"created_at": None} == body | {"created_at": None}
        repeat = platform_api.post(SHOPS, body, format="json")
        assert repeat.status_code == 200
        assert_error(platform_api.post(SHOPS, {**body, "kind": "tmall"}, format="json"), 409, "shop_conflict")
        assert Shop.objects.get(code="s1").kind == "taobao"
        assert AuditEntry.objects.filter(action="shop_created").count() == 1

    def test_bad_kind_is_400_and_creates_nothing(self, platform_api):
        assert_error(platform_api.post(SHOPS, {"code": "s1", "name": "x", "kind": "jd"}, format="json"), 400, "invalid")
        assert not Shop.objects.exists()

    def test_missing_field_is_400(self, platform_api):
        assert_error(platform_api.post(SHOPS, {"code": "s1"}, format="json"), 400, "required")


class TestProducts:
    def test_create_repeat_conflict(self, platform_api, shop):
        body = {"shop": shop.code, "code": "P9", "title": "龙井", "price": "12.50"}
        assert platform_api.post(PRODUCTS, body, format="json").status_code == 201
        assert platform_api.post(PRODUCTS, body, format="json").status_code == 200
        assert_error(platform_api.post(PRODUCTS, {**body, "price": "13.00"}, format="json"), 409, "product_conflict")

    def test_same_code_in_another_shop_is_another_product(self, platform_api, shop, other_shop):
        body = {"code": "P9", "title": "龙井", "price": "12.50"}
        assert platform_api.post(PRODUCTS, {**body, "shop": shop.code}, format="json").status_code == 201
        assert platform_api.post(PRODUCTS, {**body, "shop": other_shop.code}, format="json").status_code == 201
        assert Product.objects.filter(code="P9").count() == 2

    def test_nul_character_in_the_shop_code_is_400_before_any_lookup(self, platform_api):
        # Was a 500 on PostgreSQL (DataError: text cannot contain NUL): the shop was looked up first.
        body = {"shop": "shop\x00a", "code": "P1", "title": "茶", "price": "10.00"}
        assert_error(platform_api.post(PRODUCTS, body, format="json"), 400, "null_characters_not_allowed")
        assert not Product.objects.exists()

    def test_unknown_shop(self, platform_api):
        body = {"shop": "nope", "code": "P9", "title": "龙井", "price": "12.50"}
        assert_error(platform_api.post(PRODUCTS, body, format="json"), 400, "shop_not_found")


class TestOrders:
    def test_create_defaults_ship_deadline_to_48h(self, platform_api, product):
        response = platform_api.post(ORDERS, order_body(), format="json")
        assert response.status_code == 201, response.content
        order = Order.objects.get(order_no="T0001")
        assert (order.ship_deadline - order.paid_at).total_seconds() == 48 * 3600
        assert response.json()["ship_deadline"] == "2022-12-30T10:00:00+08:00"

    def test_identical_repeat_is_200_and_conflict_is_409(self, platform_api, product):
        assert platform_api.post(ORDERS, order_body(), format="json").status_code == 201
        assert platform_api.post(ORDERS, order_body(), format="json").status_code == 200
        assert_error(platform_api.post(ORDERS, order_body(amount="99.00"), format="json"), 409, "order_conflict")
        assert Order.objects.get().amount == 88

    @pytest.mark.parametrize(
        ("field", "value", "code"),
        [
            ("receiver_region", "999999", "region_unknown"),
            ("sender_region", "12345", "region_malformed"),
            ("receiver_region", "33010x", "region_malformed"),
            ("product", "nope", "product_not_found"),
            ("shop", "nope", "shop_not_found"),
            ("amount", "0.00", "invalid"),
            ("paid_at", "yesterday", "datetime_invalid"),
            ("ship_deadline", "2022-12-27T10:00:00+08:00", "ship_deadline_before_paid"),
            # Was a 500 (OverflowError computing paid_at + 48h); out of range is refused at the edge.
            ("paid_at", "9999-12-31T23:00:00+08:00", "datetime_out_of_range"),
            ("paid_at", "0001-01-01T00:00:00+00:00", "datetime_out_of_range"),
            ("ship_deadline", "9999-12-31T23:00:00+08:00", "datetime_out_of_range"),
        ],
    )
    def test_bad_input_is_400_and_changes_nothing(self, platform_api, product, field, value, code):
        assert_error(platform_api.post(ORDERS, order_body(**{field: value}), format="json"), 400, code)
        assert not Order.objects.exists()

    def test_product_of_another_shop_is_not_found(self, platform_api, product, other_shop):
        ProductFactory(shop=other_shop, code="PB")
        assert_error(platform_api.post(ORDERS, order_body(product="PB"), format="json"), 400, "product_not_found")


class TestOrderEvents:
    @pytest.fixture
    def order(self, product):
        return OrderFactory(order_no="E1", product=product)

    def post(self, api, order_no, type_, at):
        return api.post(events_url(order_no), {"type": type_, "at": at}, format="json")

    def test_ship_pick_up_and_repeat(self, platform_api, order):
        assert self.post(platform_api, "E1", "shipped", "2022-12-28T12:00:00+08:00").status_code == 200
        response = self.post(platform_api, "E1", "picked_up", "2022-12-28T15:00:00+08:00")
        assert response.status_code == 200
        assert response.json()["picked_up_at"] == "2022-12-28T15:00:00+08:00"
        assert self.post(platform_api, "E1", "picked_up", "2022-12-28T15:00:00+08:00").status_code == 200
        assert AuditEntry.objects.filter(action="order_picked_up").count() == 1

    def test_conflicting_repeat(self, platform_api, order):
        self.post(platform_api, "E1", "shipped", "2022-12-28T12:00:00+08:00")
        assert_error(self.post(platform_api, "E1", "shipped", "2022-12-28T13:00:00+08:00"), 409, "event_conflict")

    def test_picked_up_before_shipped(self, platform_api, order):
        assert_error(self.post(platform_api, "E1", "picked_up", "2022-12-28T15:00:00+08:00"), 409, "picked_up_before_shipped")
        self.post(platform_api, "E1", "shipped", "2022-12-28T16:00:00+08:00")
        assert_error(self.post(platform_api, "E1", "picked_up", "2022-12-28T15:00:00+08:00"), 409, "picked_up_before_shipped")
        order.refresh_from_db()
        assert order.picked_up_at is None

    def test_cancelled_after_shipped(self, platform_api, order):
        self.post(platform_api, "E1", "shipped", "2022-12-28T12:00:00+08:00")
        assert_error(self.post(platform_api, "E1", "cancelled", "2022-12-28T13:00:00+08:00"), 409, "cancelled_after_shipped")
        order.refresh_from_db()
        assert order.cancelled_at is None

    def test_shipped_after_cancelled(self, platform_api, order):
        self.post(platform_api, "E1", "cancelled", "2022-12-28T11:00:00+08:00")
        assert_error(self.post(platform_api, "E1", "shipped", "2022-12-28T12:00:00+08:00"), 409, "shipped_after_cancelled")

    def test_event_before_paid(self, platform_api, order):
        assert_error(self.post(platform_api, "E1", "shipped", "2022-12-28T09:59:59+08:00"), 409, "event_before_paid")

    def test_unknown_order_is_404(self, platform_api):
        assert_error(self.post(platform_api, "NOPE", "shipped", "2022-12-28T12:00:00+08:00"), 404, "order_not_found")

    def test_unknown_event_type_is_400(self, platform_api, order):
        assert_error(self.post(platform_api, "E1", "delivered", "2022-12-28T12:00:00+08:00"), 400, "invalid")

    def test_an_event_time_out_of_range_is_400_and_records_nothing(self, platform_api, order):
        assert_error(self.post(platform_api, "E1", "shipped", "9999-12-31T23:59:00+08:00"), 400, "datetime_out_of_range")
        order.refresh_from_db()
        assert order.shipped_at is None


class TestRoles:
    @pytest.mark.parametrize("url", [SHOPS, PRODUCTS, ORDERS, events_url("E1")])
    def test_merchant_is_forbidden_on_platform_endpoints(self, merchant_api, url):
        response = merchant_api.post(url, {}, format="json")
        assert_error(response, 403, "permission_denied")

    def test_ops_reviewer_is_forbidden_on_platform_endpoints(self, ops_api):
        assert ops_api.post(SHOPS, {}, format="json").status_code == 403

    def test_anonymous_is_unauthorised(self, api):
        response = api.post(SHOPS, {"code": "s1", "name": "x", "kind": "taobao"}, format="json")
        assert response.status_code in (401, 403)
        assert response.json()["code"] == "not_authenticated"
        assert not Shop.objects.exists()

    def test_bad_token_is_rejected(self, api):
        api.credentials(HTTP_AUTHORIZATION="Token deadbeef")
        assert_error(api.post(SHOPS, {}, format="json"), 401, "authentication_failed")


def test_region_list_matches_its_schema_with_provinces_parentless(merchant_api):
    """The schema said ``parent`` is a string; a province's is null (found by schemathesis)."""
    from core.tests.openapi import assert_matches_schema

    response = merchant_api.get("/api/v1/regions/", {"page_size": 5})
    assert response.json()["results"][0] == {"code": "110000", "name": "北京市", "level": "province", "parent": None}
    assert_matches_schema(response, "/api/v1/regions/")
