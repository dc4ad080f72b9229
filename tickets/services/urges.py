"""Urge ingestion (SPEC §4): suppressed → merged → task_created, idempotent by event id.

One transaction, few statements (a new urge: lock the order, coverage, merge-or-nothing, the
inserts — no savepoint):

* The order row is locked first (``SELECT … FOR UPDATE``, which also looks up the event id), so
  urges of one order are serialised: two different events cannot both open a task, and urge
  counts are exact.
* Merging is one ``UPDATE … SET urge_count = urge_count + 1 WHERE order_id = … AND status IN
  (open, overdue) RETURNING …`` — it waits for a reply holding the task row and re-checks the
  status, as ``select_for_update`` did.
* Duplicates of one event are settled by the unique ``event_id``: a repeat seen at the lock is
  answered from the stored answer; a duplicate that commits while we wait for the lock (or one
  posted for another order at the same moment) makes our insert fail, the whole transaction rolls
  back, and we answer from the winner's stored answer.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import NotRequired, TypedDict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import Actor, audit_record
from core.errors import Conflict, InvalidInput
from core.outbox import outbox_enqueue
from notifications import events as inbox
from reports.coverage import covering_report
from shops.models import Order
from tickets.models import Urge, UrgeTask
from tickets.services.notifications import OPENED_MAIL_TOPIC


class TaskSnapshot(TypedDict):
    """The task an urge opened or merged into, as its answer shows it."""

    id: int
    order_no: str
    status: str
    opened_at: str | None
    reply_due_at: str | None
    urge_count: int


class UrgeAnswer(TypedDict):
    """What the platform is answered (``Urge.answer``, JSON): the outcome, and the covering
    report (``suppressed``) or the task (``merged``, ``task_created``)."""

    outcome: str
    report_no: NotRequired[str]
    promised_ship_by: NotRequired[str | None]
    ticket: NotRequired[TaskSnapshot]


@dataclass(frozen=True)
class UrgeResult:
    urge: Urge
    created: bool  # False: a repeat of an event already ingested

    @property
    def answer(self) -> UrgeAnswer:
        stored: UrgeAnswer = self.urge.answer  # a JSONField: the answer as first given
        return stored

    @property
    def outcome(self) -> str:
        return self.urge.outcome


def iso(value: datetime | None) -> str | None:
    """ISO-8601 with the Asia/Shanghai offset, as the API writes datetimes."""
    return timezone.localtime(value).isoformat() if value is not None else None


def task_snapshot(task: UrgeTask, order_no: str) -> TaskSnapshot:
    return {
        "id": task.pk,
        "order_no": order_no,
        "status": str(task.status),
        "opened_at": iso(task.opened_at),
        "reply_due_at": iso(task.reply_due_at),
        "urge_count": task.urge_count,
    }


def _repeat(existing: Urge, *, order_no: str, urged_at: datetime) -> UrgeResult:
    if existing.order.order_no != order_no or existing.urged_at != urged_at:
        raise Conflict(
            "urge_conflict", _("Event %(event_id)s was already received with other content.") % {"event_id": existing.event_id}
        )
    return UrgeResult(existing, False)


def _existing(event_id: str) -> Urge | None:
    return next(iter(Urge.objects.select_related("order").filter(event_id=event_id).order_by()[:1]), None)


def urge_ingest(*, actor: Actor, event_id: str, order_no: str, urged_at: datetime) -> UrgeResult:
    """Record a buyer's urge and answer with its outcome. See the module docstring.
    Atomic: the work runs in one ``transaction.atomic`` block (a savepoint when nested)."""
    try:
        with transaction.atomic():
            return _ingest(actor=actor, event_id=event_id, order_no=order_no, urged_at=urged_at)
    except IntegrityError:
        existing = _existing(event_id)
        if existing is None:  # some other constraint: a genuine error
            raise
        return _repeat(existing, order_no=order_no, urged_at=urged_at)


def _lock_order(order_no: str, event_id: str) -> Order | None:
    """The order, locked, annotated with ``repeat_of``: the id of an urge already stored under this
    event id (as of the statement's start; a later one is caught by the unique constraint)."""
    return next(
        iter(
            Order.objects.select_for_update()
            .filter(order_no=order_no)
            .order_by()
            .annotate(repeat_of=Subquery(Urge.objects.filter(event_id=event_id).order_by().values("pk")[:1]))[:1]
        ),
        None,
    )


def _merge(order: Order) -> UrgeTask | None:
    """Count one more urge on the order's task awaiting a reply, if there is one (at most one row:
    a partial unique index), and return it with the fields the answer shows."""
    table = UrgeTask._meta.db_table
    return next(
        iter(
            UrgeTask.objects.raw(
                f"UPDATE {table} SET urge_count = urge_count + 1 WHERE order_id = %s AND status IN (%s, %s) "
                "RETURNING id, status, opened_at, reply_due_at, urge_count",
                [order.pk, *UrgeTask.AWAITING_REPLY],
            )
        ),
        None,
    )


def _ingest(*, actor: Actor, event_id: str, order_no: str, urged_at: datetime) -> UrgeResult:
    order = _lock_order(order_no, event_id)
    if order is None or vars(order).get("repeat_of") is not None:  # the annotation of _lock_order
        existing = _existing(event_id)
        if existing is not None:
            return _repeat(existing, order_no=order_no, urged_at=urged_at)
    if order is None:
        raise InvalidInput("order_not_found", _("Order %(order_no)s not found.") % {"order_no": order_no})
    if order.cancelled_at is not None:
        raise Conflict("order_cancelled", _("Order %(order_no)s was cancelled; it cannot be urged.") % {"order_no": order_no})
    if order.shipped_at is not None:
        raise Conflict("order_shipped", _("Order %(order_no)s has shipped; it cannot be urged.") % {"order_no": order_no})
    if urged_at < order.paid_at:
        raise Conflict("urge_before_paid", _("urged_at is before the order was paid."))

    report = covering_report(order, urged_at)
    task: UrgeTask | None = None
    answer: dict[str, object]
    if report is not None:
        outcome = Urge.Outcome.SUPPRESSED
        answer = {"outcome": outcome.value, "report_no": report.report_no, "promised_ship_by": iso(report.promised_ship_by)}
    else:
        task = _merge(order)
        if task is not None:
            outcome = Urge.Outcome.MERGED
        else:
            outcome = Urge.Outcome.TASK_CREATED
            task = UrgeTask.objects.create(
                order=order,
                shop_id=order.shop_id,
                opened_at=urged_at,
                reply_due_at=urged_at + settings.TICKET_REPLY_WINDOW,
            )
        answer = {"outcome": outcome.value, "ticket": task_snapshot(task, order.order_no)}

    # ``answer`` holds JSON values only (str, int, None): what a repeat reads back, as is.
    urge = Urge.objects.create(
        event_id=event_id,
        order=order,
        urged_at=urged_at,
        outcome=outcome,
        task=task,
        report=report,
        answer=answer,
    )
    if task is not None and outcome == Urge.Outcome.TASK_CREATED:
        audit_record(
            actor=actor,
            target=task,
            action="ticket_opened",
            to_status=task.status,
            data={"event_id": event_id, "urged_at": iso(urged_at)},
        )
        inbox.task_opened(task=task, order_no=order.order_no)
        _notify_opened_on_commit(task.pk)
    elif task is not None and outcome == Urge.Outcome.MERGED:
        audit_record(
            actor=actor, target=task, action="ticket_urge_merged", data={"event_id": event_id, "urge_count": task.urge_count}
        )
    elif report is not None:
        audit_record(
            actor=actor,
            target=urge,
            action="urge_suppressed",
            data={"event_id": event_id, "report_no": report.report_no, "order_no": order.order_no},
        )
    return UrgeResult(urge, True)


def _notify_opened_on_commit(task_id: int) -> None:
    """The opening mail goes through the outbox: written with the task, sent by the drain."""
    outbox_enqueue(topic=OPENED_MAIL_TOPIC, payload={"task_id": task_id}, dedupe_key=f"ticket-opened:{task_id}")
