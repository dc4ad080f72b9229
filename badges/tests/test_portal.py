from datetime import date

import pytest
from django.urls import reverse

from badges.services import badge_run_day
from badges.tests.factories import make_orders
from shops.tests.factories import ProductFactory, sh

pytestmark = pytest.mark.django_db


def test_products_page_requires_login(client):
    assert client.get(reverse("badges:portal-products")).status_code == 302


def test_products_page_shows_badges_and_a_14_day_chart(client, merchant, shop, other_shop):
    mine, theirs = ProductFactory(shop=shop, title="明前龙井"), ProductFactory(shop=other_shop, title="别人的商品")
    for day in (26, 27, 28):  # two good days, then one slow day
        late = 1 if day == 27 else 0
        make_orders(mine, on_time=20, late=late, paid_at=sh(2022, 12, day, 10))
        badge_run_day(day=date(2022, 12, day), now=sh(2022, 12, day + 3, 2))
    make_orders(theirs, on_time=3)
    client.force_login(merchant)
    response = client.get(reverse("badges:portal-products"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "明前龙井" in body and "别人的商品" not in body
    assert "48h极速发货" in body and "×1.20" in body
    row = response.context["rows"][0]
    assert response.context["days"][-1] == date(2022, 12, 28) and len(response.context["days"]) == 14
    assert [(d.day.day, d.badged) for d in row["chart"].dots] == [(26, True), (27, False), (28, True)]
    assert body.count("<svg") == 1 and "<polyline" in body


def test_products_page_badged_filter(client, merchant, shop):
    good, slow = ProductFactory(shop=shop, title="好商品"), ProductFactory(shop=shop, title="慢商品")
    make_orders(good, on_time=5)
    make_orders(slow, on_time=1, late=1)
    badge_run_day(day=date(2022, 12, 28), now=sh(2022, 12, 31, 2))
    client.force_login(merchant)
    body = client.get(reverse("badges:portal-products"), {"badged": "1"}).content.decode()
    assert "好商品" in body and "慢商品" not in body


def test_products_page_without_any_badge_run(client, merchant, shop):
    # given a product and no badge run at all (a new shop, a fresh install)
    from shops.tests.factories import ProductFactory

    ProductFactory(shop=shop, title="新品")
    client.force_login(merchant)
    # then the page shows the product instead of a 500
    response = client.get("/badges/")
    assert response.status_code == 200 and "新品" in response.content.decode()
