from datetime import timedelta

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.models import Policy
from core.opsui import ReadOnlyAdminMixin, audit_trail_html
from core.paginators import EstimatedCountPaginator
from core.roles import is_ops_admin
from tickets import services
from tickets.models import ReplyOption, ServiceMetricDaily, Urge, UrgeTask
from tickets.options import reply_option_retirement, reply_option_state
from tickets.services.metrics import day_bounds, shanghai_today
from tickets.services.options import REPLY_OPTION_FIELDS, reply_option_window_error

URGE_FIELDS = ("event_id", "urged_at", "outcome", "report", "received_at")


class UrgeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Urge
    fields = readonly_fields = URGE_FIELDS
    extra = 0
    ordering = ["urged_at", "pk"]
    verbose_name_plural = _("urge history")


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Past due, no reply")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        past_due = Q(status=UrgeTask.Status.OVERDUE) | Q(status=UrgeTask.Status.OPEN, reply_due_at__lte=timezone.now())
        if self.value() == "yes":
            return queryset.filter(past_due)
        if self.value() == "no":
            return queryset.exclude(past_due)
        return queryset


class DueTodayFilter(admin.SimpleListFilter):
    title = _("due today")
    parameter_name = "due_today"

    def lookups(self, request, model_admin):
        return [("yes", _("Due today (Asia/Shanghai)"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            start, end = day_bounds(shanghai_today())
            return queryset.filter(reply_due_at__gte=start, reply_due_at__lt=end)
        return queryset


@admin.register(UrgeTask)
class UrgeTaskAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "order",
        "shop",
        "shop_kind",
        "status_badge",
        "opened_at",
        "reply_due_at",
        "urge_count",
        "reply_option",
        "replied_at",
        "complaint",
        "complaint_waived",
    ]
    list_filter = ["status", OverdueFilter, "shop__kind", DueTodayFilter, ("reply_due_at", admin.DateFieldListFilter)]
    search_fields = ["=order__order_no", "=shop__code"]
    list_select_related = ["order", "shop", "reply_option", "complaint"]
    date_hierarchy = "reply_due_at"
    paginator = EstimatedCountPaginator  # millions of rows: no COUNT(*) per page view
    show_full_result_count = False
    inlines = [UrgeInline]
    fieldsets = [
        (None, {"fields": ["order", "shop", "status", "opened_at", "reply_due_at", "urge_count"]}),
        (_("Reply"), {"fields": ["reply_option", "reply_message", "promised_ship_by", "replied_at", "replied_by"]}),
        (_("Overdue"), {"fields": ["overdue_at", "complaint", "complaint_waived"]}),
        (_("Reminders"), {"fields": ["opened_mail_sent_at", "reminder_sent_at"]}),
        (_("Audit trail"), {"fields": ["audit_trail_table"]}),
    ]
    readonly_fields = [
        "order",
        "shop",
        "status",
        "opened_at",
        "reply_due_at",
        "urge_count",
        "reply_option",
        "reply_message",
        "promised_ship_by",
        "replied_at",
        "replied_by",
        "overdue_at",
        "complaint",
        "complaint_waived",
        "opened_mail_sent_at",
        "reminder_sent_at",
        "audit_trail_table",
    ]

    @admin.display(description=_("shop kind"), ordering="shop__kind")
    def shop_kind(self, task):
        return task.shop.get_kind_display()

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, task):
        past_due = task.status == UrgeTask.Status.OPEN and task.reply_due_at <= timezone.now()
        css = {"open": "warn", "replied": "ok", "overdue": "bad", "replied_late": "warn"}[task.status]
        label = task.get_status_display()
        if past_due:
            return format_html('<span class="overdue">{} ({})</span>', label, _("past due"))
        return format_html('<span class="badge {}">{}</span>', css, label)

    @admin.display(description=_("audit trail"))
    def audit_trail_table(self, task):
        return audit_trail_html(task)


class ReplyOptionForm(forms.ModelForm):
    retire_with_policy = forms.ChoiceField(label=_("retired by policy"), required=False)

    class Meta:
        model = ReplyOption
        fields = ["code", "name", "needs_date", "effective_from", "retired_at", "retire_with_policy", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["retire_with_policy"].choices = [("", "—")] + [
            (p.key, f"{p.title} ({p.key})") for p in Policy.objects.order_by("effective_from")
        ]

    def clean(self):
        cleaned = super().clean()
        error = reply_option_window_error(effective_from=cleaned.get("effective_from"), retired_at=cleaned.get("retired_at"))
        if error is not None:
            self.add_error("retired_at", error.detail)
        return cleaned


@admin.register(ReplyOption)
class ReplyOptionAdmin(admin.ModelAdmin):
    """Reply options: ops admins add and edit them (every change audited); nothing is deleted."""

    form = ReplyOptionForm
    list_display = ["position", "code", "name", "needs_date", "effective_from", "retirement", "active_now"]
    list_display_links = ["code", "name"]
    ordering = ["position", "code"]

    def has_add_permission(self, request) -> bool:
        return is_ops_admin(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_ops_admin(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    @admin.display(description=_("retired from"))
    def retirement(self, option):
        return reply_option_retirement(option) or "—"

    @admin.display(description=_("active now"), boolean=True)
    def active_now(self, option):
        return reply_option_state(option, timezone.now()) == "active"

    def save_model(self, request, obj, form, change):
        if change:
            changes = {f: form.cleaned_data[f] for f in form.changed_data if f in REPLY_OPTION_FIELDS}
            services.reply_option_update(actor=request.user, option=obj, changes=changes)
        else:
            values = {f: form.cleaned_data[f] for f in REPLY_OPTION_FIELDS if f in form.cleaned_data}
            obj.pk = services.reply_option_create(actor=request.user, values=values).pk
            obj._state.adding = False


@admin.register(ServiceMetricDaily)
class ServiceMetricDailyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "day",
        "shop",
        "tasks_opened",
        "replied_on_time",
        "replied_late",
        "overdue",
        "complaints",
        "paid_orders",
        "computed_at",
    ]
    list_filter = ["shop__kind", "shop", ("day", admin.DateFieldListFilter)]
    list_select_related = ["shop"]
    date_hierarchy = "day"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(day__gte=shanghai_today() - timedelta(days=400))


@admin.register(Urge)
class UrgeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every urge received, including the suppressed ones (no task)."""

    list_display = ["event_id", "order", "urged_at", "outcome", "task", "report", "received_at"]
    list_filter = ["outcome", ("urged_at", admin.DateFieldListFilter)]
    search_fields = ["=event_id", "=order__order_no"]
    list_select_related = ["order", "task", "report"]
    paginator = EstimatedCountPaginator  # millions of rows: no COUNT(*) per page view
    show_full_result_count = False
