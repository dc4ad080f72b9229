"""Audit rows: one function for a single change, one for a batch (bulk writes bypass signals)."""

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from core.models import AuditEntry

SYSTEM = "system"

#: Who acts: a user, or ``None`` for the system (a scheduled job, an automatic rule).
Actor = User | None


def _actor_fields(actor: Actor) -> dict[str, Any]:
    if actor is None:
        return {"actor": None, "actor_label": SYSTEM}
    return {"actor": actor, "actor_label": actor.get_username()}


#: What merchants see in place of a decider (SPEC §9): never an ops username. Fixed Chinese
#: strings — the API's values do not change with the language.
MERCHANT_OPS_LABEL = "平台运营"
MERCHANT_SYSTEM_LABEL = "系统"


def merchant_colleague_ids(viewer: AbstractBaseUser | AnonymousUser | None) -> set[int]:
    """The users who share a shop with ``viewer`` (itself included), ops staff excluded: the
    people whose names a merchant may see in its own history."""
    from shops.models import ShopMembership

    pk: int | None = getattr(viewer, "pk", None) if viewer is not None else None
    if pk is None:
        return set()
    rows = ShopMembership.objects.filter(shop__memberships__user_id=pk).exclude(user__is_staff=True)
    return set(rows.exclude(user__is_superuser=True).values_list("user_id", flat=True)) | {pk}


def merchant_actor_label(actor: Actor, *, label: str = "", colleagues: AbstractSet[int] = frozenset()) -> str:
    """Who acted, as a merchant may see it: "系统" for the system and platform service users,
    the username of a colleague (``merchant_colleague_ids``), and "平台运营" for anyone else —
    ops reviewers, admins, superusers, deleted users. Never an ops username."""
    from core.roles import is_platform_user

    if actor is None:
        return MERCHANT_SYSTEM_LABEL if label in ("", SYSTEM) else MERCHANT_OPS_LABEL
    if actor.pk in colleagues:
        return actor.get_username()
    if is_platform_user(actor):
        return MERCHANT_SYSTEM_LABEL
    return MERCHANT_OPS_LABEL


def target_type_of(target: models.Model | type[models.Model]) -> str:
    return target._meta.label_lower


def audit_entry(
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
    """The unsaved audit row of one change, for a batch written with one ``bulk_create``."""
    return AuditEntry(
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
    entry = audit_entry(
        actor=actor, target=target, action=action, from_status=from_status, to_status=to_status, reason=reason, data=data, at=at
    )
    entry.save(force_insert=True)
    return entry


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
