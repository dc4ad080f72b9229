"""Filing complaints (SPEC §5): idempotent by event id; judgment is enqueued once committed."""

from collections.abc import Mapping
from datetime import datetime
from typing import NotRequired, TypedDict

from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.db.models.expressions import Combinable
from django.utils.translation import gettext as _

from complaints.models import Complaint
from core.audit import Actor, audit_record, audit_record_bulk
from core.errors import Conflict, InvalidInput
from core.outbox import nudge_after_commit
from core.setbased import audit_record_select, insert_select, pk_in
from notifications import events as inbox
from shops.models import Order


class ComplaintFiling(TypedDict):
    """One complaint of ``complaint_file_bulk``: ``complaint_file``'s arguments, by order id."""

    event_id: str
    order_id: int
    reason: str
    source: str
    filed_at: datetime
    message: NotRequired[str]
    evidence: NotRequired[list[str] | None]


def _same(existing: Complaint, values: Mapping[str, object]) -> bool:
    return all(getattr(existing, k) == v for k, v in values.items())


def enqueue_judgment() -> None:
    """After commit, ask a worker to judge what is pending (the beat job is the safety net)."""
    from complaints.tasks import judge_pending_complaints

    nudge_after_commit(judge_pending_complaints)


@transaction.atomic
def complaint_file(
    *,
    actor: Actor,
    event_id: str,
    order: Order,
    reason: str,
    source: str,
    filed_at: datetime,
    message: str = "",
    evidence: list[str] | None = None,
) -> tuple[Complaint, bool]:
    """File a complaint once per ``event_id``: a repeat returns ``(existing, False)``; a repeat
    with other content is a 409 ``complaint_conflict``. A complaint cannot predate the payment
    (400 ``complaint_before_paid``). Message and evidence are stored and shown, never judged."""
    values = {
        "order_id": order.pk,
        "reason": reason,
        "source": source,
        "filed_at": filed_at,
        "message": message,
        "evidence": list(evidence or []),
    }
    existing = Complaint.objects.filter(event_id=event_id).first()
    if existing is None:
        if filed_at < order.paid_at:
            raise InvalidInput("complaint_before_paid", _("A complaint cannot be filed before the order was paid."))
        try:
            with transaction.atomic():
                complaint = Complaint.objects.create(event_id=event_id, **values)
        except IntegrityError:  # a concurrent identical post won the insert
            existing = Complaint.objects.get(event_id=event_id)
    if existing is not None:
        if not _same(existing, values):
            raise Conflict("complaint_conflict", _("Event %(id)s was already filed with other content.") % {"id": event_id})
        return existing, False
    audit_record(
        actor=actor,
        target=complaint,
        action="complaint_filed",
        to_status=complaint.status,
        data={"source": source, "event_id": event_id},
        at=complaint.created_at,
    )
    inbox.complaints_filed(complaint_ids=[complaint.pk])
    enqueue_judgment()
    return complaint, True


@transaction.atomic
def complaint_file_bulk(*, actor: Actor, complaints: list[ComplaintFiling]) -> list[int]:
    """File many complaints at once (the urge-task sweep). Each dict has the keyword arguments
    of ``complaint_file``, with ``order_id`` instead of ``order``. Idempotent by event id:
    rows whose event id exists are skipped. Returns the ids of the complaints it created."""
    if not complaints:
        return []
    event_ids = [c["event_id"] for c in complaints]
    existing = set(Complaint.objects.filter(event_id__in=event_ids).values_list("event_id", flat=True))
    Complaint.objects.bulk_create(
        [
            Complaint(
                event_id=c["event_id"],
                order_id=c["order_id"],
                reason=c["reason"],
                source=c["source"],
                filed_at=c["filed_at"],
                message=c.get("message", ""),
                evidence=list(c.get("evidence") or []),
            )
            for c in complaints
            if c["event_id"] not in existing
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    new_ids = list(
        Complaint.objects.filter(event_id__in=[e for e in event_ids if e not in existing]).values_list("pk", flat=True)
    )
    audit_record_bulk(
        actor=actor, model=Complaint, target_ids=new_ids, action="complaint_filed", to_status=Complaint.Status.PENDING_REVIEW
    )
    if new_ids:
        inbox.complaints_filed(complaint_ids=new_ids)
        enqueue_judgment()
    return new_ids


@transaction.atomic
def complaint_file_from_rows(
    *,
    actor: Actor,
    rows: QuerySet[Model],
    event_id: str | Combinable,
    order_id: str | Combinable,
    filed_at: str | Combinable,
    reason: str,
    source: str,
    message: str = "",
) -> list[int]:
    """Set-based sibling of ``complaint_file_bulk``: file one complaint per row of ``rows`` (a
    queryset of any model, e.g. the urge tasks a sweep batch made overdue) in one
    ``INSERT … SELECT … ON CONFLICT (event_id) DO NOTHING RETURNING id``. ``event_id``,
    ``order_id`` and ``filed_at`` are expressions (or field names) over those rows. Idempotent by
    event id; one audit row per new complaint (one ``INSERT … SELECT``); judgment is enqueued on
    commit when anything was filed. Returns the ids of the complaints it created."""
    new_ids = insert_select(
        Complaint,
        rows,
        columns={"event_id": event_id, "order_id": order_id, "filed_at": filed_at},
        values={"reason": reason, "source": source, "message": message},
        ignore_conflicts_on="event_id",
    )
    if new_ids:
        audit_record_select(
            actor=actor,
            rows=Complaint.objects.filter(pk_in(new_ids)),
            action="complaint_filed",
            to_status=Complaint.Status.PENDING_REVIEW,
        )
        inbox.complaints_filed(complaint_ids=new_ids)
        enqueue_judgment()
    return new_ids
