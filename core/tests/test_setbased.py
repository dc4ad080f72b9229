"""``core.setbased``'s compile-once queries and one-round-trip writes."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from psycopg.types.json import Jsonb

from core.setbased import (
    CompiledQuery,
    Placeholder,
    bind_to_source,
    chain_statements,
    insert_row_sql,
    pk_in_array_text,
    prepared_cursor,
)
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


def _prepared_plans(sql_start: str) -> list[tuple[int, int]]:
    """(generic plans, custom plans) of this connection's prepared statements starting so."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        return [(generic, custom) for statement, generic, custom in cursor.fetchall() if statement.startswith(sql_start)]


@pytest.mark.postgres  # prepared statements are PostgreSQL's
def test_a_prepared_compiled_query_is_planned_once_and_reused_with_other_values():
    first, second = OrderFactory(paid_at=sh(2022, 12, 28)), OrderFactory(paid_at=sh(2022, 12, 28))
    compiled = CompiledQuery(_orders, order_no="\x1bsample", paid_after=datetime(2001, 2, 3, tzinfo=UTC))
    sql, _params = compiled.sql(order_no="x", paid_after=sh(2022, 1, 1))
    for _ in range(3):
        assert compiled.rows(order_no=first.order_no, paid_after=sh(2022, 1, 1), prepared=True) == [(first.pk, first.order_no)]
        assert compiled.rows(order_no=second.order_no, paid_after=sh(2023, 1, 1), prepared=True) == []
    # One prepared statement, run six times on a generic plan: planned once, never re-planned.
    assert _prepared_plans(sql[:60]) == [(6, 0)]
    # Django's own cursors still bind client-side and prepare nothing.
    Order.objects.filter(order_no=first.order_no).count()
    Order.objects.filter(order_no=first.order_no).count()
    assert _prepared_plans('SELECT COUNT(*) AS "__count" FROM "shops_order"') == []


@pytest.mark.postgres  # prepared statements are PostgreSQL's
def test_a_prepared_statement_shows_in_django_s_query_log_as_its_server_side_text():
    with CaptureQueriesContext(connection) as ctx, prepared_cursor() as cursor:
        for n in (1, 2):
            cursor.execute("SELECT %s::int", [n])
    assert [q["sql"] for q in ctx.captured_queries] == ["SELECT $1::int"] * 2


@pytest.mark.postgres  # an array parameter is PostgreSQL's
def test_pk_in_array_text_takes_the_ids_as_the_text_of_one_array():
    first, second, _third = OrderFactory(), OrderFactory(), OrderFactory()
    ids = "{" + f"{first.pk},{second.pk}" + "}"
    assert set(Order.objects.filter(pk_in_array_text(ids)).values_list("pk", flat=True)) == {first.pk, second.pk}
    assert not Order.objects.filter(pk_in_array_text("{}")).exists()


@pytest.mark.postgres  # prepared statements are PostgreSQL's
def test_a_prepared_chain_of_more_than_fifty_parameters_runs_and_repeats():
    # Over psycopg's own conversion cache limits (50 parameters): still converted and run right.
    rows = [Shop(code=f"prep-{i}", name=f"预 {i}", kind="tmall") for i in range(20)]
    statements = [insert_row_sql(shop) for shop in rows]
    assert sum(len(params) for _sql, params in statements) > 50
    chain_statements(statements, prepared=True)
    chain_statements(
        [insert_row_sql(Shop(code=f"prep-{i}", name="again", kind="tmall"), ignore_conflicts=True) for i in range(20)],
        prepared=True,
    )
    assert sorted(Shop.objects.filter(code__startswith="prep-").values_list("name", flat=True)) == sorted(
        f"预 {i}" for i in range(20)
    )


def test_prepared_chain_elsewhere_than_postgresql_runs_on_the_ordinary_cursor(django_assert_num_queries):
    queries = 1 if connection.vendor == "postgresql" else 2
    with django_assert_num_queries(queries):
        chain_statements([insert_row_sql(Shop(code=f"plain-{i}", name="普", kind="tmall")) for i in range(2)], prepared=True)
    assert Shop.objects.filter(code__startswith="plain-").count() == 2


def test_bind_to_source_writes_a_values_row_from_the_source_row_with_its_ids_swapped_in():
    task, shop = Placeholder(1), Placeholder(2)
    statement = (
        "INSERT INTO t (id, shop_id, title, data, n) VALUES (%s, %s, %s, %s, %s)",
        [int(task), shop, f"task #{int(task)}", Jsonb({"id": int(task), "x": "y"}), 7],
    )
    sql, params = bind_to_source(statement, source="src", bind={task: "task_id", shop: "shop_id"})
    assert sql == (
        "INSERT INTO t (id, shop_id, title, data, n) SELECT src.task_id, src.shop_id, "
        f"replace(%s::text, '{int(task)}', (src.task_id)::text), "
        f"(replace(%s::text, '{int(task)}', (src.task_id)::text))::jsonb, %s FROM src"
    )
    assert params == [f"task #{int(task)}", '{"id": ' + str(int(task)) + ', "x": "y"}', 7]


def test_bind_to_source_reads_the_source_through_subqueries_in_an_insert_select():
    shop = Placeholder(3)
    insert = "INSERT INTO n (user_id, kind) SELECT m.user_id, %s FROM m WHERE m.shop_id = %s ON CONFLICT DO NOTHING"
    sql, params = bind_to_source((insert, ["k", shop]), source="src", bind={shop: "shop_id"})
    assert sql == insert.replace("= %s", "= (SELECT shop_id FROM src)")
    assert params == ["k"]


def test_bind_to_source_refuses_sql_it_cannot_read_placeholder_by_placeholder():
    with pytest.raises(ValueError, match="one %s per parameter"):
        bind_to_source(("SELECT %s", []), source="src", bind={})
    with pytest.raises(ValueError, match="one %s per parameter"):
        bind_to_source(("SELECT '100%%', %s", [1]), source="src", bind={})


def test_a_placeholder_s_digits_are_longer_than_any_text_field_it_could_hide_in():
    # Texts that reach an insert are at most 200 characters (a title), never all digits this long.
    assert len(str(int(Placeholder(1)))) == 31 and str(int(Placeholder(1))) != str(int(Placeholder(2)))
