from django import template
from django.utils import timezone

register = template.Library()

STATUS_BADGE = {"approved": "ok", "pending_review": "warn", "rejected": "bad", "revoked": "bad", "withdrawn": ""}


@register.filter
def badge_class(status: str) -> str:
    """The portal.css badge class of a report status."""
    return STATUS_BADGE.get(status, "")


@register.filter
def is_expired(report) -> bool:
    """Derived from ``ends_at``; never a stored status."""
    return report.ends_at < timezone.now()
