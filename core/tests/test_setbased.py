"""``core.setbased``'s compile-once queries and one-round-trip writes."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from core.setbased import CompiledQuery, chain_statements, insert_row_sql
from shops.models import Order, Shop
from shops.tests.factories import OrderFactory, sh

pytestmark = pytest.mark.django_db


def _orders(order_no, paid_after):
    return Order.objects.filter(order_no=order_no, paid_at__gt=paid_after).order_by().values_list("pk", "order_no")


@pytest.mark.postgres  # used by the statement forms only; SQLite adapts datetimes to text
def test_compiled_query_gives_the_sql_and_parameters_of_a_fresh_compile():
    compiled = CompiledQuery(_orders, order_no="\x1bsample", paid_after=datetime(2001, 2, 3, tzinfo=UTC))
    for order_no, paid_after in [("A1", sh(2022, 1, 1)), ("B2", sh(2023, 5, 6, 7, 8))]:
        fresh = _orders(order_no, paid_after).query.get_compiler(using="default").as_sql()
        assert compiled.sql(order_no=order_no, paid_after=paid_after) == (fresh[0], list(fresh[1]))


@pytest.mark.postgres  # used by the statement forms only; SQLite adapts datetimes to text
def test_compiled_query_runs_with_each_call_s_values():
    first, second = OrderFactory(paid_at=sh(2022, 12, 28)), OrderFactory(paid_at=sh(2022, 12, 28))
    compiled = CompiledQuery(_orders, order_no="\x1bsample", paid_after=datetime(2001, 2, 3, tzinfo=UTC))
    assert compiled.rows(order_no=first.order_no, paid_after=sh(2022, 1, 1)) == [(first.pk, first.order_no)]
    assert compiled.rows(order_no=second.order_no, paid_after=sh(2022, 1, 1)) == [(second.pk, second.order_no)]
    assert compiled.rows(order_no=second.order_no, paid_after=sh(2023, 1, 1)) == []


@pytest.mark.postgres  # used by the statement forms only; SQLite adapts datetimes to text
def test_compiled_query_refuses_a_sample_that_is_not_a_parameter():
    compiled = CompiledQuery(lambda order_no: Order.objects.filter(pk=1), order_no="\x1bsample")
    with pytest.raises(ValueError, match="order_no"):
        compiled.sql(order_no="x")


def test_chained_inserts_write_every_row_as_save_would(django_assert_num_queries):
    rows = [Shop(code=f"chain-{i}", name=f"链 {i}", kind="tmall") for i in range(3)]
    queries = 1 if connection.vendor == "postgresql" else 3  # one round trip on PostgreSQL
    with django_assert_num_queries(queries):
        chain_statements([insert_row_sql(shop) for shop in rows])
    saved = {s.code: s for s in Shop.objects.filter(code__startswith="chain-")}
    assert sorted(saved) == ["chain-0", "chain-1", "chain-2"]
    assert all(s.name.startswith("链") and s.kind == "tmall" for s in saved.values())
    with django_assert_num_queries(queries):
        chain_statements([insert_row_sql(Shop(code="chain-0", name="again", kind="tmall"), ignore_conflicts=True)] * 3)
    assert Shop.objects.get(code="chain-0").name == "链 0"
