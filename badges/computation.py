"""The set-based computation of a day's 48h pickup figures (SPEC §6), for SQLite and PostgreSQL.

One aggregate query over the day's orders (``pickup_aggregate``, the ORM so that ``paid_at +
48h`` compiles on both backends) feeds one ``INSERT … SELECT`` into the stats, which also joins
the reports in force (withholding) and computes rate, badge and boost: rows go from the orders
table to the stats table inside the database, so memory does not depend on the number of
orders. The badge swap is a pointer update (``make_current``).

PostgreSQL never runs the SELECT of an ``INSERT … SELECT`` in parallel, but does for ``CREATE
TABLE … AS``; there the aggregate is first materialised in a temporary table (one row per
product, not WAL-logged, dropped at commit) as a parallel hash aggregate, then inserted.

On PostgreSQL the stats table is partitioned by run (``LIST (run_id)``, migration 0003): a run
fills a new table of its own with no index (``_insert_stats``), builds its two indexes in one
sorted pass each, and ``stats_partition_swap`` drops the run's previous partition (a re-run)
and attaches the new one — all in the run's transaction, so readers see the old rows or the
new, never a mix. Writing 200k rows into the shared table with its two indexes maintained row
by row, and deleting a re-run's old rows, cost more (at 10M orders / 200k products: 2.0 → 1.6 s
for a first run's write, 3.1 → 1.85 s for a re-run's; bench/README.md, docs/decisions.md).
SQLite keeps one plain table (``DELETE`` + ``INSERT``).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, DurationField, F, Q, QuerySet, Sum, Value

from badges.models import CurrentBadges, PickupStatStage, ProductPickupStat
from reports.coverage import earlier_sql, withholding_sources
from shops.models import Order

SHANGHAI = ZoneInfo("Asia/Shanghai")
PICKUP_WINDOW = timedelta(hours=48)
NEUTRAL_BOOST = Decimal("1.00")
# PostgreSQL settings for the aggregate statement only (``BADGE_AGGREGATE_PG_SETTINGS`` overrides).
AGGREGATE_PG_SETTINGS = {"work_mem": "64MB", "parallel_tuple_cost": "0"}


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """``[D 00:00, D+1 00:00)`` in Asia/Shanghai as aware datetimes (compared with ``paid_at``)."""
    start = datetime.combine(day, time.min, tzinfo=SHANGHAI)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=SHANGHAI)


def default_day(now: datetime) -> date:
    """D = today − 3 in Asia/Shanghai."""
    return now.astimezone(SHANGHAI).date() - timedelta(days=3)


def threshold_ratio() -> tuple[int, int]:
    """``BADGE_RATE_THRESHOLD`` as an exact fraction: rate > n/d ⇔ picked·d > paid·n (integers)."""
    return Decimal(settings.BADGE_RATE_THRESHOLD).as_integer_ratio()


def counted_orders_q() -> Q:
    """Orders that count: not cancelled before shipping (never cancelled, or shipped first)."""
    return Q(cancelled_at__isnull=True) | Q(shipped_at__isnull=False, cancelled_at__gte=F("shipped_at"))


class SecondsInterval(Value):
    """A fixed duration. On PostgreSQL it is an interval of seconds only (``make_interval(secs
    => …)``, folded to a constant): the ``timedelta`` parameter Django would pass becomes
    ``'2 days'``, and ``timestamptz + '2 days'`` takes the calendar path (via the session time
    zone) for every row — 20% of the whole aggregate on 1M orders. With the session in UTC
    (Django's setting) both mean the same instant."""

    def __init__(self, value: timedelta):
        super().__init__(value, output_field=DurationField())

    def as_postgresql(self, compiler, connection):
        return "make_interval(secs => %s)", [self.value.total_seconds()]


def picked_up_in_time_q() -> Q:
    """Picked up within 48h of payment, inclusive: ``picked_up_at − paid_at ≤ 48h``."""
    return Q(picked_up_at__isnull=False, picked_up_at__lte=F("paid_at") + SecondsInterval(PICKUP_WINDOW))


def pickup_aggregate(*, day: date, product_range: tuple[int, int] | None = None) -> QuerySet:
    """Per product of the day's counted orders: ``product_id, shop_id, paid, picked``.

    ``product_range`` is a half-open ``[lo, hi)`` product id range (one chord subtask)."""
    start, end = day_bounds(day)
    orders = Order.objects.filter(counted_orders_q(), paid_at__gte=start, paid_at__lt=end)
    if product_range is not None:
        orders = orders.filter(product_id__gte=product_range[0], product_id__lt=product_range[1])
    return (
        orders.order_by()
        .values("product_id", "shop_id")
        .annotate(paid=Count("*"), picked=Count("pk", filter=picked_up_in_time_q()))
    )


def _adapt(value):
    ops = connection.ops
    if isinstance(value, datetime):
        return ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return ops.adapt_datefield_value(value)
    return value


def _execute(sql: str, params) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, [_adapt(p) for p in params])
        return cursor.rowcount


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _set_local(values: dict[str, str]) -> dict[str, str]:
    """PostgreSQL ``SET LOCAL`` of each setting (until the transaction ends), in one statement
    that first reads the values they had (to set them back with ``_restore_local``)."""
    names = list(values)
    olds = ", ".join(f"current_setting(%s) AS v{n}" for n in range(len(names)))
    sets = ", ".join(["set_config(%s, %s, true)"] * len(names))
    pairs = [item for name in names for item in (name, str(values[name]))]
    with connection.cursor() as cursor:
        cursor.execute(f"WITH old AS MATERIALIZED (SELECT {olds}) SELECT old.*, {sets} FROM old", [*names, *pairs])
        previous = dict(zip(names, cursor.fetchone()[: len(names)], strict=True))
    return previous


def _restore_local(values: dict[str, str]) -> None:
    pairs = [item for name, value in values.items() for item in (name, str(value))]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(values)), pairs)


def aggregate_pg_settings() -> dict[str, str]:
    """The PostgreSQL settings of the aggregate statement (the bench gives its baseline the same)."""
    return getattr(settings, "BADGE_AGGREGATE_PG_SETTINGS", AGGREGATE_PG_SETTINGS)


def _aggregate_source(queryset: QuerySet) -> tuple[str, list]:
    """The aggregate as a row source for ``INSERT … SELECT``. On PostgreSQL it is materialised
    first in a temporary table by ``CREATE TEMP TABLE … AS``, which may run in parallel (the
    SELECT of an ``INSERT … SELECT`` never does), with ``AGGREGATE_PG_SETTINGS`` for that one
    statement: enough ``work_mem`` for an in-memory hash aggregate and ``parallel_tuple_cost =
    0``. Without them the planner, guessing ~5× too many (product, shop) groups, sorts the day's
    orders and spills them to disk (see docs/decisions.md and bench/README.md)."""
    agg_sql, agg_params = queryset.query.sql_with_params()
    if connection.vendor != "postgresql":
        return agg_sql, list(agg_params)
    _execute("DROP TABLE IF EXISTS badge_aggregate", [])
    tuned = aggregate_pg_settings()
    previous = _set_local(tuned) if tuned else {}
    _execute(f"CREATE TEMP TABLE badge_aggregate ON COMMIT DROP AS {agg_sql}", agg_params)
    if previous:  # the rest of the transaction runs with the session's values
        _restore_local(previous)
    return "SELECT product_id, shop_id, paid, picked FROM badge_aggregate", []


def stage_range(*, run_id: int, attempt: int, day: date, product_range: tuple[int, int]) -> int:
    """Write one product range's aggregate into the staging table (a chord subtask)."""
    agg_sql, agg_params = _aggregate_source(pickup_aggregate(day=day, product_range=product_range))
    sql = (
        f"INSERT INTO {_table(PickupStatStage)} (run_id, attempt, product_id, shop_id, paid_orders, picked_up_48h) "
        f"SELECT %s, %s, a.product_id, a.shop_id, a.paid, a.picked FROM ({agg_sql}) a"
    )
    return _execute(sql, [run_id, attempt, *agg_params])


@dataclass(frozen=True)
class Totals:
    """A run's counts, from the rows it wrote."""

    orders: int
    products: int
    badged: int
    withheld: int


def partitioned() -> bool:
    """Is the stats table partitioned by run here (PostgreSQL, migration 0003)?"""
    return connection.vendor == "postgresql"


def _partition(run_id: int, attempt: int) -> str:
    return f"{ProductPickupStat._meta.db_table}_r{int(run_id)}_a{int(attempt)}"


def _partitions_of(run_id: int) -> list[str]:
    """The run's attached partitions (normally one: its published attempt)."""
    parent = ProductPickupStat._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass AND c.relname LIKE %s ORDER BY c.relname",
            [parent, f"{parent}\\_r{int(run_id)}\\_a%"],
        )
        return [row[0] for row in cursor.fetchall()]


def _create_partition(run_id: int, attempt: int) -> str:
    """A new, empty, unattached table shaped like the stats (columns, NOT NULL and CHECK
    constraints) with ``CHECK (run_id = …)``, so attaching it needs no validation scan."""
    part, parent = _table_name(_partition(run_id, attempt)), _table(ProductPickupStat)
    # a stale table of that name can only be left by a flush that reset the run ids (the flush
    # empties the partitions but keeps them): it holds nothing of this run
    _execute(f"DROP TABLE IF EXISTS {part}", [])
    _execute(
        f"CREATE TABLE {part} (LIKE {parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS, "
        f"CONSTRAINT {_table_name(_partition(run_id, attempt) + '_run')} CHECK (run_id = {int(run_id)}))",
        [],
    )
    return part


def _index_partition(run_id: int, attempt: int) -> None:
    """The parent's two unique indexes, built on the filled table in one sorted pass each (the
    attach adopts them instead of building its own)."""
    name = _partition(run_id, attempt)
    _execute(
        f"ALTER TABLE {_table_name(name)} ADD CONSTRAINT {_table_name(name + '_pkey')} PRIMARY KEY (id, run_id), "
        f"ADD CONSTRAINT {_table_name(name + '_uniq')} UNIQUE (run_id, product_id, attempt)",
        [],
    )


def stats_partition_swap(*, run_id: int, attempt: int) -> None:
    """Inside the run's transaction: drop the run's published partition(s) and attach the new
    one. Dropping takes an exclusive lock on the stats until commit (a re-run only; readers wait
    the few milliseconds left); attaching alone does not block readers."""
    new = _partition(run_id, attempt)
    for old in _partitions_of(run_id):
        if old != new:
            _execute(f"DROP TABLE {_table_name(old)}", [])
    _execute(f"ALTER TABLE {_table(ProductPickupStat)} ATTACH PARTITION {_table_name(new)} FOR VALUES IN ({int(run_id)})", [])


def stats_clear(*, run_id: int) -> None:
    """Remove a run's stats: drop its partitions (PostgreSQL) or delete its rows."""
    if partitioned():
        for part in _partitions_of(run_id):
            _execute(f"DROP TABLE {_table_name(part)}", [])
    else:
        ProductPickupStat.objects.filter(run_id=run_id).delete()


_SEQUENCES: dict[str, str] = {}


def _id_sequence() -> str:
    """The stats' id sequence (looked up once per database)."""
    database = str(connection.settings_dict["NAME"])
    if database not in _SEQUENCES:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [ProductPickupStat._meta.db_table])
            _SEQUENCES[database] = cursor.fetchone()[0]
    return _SEQUENCES[database]


def _table_name(name: str) -> str:
    return connection.ops.quote_name(name)


def _insert_stats(*, run_id: int, attempt: int, day: date, at: datetime, source_sql: str, source_params) -> Totals:
    """One ``INSERT … SELECT`` from a source of ``product_id, shop_id, paid, picked``: rate,
    threshold, withholding (a join with the reports in force at ``at``; the earlier of the
    shop-level and the product-level match by ``(approved_at, pk)``), badge and boost. On
    PostgreSQL into the run's new partition (unattached until ``stats_partition_swap``), with the
    ids from the stats' sequence and the counts from the same statement (``RETURNING`` into an
    aggregate); elsewhere into the stats table."""
    num, den = threshold_ratio()
    meets = f"(a.picked * {den:d} > a.paid * {num:d})"
    # the rule (the version in force at ``at``) and its tie-break: reports.coverage
    (shop_sql, shop_params), (product_sql, product_params) = withholding_sources(at=at)
    product_first = earlier_sql("wp", "ws")
    target, id_column, id_value = _table(ProductPickupStat), "", ""
    if partitioned():
        target = _create_partition(run_id, attempt)
        id_column, id_value = "id, ", f"nextval('{_id_sequence()}'::regclass), "
    sql = (
        f"INSERT INTO {target} ({id_column}run_id, attempt, day, product_id, shop_id, paid_orders, "
        f"picked_up_48h, rate, meets_threshold, badged, ranking_boost, withheld_reason, withheld_report_id) "
        f"SELECT {id_value}%s, %s, %s, b.product_id, b.shop_id, b.paid, b.picked, ROUND(b.picked * 1.0 / b.paid, 4), b.meets, "
        f"b.meets AND b.w_id IS NULL, CASE WHEN b.meets AND b.w_id IS NULL THEN %s ELSE %s END, "
        f"COALESCE(b.w_scope, ''), b.w_id FROM ("
        f"SELECT a.product_id, a.shop_id, a.paid, a.picked, {meets} AS meets, "
        f"CASE WHEN {product_first} THEN wp.w_id ELSE ws.w_id END AS w_id, "
        f"CASE WHEN {product_first} THEN wp.w_scope ELSE ws.w_scope END AS w_scope "
        f"FROM ({source_sql}) a "
        f"LEFT JOIN ({shop_sql}) ws ON ws.w_shop = a.shop_id AND {meets} "
        f"LEFT JOIN ({product_sql}) wp ON wp.w_product = a.product_id AND wp.w_shop = a.shop_id AND {meets}"
        f") b"
    )
    params = [
        run_id,
        attempt,
        day,
        Decimal(settings.BADGE_RANKING_BOOST),
        NEUTRAL_BOOST,
        *source_params,
        *shop_params,
        *product_params,
    ]
    if connection.vendor == "postgresql":
        sql = (
            f"WITH written AS ({sql} RETURNING paid_orders, badged, withheld_report_id) "
            f"SELECT COALESCE(SUM(paid_orders), 0), COUNT(*), COUNT(*) FILTER (WHERE badged), "
            f"COUNT(withheld_report_id) FROM written"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [_adapt(p) for p in params])
            totals = Totals(*(int(n) for n in cursor.fetchone()))
        _index_partition(run_id, attempt)
        return totals
    _execute(sql, params)
    counts = ProductPickupStat.objects.filter(run_id=run_id, attempt=attempt).aggregate(
        orders=Sum("paid_orders", default=0),
        products=Count("pk"),
        badged=Count("pk", filter=Q(badged=True)),
        withheld=Count("pk", filter=Q(withheld_report__isnull=False)),
    )
    return Totals(**counts)


def insert_stats_from_orders(*, run_id: int, attempt: int, day: date, at: datetime) -> Totals:
    """The single-worker path: the day's aggregate, then one statement into the stats."""
    agg_sql, agg_params = _aggregate_source(pickup_aggregate(day=day))
    return _insert_stats(run_id=run_id, attempt=attempt, day=day, at=at, source_sql=agg_sql, source_params=agg_params)


def insert_stats_from_stage(*, run_id: int, attempt: int, day: date, at: datetime) -> Totals:
    """The sharded path's publish: the staged ranges of this attempt into the stats."""
    source = (
        f"SELECT product_id, shop_id, paid_orders AS paid, picked_up_48h AS picked "
        f"FROM {_table(PickupStatStage)} WHERE run_id = %s AND attempt = %s"
    )
    return _insert_stats(run_id=run_id, attempt=attempt, day=day, at=at, source_sql=source, source_params=[run_id, attempt])


def lock_current_badges() -> CurrentBadges:
    """Lock the current-badges row (created on first use): publishing of any day is serialised
    here. Callers lock their own run row first, then this one — always in that order."""
    board = CurrentBadges.objects.select_for_update().filter(pk=CurrentBadges.SINGLETON).first()
    if board is None:
        CurrentBadges.objects.get_or_create(pk=CurrentBadges.SINGLETON)
        board = CurrentBadges.objects.select_for_update().get(pk=CurrentBadges.SINGLETON)
    return board


def make_current(board: CurrentBadges, *, run_id: int, at: datetime) -> None:
    """Swap the current badges to this run's stats: one UPDATE of one row."""
    board.run_id, board.published_at = run_id, at
    board.save(update_fields=["run", "published_at"])
