from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.audit_labels import action_label, status_label, target_label
from core.models import AuditEntry, Policy
from core.roles import is_ops_admin
from core.services import policy_update


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    """The policy timeline. Editable by ops admins only; every change is audited."""

    list_display = ["key", "title", "effective_from", "enabled", "updated_at"]
    list_editable: list = []
    readonly_fields = ["key", "updated_at"]
    ordering = ["effective_from"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return is_ops_admin(request.user)

    def save_model(self, request, obj, form, change):
        policy_update(actor=request.user, policy=obj, changes={f: form.cleaned_data[f] for f in form.changed_data})


class _LabelledValuesFilter(admin.SimpleListFilter):
    """A filter over the distinct stored codes of a column, each shown by its Chinese label."""

    field = ""

    def label(self, value: str) -> str:
        raise NotImplementedError

    def lookups(self, request, model_admin):
        values = model_admin.get_queryset(request).order_by(self.field).values_list(self.field, flat=True).distinct()
        return sorted(((v, self.label(v)) for v in values), key=lambda item: item[1])

    def queryset(self, request, queryset):
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
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action_name", "target_name", "target_id", "status_change", "reason"]
    list_filter = [ActionFilter, TargetTypeFilter]
    search_fields = ["target_id", "actor_label", "reason"]
    date_hierarchy = "at"

    @admin.display(description=_("action"), ordering="action")
    def action_name(self, obj: AuditEntry) -> str:
        return action_label(obj.action)

    @admin.display(description=_("target type"), ordering="target_type")
    def target_name(self, obj: AuditEntry) -> str:
        return target_label(obj.target_type)

    @admin.display(description=_("status"))
    def status_change(self, obj: AuditEntry) -> str:
        if not (obj.from_status or obj.to_status):
            return ""
        return f"{status_label(obj.target_type, obj.from_status) or '—'} → {status_label(obj.target_type, obj.to_status) or '—'}"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
