"""The changelists' date drill-down reads the first and last date of the list, never a DISTINCT of
its dates (``core/templatetags/admin_calendar.py``): at 10M orders a day Django's own tag scans the
table, or a month of it, on every page view."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shops.tests.factories import OrderFactory, sh

pytestmark = pytest.mark.django_db

URL = "/admin/shops/order/"


def _get(client, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in ctx.captured_queries]


def _choices(html: str) -> list[str]:
    nav = re.search(r'<nav class="toplinks">(.*?)</nav>', html, re.S)
    assert nav, "no date hierarchy on the page"
    return [link.replace("&amp;", "&") for link in re.findall(r'<a href="\?([^"]*)"', nav.group(1))]


def _reads_distinct_dates(queries: list[str]) -> bool:
    return any("DISTINCT" in q.upper() and "paid_at" in q for q in queries)


@pytest.fixture
def orders_over_two_years(client, ops_admin_user):
    client.force_login(ops_admin_user)
    for paid in (sh(2022, 11, 3, 9), sh(2022, 12, 28, 10), sh(2022, 12, 30, 23), sh(2023, 2, 1, 8)):
        OrderFactory.create(paid_at=paid)


def test_the_top_level_offers_each_year_between_the_first_and_last_order(client, orders_over_two_years):
    html, queries = _get(client)
    assert _choices(html) == ["paid_at__year=2022", "paid_at__year=2023"]
    assert not _reads_distinct_dates(queries)


def test_a_year_offers_its_months_between_the_first_and_last_order(client, orders_over_two_years):
    html, queries = _get(client, paid_at__year=2022)
    assert _choices(html)[1:] == ["paid_at__month=11&paid_at__year=2022", "paid_at__month=12&paid_at__year=2022"]
    assert not _reads_distinct_dates(queries)


def test_a_month_offers_its_days_between_the_first_and_last_order_in_local_time(client, orders_over_two_years):
    html, queries = _get(client, paid_at__year=2022, paid_at__month=12)
    days = [re.search(r"paid_at__day=(\d+)", c).group(1) for c in _choices(html)[1:]]
    # 28 and 30 December have orders (Asia/Shanghai; 23:00 on the 30th is the 30th, not UTC's);
    # the 29th has none and is offered all the same: the tag does not look for rows day by day.
    assert days == ["28", "29", "30"]
    assert not _reads_distinct_dates(queries)


def test_a_single_year_list_opens_on_its_months_like_django(client, ops_admin_user):
    client.force_login(ops_admin_user)
    OrderFactory.create(paid_at=sh(2022, 12, 28, 10))
    OrderFactory.create(paid_at=sh(2022, 10, 1, 10))
    html, _ = _get(client)
    assert _choices(html)[1:] == [f"paid_at__month={m}&paid_at__year=2022" for m in (10, 11, 12)]


def test_an_empty_list_shows_no_drill_down(client, ops_admin_user):
    client.force_login(ops_admin_user)
    html, _ = _get(client)
    assert '<nav class="toplinks">' not in html
