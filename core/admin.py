from datetime import datetime

from django.contrib import admin
from django.utils import timezone

from core.audit import audit_record
from core.models import AuditEntry, Policy
from core.roles import is_ops_admin


def _shown(value) -> str:
    """A value as ops read it in the audit trail (datetimes in Asia/Shanghai)."""
    return timezone.localtime(value).isoformat() if isinstance(value, datetime) else str(value)


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
        before = Policy.objects.get(pk=obj.pk) if obj.pk else None
        super().save_model(request, obj, form, change)
        changes = {f: [_shown(getattr(before, f)), _shown(getattr(obj, f))] for f in form.changed_data} if before else {}
        audit_record(actor=request.user, target=obj, action="policy_changed", data=changes)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "target_type", "target_id", "from_status", "to_status", "reason"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "actor_label", "reason"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
