"""Daily service-metric rollup (灯塔 求助率 inputs, SPEC §4): grouped counts per shop for one
Asia/Shanghai day, written with one upsert — running a day again replaces its rows."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Model, QuerySet
from django.utils import timezone

from complaints.models import Complaint
from shops.models import Order, Shop
from tickets.models import ServiceMetricDaily, UrgeTask

SHANGHAI = ZoneInfo("Asia/Shanghai")
Status = UrgeTask.Status
FIELDS = ["tasks_opened", "replied_on_time", "replied_late", "overdue", "complaints", "paid_orders"]


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of an Asia/Shanghai calendar day."""
    start = datetime.combine(day, time.min, tzinfo=SHANGHAI)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=SHANGHAI)


def shanghai_today(now: datetime | None = None) -> date:
    return timezone.localtime(now or timezone.now(), SHANGHAI).date()


def _grouped(queryset: QuerySet[Model], shop_field: str) -> dict[int, int]:
    return dict(queryset.order_by().values(shop_field).annotate(n=Count("pk")).values_list(shop_field, "n"))


def _day_counts(day: date) -> dict[str, dict[int, int]]:
    start, end = day_bounds(day)
    tasks = UrgeTask.objects.all()
    return {
        "tasks_opened": _grouped(tasks.filter(opened_at__gte=start, opened_at__lt=end), "shop_id"),
        "replied_on_time": _grouped(tasks.filter(status=Status.REPLIED, replied_at__gte=start, replied_at__lt=end), "shop_id"),
        "replied_late": _grouped(tasks.filter(status=Status.REPLIED_LATE, replied_at__gte=start, replied_at__lt=end), "shop_id"),
        "overdue": _grouped(
            tasks.filter(status__in=[Status.OVERDUE, Status.REPLIED_LATE], reply_due_at__gte=start, reply_due_at__lt=end),
            "shop_id",
        ),
        "complaints": _grouped(Complaint.objects.filter(filed_at__gte=start, filed_at__lt=end), "order__shop_id"),
        "paid_orders": _grouped(Order.objects.filter(paid_at__gte=start, paid_at__lt=end), "shop_id"),
    }


@transaction.atomic
def service_metrics_rollup(*, day: date, now: datetime | None = None) -> int:
    """Compute and upsert every shop's row for ``day``. Returns the number of rows written."""
    counts = _day_counts(day)
    computed_at = now or timezone.now()
    rows = [
        ServiceMetricDaily(
            shop_id=shop_id, day=day, computed_at=computed_at, **{field: counts[field].get(shop_id, 0) for field in FIELDS}
        )
        for shop_id in Shop.objects.order_by("pk").values_list("pk", flat=True)
    ]
    ServiceMetricDaily.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["shop", "day"],
        update_fields=[*FIELDS, "computed_at"],
    )
    return len(rows)


def service_metrics_rollup_recent(*, days: int = 2, now: datetime | None = None) -> int:
    """Recompute the last ``days`` days up to today (late events can change a past day)."""
    today = shanghai_today(now)
    return sum(service_metrics_rollup(day=today - timedelta(days=n), now=now) for n in range(days))
