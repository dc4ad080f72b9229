"""Which reply options are active at a time t — one rule, in Python and as a queryset filter.

An option is active at t when ``effective_from ≤ t`` and it is not retired at t; it is retired
from the earlier of its ``retired_at`` and the effective time of the policy named in
``retire_with_policy`` (the policy timeline decides, by the reply time — SPEC §1).
"""

from datetime import datetime

from django.db.models import Q, QuerySet

from core.policies import UnknownPolicy, policy_effective_from, policy_in_force
from tickets.models import ReplyOption


def _policy_retires_at(key: str, at: datetime) -> bool:
    if not key:
        return False
    try:
        return policy_in_force(key, at)
    except UnknownPolicy:  # the admin form refuses unknown keys; never fail a reply on one
        return False


def reply_option_retirement(option: ReplyOption) -> datetime | None:
    """The instant from which the option can no longer be chosen (``None``: not retired)."""
    candidates = [option.retired_at]
    if option.retire_with_policy:
        try:
            candidates.append(policy_effective_from(option.retire_with_policy))
        except UnknownPolicy:
            pass
    instants = [c for c in candidates if c is not None]
    return min(instants) if instants else None


def reply_option_state(option: ReplyOption, at: datetime) -> str:
    """``active``, ``not_yet_effective`` or ``retired`` at ``at``."""
    if at < option.effective_from:
        return "not_yet_effective"
    if option.retired_at is not None and at >= option.retired_at:
        return "retired"
    if _policy_retires_at(option.retire_with_policy, at):
        return "retired"
    return "active"


def reply_options_active(at: datetime) -> QuerySet[ReplyOption]:
    """The options active at ``at``, in display order (queryset twin of ``reply_option_state``)."""
    keys = set(ReplyOption.objects.exclude(retire_with_policy="").values_list("retire_with_policy", flat=True))
    retiring = [key for key in keys if _policy_retires_at(key, at)]
    return (
        ReplyOption.objects.filter(effective_from__lte=at)
        .filter(Q(retired_at__isnull=True) | Q(retired_at__gt=at))
        .exclude(retire_with_policy__in=retiring)
        .order_by("position", "code")
    )
