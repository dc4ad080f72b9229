"""The overdue sweep (SPEC §4): batches, one complaint per task it made overdue, the taobao
policy judged at the due time, re-runs change nothing more."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.models import Complaint
from core.models import AuditEntry, Policy
from core.policies import NO_AUTO_COMPLAINT_TAOBAO
from shops.tests.factories import ShopFactory, sh
from tickets.models import UrgeTask
from tickets.services import tickets_sweep_overdue
from tickets.tests.factories import UrgeTaskFactory

pytestmark = pytest.mark.django_db
POLICY_START = sh(2022, 12, 18)
ONE_SECOND = timedelta(seconds=1)


def task_due(due, kind="tmall", **kwargs):
    shop = ShopFactory(code=f"{kind}-shop", kind=kind)
    return UrgeTaskFactory(order__product__shop=shop, opened_at=due - timedelta(hours=24), **kwargs)


def test_sweep_marks_due_open_tasks_overdue_and_files_one_complaint_each():
    due = task_due(sh(2022, 12, 29, 12, 0))
    not_yet = task_due(sh(2022, 12, 29, 12, 1))
    replied = task_due(sh(2022, 12, 29, 11, 0), status=UrgeTask.Status.REPLIED)
    now = sh(2022, 12, 29, 12, 0)

    result = tickets_sweep_overdue(now=now)

    assert (result.overdue, result.complaints_filed, result.complaints_waived) == (1, 1, 0)
    due.refresh_from_db()
    assert (due.status, due.overdue_at) == ("overdue", now)
    complaint = Complaint.objects.get()
    assert due.complaint == complaint
    assert (complaint.event_id, complaint.source, complaint.reason, complaint.filed_at, complaint.order_id) == (
        f"ticket-overdue:{due.pk}",
        "platform",
        "delayed_shipment",
        due.reply_due_at,
        due.order_id,
    )
    not_yet.refresh_from_db()
    replied.refresh_from_db()
    assert (not_yet.status, replied.status) == ("open", "replied")
    audit = AuditEntry.objects.get(action="ticket_overdue")
    assert (audit.target_id, audit.from_status, audit.to_status, audit.actor_label) == (str(due.pk), "open", "overdue", "system")


def test_rerunning_the_sweep_changes_nothing_more():
    task_due(sh(2022, 12, 29, 12, 0))
    tickets_sweep_overdue(now=sh(2022, 12, 29, 13, 0))
    snapshot = (list(UrgeTask.objects.values()), Complaint.objects.count(), AuditEntry.objects.count())
    result = tickets_sweep_overdue(now=sh(2022, 12, 29, 14, 0))
    assert (result.overdue, result.complaints_filed) == (0, 0)
    assert (list(UrgeTask.objects.values()), Complaint.objects.count(), AuditEntry.objects.count()) == snapshot


def test_sweep_works_in_batches(shop):
    tasks = [UrgeTaskFactory(order__product__shop=shop) for _ in range(7)]
    result = tickets_sweep_overdue(now=sh(2023, 1, 1), batch_size=3)
    assert result.overdue == 7 and result.complaints_filed == 7
    assert set(UrgeTask.objects.values_list("status", flat=True)) == {"overdue"}
    assert set(Complaint.objects.values_list("event_id", flat=True)) == {f"ticket-overdue:{t.pk}" for t in tasks}


@pytest.mark.parametrize(
    ("kind", "due", "files"),
    [
        ("taobao", POLICY_START - ONE_SECOND, True),  # before the policy: complaint
        ("taobao", POLICY_START, False),  # policy in force at the due time
        ("taobao", POLICY_START + ONE_SECOND, False),
        ("tmall", POLICY_START - ONE_SECOND, True),  # tmall shops always
        ("tmall", POLICY_START + ONE_SECOND, True),
    ],
)
def test_auto_complaint_policy_is_judged_at_the_due_time(kind, due, files):
    task = task_due(due, kind=kind)
    # The sweep runs long after the policy date: only the task's due time matters.
    result = tickets_sweep_overdue(now=sh(2023, 2, 1))
    task.refresh_from_db()
    assert task.status == "overdue"
    assert Complaint.objects.filter(event_id=f"ticket-overdue:{task.pk}").exists() is files
    assert (task.complaint_id is not None) is files
    assert task.complaint_waived is (not files)
    assert (result.complaints_filed, result.complaints_waived) == ((1, 0) if files else (0, 1))


def test_disabled_policy_means_every_shop_gets_complaints():
    Policy.objects.filter(key=NO_AUTO_COMPLAINT_TAOBAO).update(enabled=False)
    task = task_due(POLICY_START + timedelta(days=3), kind="taobao")
    tickets_sweep_overdue(now=sh(2023, 2, 1))
    task.refresh_from_db()
    assert task.complaint_id is not None


def test_sweep_does_not_duplicate_a_complaint_already_filed_for_the_task():
    task = task_due(sh(2022, 12, 29, 12, 0))
    Complaint.objects.create(
        event_id=f"ticket-overdue:{task.pk}",
        order=task.order,
        reason="delayed_shipment",
        source="platform",
        filed_at=task.reply_due_at,
    )
    result = tickets_sweep_overdue(now=sh(2022, 12, 30))
    task.refresh_from_db()
    assert Complaint.objects.count() == 1
    assert task.complaint == Complaint.objects.get()
    assert result.overdue == 1


def test_sweep_command(capsys):
    task_due(sh(2022, 12, 29, 12, 0))
    call_command("sweep_tickets", "--no-reminders")
    assert "overdue: 1, complaints filed: 1" in capsys.readouterr().out
    assert UrgeTask.objects.get().status == "overdue"


def test_audit_rows_say_why_no_complaint_was_filed():
    filed = task_due(POLICY_START + ONE_SECOND, kind="tmall")
    waived = task_due(POLICY_START + ONE_SECOND, kind="taobao")
    tickets_sweep_overdue(now=sh(2023, 2, 1))
    reasons = dict(AuditEntry.objects.filter(action="ticket_overdue").values_list("target_id", "reason"))
    assert reasons == {
        str(filed.pk): "complaint filed on the buyer's behalf",
        str(waived.pk): "no complaint: taobao shop under tickets.no_auto_complaint_taobao",
    }


def test_a_batch_costs_the_same_queries_whatever_its_size(django_assert_num_queries):
    """Set-based: claim, file, audit the complaints, update, audit the tasks — not a query per task."""
    for _n in range(2):
        task_due(sh(2022, 12, 29, 12, 0), kind="tmall")
        task_due(sh(2022, 12, 29, 12, 0), kind="taobao")
    with CaptureQueriesContext(connection) as small:
        assert tickets_sweep_overdue(now=sh(2023, 1, 1)).overdue == 4
    for _n in range(20):
        task_due(sh(2022, 12, 30, 12, 0), kind="tmall")
        task_due(sh(2022, 12, 30, 12, 0), kind="taobao")
    with django_assert_num_queries(len(small.captured_queries)):
        assert tickets_sweep_overdue(now=sh(2023, 1, 1)).overdue == 40


def test_sweep_takes_the_oldest_due_tasks_first(shop):
    """A backlog is worked off oldest first, in the order of the partial index (a claim reads only
    the rows it takes): one batch of one takes the task due first, whatever its id."""
    later = UrgeTaskFactory(order__product__shop=shop, opened_at=sh(2022, 12, 28, 12, 0))
    first = UrgeTaskFactory(order__product__shop=shop, opened_at=sh(2022, 12, 28, 11, 0))
    assert later.pk < first.pk and first.reply_due_at < later.reply_due_at
    seen = []
    tickets_sweep_overdue(
        now=sh(2023, 1, 1),
        batch_size=1,
        progress=lambda total: seen.append(set(UrgeTask.objects.filter(status="overdue").values_list("pk", flat=True))),
    )
    assert seen == [{first.pk}, {first.pk, later.pk}]


def test_progress_reports_the_running_total_after_each_batch(shop):
    for _n in range(5):
        UrgeTaskFactory(order__product__shop=shop)
    totals = []
    result = tickets_sweep_overdue(now=sh(2023, 1, 1), batch_size=2, progress=lambda total: totals.append(total.overdue))
    assert totals == [2, 4, 5] and result.overdue == 5


def test_sweep_command_prints_progress(shop, capsys):
    for _n in range(3):
        UrgeTaskFactory(order__product__shop=shop)
    call_command("sweep_tickets", "--no-reminders", "--progress-every", "2")
    out = capsys.readouterr().out
    assert "… 3 overdue so far" in out and "overdue: 3, complaints filed: 3" in out


@pytest.mark.postgres
def test_on_postgresql_a_batch_is_one_statement_after_its_claim():
    """Complaints, their audit rows, the task rows and the task audit rows of a batch are written
    by one statement (data-modifying CTEs); besides it only the claim and the inbox inserts."""
    for _n in range(3):
        task_due(sh(2022, 12, 29, 12, 0), kind="tmall")
        task_due(sh(2022, 12, 29, 12, 0), kind="taobao")
    with CaptureQueriesContext(connection) as ctx:
        result = tickets_sweep_overdue(now=sh(2023, 1, 1))
    assert (result.overdue, result.complaints_filed, result.complaints_waived) == (6, 3, 3)
    writes = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().startswith(("WITH", "INSERT", "UPDATE"))]
    assert len(writes) == 3, writes  # the batch's statement + two inbox inserts
    assert writes[0].lstrip().startswith("WITH t AS MATERIALIZED")
    assert AuditEntry.objects.filter(action="ticket_overdue").count() == 6
    assert AuditEntry.objects.filter(action="complaint_filed").count() == 3
