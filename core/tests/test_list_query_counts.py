"""Every list endpoint of SPEC §8 answers in a number of queries that does not grow with the
page size (the lists not already asserted in their app's tests)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports.tests.factories import UnifiedExemptionFactory
from shops.tests.factories import ShopFactory
from tickets.models import ServiceMetricDaily

pytestmark = pytest.mark.django_db


def _same_count(client, url: str, django_assert_num_queries, **params) -> None:
    client.get(url, {"page_size": 1, **params})  # warm the forced user's role cache
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(url, {"page_size": 1, **params}).json()["results"]) == 1
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(client.get(url, {"page_size": 50, **params}).json()["results"]) > 1


def test_exemptions_in_force(merchant_api, django_assert_num_queries):
    now = timezone.now()
    for n in range(5):
        UnifiedExemptionFactory(
            title=f"免责{n}", regions=["330000", "440300"], starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=1)
        )
    _same_count(merchant_api, "/api/v1/exemptions/", django_assert_num_queries)


def test_service_metrics(merchant, merchant_api, django_assert_num_queries):
    today = timezone.localdate()
    for n in range(5):
        shop = ShopFactory(code=f"metric-{n}")
        shop.memberships.create(user=merchant)
        for d in range(3):
            ServiceMetricDaily.objects.create(
                shop=shop, day=today - timedelta(days=d), tasks_opened=1, paid_orders=10, computed_at=timezone.now()
            )
    _same_count(merchant_api, "/api/v1/metrics/service/", django_assert_num_queries)


def test_reply_options(merchant_api, django_assert_num_queries):
    _same_count(merchant_api, "/api/v1/reply-options/", django_assert_num_queries)
