import pytest

from shops.tests.factories import OrderFactory

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
