"""Changelists of the big tables (orders, tasks, urges, complaints, badge stats, audit) answer in a
number of queries that does not grow with the table, and do not ``COUNT(*)`` the whole table on
each page view (issue 12: 10M orders a day)."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from badges.models import ProductPickupStat
from complaints.models import Complaint
from complaints.tests.factories import ComplaintFactory
from core.models import AuditEntry
from core.paginators import EstimatedCountPaginator
from shops.models import Order
from shops.tests.factories import OrderFactory
from tickets.models import Urge, UrgeTask
from tickets.tests.factories import UrgeTaskFactory

pytestmark = pytest.mark.django_db

BIG_TABLES = [Order, UrgeTask, Urge, Complaint, ProductPickupStat, AuditEntry]


@pytest.mark.parametrize("model", BIG_TABLES, ids=lambda m: m._meta.label)
def test_big_changelists_count_neither_the_table_twice_nor_exactly(model):
    model_admin = admin.site._registry[model]
    assert model_admin.show_full_result_count is False
    assert issubclass(model_admin.paginator, EstimatedCountPaginator)


def _changelist_queries(client, model) -> int:
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("model", "make"),
    [
        (Order, lambda n: OrderFactory.create_batch(n)),
        (UrgeTask, lambda n: UrgeTaskFactory.create_batch(n)),
        (Complaint, lambda n: ComplaintFactory.create_batch(n)),
        (
            AuditEntry,
            lambda n: [
                AuditEntry.objects.create(at=timezone.now(), target_type="shops.order", target_id=str(i), action="order_created")
                for i in range(n)
            ],
        ),
    ],
    ids=["orders", "tasks", "complaints", "audit"],
)
def test_changelist_query_count_does_not_grow_with_the_rows(client, ops_admin_user, model, make):
    client.force_login(ops_admin_user)
    make(2)
    client.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/")  # warm caches
    few = _changelist_queries(client, model)
    make(40)
    assert _changelist_queries(client, model) == few


@pytest.mark.postgres
def test_an_unfiltered_big_list_uses_the_planner_estimate(client, ops_admin_user, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    OrderFactory.create_batch(30)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE shops_order")
    monkeypatch.setattr(EstimatedCountPaginator, "ESTIMATE_FROM", 10)
    client.force_login(ops_admin_user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/admin/shops/order/").status_code == 200
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper() and "shops_order" in q["sql"]]
    assert counts == []
    assert any("reltuples" in q["sql"] for q in ctx.captured_queries)
    # A filtered list is counted exactly.
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/admin/shops/order/", {"q": "nothing-matches"}).status_code == 200
    assert any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)
