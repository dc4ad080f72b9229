"""Urge ingestion (SPEC §4): suppressed → merged → task_created, idempotent by event id.

One transaction, few statements, no savepoint:

* The order row is locked first (``SELECT … FOR NO KEY UPDATE``, which also looks up the event
  id), so urges of one order are serialised: two different events cannot both open a task, and
  urge counts are exact. ``NO KEY``: the lock conflicts with other urges and with the order's
  own events (``FOR UPDATE``), not with the foreign-key checks of rows that name the order — the
  sweep, holding a task, files a complaint whose check reads the order at commit; with ``FOR
  UPDATE`` an urge holding the order and waiting for that task deadlocked with it
  (``test_concurrency.py``).
* Merging is one ``UPDATE … SET urge_count = urge_count + 1 WHERE order_id = … AND status IN
  (open, overdue) RETURNING …`` — it waits for a reply holding the task row and re-checks the
  status, as ``select_for_update`` did.
* Duplicates of one event are settled by the unique ``event_id``: a repeat seen at the lock is
  answered from the stored answer; a duplicate that commits while we wait for the lock (or one
  posted for another order at the same moment) makes our insert fail, the whole transaction rolls
  back, and we answer from the winner's stored answer.

Two forms of the same steps (``test_urges.py::test_both_forms_agree`` runs a table of cases
through both and compares answers and every row written):

* the **ORM form** (SQLite): lock, coverage (``reports.coverage.covering_report``), merge, then
  one insert per row — 5–8 statements;
* the **statement form** (PostgreSQL, the production database): an urge that opens a task — the
  common case — is **one prepared statement** with no transaction of its own
  (``_open_in_one_statement``): the lock statement below as a ``WITH`` member, then every row of
  the new task (task, urge, audit row, inbox rows, outbox row: ``_opened_rows``) written ``FROM``
  the locked row only when ``_OPENS_WHEN`` (``_ingest``'s checks) holds there, with the ids the
  statement draws bound in (``core.setbased.bind_to_source``). An urge that merges writes
  nothing there; that statement answers with the locked row and the task awaiting a reply as it
  read them, and **one more statement** (``_merge_in_one_statement``, an optimistic merge) locks
  the order, counts the urge on that task only if its status and count are still those read, and
  writes the urge and audit rows. Any other urge — or a merge whose task changed in between —
  takes the general path: the lock statement also carries the covering report
  (``covering_reports_subquery``, the same rule on the locked row), whether a task awaits a reply
  and ``nextval`` ids for the urge and the task it may open — compiled once per process
  (``core.setbased.CompiledQuery``) and prepared (``core.setbased.prepared_cursor``); then every
  row is written by one statement (``chain_statements``): three statements after the first.
  Its "a task awaits a reply" is read as of the statement's start: when another urge
  of the order opened a task while we waited for the lock, our task insert fails on the
  one-awaiting-task index, the attempt rolls back (nothing of it is written) and is judged again
  (at most three times).
"""

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NotRequired, TypedDict

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Case, DateTimeField, Exists, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import Actor, audit_entry
from core.errors import Conflict, InvalidInput
from core.models import AuditEntry
from core.outbox import Payload, outbox_enqueue, outbox_messages
from core.setbased import CompiledQuery, Placeholder, bind_to_source, chain_statements, insert_row_sql, prepared_cursor
from notifications import events as inbox
from reports.coverage import covering_report, covering_reports_subquery
from reports.models import DeliveryReport
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
    statement_form = _statement_form()
    if statement_form:
        opened = _open_in_one_statement(actor=actor, event_id=event_id, order_no=order_no, urged_at=urged_at)
        if opened is not None:
            return opened
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return _ingest(
                    actor=actor, event_id=event_id, order_no=order_no, urged_at=urged_at, statement_form=statement_form
                )
        except IntegrityError:
            existing = _existing(event_id)
            if existing is not None:
                return _repeat(existing, order_no=order_no, urged_at=urged_at)
            # The statement form judged "no task awaits a reply" before the order lock was granted;
            # a task opened meanwhile by another urge of the order fails our insert: judge again.
            if not statement_form or attempt == _ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _statement_form() -> bool:
    """PostgreSQL takes the statement form (data-modifying ``WITH``); other databases the ORM form."""
    return connection.vendor == "postgresql"


#: Attempts of the statement form when a racing urge of the same order opened a task first.
_ATTEMPTS = 3


def _lock_order(order_no: str, event_id: str) -> Order | None:
    """The order, locked, annotated with ``repeat_of``: the id of an urge already stored under this
    event id (as of the statement's start; a later one is caught by the unique constraint)."""
    return next(
        iter(
            Order.objects.select_for_update(no_key=True)
            .filter(order_no=order_no)
            .order_by()
            .annotate(repeat_of=Subquery(Urge.objects.filter(event_id=event_id).order_by().values("pk")[:1]))[:1]
        ),
        None,
    )


def _next_id(model: type[models.Model]) -> RawSQL:
    return RawSQL("nextval(pg_get_serial_sequence(%s, 'id'))", [model._meta.db_table])


#: The task awaiting a reply as the lock statement reads it (``awaiting_<field>``): what an
#: optimistic merge (``_merge_in_one_statement``) needs to write its rows.
_AWAITING_FIELDS = ("id", "status", "opened_at", "reply_due_at", "urge_count")


def _locked_query(*, order_no: str, event_id: str, urged_at: datetime) -> QuerySet[Order]:
    """The statement form's first statement: ``_lock_order``'s lock and event-id look-up, plus the
    covering report (``reports.coverage``'s SQL form, evaluated on the locked row), whether a task
    awaits a reply, and the ids of the urge and of the task it may open (``nextval``)."""
    awaiting_tasks = UrgeTask.objects.filter(order=OuterRef("pk"), status__in=UrgeTask.AWAITING_REPLY).order_by()
    awaiting = Exists(awaiting_tasks)
    snapshot = {f"awaiting_{name}": Subquery(awaiting_tasks.values(name)[:1]) for name in _AWAITING_FIELDS}
    return (
        Order.objects.select_for_update(of=("self",), no_key=True)
        .filter(order_no=order_no)
        .order_by()
        .annotate(
            urge_at=Value(urged_at, output_field=DateTimeField()),
            repeat_of=Subquery(Urge.objects.filter(event_id=event_id).order_by().values("pk")[:1]),
            awaiting=awaiting,
        )
        .annotate(
            covering_report_id=covering_reports_subquery(at="urge_at"),
            next_urge_id=_next_id(Urge),
            next_task_id=Case(When(awaiting=False, then=_next_id(UrgeTask)), default=None),
            **snapshot,
        )
        .values_list(*_LOCKED_COLUMNS)[:1]
    )


_LOCKED_COLUMNS = (
    "pk",
    "shop_id",
    "paid_at",
    "cancelled_at",
    "shipped_at",
    "repeat_of",
    "covering_report_id",
    "awaiting",
    "next_urge_id",
    "next_task_id",
    *(f"awaiting_{name}" for name in _AWAITING_FIELDS),
)
_LOCKED = CompiledQuery(
    _locked_query,
    order_no="\x1border_no-sample",
    event_id="\x1bevent_id-sample",
    urged_at=datetime(2001, 2, 3, 4, 5, 6, 789, tzinfo=UTC),
)


def _lock_order_one_statement(order_no: str, event_id: str, urged_at: datetime) -> Order | None:
    """``_lock_order`` of the statement form (``_locked_query``, compiled once per process)."""
    rows = _LOCKED.rows(order_no=order_no, event_id=event_id, urged_at=urged_at, prepared=True)
    if not rows:
        return None
    values = dict(zip(_LOCKED_COLUMNS, rows[0], strict=True))
    order = Order(
        pk=values["pk"],
        order_no=order_no,
        shop_id=values["shop_id"],
        paid_at=values["paid_at"],
        cancelled_at=values["cancelled_at"],
        shipped_at=values["shipped_at"],
    )
    for name in _LOCKED_COLUMNS[5:]:
        setattr(order, name, values[name])
    return order


#: The one-statement form's stand-ins for what only the statement knows, and their SQL over
#: ``opens`` (the locked order's row when this urge opens a task; see ``_open_in_one_statement``).
_TASK_ID, _URGE_ID, _ORDER_ID, _SHOP_ID = (Placeholder(n) for n in range(1, 5))
_BIND = {_TASK_ID: "next_task_id", _URGE_ID: "next_urge_id", _ORDER_ID: "pk", _SHOP_ID: "shop_id"}
#: When an urge counts (``_ingest``'s checks, in its order, on the lock statement's row): not a
#: repeat, the order neither cancelled nor shipped, urged after payment, no covering report.
#: It opens a task when none awaits a reply, and merges into the one that does.
_COUNTS_WHEN = (
    "repeat_of IS NULL AND cancelled_at IS NULL AND shipped_at IS NULL AND paid_at <= %s AND covering_report_id IS NULL"
)
_OPENS_WHEN = f"{_COUNTS_WHEN} AND NOT awaiting"
_MERGES_WHEN = f"{_COUNTS_WHEN} AND awaiting"


def _open_in_one_statement(*, actor: Actor, event_id: str, order_no: str, urged_at: datetime) -> UrgeResult | None:
    """The statement form's common case — the urge opens a task — as one prepared statement and
    no transaction of its own: the lock statement (``_locked_query``) as a ``WITH`` member, the
    opening rows of ``_opened_rows`` written ``FROM`` its row only when ``_OPENS_WHEN`` holds
    there, their ids bound to the statement's ``nextval``s (``core.setbased.bind_to_source``).
    When it opens none, the statement answers with the locked row as it read it, and an urge
    that merges is written by ``_merge_in_one_statement``. ``None`` when the order was not
    found, the urge neither opens nor merges (nothing written; ``_ingest`` judges it) or the
    insert lost a race (a repeat of the event, a task opened by another urge of the order
    meanwhile: the unique indexes refuse it, nothing is written, ``_ingest`` judges it again)."""
    order = Order(pk=_ORDER_ID, order_no=order_no, shop_id=_SHOP_ID)
    urge, statements = _opened_rows(
        actor=actor, event_id=event_id, order=order, urged_at=urged_at, task_id=_TASK_ID, urge_id=_URGE_ID
    )
    bound = [bind_to_source(statement, source="opens", bind=_BIND) for statement in statements]
    if not _LOCKED.is_compiled():
        with transaction.atomic():  # ``select_for_update`` compiles only inside a transaction
            _LOCKED.sql(order_no=order_no, event_id=event_id, urged_at=urged_at)
    lock_sql, lock_params = _LOCKED.sql(order_no=order_no, event_id=event_id, urged_at=urged_at)
    writes = ", ".join(f"s{i} AS ({sql})" for i, (sql, _params) in enumerate(bound))
    sql = (
        f"WITH locked AS ({lock_sql}), opens AS (SELECT * FROM locked WHERE {_OPENS_WHEN}), {writes} "
        f"SELECT {', '.join(_LOCKED_COLUMNS)}, EXISTS (SELECT 1 FROM opens), {_MERGES_WHEN} FROM locked"
    )
    params = [*lock_params, urged_at, *(param for _sql, statement_params in bound for param in statement_params), urged_at]
    row = _one_statement_row(sql, params)
    if row is None:
        return None
    *columns, opened, merges = row
    facts = dict(zip(_LOCKED_COLUMNS, columns, strict=True))
    order.pk, order.shop_id = facts["pk"], facts["shop_id"]
    if not opened:
        if not merges:
            return None
        return _merge_in_one_statement(actor=actor, event_id=event_id, order=order, urged_at=urged_at, facts=facts)
    urge.pk, task_id = facts["next_urge_id"], facts["next_task_id"]
    urge.order, urge.task_id = order, task_id
    urge.answer["ticket"]["id"] = task_id
    return UrgeResult(urge, True)


def _merge_in_one_statement(
    *, actor: Actor, event_id: str, order: Order, urged_at: datetime, facts: dict[str, Any]
) -> UrgeResult | None:
    """An urge that merges (``_MERGES_WHEN`` held on the lock statement's row, ``facts``), in one
    more statement and no transaction of its own — an optimistic merge: its rows are built from
    the task as that statement read it, and written only if the task is still so (same id,
    status and urge count) when the count goes up. The urge takes the id that statement drew for
    it. ``None`` when the task changed meanwhile (a reply, another urge, the order shipped or
    cancelled) or the insert lost a race (a repeat of the event): nothing is written and
    ``_ingest`` judges the urge."""
    task = UrgeTask(
        pk=facts["awaiting_id"],
        order=order,
        shop_id=order.shop_id,
        status=facts["awaiting_status"],
        opened_at=facts["awaiting_opened_at"],
        reply_due_at=facts["awaiting_reply_due_at"],
        urge_count=facts["awaiting_urge_count"] + 1,
    )
    urge, entry = _merged_rows(actor=actor, event_id=event_id, order=order, urged_at=urged_at, task=task)
    urge.pk = facts["next_urge_id"]
    bound = [bind_to_source(insert_row_sql(row), source="merged", bind={}) for row in (urge, entry)]
    writes = ", ".join(f"s{i} AS ({sql})" for i, (sql, _params) in enumerate(bound))
    # The order row is locked first (an InitPlan, run before the task is touched) as the other urge
    # paths lock it (``NO KEY``: see the module docstring): locks taken in one order, no deadlock
    # with them; an order shipped or cancelled since the first statement (its events lock the
    # row) stops it.
    sql = (
        f"WITH locked AS (SELECT id FROM {Order._meta.db_table} "
        "WHERE id = %s AND cancelled_at IS NULL AND shipped_at IS NULL FOR NO KEY UPDATE), "
        f"merged AS (UPDATE {UrgeTask._meta.db_table} SET urge_count = urge_count + 1 "
        "WHERE EXISTS (SELECT 1 FROM locked) AND id = %s AND status = %s AND urge_count = %s RETURNING id), "
        f"{writes} SELECT id FROM merged"
    )
    params = [
        order.pk,
        task.pk,
        task.status,
        task.urge_count - 1,
        *(param for _sql, statement_params in bound for param in statement_params),
    ]
    return UrgeResult(urge, True) if _one_statement_row(sql, params) is not None else None


def _one_statement_row(sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    """Run one prepared statement with no transaction of its own (a savepoint when the caller
    holds one) and return its row; ``None`` when it has none or a unique index refused its
    insert — either way it wrote nothing."""
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            with prepared_cursor() as cursor:
                cursor.execute(sql, params)
                row: tuple[Any, ...] | None = cursor.fetchone()
                return row
    except IntegrityError:
        return None


def _merged_rows(*, actor: Actor, event_id: str, order: Order, urged_at: datetime, task: UrgeTask) -> tuple[Urge, AuditEntry]:
    """The rows of an urge merged into ``task`` (as it is after the merge): the urge with its
    answer, and the task's audit row."""
    answer: UrgeAnswer = {"outcome": Urge.Outcome.MERGED.value, "ticket": task_snapshot(task, order.order_no)}
    urge = Urge(event_id=event_id, order=order, urged_at=urged_at, outcome=Urge.Outcome.MERGED, task=task, answer=answer)
    entry = audit_entry(
        actor=actor, target=task, action="ticket_urge_merged", data={"event_id": event_id, "urge_count": task.urge_count}
    )
    return urge, entry


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


def _ingest(*, actor: Actor, event_id: str, order_no: str, urged_at: datetime, statement_form: bool) -> UrgeResult:
    """Two forms, one rule: the ORM form (any database) writes row by row; the statement form
    (PostgreSQL) reads in one statement and writes the urge's rows in one more (a merge: two).
    ``test_urges.py::test_both_forms_agree`` runs a table of cases through each."""
    if statement_form:
        order = _lock_order_one_statement(order_no, event_id, urged_at)
    else:
        order = _lock_order(order_no, event_id)
    if order is None or vars(order).get("repeat_of") is not None:  # the annotation of the lock query
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

    if statement_form:
        report_id = vars(order)["covering_report_id"]
        report = DeliveryReport.objects.only("report_no", "promised_ship_by").get(pk=report_id) if report_id else None
    else:
        report = covering_report(order, urged_at)
    opened: UrgeTask | None = None  # a task this urge opens
    entry: AuditEntry | None = None
    if report is not None:
        outcome = Urge.Outcome.SUPPRESSED
        answer: UrgeAnswer = {
            "outcome": outcome.value,
            "report_no": report.report_no,
            "promised_ship_by": iso(report.promised_ship_by),
        }
        # ``answer`` holds JSON values only (str, int, None): what a repeat reads back, as is.
        urge = Urge(event_id=event_id, order=order, urged_at=urged_at, outcome=outcome, report=report, answer=answer)
    elif (task := _merge(order) if not statement_form or vars(order)["awaiting"] else None) is not None:
        urge, entry = _merged_rows(actor=actor, event_id=event_id, order=order, urged_at=urged_at, task=task)
    elif statement_form:
        task_id = vars(order)["next_task_id"] or _sequence_next(UrgeTask)
        urge, statements = _opened_rows(
            actor=actor, event_id=event_id, order=order, urged_at=urged_at, task_id=task_id, urge_id=vars(order)["next_urge_id"]
        )
        chain_statements(statements, prepared=True)
        return UrgeResult(urge, True)
    else:
        opened = _new_task(order, urged_at)
        opened.save(force_insert=True)
        outcome = Urge.Outcome.TASK_CREATED
        answer = {"outcome": outcome.value, "ticket": task_snapshot(opened, order.order_no)}
        urge = Urge(event_id=event_id, order=order, urged_at=urged_at, outcome=outcome, task=opened, answer=answer)
        entry = _opened_audit(actor=actor, opened=opened, event_id=event_id, urged_at=urged_at)

    if statement_form:
        urge.pk = vars(order)["next_urge_id"]
    else:
        urge.save(force_insert=True)
    if entry is None:  # a suppression: its audit row names the urge
        assert report is not None
        entry = audit_entry(
            actor=actor,
            target=urge,
            action="urge_suppressed",
            data={"event_id": event_id, "report_no": report.report_no, "order_no": order.order_no},
        )
    if not statement_form:
        entry.save(force_insert=True)
        if opened is not None:
            inbox.task_opened(task=opened, order_no=order.order_no)
            payload, dedupe_key = _opened_mail(opened.pk)
            outbox_enqueue(topic=OPENED_MAIL_TOPIC, payload=payload, dedupe_key=dedupe_key)
        return UrgeResult(urge, True)
    chain_statements([insert_row_sql(urge), insert_row_sql(entry)], prepared=True)
    return UrgeResult(urge, True)


def _new_task(order: Order, urged_at: datetime) -> UrgeTask:
    return UrgeTask(order=order, shop_id=order.shop_id, opened_at=urged_at, reply_due_at=urged_at + settings.TICKET_REPLY_WINDOW)


def _opened_audit(*, actor: Actor, opened: UrgeTask, event_id: str, urged_at: datetime) -> AuditEntry:
    return audit_entry(
        actor=actor,
        target=opened,
        action="ticket_opened",
        to_status=opened.status,
        data={"event_id": event_id, "urged_at": iso(urged_at)},
    )


def _opened_rows(
    *, actor: Actor, event_id: str, order: Order, urged_at: datetime, task_id: int, urge_id: int
) -> tuple[Urge, list[tuple[str, list[Any]]]]:
    """The statement form's rows of an urge that opens a task, as statements not yet run: the
    task, the urge, its audit row, the members' inbox rows and the opening mail's outbox row.
    The ids may be ``core.setbased.Placeholder``s (the one-statement form binds them)."""
    opened = _new_task(order, urged_at)
    opened.pk = task_id
    outcome = Urge.Outcome.TASK_CREATED
    answer: UrgeAnswer = {"outcome": outcome.value, "ticket": task_snapshot(opened, order.order_no)}
    urge = Urge(pk=urge_id, event_id=event_id, order=order, urged_at=urged_at, outcome=outcome, task=opened, answer=answer)
    entry = _opened_audit(actor=actor, opened=opened, event_id=event_id, urged_at=urged_at)
    statements = [insert_row_sql(row) for row in (opened, urge, entry)]
    statements.append(inbox.task_opened_statement(task=opened, order_no=order.order_no))
    statements += [
        insert_row_sql(message, ignore_conflicts=True)
        for message in outbox_messages(topic=OPENED_MAIL_TOPIC, items=[_opened_mail(task_id)])
    ]
    return urge, statements


def _sequence_next(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [model._meta.db_table])
        (value,) = cursor.fetchone() or (None,)
        assert isinstance(value, int)
        return value


def _opened_mail(task_id: int) -> tuple[Payload, str]:
    """The opening mail goes through the outbox (payload, dedupe key): written with the task,
    sent by the drain."""
    return {"task_id": task_id}, f"ticket-opened:{task_id}"
