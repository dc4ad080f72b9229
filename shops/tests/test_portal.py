import pytest
from django.urls import reverse

from shops.tests.factories import OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_portal_requires_login(client):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_login_page_is_chinese(client):
    body = client.get(reverse("login")).content.decode()
    assert "登录" in body and "用户名" in body


def test_home_shows_only_my_shops_with_real_counts(client, merchant, shop, other_shop):
    product = ProductFactory(shop=shop)
    OrderFactory.create_batch(3, product=product)
    OrderFactory(product=ProductFactory(shop=other_shop))
    client.force_login(merchant)
    response = client.get(reverse("portal:home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "我的店铺" in body
    assert shop.name in body and other_shop.name not in body
    rows = {s.code: (s.product_count, s.order_count) for s in response.context["shops"]}
    assert rows == {shop.code: (1, 3)}


def test_logout_is_a_post(client, merchant):
    client.force_login(merchant)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("portal:home")).status_code == 302
