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
    """Derived from the ``ends_at`` of its latest approved version; never a stored status."""
    from reports.services.amendments import report_current_version

    return report_current_version(report).ends_at < timezone.now()
