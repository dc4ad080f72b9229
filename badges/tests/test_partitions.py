"""PostgreSQL: the stats table is partitioned by run; a run fills, indexes and attaches a
partition of its own, a re-run swaps it in its transaction (badges.computation)."""

from datetime import date, timedelta

import pytest
from django.db import connection

from badges import computation, services
from badges.models import BadgeRun, ProductPickupStat
from badges.tests.factories import RUN_AT, current_badges
from badges.tests.factories import mixed_catalogue as catalogue
from badges.tests.factories import stats_snapshot as snapshot
from core.errors import Conflict
from core.tests.races import outcome, run_together

DAY = date(2022, 12, 28)
TABLE = ProductPickupStat._meta.db_table

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _no_leftover_partitions(db):
    """A transactional test's flush empties the stats' partitions but keeps them attached: start
    each test here from none."""
    with connection.cursor() as cursor:
        for name in partitions():
            cursor.execute(f'DROP TABLE "{name}"')


def partitions() -> dict[str, list[str]]:
    """Attached partitions of the stats, each with the definitions of its indexes."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), "
            "array(SELECT pg_get_indexdef(x.indexrelid) FROM pg_index x WHERE x.indrelid = c.oid ORDER BY 1) "
            "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass ORDER BY 1",
            [TABLE],
        )
        return {name: [bound, *indexes] for name, bound, indexes in cursor.fetchall()}


def tables_like(pattern: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relname LIKE %s AND relkind = 'r' ORDER BY 1", [pattern])
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_a_run_attaches_one_indexed_partition_and_a_rerun_swaps_it():
    products = catalogue()
    run = services.badge_run_day(day=DAY, now=RUN_AT)
    first = snapshot()
    name = f"{TABLE}_r{run.pk}_a1"
    assert list(partitions()) == [name]
    bound, *indexes = partitions()[name]
    assert bound == f"FOR VALUES IN ('{run.pk}')"
    assert [i.split(" USING ")[1] for i in indexes] == ["btree (id, run_id)", "btree (run_id, product_id, attempt)"]
    assert all(i.startswith("CREATE UNIQUE INDEX") for i in indexes)
    ids = set(ProductPickupStat.objects.values_list("pk", flat=True))
    assert len(ids) == len(products)

    # a re-run: a new partition for attempt 2, the first one dropped, the same result
    services.badge_run_day(day=DAY, now=RUN_AT + timedelta(hours=1))
    assert list(partitions()) == [f"{TABLE}_r{run.pk}_a2"]
    assert tables_like(f"{TABLE}_r%") == [f"{TABLE}_r{run.pk}_a2"]
    assert snapshot() == first
    assert ids.isdisjoint(ProductPickupStat.objects.values_list("pk", flat=True))  # ids from one sequence

    # another day: a partition of its own beside D's; the current badges follow the latest day
    later = services.badge_run_day(day=DAY + timedelta(days=1), now=RUN_AT + timedelta(days=1))
    assert sorted(partitions()) == sorted([f"{TABLE}_r{run.pk}_a2", f"{TABLE}_r{later.pk}_a1"])
    assert set(current_badges().values_list("run_id", flat=True)) <= {later.pk}


@pytest.mark.django_db
def test_a_failed_rerun_keeps_the_published_partition_and_leaves_no_table(monkeypatch):
    catalogue()
    run = services.badge_run_day(day=DAY, now=RUN_AT)
    published = snapshot()

    def boom(*args, **kwargs):  # after the new partition is filled, indexed and swapped in
        raise RuntimeError("disk full")

    monkeypatch.setattr(computation, "make_current", boom)
    with pytest.raises(RuntimeError):
        services.badge_run_day(day=DAY, now=RUN_AT + timedelta(hours=1))
    assert list(partitions()) == [f"{TABLE}_r{run.pk}_a1"]
    assert tables_like(f"{TABLE}_r%") == [f"{TABLE}_r{run.pk}_a1"]
    assert snapshot() == published
    assert BadgeRun.objects.get(day=DAY).status == "failed"


@pytest.mark.django_db
def test_clearing_a_run_drops_its_partition():
    catalogue()
    run = services.badge_run_day(day=DAY, now=RUN_AT)
    computation.stats_clear(run_id=run.pk)
    assert partitions() == {} and not ProductPickupStat.objects.exists()
    # the next run of D publishes as a first run
    assert services.badge_run_day(day=DAY, now=RUN_AT).products_count == 7


@pytest.mark.django_db
def test_the_sharded_path_publishes_through_a_partition_too():
    products = catalogue()
    run = services.badge_run_begin(day=DAY, shards=2, now=RUN_AT).run
    for product_range in ((0, products[3].pk), (products[3].pk, 10**9)):
        services.badge_stage_range(run_id=run.pk, attempt=run.attempt, product_range=product_range)
    services.badge_run_publish(run_id=run.pk, attempt=run.attempt)
    assert list(partitions()) == [f"{TABLE}_r{run.pk}_a1"]
    assert ProductPickupStat.objects.filter(run=run).count() == len(products)


@pytest.mark.django_db(transaction=True)
def test_runs_of_two_days_at_once_each_attach_their_partition():
    catalogue()

    def day(n):
        return lambda: services.badge_run_day(day=DAY + timedelta(days=n), now=RUN_AT + timedelta(days=n)).status

    results = [outcome(r, Conflict) for r in run_together(day(0), day(1), day(0))]
    assert results.count("succeeded") >= 2 and set(results) <= {"succeeded", "badge_run_in_progress"}
    runs = {r.day: r for r in BadgeRun.objects.all()}
    assert set(partitions()) == {f"{TABLE}_r{r.pk}_a{r.attempt}" for r in runs.values()}
    assert ProductPickupStat.objects.count() == 7  # D+1 has no orders: its partition is empty


@pytest.mark.django_db
def test_the_stats_changelist_estimates_its_count_from_the_partitions(client, ops_admin_user, monkeypatch):
    from django.test.utils import CaptureQueriesContext

    from core.paginators import EstimatedCountPaginator

    catalogue()
    services.badge_run_day(day=DAY, now=RUN_AT)  # the index builds record each partition's row count
    monkeypatch.setattr(EstimatedCountPaginator, "ESTIMATE_FROM", 5)
    client.force_login(ops_admin_user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/admin/badges/productpickupstat/")
    assert response.status_code == 200 and response.context["cl"].result_count == 7
    assert not [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper() and TABLE in q["sql"]]
