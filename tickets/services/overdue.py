"""Overdue urge tasks (SPEC §4): the sweep and the consequences of going overdue.

Set-based: five statements per batch whatever its size (default 5,000 tasks), each task row
written once:

1. **Claim**: ``SELECT id … WHERE status='open' AND reply_due_at <= now ORDER BY id LIMIT n
   FOR UPDATE SKIP LOCKED`` (the partial index ``task_open_due_idx``). A task locked by a reply in
   progress is skipped (the reply settles it); two sweeps at once claim disjoint rows.
2. **File the complaints** for the claimed tasks not waived — one ``INSERT … SELECT … ON CONFLICT
   (event_id) DO NOTHING`` through ``complaints.services.complaint_file_from_rows`` (event id
   ``ticket-overdue:<task id>``, ``filed_at`` = the due time), plus its audit ``INSERT … SELECT``.
   Waived: a taobao shop and ``reply_due_at`` at or after the instant
   ``tickets.no_auto_complaint_taobao`` takes effect (read once per sweep).
3. **One conditional UPDATE … RETURNING** sets status, ``overdue_at``, ``complaint_waived`` and the
   link to the complaint, ``WHERE id IN (claimed) AND status='open' AND reply_due_at <= now``; the
   rows it returns are the tasks this batch made overdue.
4. One ``INSERT … SELECT`` of their audit rows.

Filing before updating is safe: on PostgreSQL the claimed rows are locked until commit; SQLite has
no row locks, but the filing INSERT re-checks status and due time and takes the database's write
lock, so nothing changes between it and the UPDATE.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from complaints.models import Complaint
from complaints.services import complaint_file_from_rows
from core.audit import Actor
from core.policies import NO_AUTO_COMPLAINT_TAOBAO, policy_effective_from
from core.setbased import audit_record_select, pk_in
from notifications import events as inbox
from shops.models import Shop
from tickets.models import UrgeTask

COMPLAINT_EVENT_PREFIX = "ticket-overdue:"
COMPLAINT_MESSAGE = "催发货任务超时未回复，平台代买家发起投诉"
SWEEP_BATCH_SIZE = 5000
FILED_REASON = "complaint filed on the buyer's behalf"
WAIVED_REASON = "no complaint: taobao shop under tickets.no_auto_complaint_taobao"

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


def complaint_event_id_sql() -> Concat:
    """A task's complaint event id, ``ticket-overdue:<task id>``, as an expression over task rows."""
    return Concat(Value(COMPLAINT_EVENT_PREFIX), Cast("pk", CharField()), output_field=CharField())


def _dt(value: datetime) -> object:
    """``value`` as the database driver takes it (text on SQLite, a datetime on PostgreSQL)."""
    return connection.ops.adapt_datetimefield_value(value)


def complaint_waived_q(waive_from: datetime | None) -> Q:
    """Tasks whose overdue files no complaint: a taobao shop, due at or after the instant
    ``tickets.no_auto_complaint_taobao`` takes effect (``None``: disabled — no task is waived).
    ``_waived_sql`` is the same test for the raw UPDATE; the policy-boundary tests check both."""
    if waive_from is None:
        return Q(pk__in=[])
    return Q(shop__kind=Shop.Kind.TAOBAO, reply_due_at__gte=waive_from)


def _waived_sql(waive_from: datetime | None) -> tuple[str, list[object]]:
    if waive_from is None:
        return "FALSE", []
    return (
        f"(reply_due_at >= %s AND shop_id IN (SELECT id FROM {Shop._meta.db_table} WHERE kind = %s))",
        [_dt(waive_from), Shop.Kind.TAOBAO],
    )


def _update_returning(*, task_ids: list[int], now: datetime, waive_from: datetime | None) -> list[tuple[int, bool]]:
    """One ``UPDATE`` of the still open and due tasks among ``task_ids``: overdue, the waiver, the
    link to the task's complaint (unless waived). Returns ``(id, complaint_waived)`` of the rows it
    changed — on both databases exactly the tasks this call made overdue."""
    waived_sql, waived_params = _waived_sql(waive_from)
    task_table, complaint_table = UrgeTask._meta.db_table, Complaint._meta.db_table
    if connection.vendor == "postgresql":
        ids_params: list[Any]
        ids_sql, ids_params = "id = ANY(%s)", [list(task_ids)]
    else:
        ids_sql, ids_params = f"id IN ({', '.join(['%s'] * len(task_ids))})", list(task_ids)
    sql = (
        f"UPDATE {task_table} SET status = %s, overdue_at = %s, complaint_waived = {waived_sql}, "
        f"complaint_id = CASE WHEN {waived_sql} THEN NULL ELSE (SELECT c.id FROM {complaint_table} c "
        f"WHERE c.event_id = %s || CAST({task_table}.id AS VARCHAR(20))) END "
        f"WHERE {ids_sql} AND status = %s AND reply_due_at <= %s RETURNING id, complaint_waived"
    )
    params = [
        Status.OVERDUE,
        _dt(now),
        *waived_params,
        *waived_params,
        COMPLAINT_EVENT_PREFIX,
        *ids_params,
        Status.OPEN,
        _dt(now),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(pk, bool(waived)) for pk, waived in cursor.fetchall()]


def make_overdue(*, actor: Actor, task_ids: list[int], now: datetime, waive_from: datetime | None) -> SweepResult:
    """Turn the still open and due tasks among ``task_ids`` overdue, with their consequences: a
    complaint per task not waived (filed first, so that one UPDATE writes each task row once —
    status, waiver and complaint link), an audit row per task. Call it in a transaction holding the
    rows' locks (PostgreSQL); the status conditions guard the rest (SQLite: the filing INSERT
    takes the database's write lock, so nothing changes between it and the UPDATE)."""
    if not task_ids:
        return SweepResult()
    due = UrgeTask.objects.filter(pk_in(task_ids), status=Status.OPEN, reply_due_at__lte=now)
    complaint_file_from_rows(
        actor=actor,
        rows=due.exclude(complaint_waived_q(waive_from)),
        event_id=complaint_event_id_sql(),
        order_id=F("order_id"),
        filed_at=F("reply_due_at"),
        reason=Complaint.Reason.DELAYED_SHIPMENT,
        source=Complaint.Source.PLATFORM,
        message=COMPLAINT_MESSAGE,
    )
    changed = _update_returning(task_ids=task_ids, now=now, waive_from=waive_from)
    if not changed:
        return SweepResult()
    audit_record_select(
        actor=actor,
        rows=UrgeTask.objects.filter(pk_in(pk for pk, _waived in changed)),
        action="ticket_overdue",
        from_status=Status.OPEN,
        to_status=Status.OVERDUE,
        at=now,
        reason=Case(When(complaint_waived=True, then=Value(WAIVED_REASON)), default=Value(FILED_REASON)),
    )
    inbox.tasks_overdue(task_ids=[pk for pk, _waived in changed])
    waived = sum(1 for _pk, is_waived in changed if is_waived)
    return SweepResult(overdue=len(changed), complaints_filed=len(changed) - waived, complaints_waived=waived)


def mark_overdue(*, actor: Actor, task_ids: list[int], now: datetime) -> SweepResult:
    """``make_overdue`` with the policy read now (the reply path: the caller holds the row's lock)."""
    return make_overdue(actor=actor, task_ids=task_ids, now=now, waive_from=policy_effective_from(NO_AUTO_COMPLAINT_TAOBAO))


def _sweep_batch(*, now: datetime, batch_size: int, waive_from: datetime | None) -> tuple[SweepResult, int]:
    with transaction.atomic():
        ids = list(
            UrgeTask.objects.select_for_update(skip_locked=True)
            .filter(status=Status.OPEN, reply_due_at__lte=now)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        return make_overdue(actor=None, task_ids=ids, now=now, waive_from=waive_from), len(ids)


def tickets_sweep_overdue(*, now: datetime | None = None, batch_size: int = SWEEP_BATCH_SIZE) -> SweepResult:
    """Mark every due open task overdue, batch by batch (each batch its own transaction).
    Safe to re-run and to run twice at once: a task is claimed by exactly one batch."""
    now = now or timezone.now()
    waive_from = policy_effective_from(NO_AUTO_COMPLAINT_TAOBAO)
    total = SweepResult()
    while True:
        result, claimed = _sweep_batch(now=now, batch_size=batch_size, waive_from=waive_from)
        total.add(result)
        if claimed < batch_size:
            return total
