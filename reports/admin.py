"""Ops admin (Chinese): the report review queue, unified exemptions, commitment letters.

Decisions (approve / reject / revoke) ask for a reason on an intermediate page and call the same
services as the API; nothing is edited or deleted by hand.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.duties import CONFLICT_MESSAGE, admin_without_conflicts, report_duty_conflict
from core.errors import DomainError
from core.opsui import action_form, audit_trail_html, decide_each_action
from reports import services
from reports.coverage import in_window, report_window_ended, report_window_ended_q, reports_scope_matching
from reports.models import CommitmentLetter, DeliveryReport, ReportAmendment, UnifiedExemption
from reports.services.validation import clean_region_codes, validate_window
from shops.models import Order, Region

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Status = DeliveryReport.Status


class ExpiredFilter(admin.SimpleListFilter):
    title = _("expired")
    parameter_name = "expired"

    def lookups(self, request, model_admin):
        return [("yes", _("Expired")), ("no", _("Not expired"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(report_window_ended_q(timezone.now()))
        if self.value() == "no":
            return queryset.exclude(report_window_ended_q(timezone.now()))
        return queryset


#: What both review queues (reports, amendments) show of a version's submission and decision.
DECISION_FIELDS = ("submitted_at", "submitted_by", "approved_at", "decided_at", "decided_by", "decided_by_system", "reason")

#: An ops decision: (service, verb, reason required).
Decision = tuple[Callable[..., object], "StrOrPromise", bool]

DECISIONS: dict[str, Decision] = {
    "approve": (services.report_approve, _("approve"), False),
    "reject": (services.report_reject, _("reject"), True),
    "revoke": (services.report_revoke, _("revoke"), True),
}


def decide_each_row(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    decision: Decision,
    *,
    target: str,
    action: str,
    template: str,
    extra: dict[str, object],
    row_label: Callable[[Any], str],
    done_message: Callable[[int], str] | None = None,
) -> TemplateResponse | None:
    """The confirmation page of one decision on the selected rows, the same for reports and
    amendments: the reason form (required or optional), "Confirm: <verb>", rows in pk order, and
    the service called on each row as ``target`` (``report=`` / ``amendment=``) with the reason."""
    service, verb, required = decision
    return decide_each_action(
        model_admin,
        request,
        queryset.order_by("pk"),
        form=action_form(request, required=required),
        call=lambda obj, data: service(actor=request.user, **{target: obj}, reason=data["reason"]),
        title=_("Confirm: %(verb)s") % {"verb": verb},
        action=action,
        template=template,
        extra={"verb": verb, **extra},
        row_label=row_label,
        done_message=done_message,
    )


@admin.register(DeliveryReport)
class DeliveryReportAdmin(admin.ModelAdmin):
    """The review queue: pending reports first, then newest."""

    list_display = [
        "report_no",
        "shop",
        "scenario",
        "scope",
        "status_badge",
        "starts_at",
        "ends_at",
        "submitted_at",
        "approved_at",
        "decided_by_label",
    ]
    list_filter = ["status", "scenario", "scope", ExpiredFilter, ("shop", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["=report_no"]
    search_help_text = _("Report number, or an order number to find the reports whose scope matches it.")
    list_select_related = ["shop", "decided_by"]
    actions = ["approve_reports", "reject_reports", "revoke_reports"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "report_no",
                    "shop",
                    "status",
                    "scenario",
                    "scope",
                    "products_list",
                    "regions_list",
                    "starts_at",
                    "ends_at",
                    "promised_ship_by",
                    "note",
                    "decision_links",
                ]
            },
        ),
        (_("Commitment letter"), {"fields": ["commitment_letter", "commitment_accepted_at", "commitment_accepted_by"]}),
        (
            _("Decision"),
            {"fields": [*DECISION_FIELDS, "withdrawn_at", "revoked_at", "request_id"]},
        ),
        (_("Status history"), {"fields": ["history"]}),
    ]

    def get_queryset(self, request):
        return self.model._default_manager.prefetch_related(
            "product_links__product", "region_links__region", "amendments"
        ).order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        # An expression, not an annotation: Django also orders other admins' related-field
        # choices (e.g. an urge's report) with this, on the plain manager.
        pending_first = Case(When(status=Status.PENDING_REVIEW, then=Value(0)), default=Value(1), output_field=IntegerField())
        return [pending_first.asc(), "-submitted_at", "-pk"]

    def get_search_results(self, request, queryset, search_term):
        results, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        order = Order.objects.filter(order_no=term).first() if term else None
        if order is not None:
            results = queryset.filter(pk__in=results.values("pk")) | queryset.filter(
                pk__in=reports_scope_matching(order).values("pk")
            )
        return results, duplicates

    def get_readonly_fields(self, request, obj=None):
        return [f for fieldset in self.fieldsets for f in fieldset[1]["fields"]]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        colour = {Status.APPROVED: "#2ea121", Status.PENDING_REVIEW: "#b26a00"}.get(obj.status, "#d83931")
        expired = (
            format_html(' <span style="color:#646a73">({})</span>', _("expired"))
            if report_window_ended(obj, timezone.now())
            else ""
        )
        return format_html('<b style="color:{}">{}</b>{}', colour, obj.get_status_display(), expired)

    @admin.display(description=_("decided by"))
    def decided_by_label(self, obj):
        if obj.decided_by_system:
            return _("system")
        return obj.decided_by.get_username() if obj.decided_by else "—"

    @admin.display(description=_("products"))
    def products_list(self, obj):
        return ", ".join(f"{link.product.code} {link.product.title}" for link in obj.product_links.all()) or "—"

    @admin.display(description=_("receiver regions"))
    def regions_list(self, obj):
        return ", ".join(f"{link.region_id} {link.region.name}" for link in obj.region_links.all()) or "—"

    @admin.display(description=_("status history"))
    def history(self, obj):
        return audit_trail_html(obj)

    @admin.display(description=_("decide"))
    def decision_links(self, obj):
        if getattr(obj, "duty_conflict", False):
            return CONFLICT_MESSAGE  # SPEC §9: no one decides their own case
        allowed = services.TRANSITIONS[obj.status]
        targets = {"approve": Status.APPROVED, "reject": Status.REJECTED, "revoke": Status.REVOKED}
        links = [
            (reverse("admin:reports_deliveryreport_decide", args=[obj.pk, name]), DECISIONS[name][1])
            for name, target in targets.items()
            if target in allowed
        ]
        return format_html_join(" ", '<a class="button" href="{}">{}</a>', links) or "—"

    # --- decisions -----------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<int:pk>/decide/<str:decision>/",
                self.admin_site.admin_view(self.decide_view),
                name="reports_deliveryreport_decide",
            ),
        ] + super().get_urls()

    def decide_view(self, request, pk: int, decision: str):
        if decision not in DECISIONS or not self.has_change_permission(request):
            raise PermissionDenied
        report = get_object_or_404(DeliveryReport, pk=pk)
        response = self._decide(request, DeliveryReport.objects.filter(pk=report.pk), decision, action="")
        if response is None:
            return redirect("admin:reports_deliveryreport_change", report.pk)
        return response

    def get_object(self, request, object_id, from_field=None):
        report = super().get_object(request, object_id, from_field)
        if report is not None:
            report.duty_conflict = report_duty_conflict(request.user, report)
        return report

    def _decide(self, request, queryset, decision: str, *, action: str):
        queryset = admin_without_conflicts(self, request, queryset, report_duty_conflict)
        if not queryset.exists():
            return None
        verb = DECISIONS[decision][1]
        return decide_each_row(
            self,
            request,
            queryset,
            DECISIONS[decision],
            target="report",
            action=action,
            template="admin/reports/decision.html",
            extra={"reports": list(queryset.select_related("shop"))},
            row_label=lambda report: report.report_no,
            done_message=lambda done: (
                ngettext(
                    "%(count)d report: done (%(verb)s).",
                    "%(count)d reports: done (%(verb)s).",
                    done,
                )
                % {"count": done, "verb": verb}
            ),
        )

    @admin.action(description=_("Approve selected reports"), permissions=["change"])
    def approve_reports(self, request, queryset):
        return self._decide(request, queryset, "approve", action="approve_reports")

    @admin.action(description=_("Reject selected reports (with a reason)"), permissions=["change"])
    def reject_reports(self, request, queryset):
        return self._decide(request, queryset, "reject", action="reject_reports")

    @admin.action(description=_("Revoke selected reports (with a reason)"), permissions=["change"])
    def revoke_reports(self, request, queryset):
        return self._decide(request, queryset, "revoke", action="revoke_reports")


# --- unified exemptions ------------------------------------------------------------------


class UnifiedExemptionForm(forms.ModelForm):
    region_codes = forms.ModelMultipleChoiceField(
        label=_("regions"),
        queryset=Region.objects.all(),
        widget=AutocompleteSelectMultiple(UnifiedExemption._meta.get_field("regions"), admin.site),
        help_text=_("A province covers all its cities and districts; a city all its districts."),
    )

    class Meta:
        model = UnifiedExemption
        fields = ["title", "scenario", "applies_to", "starts_at", "ends_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["region_codes"].initial = list(self.instance.region_links.values_list("region_id", flat=True))

    def clean(self):
        data = super().clean()
        try:
            if data.get("starts_at") and data.get("ends_at"):
                validate_window(starts_at=data["starts_at"], ends_at=data["ends_at"])
            if data.get("region_codes"):
                clean_region_codes([r.code for r in data["region_codes"]])
        except DomainError as exc:
            raise ValidationError(exc.detail, code=exc.code) from None
        return data


@admin.register(UnifiedExemption)
class UnifiedExemptionAdmin(admin.ModelAdmin):
    form = UnifiedExemptionForm
    list_display = ["title", "scenario", "applies_to", "regions_list", "starts_at", "ends_at", "in_force", "source"]
    list_filter = ["scenario", "applies_to", "source"]
    search_fields = ["title"]
    date_hierarchy = "starts_at"
    readonly_fields = ["source", "created_by", "created_at", "history"]

    def get_fieldsets(self, request, obj=None):
        main = ["title", "scenario", "applies_to", "region_codes", "starts_at", "ends_at"]
        extra = [(_("Status history"), {"fields": ["source", "created_by", "created_at", "history"]})] if obj else []
        return [(None, {"fields": main})] + extra

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("region_links__region")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("regions"))
    def regions_list(self, obj):
        return "、".join(link.region.name for link in obj.region_links.all())

    @admin.display(description=_("in force now"), boolean=True)
    def in_force(self, obj):
        return in_window(obj, timezone.now())

    @admin.display(description=_("status history"))
    def history(self, obj):
        return audit_trail_html(obj)

    def save_model(self, request, obj, form, change):
        values = {k: form.cleaned_data[k] for k in ("title", "scenario", "applies_to", "starts_at", "ends_at")}
        regions = [r.code for r in form.cleaned_data["region_codes"]]
        if change:
            services.exemption_update(actor=request.user, exemption=obj, regions=regions, **values)
        else:
            created, _ = services.exemption_create(actor=request.user, regions=regions, **values)
            obj.pk = created.pk

    def save_related(self, request, form, formsets, change):
        """Regions are saved by the service (each link needs its prefix)."""


@admin.register(CommitmentLetter)
class CommitmentLetterAdmin(admin.ModelAdmin):
    """Versions of the commitment letter. A published version is never edited: publish a new one."""

    list_display = ["version", "published_at"]
    fields = ["version", "published_at", "text"]

    def get_readonly_fields(self, request, obj=None):
        return ["version", "published_at", "text"] if obj else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if change:  # every field is read-only once published
            return
        values = {f: form.cleaned_data[f] for f in ("version", "text", "published_at")}
        obj.pk = services.commitment_letter_publish(actor=request.user, **values).pk
        obj._state.adding = False


# --- amendments (SPEC §11) ------------------------------------------------------------------


AMENDMENT_DECISIONS: dict[str, Decision] = {
    "approve": (services.amendment_approve, _("approve"), False),
    "reject": (services.amendment_reject, _("reject"), True),
}


@admin.register(ReportAmendment)
class ReportAmendmentAdmin(admin.ModelAdmin):
    """补充报备 waiting for review (those not auto-approved) and every decided one. Read-only; the
    decisions call ``amendment_approve`` / ``amendment_reject``."""

    list_display = ["__str__", "shop", "scenario", "status", "ends_at", "scope_list", "submitted_at", "decided_at"]
    list_filter = ["status", "report__scenario"]
    search_fields = ["report__report_no", "report__shop__code"]
    list_select_related = ["report__shop"]
    actions = ["approve_amendments", "reject_amendments"]
    fields = (
        "report_link",
        "version",
        "status",
        "scope",
        "starts_at",
        "ends_at",
        "promised_ship_by",
        "scope_list",
        "previous_version",
        "note",
        *DECISION_FIELDS,
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("product_links__product", "region_links__region")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("shop"), ordering="report__shop__code")
    def shop(self, obj):
        return obj.report.shop.name

    @admin.display(description=_("scenario"))
    def scenario(self, obj):
        return obj.report.get_scenario_display()

    @admin.display(description=_("report"))
    def report_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:reports_deliveryreport_change", args=[obj.report_id]), obj.report.report_no
        )

    @admin.display(description=_("products / regions"))
    def scope_list(self, obj):
        items = [link.product.code for link in obj.product_links.all()] + [link.region.name for link in obj.region_links.all()]
        return "、".join(items) or "—"

    @admin.display(description=_("before this version"))
    def previous_version(self, obj):
        earlier = obj.report.amendments.filter(status=ReportAmendment.Status.APPROVED, version__lt=obj.version).last()
        before = earlier or obj.report
        items = [link.product.code for link in before.product_links.all()] + [
            link.region_id for link in before.region_links.all()
        ]
        return format_html(
            "v{}: {} ~ {} {}",
            getattr(before, "version", 1),
            timezone.localtime(before.starts_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(before.ends_at).strftime("%Y-%m-%d %H:%M"),
            "、".join(items),
        )

    def _decide(self, request, queryset, decision: str, *, action: str):
        return decide_each_row(
            self,
            request,
            queryset,
            AMENDMENT_DECISIONS[decision],
            target="amendment",
            action=action,
            template="admin/reports/amendment_decision.html",
            extra={"amendments": list(queryset.select_related("report__shop"))},
            row_label=str,
        )

    @admin.action(description=_("Approve selected amendments"), permissions=["change"])
    def approve_amendments(self, request, queryset):
        return self._decide(request, queryset, "approve", action="approve_amendments")

    @admin.action(description=_("Reject selected amendments (with a reason)"), permissions=["change"])
    def reject_amendments(self, request, queryset):
        return self._decide(request, queryset, "reject", action="reject_amendments")
