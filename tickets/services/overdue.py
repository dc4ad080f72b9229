"""Overdue urge tasks (SPEC §4): the sweep and the consequences of going overdue.

The sweep claims due open tasks in fixed-size batches with ``SELECT … FOR UPDATE SKIP LOCKED``
ordered by pk, and turns them overdue with a conditional ``UPDATE … WHERE status='open'``.
A task locked by a reply in progress is skipped (the reply settles it). For the tasks a batch
made overdue, complaints are filed in bulk (idempotent by event id ``ticket-overdue:<id>``)
unless ``tickets.no_auto_complaint_taobao`` was in force at the task's due time and the shop
is taobao — that test is one SQL comparison of ``reply_due_at`` with the policy's instant.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import CharField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from complaints.models import Complaint
from complaints.services import complaint_file_bulk
from core.audit import audit_record_bulk
from core.policies import NO_AUTO_COMPLAINT_TAOBAO, policy_effective_from
from shops.models import Shop
from tickets.models import UrgeTask

COMPLAINT_EVENT_PREFIX = "ticket-overdue:"
COMPLAINT_MESSAGE = "催发货任务超时未回复，平台代买家发起投诉"
SWEEP_BATCH_SIZE = 1000

Status = UrgeTask.Status


@dataclass
class SweepResult:
    overdue: int = 0
    complaints_filed: int = 0
    complaints_waived: int = 0

    def add(self, other: "SweepResult") -> None:
        self.overdue += other.overdue
        self.complaints_filed += other.complaints_filed
        self.complaints_waived += other.complaints_waived


def complaint_event_id(task_id: int) -> str:
    return f"{COMPLAINT_EVENT_PREFIX}{task_id}"


def complaint_waived_q() -> Q:
    """Tasks whose overdue files no complaint: taobao shop, due at or after the policy's instant."""
    effective_from = policy_effective_from(NO_AUTO_COMPLAINT_TAOBAO)
    if effective_from is None:
        return Q(pk__in=[])
    return Q(shop__kind=Shop.Kind.TAOBAO, reply_due_at__gte=effective_from)


def settle_overdue(*, actor, task_ids: list[int], now: datetime) -> SweepResult:
    """Consequences for tasks just made overdue (call inside the transaction that did it)."""
    if not task_ids:
        return SweepResult()
    tasks = UrgeTask.objects.filter(pk__in=task_ids)
    waived_q = complaint_waived_q()
    waived_ids = list(tasks.filter(waived_q).values_list("pk", flat=True))
    filing = list(tasks.exclude(waived_q).values("pk", "order_id", "reply_due_at"))
    if waived_ids:
        UrgeTask.objects.filter(pk__in=waived_ids).update(complaint_waived=True)
    if filing:
        complaint_file_bulk(actor=actor, complaints=[
            {
                "event_id": complaint_event_id(row["pk"]), "order_id": row["order_id"],
                "reason": Complaint.Reason.DELAYED_SHIPMENT, "source": Complaint.Source.PLATFORM,
                "filed_at": row["reply_due_at"], "message": COMPLAINT_MESSAGE,
            }
            for row in filing
        ])
        UrgeTask.objects.filter(pk__in=[row["pk"] for row in filing]).update(complaint=Subquery(
            Complaint.objects.filter(
                event_id=Concat(Value(COMPLAINT_EVENT_PREFIX), Cast(OuterRef("pk"), CharField()))
            ).values("pk")[:1]
        ))
    common = {"actor": actor, "model": UrgeTask, "action": "ticket_overdue", "from_status": Status.OPEN,
              "to_status": Status.OVERDUE, "at": now}
    audit_record_bulk(target_ids=[row["pk"] for row in filing], reason="complaint filed on the buyer's behalf", **common)
    audit_record_bulk(target_ids=waived_ids, reason="no complaint: taobao shop under tickets.no_auto_complaint_taobao",
                      **common)
    return SweepResult(overdue=len(task_ids), complaints_filed=len(filing), complaints_waived=len(waived_ids))


def mark_overdue(*, actor, task_ids: list[int], now: datetime) -> SweepResult:
    """Turn the given tasks overdue if they are still open and due; settle those it changed.
    The caller holds the rows' locks (PostgreSQL) — the status condition guards the rest."""
    changed = UrgeTask.objects.filter(pk__in=task_ids, status=Status.OPEN, reply_due_at__lte=now).update(
        status=Status.OVERDUE, overdue_at=now,
    )
    if changed != len(task_ids):  # only without row locks (SQLite): keep the ones this call changed
        task_ids = list(UrgeTask.objects.filter(pk__in=task_ids, status=Status.OVERDUE, overdue_at=now)
                        .values_list("pk", flat=True))
    return settle_overdue(actor=actor, task_ids=task_ids, now=now)


def _sweep_batch(*, now: datetime, batch_size: int) -> tuple[SweepResult, int]:
    with transaction.atomic():
        ids = list(
            UrgeTask.objects.select_for_update(skip_locked=True)
            .filter(status=Status.OPEN, reply_due_at__lte=now)
            .order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return SweepResult(), 0
        return mark_overdue(actor=None, task_ids=ids, now=now), len(ids)


def tickets_sweep_overdue(*, now: datetime | None = None, batch_size: int = SWEEP_BATCH_SIZE) -> SweepResult:
    """Mark every due open task overdue, batch by batch (each batch its own transaction).
    Safe to re-run and to run twice at once: a task is claimed by exactly one batch."""
    now = now or timezone.now()
    total = SweepResult()
    while True:
        result, claimed = _sweep_batch(now=now, batch_size=batch_size)
        total.add(result)
        if claimed < batch_size:
            return total
