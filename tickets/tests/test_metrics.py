"""Daily service-metric rollup and the 灯塔 求助率 endpoint."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.management import call_command

from complaints.models import Complaint
from shops.tests.factories import OrderFactory, ProductFactory, sh
from tickets.models import ServiceMetricDaily, UrgeTask
from tickets.services import service_metrics_rollup
from tickets.tests.factories import UrgeTaskFactory

pytestmark = pytest.mark.django_db
DAY = date(2022, 12, 28)
URL = "/api/v1/metrics/service/"


def build_day(shop):
    """On 2022-12-28 (Shanghai): 4 paid orders (one at 23:59:59; one at 00:00 the next day is not
    counted), 3 tasks opened, one replied on time, one due and replied late, one due and still overdue,
    one complaint by a buyer."""
    product = ProductFactory(shop=shop)
    orders = [OrderFactory(product=product, paid_at=sh(2022, 12, 28, h)) for h in (0, 9, 15)]
    orders.append(OrderFactory(product=product, paid_at=sh(2022, 12, 28, 23, 59, 59)))
    OrderFactory(product=product, paid_at=sh(2022, 12, 29))
    UrgeTaskFactory(order=orders[0], opened_at=sh(2022, 12, 28, 1), status="replied", replied_at=sh(2022, 12, 28, 2))
    UrgeTaskFactory(
        order=orders[1], opened_at=sh(2022, 12, 27, 8), status="replied_late", replied_at=sh(2022, 12, 28, 10)
    )  # due 12-28 08:00
    UrgeTaskFactory(order=orders[2], opened_at=sh(2022, 12, 27, 20), status="overdue")  # due 12-28 20:00
    UrgeTaskFactory(order=orders[3], opened_at=sh(2022, 12, 28, 16))
    UrgeTaskFactory(order=orders[3], opened_at=sh(2022, 12, 28, 17), status="replied")  # replied_at NULL: ignored
    Complaint.objects.create(
        event_id="c1", order=orders[0], reason="delayed_shipment", source="buyer", filed_at=sh(2022, 12, 28, 23, 0)
    )
    Complaint.objects.create(
        event_id="c2", order=orders[0], reason="delayed_shipment", source="buyer", filed_at=sh(2022, 12, 29, 0, 0)
    )


def test_rollup_counts_one_shanghai_day_per_shop(shop, other_shop):
    build_day(shop)
    assert service_metrics_rollup(day=DAY) == 2
    row = ServiceMetricDaily.objects.get(shop=shop, day=DAY)
    assert (row.tasks_opened, row.replied_on_time, row.replied_late, row.overdue, row.complaints, row.paid_orders) == (
        3,
        1,
        1,
        2,
        1,
        4,
    )
    empty = ServiceMetricDaily.objects.get(shop=other_shop, day=DAY)
    assert (empty.tasks_opened, empty.paid_orders) == (0, 0)


def test_rollup_is_idempotent_and_replaces_the_day(shop):
    build_day(shop)
    service_metrics_rollup(day=DAY)
    service_metrics_rollup(day=DAY)
    assert ServiceMetricDaily.objects.filter(shop=shop, day=DAY).count() == 1
    UrgeTask.objects.filter(status="overdue").update(status="replied_late", replied_at=sh(2022, 12, 29, 1))
    OrderFactory(product=ProductFactory(shop=shop), paid_at=sh(2022, 12, 28, 12))
    service_metrics_rollup(day=DAY)
    row = ServiceMetricDaily.objects.get(shop=shop, day=DAY)
    assert (row.overdue, row.paid_orders) == (2, 5)


def test_rollup_command(shop):
    build_day(shop)
    call_command("rollup_service_metrics", "--date", "2022-12-29", "--days", "2")
    assert set(ServiceMetricDaily.objects.filter(shop=shop).values_list("day", flat=True)) == {DAY, DAY + timedelta(1)}


def _row(shop, day, **values):
    return ServiceMetricDaily.objects.create(shop=shop, day=day, computed_at=sh(2023, 1, 1), **values)


def test_endpoint_gives_the_rolling_30_day_rate_and_series_for_own_shops(merchant_api, shop, other_shop):
    today = date(2023, 1, 30)
    _row(shop, today, tasks_opened=5, overdue=2, complaints=1, paid_orders=100, replied_on_time=3)
    _row(shop, today - timedelta(days=29), overdue=1, paid_orders=100)
    _row(shop, today - timedelta(days=30), overdue=50, paid_orders=1)  # outside the window
    _row(other_shop, today, overdue=9, paid_orders=10)
    with mock.patch("tickets.api.views.shanghai_today", return_value=today):
        body = merchant_api.get(URL).json()
    assert body["count"] == 1
    result = body["results"][0]
    assert result["shop"] == "shop-a"
    assert (result["window_start"], result["window_end"]) == ("2023-01-01", "2023-01-30")
    assert (result["overdue"], result["complaints"], result["paid_orders"]) == (3, 1, 200)
    assert result["help_seeking_rate"] == "0.0200"
    assert [d["day"] for d in result["daily"]] == ["2023-01-01", "2023-01-30"]
    assert result["daily"][1]["tasks_opened"] == 5


def test_rate_is_null_without_paid_orders(merchant_api, shop):
    result = merchant_api.get(URL).json()["results"][0]
    assert result["help_seeking_rate"] is None and result["daily"] == []


def test_bad_window_is_400(merchant_api, shop):
    assert merchant_api.get(URL, {"days": "x"}).json()["code"] == "invalid"
    assert merchant_api.get(URL, {"days": "0"}).status_code == 400


def test_platform_users_cannot_read_metrics(platform_api):
    assert platform_api.get(URL).status_code == 403
