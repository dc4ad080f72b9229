"""Ops admin of the workbench: the spot-check review queue (抽查). Results are recorded on an
intermediate page with a note and go through ``spot_check_decide``; nothing is edited by hand."""

from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.opsui import action_form, audit_trail_html, decide_each_action
from workbench.models import SpotCheck, SpotCheckDay
from workbench.spotchecks import spot_check_decide

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Status = SpotCheck.Status
DECISIONS: dict[str, "StrOrPromise"] = {Status.CONFIRMED: _("confirm"), Status.FALSE: _("mark false and revoke the report")}


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


@admin.register(SpotCheck)
class SpotCheckAdmin(admin.ModelAdmin):
    """The review queue: pending checks first, oldest day first."""

    list_display = ["id", "report_link", "shop", "sample_day", "status_badge", "decided_by", "decided_at", "report_revoked"]
    list_filter = [
        "status",
        "report_revoked",
        ("sample_day__day", admin.DateFieldListFilter),
        ("shop", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["=report__report_no"]
    list_select_related = ["report", "shop", "sample_day", "decided_by"]
    actions = ["confirm_spot_checks", "mark_spot_checks_false"]
    fields = [
        "report_link",
        "shop",
        "sample_day",
        "status",
        "note",
        "decided_by",
        "decided_at",
        "report_revoked",
        "decision_links",
        "history",
    ]

    def get_ordering(self, request):
        return ["-status", "sample_day__day", "pk"]  # "pending" sorts after "false"/"confirmed" descending

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False}
        return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("report"), ordering="report__report_no")
    def report_link(self, obj: SpotCheck):
        url = reverse("admin:reports_deliveryreport_change", args=[obj.report_id])
        return format_html('<a href="{}">{}</a>', url, obj.report.report_no)

    @admin.display(description=_("result"), ordering="status")
    def status_badge(self, obj: SpotCheck):
        colours: dict[str, str] = {Status.CONFIRMED: "#2ea121", Status.PENDING: "#b26a00"}
        colour = colours.get(obj.status, "#d83931")
        return format_html('<b style="color:{}">{}</b>', colour, obj.get_status_display())

    @admin.display(description=_("history"))
    def history(self, obj: SpotCheck):
        return audit_trail_html(obj)

    @admin.display(description=_("decide"))
    def decision_links(self, obj: SpotCheck):
        if obj.status != Status.PENDING:
            return "—"
        links = [
            (reverse("admin:workbench_spotcheck_decide", args=[obj.pk, result]), f"spot-check-{result}", label)
            for result, label in DECISIONS.items()
        ]
        return format_html_join(" ", '<a class="button" id="{1}" href="{0}">{2}</a>', links)

    # --- decisions -----------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<int:pk>/decide/<str:result>/",
                self.admin_site.admin_view(self.decide_view),
                name="workbench_spotcheck_decide",
            ),
        ] + super().get_urls()

    def decide_view(self, request, pk: int, result: str):
        if result not in DECISIONS or not self.has_change_permission(request):
            raise PermissionDenied
        check = get_object_or_404(SpotCheck, pk=pk)
        response = self._decide(request, SpotCheck.objects.filter(pk=check.pk), result, action="")
        return response or redirect("admin:workbench_spotcheck_change", check.pk)

    def _decide(self, request, queryset, result: str, *, action: str):
        verb = DECISIONS[result]
        return decide_each_action(
            self,
            request,
            queryset.order_by("pk"),
            form=action_form(request, NoteForm),
            call=lambda check, data: spot_check_decide(actor=request.user, spot_check=check, result=result, note=data["note"]),
            title=_("Confirm: %(verb)s") % {"verb": verb},
            action=action,
            template="admin/workbench/spotcheck_decision.html",
            extra={"checks": list(queryset.select_related("report", "shop", "sample_day")), "submit_id": "spot-check-apply"},
            done_message=lambda done: (
                ngettext("%(count)d spot check recorded (%(verb)s).", "%(count)d spot checks recorded (%(verb)s).", done)
                % {"count": done, "verb": verb}
            ),
        )

    @admin.action(description=_("Confirm selected spot checks (with a note)"), permissions=["change"])
    def confirm_spot_checks(self, request, queryset):
        return self._decide(request, queryset, Status.CONFIRMED, action="confirm_spot_checks")

    @admin.action(description=_("Mark selected spot checks false and revoke their reports (with a note)"), permissions=["change"])
    def mark_spot_checks_false(self, request, queryset):
        return self._decide(request, queryset, Status.FALSE, action="mark_spot_checks_false")


@admin.register(SpotCheckDay)
class SpotCheckDayAdmin(admin.ModelAdmin):
    list_display = ["day", "population", "sampled", "seed", "created_at"]
    date_hierarchy = "day"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
