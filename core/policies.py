"""Which policy is in force at a time t — the one place that answers it (SPEC §1).

``policy_in_force`` judges one event; ``policy_effective_from`` gives the instant from which
a policy holds, for set-based SQL that compares it with a column (e.g. each task's due time).
"""

from datetime import datetime

from core.models import Policy

AUTO_APPROVE_WITH_COMMITMENT = "reports.auto_approve_with_commitment"
NO_AUTO_COMPLAINT_TAOBAO = "tickets.no_auto_complaint_taobao"
FAST_PICKUP_BADGE = "badges.fast_pickup_48h"
EPIDEMIC_REPLY_OPTIONS_RETIRED = "tickets.epidemic_reply_options_retired"
JUDGE_BY_REPORTS = "complaints.judge_by_reports"
APPEAL_REQUIRES_PRIOR_REPORT = "appeals.require_prior_report"


class UnknownPolicy(LookupError):
    pass


def policy_effective_from(key: str) -> datetime | None:
    """The instant the policy takes effect, or ``None`` while it is disabled."""
    try:
        policy = Policy.objects.only("effective_from", "enabled").get(key=key)
    except Policy.DoesNotExist as exc:
        raise UnknownPolicy(key) from exc
    return policy.effective_from if policy.enabled else None


def policy_in_force(key: str, at: datetime) -> bool:
    """True when the policy is enabled and ``at`` is at or after its effective instant."""
    effective_from = policy_effective_from(key)
    return effective_from is not None and at >= effective_from
