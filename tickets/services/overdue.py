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

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from complaints.models import Complaint
from complaints.services import complaint_file_from_rows
from complaints.services.filing import enqueue_judgment
from core.audit import Actor
from core.models import AuditEntry
from core.policies import NO_AUTO_COMPLAINT_TAOBAO, policy_effective_from
from core.setbased import audit_record_select, audit_values, insert_columns_sql, pk_in
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


def _waived_sql(waive_from: datetime | None, alias: str = "") -> tuple[str, list[object]]:
    if waive_from is None:
        return "FALSE", []
    a = f"{alias}." if alias else ""
    return (
        f"({a}reply_due_at >= %s AND {a}shop_id IN (SELECT id FROM {Shop._meta.db_table} WHERE kind = %s))",
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


# PostgreSQL: the whole batch is ONE statement of data-modifying CTEs. ``t`` reads each claimed task
# once, with its waiver, any complaint already filed for it and — for a complaint to file — the
# new complaint's id drawn from its sequence (so the UPDATE links it without joining the INSERT's
# RETURNING: a sibling CTE's inserts are invisible to the UPDATE's scan, and a join to a CTE is
# planned blind); ``c`` files the complaints and ``ca`` audits them; ``u`` writes each task row
# once (status, waiver, complaint link) and ``ua`` audits it. Only ids come back (for the inbox).
# Idempotent by event id: a task's complaint already filed is linked, not filed again (the task
# row is locked, so nobody files it meanwhile; a conflict would fail the batch, never skip a link).
_MAKE_OVERDUE = """
WITH t AS MATERIALIZED (
    SELECT task.id, task.order_id, task.reply_due_at, w.waived, filed.id AS filed_id,
           CASE WHEN NOT w.waived AND filed.id IS NULL
                THEN nextval((SELECT pg_get_serial_sequence(%(complaint_table_name)s, 'id'))) END AS new_id
    FROM {task_table} task
    CROSS JOIN LATERAL (SELECT {waived} AS waived) w
    LEFT JOIN LATERAL (SELECT id FROM {complaint_table} WHERE event_id = %(prefix)s || task.id::text) filed ON TRUE
    WHERE task.id = ANY(%(ids)s) AND task.status = %(open)s AND task.reply_due_at <= %(now)s
),
c AS (
    {complaint_insert} FROM t WHERE t.new_id IS NOT NULL
    RETURNING id
),
ca AS ({complaint_audit} FROM c),
u AS (
    UPDATE {task_table} task SET status = %(overdue)s, overdue_at = %(now)s, complaint_waived = t.waived,
        complaint_id = COALESCE(t.new_id, t.filed_id)
    FROM t
    WHERE task.id = t.id AND task.status = %(open)s
    RETURNING task.id, task.complaint_waived
),
ua AS ({task_audit} FROM u)
SELECT (SELECT COALESCE(array_agg(c.id ORDER BY c.id), '{{}}') FROM c),
       COALESCE(array_agg(u.id ORDER BY u.id), '{{}}'), count(*) FILTER (WHERE u.complaint_waived)
FROM u
"""


def _make_overdue_pg(
    *, actor: Actor, task_ids: list[int], now: datetime, waive_from: datetime | None
) -> tuple[list[int], list[int], int]:
    """The PostgreSQL form of ``make_overdue``: one statement. Returns the new complaints' ids,
    the ids of the tasks it made overdue and how many of those were waived."""
    quote = connection.ops.quote_name
    waived_sql, waived_params = _waived_sql(waive_from, alias="task")
    complaint_insert, complaint_params = insert_columns_sql(
        Complaint,
        {"id": "t.new_id", "event_id": "%(prefix)s || t.id::text", "order_id": "t.order_id", "filed_at": "t.reply_due_at"},
        values={
            "reason": Complaint.Reason.DELAYED_SHIPMENT,
            "source": Complaint.Source.PLATFORM,
            "message": COMPLAINT_MESSAGE,
        },
    )
    complaint_audit, complaint_audit_params = insert_columns_sql(
        AuditEntry,
        {"target_id": "c.id::text"},
        values=audit_values(actor=actor, model=Complaint, action="complaint_filed", to_status=Complaint.Status.PENDING_REVIEW),
    )
    task_audit, task_audit_params = insert_columns_sql(
        AuditEntry,
        {"target_id": "u.id::text", "reason": "CASE WHEN u.complaint_waived THEN %(waived_reason)s ELSE %(filed_reason)s END"},
        values=audit_values(
            actor=actor, model=UrgeTask, action="ticket_overdue", from_status=Status.OPEN, to_status=Status.OVERDUE, at=now
        ),
    )
    # Positional parameters of the generated parts become named ones (the template is named).
    named: dict[str, Any] = {
        "prefix": COMPLAINT_EVENT_PREFIX,
        "complaint_table_name": Complaint._meta.db_table,
        "ids": list(task_ids),
        "open": Status.OPEN,
        "overdue": Status.OVERDUE,
        "now": now,
        "waived_reason": WAIVED_REASON,
        "filed_reason": FILED_REASON,
    }

    def name(sql: str, params: list[object], label: str) -> str:
        parts = sql.split("%s")
        assert len(parts) == len(params) + 1
        out = parts[0]
        for i, (param, part) in enumerate(zip(params, parts[1:], strict=True)):
            named[f"{label}{i}"] = param
            out += f"%({label}{i})s" + part
        return out

    sql = _MAKE_OVERDUE.format(
        task_table=quote(UrgeTask._meta.db_table),
        complaint_table=quote(Complaint._meta.db_table),
        waived=name(waived_sql, waived_params, "w"),
        complaint_insert=name(complaint_insert, complaint_params, "ci"),
        complaint_audit=name(complaint_audit, complaint_audit_params, "ca"),
        task_audit=name(task_audit, task_audit_params, "ta"),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, named)
        complaint_ids, changed, waived = cursor.fetchone()
    return list(complaint_ids), list(changed), waived


def make_overdue(*, actor: Actor, task_ids: list[int], now: datetime, waive_from: datetime | None) -> SweepResult:
    """Turn the still open and due tasks among ``task_ids`` overdue, with their consequences: a
    complaint per task not waived (filed first, so that one UPDATE writes each task row once —
    status, waiver and complaint link), an audit row per task. Call it in a transaction holding the
    rows' locks (PostgreSQL); the status conditions guard the rest (SQLite: the filing INSERT
    takes the database's write lock, so nothing changes between it and the UPDATE)."""
    if not task_ids:
        return SweepResult()
    if connection.vendor == "postgresql":
        complaint_ids, changed_ids, waived_count = _make_overdue_pg(
            actor=actor, task_ids=task_ids, now=now, waive_from=waive_from
        )
        if complaint_ids:
            inbox.complaints_filed(complaint_ids=complaint_ids)
            enqueue_judgment()
        inbox.tasks_overdue(task_ids=changed_ids)
        return SweepResult(
            overdue=len(changed_ids), complaints_filed=len(changed_ids) - waived_count, complaints_waived=waived_count
        )
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
        # Oldest due first, in the order of the partial index ``task_open_due_idx``: a claim reads
        # only the rows it takes, so a backlog of a million due tasks costs the same per batch
        # as ten thousand (ordering by id made each batch sort every due row left).
        ids = list(
            UrgeTask.objects.select_for_update(skip_locked=True)
            .filter(status=Status.OPEN, reply_due_at__lte=now)
            .order_by("reply_due_at", "pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        return make_overdue(actor=None, task_ids=ids, now=now, waive_from=waive_from), len(ids)


def tickets_sweep_overdue(
    *,
    now: datetime | None = None,
    batch_size: int = SWEEP_BATCH_SIZE,
    progress: Callable[[SweepResult], None] | None = None,
) -> SweepResult:
    """Mark every due open task overdue, batch by batch (each batch its own transaction).
    Safe to re-run and to run twice at once: a task is claimed by exactly one batch.
    ``progress`` is called after each batch with the running total (a backlog after an outage
    shows how far it got); memory does not grow with the number of due tasks."""
    now = now or timezone.now()
    waive_from = policy_effective_from(NO_AUTO_COMPLAINT_TAOBAO)
    total = SweepResult()
    while True:
        result, claimed = _sweep_batch(now=now, batch_size=batch_size, waive_from=waive_from)
        total.add(result)
        if progress is not None and claimed:
            progress(total)
        if claimed < batch_size:
            return total
