from decimal import Decimal

import pytest

from core.audit import audit_trail
from shops.tests.factories import OrderFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_order_admin_filters_by_receiver_province_and_searches_order_no(client, ops_user):
    OrderFactory(order_no="ZJ1", receiver_region_id="330102")
    OrderFactory(order_no="GD1", receiver_region_id="440305")
    client.force_login(ops_user)
    body = client.get("/admin/shops/order/", {"receiver_province": "330000"}).content.decode()
    assert "ZJ1" in body and "GD1" not in body
    assert "浙江省" in body  # the filter lists provinces by Chinese name
    body = client.get("/admin/shops/order/", {"q": "GD1"}).content.decode()
    assert "GD1" in body and "ZJ1" not in body


def test_orders_products_and_regions_are_read_only_in_the_admin(client, ops_admin_user):
    """Orders and products come from the platform's ingestion (with its rules and audit rows);
    regions are the GB/T 2260 table. Even an ops admin only reads them in the admin."""
    order = OrderFactory(order_no="RO1")
    client.force_login(ops_admin_user)
    page = client.get(f"/admin/shops/order/{order.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    client.post(f"/admin/shops/order/{order.pk}/change/", {"amount": "1.00"})
    order.refresh_from_db()
    assert order.amount != Decimal("1.00")
    for model in ("order", "product", "region"):
        assert client.get(f"/admin/shops/{model}/add/").status_code == 403


def test_shop_edits_and_memberships_are_audited(client, ops_admin_user, shop):
    merchant = UserFactory(username="new-member")
    client.force_login(ops_admin_user)
    url = f"/admin/shops/shop/{shop.pk}/change/"
    form = {
        "code": shop.code,
        "name": "新店名",
        "kind": shop.kind,
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-user": str(merchant.pk),
        "memberships-0-shop": str(shop.pk),
    }
    assert client.post(url, form).status_code == 302
    shop.refresh_from_db()
    assert shop.name == "新店名" and shop.memberships.filter(user=merchant).exists()
    trail = {e.action: e for e in audit_trail(shop)}
    assert trail["shop_changed"].data["name"][1] == "新店名" and trail["shop_changed"].actor == ops_admin_user
    assert trail["shop_member_added"].data == {"user": "new-member"}
    membership = shop.memberships.get(user=merchant)
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))  # ops admins cannot delete
    removal = {
        **form,
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": str(membership.pk),
        "memberships-0-DELETE": "on",
    }
    assert client.post(url, removal).status_code == 302
    assert not shop.memberships.filter(user=merchant).exists()
    assert [e.data for e in audit_trail(shop) if e.action == "shop_member_removed"] == [{"user": "new-member"}]
