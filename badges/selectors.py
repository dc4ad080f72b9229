"""Reads of badges and pickup stats; merchant scoping comes from ``shops.selectors``."""

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import FilteredRelation, Max, Q, QuerySet
from django.utils import timezone

from badges.computation import default_day
from badges.models import BadgeRun, CurrentBadges, ProductPickupStat
from core.roles import AnyUser
from shops.models import Product
from shops.selectors import products_for_user


def current_run_id() -> int | None:
    """The published run whose badges products carry now."""
    return CurrentBadges.objects.filter(pk=CurrentBadges.SINGLETON).values_list("run_id", flat=True).first()


#: ``current_stat`` is a FilteredRelation of ``product_badges_for_user`` (a name the type checker cannot see).
CURRENT_STAT_RELATED: list[str] = ["shop", "current_stat__withheld_report"]


def product_badges_for_user(*, user: AnyUser) -> QuerySet[Product]:
    """The caller's products, each with ``current_stat``: its stats row of the current run (the
    badge it carries now) or ``None``. One join, no per-row queries."""
    run_id = current_run_id() or 0
    return (
        products_for_user(user=user)
        .annotate(current_stat=FilteredRelation("pickup_stats", condition=Q(pickup_stats__run_id=run_id)))
        .select_related(*CURRENT_STAT_RELATED)
        .order_by("shop__code", "code")
    )


def badged_q(value: bool) -> Q:
    """Filter for ``product_badges_for_user``: products that carry the badge now (or don't)."""
    return Q(current_stat__badged=True) if value else (Q(current_stat__isnull=True) | Q(current_stat__badged=False))


def latest_published_day() -> date | None:
    day: date | None = BadgeRun.objects.filter(status=BadgeRun.Status.SUCCEEDED).aggregate(day=Max("day"))["day"]
    return day


def chart_window(days: int = 14) -> list[date]:
    """The last ``days`` days ending at the latest published day (or today − 3)."""
    end = latest_published_day() or default_day(timezone.now())
    return [end - timedelta(days=n) for n in range(days - 1, -1, -1)]


def pickup_history(*, product_ids: list[int], days: list[date]) -> dict[int, dict[date, ProductPickupStat]]:
    """Published stats of these products on these days, in one query: ``{product: {day: stat}}``.
    Selected by run (the runs of those days), so the ``(run, product)`` index serves it."""
    history: dict[int, dict[date, ProductPickupStat]] = defaultdict(dict)
    runs = BadgeRun.objects.filter(day__gte=days[0], day__lte=days[-1]).values("pk")
    rows = ProductPickupStat.objects.filter(run__in=runs, product_id__in=product_ids).only(
        "product_id", "day", "rate", "paid_orders", "picked_up_48h", "badged", "withheld_reason"
    )
    for stat in rows:
        history[stat.product_id][stat.day] = stat
    return history
