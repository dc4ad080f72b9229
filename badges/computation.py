"""The set-based computation of a day's 48h pickup figures (SPEC §6), for SQLite and PostgreSQL.

One aggregate query over the day's orders (``pickup_aggregate``, the ORM so that ``paid_at +
48h`` compiles on both backends) is wrapped in ``INSERT … SELECT``: rows go from the orders
table to the stats (or staging) table inside the database, so memory does not depend on the
number of orders. Withholding and the badge swap are further set-based statements.

PostgreSQL never runs the SELECT of an ``INSERT … SELECT`` in parallel, but does for ``CREATE
TABLE … AS``; there the aggregate is first materialised in a temporary table (dropped at commit)
and then inserted — twice as fast on 1M orders with 2 workers (see bench/README.md).
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

from badges.models import CurrentBadges, PickupStatStage, ProductPickupStat
from reports.coverage import report_in_force_q
from reports.models import DeliveryReport, ReportProduct
from shops.models import Order

SHANGHAI = ZoneInfo("Asia/Shanghai")
PICKUP_WINDOW = timedelta(hours=48)
NEUTRAL_BOOST = Decimal("1.00")
Scope = DeliveryReport.Scope


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


def picked_up_in_time_q() -> Q:
    """Picked up within 48h of payment, inclusive: ``picked_up_at − paid_at ≤ 48h``."""
    return Q(picked_up_at__isnull=False, picked_up_at__lte=F("paid_at") + PICKUP_WINDOW)


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
        .annotate(paid=Count("pk"), picked=Count("pk", filter=picked_up_in_time_q()))
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


def _aggregate_source(queryset: QuerySet) -> tuple[str, list]:
    """The aggregate as a row source for ``INSERT … SELECT``. On PostgreSQL it is materialised
    first (``CREATE TEMP TABLE … AS`` gets a parallel plan; ``INSERT … SELECT`` never does)."""
    agg_sql, agg_params = queryset.query.sql_with_params()
    if connection.vendor != "postgresql":
        return agg_sql, list(agg_params)
    _execute("DROP TABLE IF EXISTS badge_aggregate", [])
    _execute(f"CREATE TEMP TABLE badge_aggregate ON COMMIT DROP AS {agg_sql}", agg_params)
    return "SELECT product_id, shop_id, paid, picked FROM badge_aggregate", []


def stage_range(*, run_id: int, attempt: int, day: date, product_range: tuple[int, int]) -> int:
    """Write one product range's aggregate into the staging table (a chord subtask)."""
    agg_sql, agg_params = _aggregate_source(pickup_aggregate(day=day, product_range=product_range))
    sql = (
        f"INSERT INTO {_table(PickupStatStage)} (run_id, attempt, product_id, shop_id, paid_orders, picked_up_48h) "
        f"SELECT %s, %s, a.product_id, a.shop_id, a.paid, a.picked FROM ({agg_sql}) a"
    )
    return _execute(sql, [run_id, attempt, *agg_params])


def _insert_stats(*, run_id: int, day: date, source_sql: str, source_params) -> int:
    """``INSERT INTO stats SELECT …`` from a source with ``product_id, shop_id, paid, picked``."""
    num, den = threshold_ratio()
    meets = "(a.picked * %s > a.paid * %s)"
    sql = (
        f"INSERT INTO {_table(ProductPickupStat)} (run_id, day, product_id, shop_id, paid_orders, picked_up_48h, "
        f"rate, meets_threshold, badged, ranking_boost, withheld_reason) "
        f"SELECT %s, %s, a.product_id, a.shop_id, a.paid, a.picked, ROUND(a.picked * 1.0 / a.paid, 4), "
        f"{meets}, {meets}, CASE WHEN {meets} THEN %s ELSE %s END, '' FROM ({source_sql}) a"
    )
    boost = Decimal(settings.BADGE_RANKING_BOOST)
    return _execute(sql, [run_id, day, den, num, den, num, den, num, boost, NEUTRAL_BOOST, *source_params])


def insert_stats_from_orders(*, run_id: int, day: date) -> int:
    """The single-worker path: one aggregate over the day's orders straight into the stats."""
    agg_sql, agg_params = _aggregate_source(pickup_aggregate(day=day))
    return _insert_stats(run_id=run_id, day=day, source_sql=agg_sql, source_params=agg_params)


def insert_stats_from_stage(*, run_id: int, attempt: int, day: date) -> int:
    """The sharded path's publish: the staged ranges of this attempt into the stats."""
    source = (
        f"SELECT product_id, shop_id, paid_orders AS paid, picked_up_48h AS picked "
        f"FROM {_table(PickupStatStage)} WHERE run_id = %s AND attempt = %s"
    )
    return _insert_stats(run_id=run_id, day=day, source_sql=source, source_params=[run_id, attempt])


def _reports_in_force(at: datetime) -> QuerySet:
    return DeliveryReport.objects.filter(report_in_force_q(at))


def in_force_report_for_product(*, at: datetime) -> Subquery:
    """For stats rows: the earliest-approved report of the row's shop in force at ``at`` whose
    scope reaches the product — shop and region scope reach every product of the shop (SPEC §6),
    product scope the listed ones. In force = ``reports.coverage.report_in_force_q``."""
    listed = Exists(ReportProduct.objects.filter(report=OuterRef("pk"), product_id=OuterRef(OuterRef("product_id"))))
    reports = _reports_in_force(at).filter(shop_id=OuterRef("shop_id")).filter(
        Q(scope__in=[Scope.SHOP, Scope.REGION]) | (Q(scope=Scope.PRODUCT) & listed)
    )
    return Subquery(reports.order_by("approved_at", "pk").values("pk")[:1])


def withhold(*, run_id: int, at: datetime) -> int:
    """Withhold the badge of qualifying products under a report in force at ``at``; the report
    and its scope are kept as the reason. Two set-based UPDATEs, on the rows of shops that have
    a report in force (a handful), not on every row."""
    candidates = ProductPickupStat.objects.filter(
        run_id=run_id, meets_threshold=True, shop_id__in=_reports_in_force(at).values("shop_id")
    )
    candidates.update(withheld_report=in_force_report_for_product(at=at))
    scope = DeliveryReport.objects.filter(pk=OuterRef("withheld_report_id")).values("scope")[:1]
    return ProductPickupStat.objects.filter(run_id=run_id, withheld_report__isnull=False).update(
        badged=False, ranking_boost=NEUTRAL_BOOST, withheld_reason=Subquery(scope)
    )


def lock_current_badges() -> CurrentBadges:
    """Lock the current-badges row (created on first use): publishing of any day is serialised
    here. Callers lock their own run row first, then this one — always in that order."""
    CurrentBadges.objects.get_or_create(pk=CurrentBadges.SINGLETON)
    return CurrentBadges.objects.select_for_update().get(pk=CurrentBadges.SINGLETON)


def make_current(board: CurrentBadges, *, run_id: int, at: datetime) -> None:
    """Swap the current badges to this run's stats: one UPDATE of one row."""
    board.run_id, board.published_at = run_id, at
    board.save(update_fields=["run", "published_at"])
