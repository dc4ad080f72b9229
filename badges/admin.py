"""Ops admin: run history (counts, timing), per-product stats with filters, current badges and a
"re-run day D" action that enqueues the same task the schedule runs."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from badges import tasks
from badges.models import BadgeRun, ProductPickupStat
from core.opsui import ReadOnlyAdmin
from core.outbox import outbox_enqueue_task
from core.paginators import EstimatedCountPaginator


@admin.register(BadgeRun)
class BadgeRunAdmin(ReadOnlyAdmin):
    decided_by_actions = True  # rows written only by runs; actions call the services
    list_display = [
        "day",
        "status",
        "is_current",
        "mode",
        "shards",
        "attempt",
        "orders_count",
        "products_count",
        "badged_count",
        "withheld_count",
        "duration",
        "started_at",
        "finished_at",
        "trigger",
        "triggered_by",
    ]
    list_filter = ["status", "mode", "trigger"]
    date_hierarchy = "day"
    list_select_related = ["triggered_by", "current_badges"]

    @admin.display(description=_("current badges"), boolean=True)
    def is_current(self, obj) -> bool:
        return hasattr(obj, "current_badges")

    actions = ["rerun_days"]

    @admin.action(description=_("Re-run the selected days"), permissions=["change"])
    def rerun_days(self, request, queryset):
        days = sorted(queryset.values_list("day", flat=True))
        for day in days:
            outbox_enqueue_task(tasks.run_day.si(day.isoformat(), BadgeRun.Trigger.ADMIN, request.user.pk))
        self.message_user(
            request,
            ngettext(
                "Re-run of %(days)s queued; its results replace the day's when it finishes.",
                "Re-runs of %(days)s queued; their results replace the days' when they finish.",
                len(days),
            )
            % {"days": ", ".join(d.isoformat() for d in days)},
            messages.SUCCESS,
        )


class CurrentBadgesFilter(admin.SimpleListFilter):
    title = _("current badges")
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("1", _("Current badges only"))]

    def queryset(self, request, queryset):
        return queryset.filter(run__current_badges__isnull=False) if self.value() == "1" else queryset


class RunDayFilter(admin.SimpleListFilter):
    """Day D, as the run of that day (the stats are indexed by run, not by day)."""

    title = _("day D")
    parameter_name = "run"

    def lookups(self, request, model_admin):
        runs = BadgeRun.objects.filter(status=BadgeRun.Status.SUCCEEDED).order_by("-day")[:31]
        return [(str(run.pk), run.day.isoformat()) for run in runs]

    def queryset(self, request, queryset):
        return queryset.filter(run_id=self.value()) if self.value() and self.value().isdigit() else queryset


@admin.register(ProductPickupStat)
class ProductPickupStatAdmin(ReadOnlyAdmin):
    decided_by_actions = True  # rows written only by runs; actions call the services
    list_display = [
        "day",
        "shop",
        "product",
        "paid_orders",
        "picked_up_48h",
        "rate_display",
        "meets_threshold",
        "badged",
        "ranking_boost",
        "withheld_reason",
        "withheld_report",
    ]
    list_filter = [CurrentBadgesFilter, RunDayFilter, "badged", "meets_threshold", "withheld_reason", "shop__kind", "shop"]
    search_fields = ["product__code", "product__title", "shop__code", "=withheld_report__report_no"]
    list_select_related = ["shop", "product", "withheld_report"]
    ordering = ["-run_id", "-product_id"]  # the (run, product) index, read backwards: latest run first
    paginator = EstimatedCountPaginator  # millions of rows: no COUNT(*) per page view
    show_full_result_count = False

    @admin.display(description=_("48h pickup rate"), ordering="rate")
    def rate_display(self, obj) -> str:
        return f"{obj.rate_percent}%"
