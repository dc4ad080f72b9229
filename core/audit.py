"""Audit rows: one function for a single change, one for a batch (bulk writes bypass signals)."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from core.models import AuditEntry

SYSTEM = "system"

#: Who acts: a user, or ``None`` for the system (a scheduled job, an automatic rule).
Actor = AbstractBaseUser | None


def _actor_fields(actor: Actor) -> dict[str, Any]:
    if actor is None:
        return {"actor": None, "actor_label": SYSTEM}
    return {"actor": actor, "actor_label": actor.get_username()}


def target_type_of(target: models.Model | type[models.Model]) -> str:
    return target._meta.label_lower


def audit_record(
    *,
    actor: Actor,
    target: models.Model,
    action: str,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Write one audit row; call it inside the transaction that makes the change."""
    return AuditEntry.objects.create(
        at=at or timezone.now(),
        target_type=target_type_of(target),
        target_id=str(target.pk),
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data or {},
        **_actor_fields(actor),
    )


def audit_record_bulk(
    *,
    actor: Actor,
    model: type[models.Model],
    target_ids: Iterable[Any],
    action: str,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    at: datetime | None = None,
    batch_size: int = 1000,
) -> int:
    """Write one identical audit row per target id in bulk (for sweeps and batch jobs)."""
    at = at or timezone.now()
    actor_fields = _actor_fields(actor)
    rows = [
        AuditEntry(
            at=at,
            target_type=target_type_of(model),
            target_id=str(pk),
            action=action,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            **actor_fields,
        )
        for pk in target_ids
    ]
    AuditEntry.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)


def audit_trail(target: models.Model) -> QuerySet[AuditEntry]:
    """The audit rows of one object, oldest first."""
    return (
        AuditEntry.objects.filter(target_type=target_type_of(target), target_id=str(target.pk))
        .select_related("actor")
        .order_by("at", "id")
    )
