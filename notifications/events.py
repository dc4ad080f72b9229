"""What merchants are told, event by event: each function builds the Chinese texts and link of
one kind of notification and hands them to the one service (``notify`` for a single event,
``notify_members`` for a job's batch — one ``INSERT … SELECT``, no loop over the events).
Call them inside the transaction that makes the change."""

from collections.abc import Iterable

from django.db.models import Case, CharField, OuterRef, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from core.setbased import pk_in, pk_in_array_text
from notifications.models import Notification
from notifications.services import (
    BatchNotice,
    inbox_language,
    notify,
    notify_members,
    notify_statement,
    text_sql,
    url_template,
)
from shops.models import ShopMembership

Kind = Notification.Kind


def _due(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


# --- urge tasks -------------------------------------------------------------------------------


def _task_opened(*, task, order_no: str) -> dict:
    with inbox_language():
        return {
            "shop": task.shop_id,
            "kind": Kind.TASK_OPENED,
            "title": _("New urge-shipment task #%(id)s for order %(order)s") % {"id": task.pk, "order": order_no},
            "body": _("Please reply before %(due)s (Asia/Shanghai), or the task becomes overdue.")
            % {"due": _due(task.reply_due_at)},
            "link": url_template("tickets:portal-detail", pk="id") % {"id": task.pk},
            "dedupe_key": f"task-opened:{task.pk}",
        }


def task_opened(*, task, order_no: str) -> int:
    return notify(**_task_opened(task=task, order_no=order_no))


def task_opened_statement(*, task, order_no: str) -> tuple[str, list]:
    """``task_opened`` as a statement not yet run (urge ingestion sends it with the task's rows)."""
    return notify_statement(**_task_opened(task=task, order_no=order_no))


def _task_members(task_ids: Iterable[int]):
    # One membership row per (member, task): the tasks are matched by id directly (a subquery of
    # ids made PostgreSQL look each task up twice and join its order before finding no member).
    return ShopMembership.objects.filter(pk_in(list(task_ids), field="shop__urge_tasks__pk"))


def _tasks_notify(task_ids: list[int], *, kind: str, title: str, body: str, key: str) -> int:
    if not task_ids:
        return 0
    from shops.models import Order

    task = "shop__urge_tasks__pk"
    # The order number by a subquery: read for the rows written only (a join would read every
    # task's order before the membership join finds whether anyone is to be told).
    order = Subquery(Order.objects.filter(pk=OuterRef("shop__urge_tasks__order_id")).values("order_no")[:1])
    return notify_members(
        members=_task_members(task_ids),
        kind=kind,
        title=text_sql(title, id=task, order=order),
        body=body,
        link=text_sql(url_template("tickets:portal-detail", pk="id"), id=task),
        dedupe_key=text_sql(key + "%(id)s", id=task),
    )


def tasks_due_soon(*, task_ids: list[int]) -> int:
    """The "4 hours left" reminder of each task, set-based."""
    with inbox_language():
        return _tasks_notify(
            task_ids,
            kind=Kind.TASK_DUE_SOON,
            title=_("Task #%(id)s (order %(order)s) falls due within 4 hours"),
            body=_("Reply now, or the task becomes overdue and may lead to a complaint on the buyer's behalf."),
            key="task-due-soon:",
        )


def tasks_overdue(*, task_ids: list[int]) -> int:
    """Each task that just went overdue, set-based."""
    with inbox_language():
        return _tasks_notify(
            task_ids,
            kind=Kind.TASK_OVERDUE,
            title=_("Task #%(id)s (order %(order)s) is overdue"),
            body=_("It was not replied in time; a complaint may be filed on the buyer's behalf."),
            key="task-overdue:",
        )


# --- complaints -------------------------------------------------------------------------------


def _complaint_members(complaint_ids: Iterable[int]):
    # As ``_task_members``: the complaints matched by id directly, not through a subquery of ids.
    return ShopMembership.objects.filter(pk_in(list(complaint_ids), field="shop__orders__complaints__pk"))


_C = "shop__orders__complaints__"


def _verdict_sql():
    from complaints.models import Complaint

    return Case(
        *[When(**{f"{_C}verdict": value}, then=Value(str(label))) for value, label in Complaint.Verdict.choices],
        default=Value(""),
        output_field=CharField(),
    )


def complaints_filed(*, complaint_ids: list[int]) -> int:
    if not complaint_ids:
        return 0
    with inbox_language():
        return notify_members(
            members=_complaint_members(complaint_ids),
            kind=Kind.COMPLAINT_FILED,
            title=text_sql(_("Complaint #%(id)s filed on order %(order)s"), id=f"{_C}pk", order="shop__orders__order_no"),
            body=_("It is judged by your delivery reports and the platform's exemptions; the verdict follows here."),
            link=text_sql(url_template("complaints:portal-detail", pk="id"), id=f"{_C}pk"),
            dedupe_key=text_sql("complaint-filed:%(id)s", id=f"{_C}pk"),
        )


def _complaints_judged_notice() -> dict:
    """The notice of a judged complaint, over the member rows joined to the complaints."""
    with inbox_language():
        return {
            "kind": Kind.COMPLAINT_JUDGED,
            "title": text_sql(_("Complaint #%(id)s judged: %(verdict)s"), id=f"{_C}pk", verdict=_verdict_sql()),
            "body": text_sql(
                _("Order %(order)s. A merchant-liable verdict can be appealed with a delivery report that covers the order."),
                order="shop__orders__order_no",
            ),
            "link": text_sql(url_template("complaints:portal-detail", pk="id"), id=f"{_C}pk"),
            "dedupe_key": text_sql("complaint-judged:%(id)s", id=f"{_C}pk"),
        }


def complaints_judged(*, complaint_ids: list[int]) -> int:
    """The verdict of each complaint (one judged by ops; the judgment job's batch on SQLite)."""
    if not complaint_ids:
        return 0
    return notify_members(members=_complaint_members(complaint_ids), **_complaints_judged_notice())


#: ``complaints_judged`` for the judgment job's batches on PostgreSQL: compiled once per process.
_JUDGED_BATCH = BatchNotice(
    lambda ids: ShopMembership.objects.filter(pk_in_array_text(ids, field="shop__orders__complaints__pk")),
    _complaints_judged_notice,
    ids="{-918273645}",
)


def complaints_judged_batch(*, ids: str) -> int:
    """``complaints_judged`` for a batch of the judgment job (PostgreSQL): ``ids`` is the text of
    the array of the judged complaints' ids (``'{1,2,3}'``) as the batch statement returns it,
    sent on as it is — no list of 5,000 ints parsed from the statement's answer and adapted back."""
    return _JUDGED_BATCH.send(ids=ids) if ids != "{}" else 0


def complaint_rereviewed(*, complaint) -> int:
    with inbox_language():
        return notify(
            shop=complaint.order.shop_id,
            kind=Kind.COMPLAINT_JUDGED,
            title=_("Complaint #%(id)s re-reviewed: %(verdict)s")
            % {"id": complaint.pk, "verdict": complaint.get_verdict_display()},
            body=_("The delivery report it was exempted by has been revoked, so ops reviewed it again."),
            link=url_template("complaints:portal-detail", pk="id") % {"id": complaint.pk},
            dedupe_key=f"complaint-rereviewed:{complaint.pk}",
        )


def appeal_decided(*, appeal) -> int:
    from complaints.models import Appeal

    with inbox_language():
        if appeal.status == Appeal.Status.ACCEPTED:
            title = _("Appeal #%(id)s accepted: complaint #%(complaint)s is exempt")
        else:
            title = _("Appeal #%(id)s rejected: the verdict of complaint #%(complaint)s stands")
        return notify(
            shop=appeal.complaint.order.shop_id,
            kind=Kind.APPEAL_DECIDED,
            title=title % {"id": appeal.pk, "complaint": appeal.complaint_id},
            body=appeal.reason or "",
            link=url_template("complaints:portal-detail", pk="id") % {"id": appeal.complaint_id},
            dedupe_key=f"appeal-decided:{appeal.pk}",
        )


# --- reports ----------------------------------------------------------------------------------


def report_decided(*, report) -> int:
    """Approved (by ops or automatically), rejected or revoked."""
    from reports.models import DeliveryReport

    Status = DeliveryReport.Status
    with inbox_language():
        titles = {
            Status.APPROVED: _("Delivery report %(no)s approved"),
            Status.REJECTED: _("Delivery report %(no)s rejected"),
            Status.REVOKED: _("Delivery report %(no)s revoked"),
        }
        if report.status == Status.APPROVED and report.decided_by_system:
            body = _("Approved automatically on your commitment letter; the platform may spot-check it.")
        else:
            body = report.reason or ""
        return notify(
            shop=report.shop_id,
            kind=Kind.REPORT_DECIDED,
            title=titles[report.status] % {"no": report.report_no},
            body=body,
            link=url_template("reports:portal-detail", report_no="no") % {"no": report.report_no},
            dedupe_key=f"report-{report.status}:{report.pk}",
        )


# --- spot checks ------------------------------------------------------------------------------


def spot_check_result(*, spot_check) -> int:
    from workbench.models import SpotCheck

    report = spot_check.report
    with inbox_language():
        if spot_check.status == SpotCheck.Status.CONFIRMED:
            title = _("Spot check of delivery report %(no)s: confirmed")
        else:
            title = _("Spot check of delivery report %(no)s: found false")
        return notify(
            shop=spot_check.shop_id,
            kind=Kind.SPOT_CHECK_RESULT,
            title=title % {"no": report.report_no},
            body=spot_check.note,
            link=url_template("reports:portal-detail", report_no="no") % {"no": report.report_no},
            dedupe_key=f"spot-check:{spot_check.pk}",
        )
