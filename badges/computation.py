"""The set-based computation of a day's 48h pickup figures (SPEC §6), for SQLite and PostgreSQL.

One aggregate query over the day's orders (``pickup_aggregate``, the ORM so that ``paid_at +
48h`` compiles on both backends) is wrapped in ``INSERT … SELECT``: rows go from the orders
table to the stats (or staging) table inside the database, so memory does not depend on the
number of orders. Withholding and the badge swap are further set-based statements.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

from badges.models import PickupStatStage, ProductBadge, ProductPickupStat
from reports.coverage import report_in_force_q
from reports.models import DeliveryReport, ReportProduct
from shops.models import Order

SHANGHAI = ZoneInfo("Asia/Shanghai")
PICKUP_WINDOW = timedelta(hours=48)
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


def stage_range(*, run_id: int, attempt: int, day: date, product_range: tuple[int, int]) -> int:
    """Write one product range's aggregate into the staging table (a chord subtask)."""
    agg_sql, agg_params = pickup_aggregate(day=day, product_range=product_range).query.sql_with_params()
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
        f"rate, meets_threshold, badged, withheld_reason) "
        f"SELECT %s, %s, a.product_id, a.shop_id, a.paid, a.picked, ROUND(a.picked * 1.0 / a.paid, 4), "
        f"{meets}, {meets}, '' FROM ({source_sql}) a"
    )
    return _execute(sql, [run_id, day, den, num, den, num, *source_params])


def insert_stats_from_orders(*, run_id: int, day: date) -> int:
    """The single-worker path: one aggregate over the day's orders straight into the stats."""
    agg_sql, agg_params = pickup_aggregate(day=day).query.sql_with_params()
    return _insert_stats(run_id=run_id, day=day, source_sql=agg_sql, source_params=agg_params)


def insert_stats_from_stage(*, run_id: int, attempt: int, day: date) -> int:
    """The sharded path's publish: the staged ranges of this attempt into the stats."""
    source = (
        f"SELECT product_id, shop_id, paid_orders AS paid, picked_up_48h AS picked "
        f"FROM {_table(PickupStatStage)} WHERE run_id = %s AND attempt = %s"
    )
    return _insert_stats(run_id=run_id, day=day, source_sql=source, source_params=[run_id, attempt])


def in_force_report_for_product(*, at: datetime) -> Subquery:
    """For stats rows: the earliest-approved report of the row's shop in force at ``at`` whose
    scope reaches the product — shop and region scope reach every product of the shop (SPEC §6),
    product scope the listed ones. In force = ``reports.coverage.report_in_force_q``."""
    listed = Exists(ReportProduct.objects.filter(report=OuterRef("pk"), product_id=OuterRef(OuterRef("product_id"))))
    reports = DeliveryReport.objects.filter(report_in_force_q(at), shop_id=OuterRef("shop_id")).filter(
        Q(scope__in=[Scope.SHOP, Scope.REGION]) | (Q(scope=Scope.PRODUCT) & listed)
    )
    return Subquery(reports.order_by("approved_at", "pk").values("pk")[:1])


def withhold(*, run_id: int, at: datetime) -> int:
    """Withhold the badge of qualifying products under a report in force at ``at``; the report
    and its scope are kept as the reason. Two set-based UPDATEs."""
    ProductPickupStat.objects.filter(run_id=run_id, meets_threshold=True).update(
        withheld_report=in_force_report_for_product(at=at)
    )
    scope = DeliveryReport.objects.filter(pk=OuterRef("withheld_report_id")).values("scope")[:1]
    return ProductPickupStat.objects.filter(run_id=run_id, withheld_report__isnull=False).update(
        badged=False, withheld_reason=Subquery(scope)
    )


def swap_current_badges(*, run_id: int, published_at: datetime) -> int:
    """Replace every current badge by the stats of this run (callers hold the publish lock)."""
    boost, neutral = Decimal(settings.BADGE_RANKING_BOOST), Decimal("1.00")
    ProductBadge.objects.all().delete()
    sql = (
        f"INSERT INTO {_table(ProductBadge)} (product_id, shop_id, run_id, day, paid_orders, picked_up_48h, rate, "
        f"fast_ship_badge, ranking_boost, withheld_reason, withheld_report_id, published_at) "
        f"SELECT product_id, shop_id, run_id, day, paid_orders, picked_up_48h, rate, badged, "
        f"CASE WHEN badged THEN %s ELSE %s END, withheld_reason, withheld_report_id, %s "
        f"FROM {_table(ProductPickupStat)} WHERE run_id = %s"
    )
    return _execute(sql, [boost, neutral, published_at, run_id])


def take_publish_lock() -> None:
    """Serialise publishing across days (the badge swap). SQLite serialises writers anyway."""
    if connection.vendor == "postgresql":
        _execute("SELECT pg_advisory_xact_lock(%s)", [0x62616467])  # 'badg'
