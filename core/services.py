"""Writes to core's own data: the policy timeline (SPEC §1). Audited in the same transaction."""

from collections.abc import Callable, Collection, Mapping
from datetime import datetime

from django.db import models, transaction
from django.utils import timezone

from core.audit import Actor, audit_record
from core.models import Policy

POLICY_EDITABLE_FIELDS = ("title", "effective_from", "enabled")


def audit_value(value: object) -> str:
    """A value as ops read it in the audit trail (datetimes in Asia/Shanghai)."""
    return timezone.localtime(value).isoformat() if isinstance(value, datetime) else str(value)


def apply_changes(
    obj: models.Model,
    changes: Mapping[str, object],
    *,
    editable: Collection[str],
    shown: Callable[[object], str] = audit_value,
) -> dict[str, list[str]]:
    """Set ``changes`` on ``obj`` (only ``editable`` fields, else ``ValueError``) and return the
    audit diff ``{field: [before, after]}`` (values as ``shown``). The caller saves and audits."""
    unknown = set(changes) - set(editable)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    diff = {field: [shown(getattr(obj, field)), shown(value)] for field, value in changes.items()}
    for field, value in changes.items():
        setattr(obj, field, value)
    return diff


@transaction.atomic
def policy_update(*, actor: Actor, policy: Policy, changes: Mapping[str, object]) -> Policy:
    """Change a policy of the timeline (ops admins); the audit row holds each field's before → after."""
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    diff = apply_changes(policy, changes, editable=POLICY_EDITABLE_FIELDS)
    policy.save(update_fields=[*changes, "updated_at"])
    audit_record(actor=actor, target=policy, action="policy_changed", data=diff)
    return policy
