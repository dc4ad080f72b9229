"""Ops admin (Chinese): complaint and appeal queues, manual review, re-review after a revoke.

Every action calls the same service as the API; nothing here holds a rule of its own.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from complaints import selectors, services
from complaints.admin_forms import JudgeForm
from complaints.models import Appeal, Complaint, ComplaintToReReview
from core.duties import admin_without_conflicts, appeal_duty_conflict, complaint_duty_conflict
from core.opsui import ReadOnlyAdmin, action_form, audit_trail_html, decide_each_action
from core.paginators import EstimatedCountPaginator
from reports.coverage_texts import failure_labels


def _fmt(value, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return localtime(value).strftime(pattern) if value else "—"


class FiledDayFilter(admin.DateFieldListFilter):
    pass


class NeedsReReviewFilter(admin.SimpleListFilter):
    title = _("basis report revoked")
    parameter_name = "rereview"

    def lookups(self, request, model_admin):
        return [("yes", _("needs re-review"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(pk__in=selectors.complaints_to_rereview().values("pk"))
        return queryset


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    decided_by_actions = True
    list_display = [
        "id",
        "order_link",
        "shop",
        "reason",
        "source",
        "filed_at",
        "status",
        "verdict",
        "basis",
        "penalty",
        "judged_at",
    ]
    list_filter = [
        "status",
        "verdict",
        "reason",
        "source",
        ("order__shop__kind", admin.ChoicesFieldListFilter),
        ("filed_at", FiledDayFilter),
        NeedsReReviewFilter,
    ]
    search_fields = ["=order__order_no", "=event_id"]
    list_select_related = ["order", "order__shop", "basis_report", "basis_exemption"]
    date_hierarchy = "filed_at"
    paginator = EstimatedCountPaginator  # millions of rows: no COUNT(*) per page view
    show_full_result_count = False
    actions = ["judge_action"]
    readonly_extra = ("evidence_links", "order_panel", "coverage_panel", "audit_trail")
    fieldsets = [
        (_("Complaint"), {"fields": ["event_id", "order", "reason", "source", "filed_at", "message", "evidence_links"]}),
        (_("Order and coverage at the filing time"), {"fields": ["order_panel", "coverage_panel"]}),
        (
            _("Judgment"),
            {
                "fields": [
                    "status",
                    "verdict",
                    "basis_exemption",
                    "basis_report",
                    "penalty",
                    "judged_at",
                    "judged_by",
                    "judgment_reason",
                    "rereviewed_at",
                    "rereviewed_by",
                ]
            },
        ),
        (_("Audit trail"), {"fields": ["audit_trail"]}),
    ]

    @admin.display(description=_("order"), ordering="order__order_no")
    def order_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:shops_order_change", args=[obj.order_id]), obj.order.order_no)

    @admin.display(description=_("shop"))
    def shop(self, obj):
        return obj.order.shop.name

    @admin.display(description=_("basis"))
    def basis(self, obj):
        return obj.basis_label or "—"

    @admin.display(description=_("evidence links"))
    def evidence_links(self, obj):
        if not obj.evidence:
            return "—"
        return format_html_join(
            mark_safe("<br>"), '<a href="{}" rel="noopener" target="_blank">{}</a>', ((url, url) for url in obj.evidence)
        )

    @admin.display(description=_("order"))
    def order_panel(self, obj):
        o = obj.order
        return format_html(
            "{}: {} · {}: {} · {}: {}<br>{}: {} · {}: {}<br>{}: {} → {}<br>{}: {} · {}: {}",
            _("order number"),
            o.order_no,
            _("shop"),
            o.shop,
            _("amount"),
            o.amount,
            _("paid at"),
            localtime(o.paid_at).strftime("%Y-%m-%d %H:%M"),
            _("ship deadline"),
            localtime(o.ship_deadline).strftime("%Y-%m-%d %H:%M"),
            _("regions (sender → receiver)"),
            o.sender_region_id,
            o.receiver_region_id,
            _("shipped at"),
            o.shipped_at or "—",
            _("cancelled at"),
            o.cancelled_at or "—",
        )

    @admin.display(description=_("coverage at the filing time"))
    def coverage_panel(self, obj):
        return coverage_table(obj)

    @admin.display(description=_("audit trail"))
    def audit_trail(self, obj):
        return audit_trail_html(entries=selectors.complaint_timeline(obj))

    @admin.action(description=_("Judge the selected complaints (manual review)"))
    def judge_action(self, request, queryset: QuerySet):
        queryset = admin_without_conflicts(
            self, request, queryset.select_related("order", "order__shop"), complaint_duty_conflict
        )
        if not queryset.exists():
            return None
        form = action_form(request, JudgeForm)
        applying = form.is_bound and form.is_valid()
        return decide_each_action(
            self,
            request,
            queryset,
            form=form,
            call=lambda c, data: services.complaint_judge(actor=request.user, complaint=c, **data),
            title=_("Judge complaints"),
            action="judge_action",
            template="admin/complaints/judge_form.html",
            extra=None if applying else {"panels": [(c, coverage_table(c)) for c in queryset]},
        )


def coverage_table(complaint: Complaint) -> str:
    """The order's shop's reports and the exemptions around the filing time, side by side,
    each with the coverage rule's reasons (from ``reports.coverage``) — empty means it covers."""
    explained = selectors.complaint_coverage_explained(complaint)

    def verdict(failures):
        if not failures:
            return format_html('<strong style="color:#2ea121">{}</strong>', _("covers"))
        return "; ".join(failure_labels(failures))

    report_rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} – {}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                r.report_no,
                r.get_status_display(),
                r.get_scope_display(),
                _fmt(r.starts_at, "%m-%d %H:%M"),
                _fmt(r.ends_at, "%m-%d %H:%M"),
                _fmt(r.approved_at),
                verdict(failures),
            )
            for r, failures in explained["reports"]
        ),
    )
    exemption_rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{} – {}</td><td>{}</td></tr>",
        (
            (
                e.title,
                e.get_applies_to_display(),
                _fmt(e.starts_at, "%m-%d %H:%M"),
                _fmt(e.ends_at, "%m-%d %H:%M"),
                verdict(failures),
            )
            for e, failures in explained["exemptions"]
        ),
    )
    return format_html(
        '<div style="display:flex;gap:24px;flex-wrap:wrap"><div><h4>{}</h4><table><thead><tr><th>{}</th><th>{}</th>'
        "<th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table></div>"
        "<div><h4>{}</h4><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody>"
        "</table></div></div>",
        _("Delivery reports of the shop"),
        _("report number"),
        _("status"),
        _("scope"),
        _("validity"),
        _("approved at"),
        _("at the filing time"),
        report_rows or format_html("<tr><td colspan=6>{}</td></tr>", _("none")),
        _("Unified exemptions in force at the filing time"),
        _("title"),
        _("applies to"),
        _("validity"),
        _("at the filing time"),
        exemption_rows or format_html("<tr><td colspan=4>{}</td></tr>", _("none")),
    )


@admin.register(ComplaintToReReview)
class ComplaintToReReviewAdmin(ComplaintAdmin):
    """Exemptions whose basis report was revoked afterwards: confirm or make liable."""

    list_display = ["id", "order_link", "shop", "filed_at", "verdict", "basis", "basis_revoked_at", "judged_at"]
    list_filter = ["reason", "source", ("order__shop__kind", admin.ChoicesFieldListFilter), ("filed_at", FiledDayFilter)]
    actions = ["confirm_exemption", "make_liable"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=selectors.complaints_to_rereview().values("pk"))

    @admin.display(description=_("basis report revoked at"))
    def basis_revoked_at(self, obj):
        return obj.basis_report.revoked_at if obj.basis_report_id else None

    def _rereview(self, request, queryset, verdict: str, title):
        queryset = admin_without_conflicts(self, request, queryset.select_related("order"), complaint_duty_conflict)
        if not queryset.exists():
            return None
        return decide_each_action(
            self,
            request,
            queryset,
            form=action_form(request),
            call=lambda c, data: services.complaint_rereview(
                actor=request.user, complaint=c, verdict=verdict, reason=data["reason"]
            ),
            title=title,
            action=request.POST.get("action"),
            template="admin/complaints/reason_form.html",
        )

    @admin.action(description=_("Confirm the exemption"))
    def confirm_exemption(self, request, queryset):
        return self._rereview(request, queryset, Complaint.Verdict.EXEMPT, _("Confirm the exemption"))

    @admin.action(description=_("Make the merchant liable (penalty applies)"))
    def make_liable(self, request, queryset):
        return self._rereview(request, queryset, Complaint.Verdict.MERCHANT_LIABLE, _("Make the merchant liable"))


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    decided_by_actions = True
    list_display = [
        "id",
        "complaint_link",
        "order_no",
        "shop",
        "report_no",
        "report",
        "status",
        "requires_prior_report",
        "created_at",
        "decided_at",
    ]
    list_filter = [
        "status",
        "requires_prior_report",
        "complaint__reason",
        "complaint__source",
        ("complaint__order__shop__kind", admin.ChoicesFieldListFilter),
        ("created_at", FiledDayFilter),
    ]
    search_fields = ["=complaint__order__order_no", "=report_no"]
    list_select_related = ["complaint", "complaint__order", "complaint__order__shop", "report"]
    date_hierarchy = "created_at"
    actions = ["accept_action", "reject_action"]
    readonly_extra = ("complaint_panel", "audit_trail")
    fieldsets = [
        (
            _("Appeal"),
            {"fields": ["complaint", "report_no", "report", "statement", "requires_prior_report", "created_by", "created_at"]},
        ),
        (_("Complaint"), {"fields": ["complaint_panel"]}),
        (_("Decision"), {"fields": ["status", "reason", "decided_by", "decided_at"]}),
        (_("Audit trail"), {"fields": ["audit_trail"]}),
    ]

    @admin.display(description=_("complaint"))
    def complaint_link(self, obj):
        return format_html(
            '<a href="{}">#{}</a>', reverse("admin:complaints_complaint_change", args=[obj.complaint_id]), obj.complaint_id
        )

    @admin.display(description=_("order number"))
    def order_no(self, obj):
        return obj.complaint.order.order_no

    @admin.display(description=_("shop"))
    def shop(self, obj):
        return obj.complaint.order.shop.name

    @admin.display(description=_("complaint"))
    def complaint_panel(self, obj):
        c = obj.complaint
        return format_html(
            "{}: {} · {}: {} · {}: {}<br>{}",
            _("verdict"),
            c.get_verdict_display(),
            _("penalty"),
            c.penalty,
            _("judged at"),
            _fmt(c.judged_at),
            coverage_table(c),
        )

    @admin.display(description=_("audit trail"))
    def audit_trail(self, obj):
        return audit_trail_html(entries=selectors.complaint_timeline(obj.complaint))

    def _decide(self, request, queryset, service, *, required: bool, title, action: str):
        queryset = admin_without_conflicts(self, request, queryset, appeal_duty_conflict)
        if not queryset.exists():
            return None
        return decide_each_action(
            self,
            request,
            queryset,
            form=action_form(request, required=required),
            call=lambda a, data: service(actor=request.user, appeal=a, reason=data["reason"]),
            title=title,
            action=action,
            template="admin/complaints/reason_form.html",
        )

    @admin.action(description=_("Accept the selected appeals (exempt, penalty voided)"))
    def accept_action(self, request, queryset):
        return self._decide(
            request, queryset, services.appeal_accept, required=False, title=_("Accept appeals"), action="accept_action"
        )

    @admin.action(description=_("Reject the selected appeals (reason required)"))
    def reject_action(self, request, queryset):
        return self._decide(
            request, queryset, services.appeal_reject, required=True, title=_("Reject appeals"), action="reject_action"
        )
