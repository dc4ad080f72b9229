"""Writes to core's own data: the policy timeline (SPEC §1). Audited in the same transaction."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from core.audit import audit_record
from core.models import Policy

POLICY_EDITABLE_FIELDS = ("title", "effective_from", "enabled")


def audit_value(value) -> str:
    """A value as ops read it in the audit trail (datetimes in Asia/Shanghai)."""
    return timezone.localtime(value).isoformat() if isinstance(value, datetime) else str(value)


@transaction.atomic
def policy_update(*, actor, policy: Policy, changes: dict) -> Policy:
    """Change a policy of the timeline (ops admins); the audit row holds each field's before → after."""
    unknown = set(changes) - set(POLICY_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    diff = {field: [audit_value(getattr(policy, field)), audit_value(value)] for field, value in changes.items()}
    for field, value in changes.items():
        setattr(policy, field, value)
    policy.save(update_fields=[*changes, "updated_at"])
    audit_record(actor=actor, target=policy, action="policy_changed", data=diff)
    return policy
