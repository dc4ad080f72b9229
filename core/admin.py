from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit_labels import action_label, reason_label, status_label, target_label
from core.jobs import job_overview
from core.models import ApiToken, AuditEntry, JobRun, Policy
from core.opsui import ReadOnlyAdmin
from core.paginators import EstimatedCountPaginator
from core.roles import is_ops_admin, signed_in
from core.services import policy_update
from core.tokens import token_revoke, token_status

if TYPE_CHECKING:  # Django's ModelAdmin is generic in the stubs only
    _PolicyAdminBase = admin.ModelAdmin[Policy]
    _ApiTokenAdminBase = admin.ModelAdmin[ApiToken]
else:
    _PolicyAdminBase = _ApiTokenAdminBase = admin.ModelAdmin


@admin.register(Policy)
class PolicyAdmin(_PolicyAdminBase):
    """The policy timeline. Editable by ops admins only; every change is audited."""

    list_display = ["key", "title", "effective_from", "enabled", "updated_at"]
    list_editable = ()
    readonly_fields = ["key", "updated_at"]
    ordering = ["effective_from"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Policy | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Policy | None = None) -> bool:
        return is_ops_admin(request.user)

    def save_model(self, request: HttpRequest, obj: Policy, form: "forms.ModelForm[Policy]", change: bool) -> None:
        policy_update(actor=signed_in(request.user), policy=obj, changes={f: form.cleaned_data[f] for f in form.changed_data})


class _LabelledValuesFilter(admin.SimpleListFilter):
    """A filter over the distinct stored codes of a column, each shown by its Chinese label."""

    field = ""

    def label(self, value: str) -> str:
        raise NotImplementedError

    def lookups(self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]") -> list[tuple[str, str]]:
        values = model_admin.get_queryset(request).order_by(self.field).values_list(self.field, flat=True).distinct()
        return sorted(((v, self.label(v)) for v in values), key=lambda item: item[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet[Model]) -> QuerySet[Model]:
        return queryset.filter(**{self.field: self.value()}) if self.value() else queryset


class ActionFilter(_LabelledValuesFilter):
    title, parameter_name, field = _("action"), "action", "action"

    def label(self, value: str) -> str:
        return action_label(value)


class TargetTypeFilter(_LabelledValuesFilter):
    title, parameter_name, field = _("target type"), "target_type", "target_type"

    def label(self, value: str) -> str:
        return target_label(value)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    paginator = EstimatedCountPaginator  # millions of rows: no COUNT(*) per page view
    show_full_result_count = False
    list_display = ["at", "actor_label", "action_name", "target_name", "target_id", "status_change", "reason_shown"]
    list_filter = [ActionFilter, TargetTypeFilter]
    search_fields = ["target_id", "actor_label", "reason"]
    date_hierarchy = "at"

    @admin.display(description=_("action"), ordering="action")
    def action_name(self, obj: AuditEntry) -> str:
        return action_label(obj.action)

    @admin.display(description=_("target type"), ordering="target_type")
    def target_name(self, obj: AuditEntry) -> str:
        return target_label(obj.target_type)

    @admin.display(description=_("reason"), ordering="reason")
    def reason_shown(self, obj: AuditEntry) -> str:
        return reason_label(obj.reason)

    @admin.display(description=_("status"))
    def status_change(self, obj: AuditEntry) -> str:
        if not (obj.from_status or obj.to_status):
            return ""
        return f"{status_label(obj.target_type, obj.from_status) or '—'} → {status_label(obj.target_type, obj.to_status) or '—'}"


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    """任务运行: the list page is one line per periodic job (last run, last success, lag, a flag
    when it has not succeeded within twice its period); ``history/`` lists the runs themselves."""

    list_display = ["name", "started_at", "finished_at", "outcome", "counts", "error"]
    list_filter = ["outcome", "name"]
    ordering = ["-started_at", "-id"]

    def get_urls(self) -> list[URLPattern]:
        history = path("history/", self.admin_site.admin_view(super().changelist_view), name="core_jobrun_history")
        return [history, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Job runs"),
            "opts": self.model._meta,
            "jobs": job_overview(),
            "now": timezone.now(),
        }
        return TemplateResponse(request, "admin/core/jobrun/overview.html", context)


@admin.register(ApiToken)
class ApiTokenAdmin(_ApiTokenAdminBase):
    """API tokens (SPEC §9): who holds which, until when; revoke here or with ``revoke_token``.
    Keys are never stored, so never shown: a token is named by its first characters."""

    list_display = ["prefix", "user", "kind", "created_at", "expires_at", "last_used_at", "status"]
    list_filter = ["kind", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["=prefix", "user__username"]
    list_select_related = ["user"]
    readonly_fields = fields = ("prefix", "user", "kind", "created_at", "expires_at", "revoked_at", "last_used_at")
    actions = ["revoke_tokens"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_ops_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return is_ops_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return is_ops_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # issue with ``manage.py issue_token`` (the key is printed once)

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    @admin.display(description=_("status"))
    def status(self, obj: ApiToken) -> str:
        return str({"active": _("active"), "expired": _("expired"), "revoked": _("revoked")}[token_status(obj)])

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            token_revoke(token=token, actor=signed_in(request.user), reason="admin")
        self.message_user(request, _("%(count)d token(s) revoked.") % {"count": queryset.count()})
