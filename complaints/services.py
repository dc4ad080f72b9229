"""Complaint writes (SPEC §5). Filing is idempotent by event id."""

from datetime import datetime

from django.db import IntegrityError, transaction

from complaints.models import Complaint
from core.audit import audit_record
from core.errors import Conflict
from shops.models import Order


def _same(existing: Complaint, values: dict) -> bool:
    return all(getattr(existing, k) == v for k, v in values.items())


@transaction.atomic
def complaint_file(
    *, actor, event_id: str, order: Order, reason: str, source: str, filed_at: datetime,
    message: str = "", evidence: list[str] | None = None,
) -> tuple[Complaint, bool]:
    """File a complaint once per ``event_id``: a repeat returns ``(existing, False)``; a repeat
    with other content is a 409 ``complaint_conflict``."""
    values = {
        "order_id": order.pk, "reason": reason, "source": source, "filed_at": filed_at,
        "message": message, "evidence": list(evidence or []),
    }
    try:
        with transaction.atomic():
            complaint = Complaint.objects.create(event_id=event_id, **values)
    except IntegrityError:
        existing = Complaint.objects.get(event_id=event_id)
        if not _same(existing, values):
            raise Conflict("complaint_conflict", f"Event {event_id} was already filed with other content.") from None
        return existing, False
    audit_record(actor=actor, target=complaint, action="complaint_filed", to_status=complaint.status,
                 data={"source": source, "event_id": event_id})
    return complaint, True
