"""Every event a merchant hears about writes its inbox rows where it happens, in Chinese."""

from datetime import timedelta

import pytest

from complaints.models import Appeal, Complaint
from complaints.services import appeal_accept, appeal_reject, complaint_judge, complaints_judge_pending
from complaints.tests.factories import AppealFactory, ComplaintFactory, JudgedComplaintFactory
from conftest import make_merchant
from core.models import OutboxMessage
from notifications.models import Notification
from notifications.services import MAIL_TOPIC
from reports.models import DeliveryReport
from reports.services import report_approve, report_reject, report_revoke
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import OrderFactory, ProductFactory, sh
from tickets.services import tickets_send_due_reminders, tickets_sweep_overdue, urge_ingest
from tickets.tests.factories import UrgeTaskFactory

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


@pytest.fixture
def members(shop, merchant):
    return [merchant, make_merchant(shop, "merchant-a2")]


@pytest.fixture
def order(shop):
    return OrderFactory(product=ProductFactory(shop=shop))


def rows(kind):
    return list(Notification.objects.filter(kind=kind).order_by("user__username", "pk"))


def test_task_opened(platform_user, order, members, other_merchant):
    urge_ingest(actor=platform_user, event_id="e1", order_no=order.order_no, urged_at=sh(2022, 12, 28, 12, 0))
    found = rows(Kind.TASK_OPENED)
    assert [n.user for n in found] == members
    task = order.urge_tasks.get()
    assert found[0].title == f"新的催发货任务 #{task.pk}（订单 {order.order_no}）"
    assert "2022-12-29 12:00" in found[0].body
    assert found[0].link == f"/tickets/{task.pk}/"
    # a merged urge opens nothing new
    urge_ingest(actor=platform_user, event_id="e2", order_no=order.order_no, urged_at=sh(2022, 12, 28, 13, 0))
    assert len(rows(Kind.TASK_OPENED)) == 2
    assert not Notification.objects.filter(user=other_merchant).exists()


def test_due_soon_reminders_are_set_based_and_once(shop, members):
    due = sh(2022, 12, 29, 12, 0)
    tasks = [UrgeTaskFactory(order__product__shop=shop, opened_at=due - timedelta(hours=24)) for _ in range(3)]
    assert tickets_send_due_reminders(now=due - timedelta(hours=3), batch_size=2) == 3
    found = rows(Kind.TASK_DUE_SOON)
    assert len(found) == 6  # 3 tasks × 2 members
    assert {n.link for n in found} == {f"/tickets/{t.pk}/" for t in tasks}
    first = next(n for n in found if n.link == f"/tickets/{tasks[0].pk}/")
    assert first.title == f"催发货任务 #{tasks[0].pk}（订单 {tasks[0].order.order_no}）剩余不足 4 小时"
    assert first.dedupe_key == f"task-due-soon:{tasks[0].pk}"
    assert tickets_send_due_reminders(now=due - timedelta(hours=2)) == 0
    assert len(rows(Kind.TASK_DUE_SOON)) == 6


def test_overdue_and_the_complaint_it_files(shop, members, other_merchant):
    task = UrgeTaskFactory(order__product__shop=shop)
    result = tickets_sweep_overdue(now=task.reply_due_at + timedelta(minutes=1))
    assert result.overdue == 1 and result.complaints_filed == 1
    overdue = rows(Kind.TASK_OVERDUE)
    assert [n.user for n in overdue] == members
    assert overdue[0].title == f"催发货任务 #{task.pk}（订单 {task.order.order_no}）已超时"
    complaint = Complaint.objects.get()
    filed = rows(Kind.COMPLAINT_FILED)
    assert [n.link for n in filed] == [f"/complaints/{complaint.pk}/"] * 2
    assert filed[0].title == f"订单 {task.order.order_no} 收到投诉 #{complaint.pk}"
    tickets_sweep_overdue(now=task.reply_due_at + timedelta(minutes=2))  # a re-run adds nothing
    assert Notification.objects.count() == 4
    assert not Notification.objects.filter(user=other_merchant).exists()


def test_judgment_job_tells_each_shop_its_verdicts(shop, order, members, other_shop, other_merchant):
    DeliveryReportFactory(shop=shop, report_no="BB2022122700001")
    exempt = ComplaintFactory(order=order)
    liable = ComplaintFactory(order=OrderFactory(product=ProductFactory(shop=other_shop)))
    run = complaints_judge_pending()
    assert run.judged == 2
    mine = rows(Kind.COMPLAINT_JUDGED)
    assert [n.user for n in mine if n.shop == shop] == members
    assert mine[0].title == f"投诉 #{exempt.pk} 已判定：免责"
    assert order.order_no in mine[0].body
    theirs = Notification.objects.get(user=other_merchant, kind=Kind.COMPLAINT_JUDGED)
    assert theirs.title == f"投诉 #{liable.pk} 已判定：商家责任"
    # one mail row for the batch, naming each inbox row it wrote
    (mail,) = OutboxMessage.objects.filter(topic=MAIL_TOPIC)
    assert mail.payload == {"ids": sorted(n.pk for n in Notification.objects.filter(kind=Kind.COMPLAINT_JUDGED))}
    complaints_judge_pending()
    assert Notification.objects.filter(kind=Kind.COMPLAINT_JUDGED).count() == 3


def test_judgment_batch_texts_belong_to_their_own_complaint(shop, members):
    """Several complaints of one shop in one batch: each row's id, link and order number are its
    own complaint's (the members are matched to complaints by id, and the texts read the same join)."""
    complaints = [ComplaintFactory(order=OrderFactory(product=ProductFactory(shop=shop))) for _ in range(3)]
    assert complaints_judge_pending().judged == 3
    found = rows(Kind.COMPLAINT_JUDGED)
    assert len(found) == 6  # 3 complaints × 2 members
    for complaint in complaints:
        mine = [n for n in found if n.link == f"/complaints/{complaint.pk}/"]
        assert len(mine) == 2
        assert all(f"#{complaint.pk} " in n.title and complaint.order.order_no in n.body for n in mine)


def test_manual_judgment(ops_user, order, members):
    complaint = ComplaintFactory(order=order, filed_at=sh(2022, 12, 20, 12, 0))  # before judge_by_reports: ops judge
    complaint_judge(actor=ops_user, complaint=complaint, verdict=Complaint.Verdict.MERCHANT_LIABLE, reason="未发货")
    assert [n.title for n in rows(Kind.COMPLAINT_JUDGED)] == [f"投诉 #{complaint.pk} 已判定：商家责任"] * 2


def test_appeal_decisions(ops_user, order, members):
    report = DeliveryReportFactory(shop=order.shop)
    accepted = AppealFactory(complaint=JudgedComplaintFactory(order=order), report=report)
    appeal_accept(actor=ops_user, appeal=accepted, reason="报备覆盖")
    rejected = AppealFactory(complaint=JudgedComplaintFactory(order=OrderFactory(product=order.product)), report=report)
    appeal_reject(actor=ops_user, appeal=rejected, reason="不覆盖")
    found = {n.title: n for n in rows(Kind.APPEAL_DECIDED)}
    ok = f"申诉 #{accepted.pk} 已通过：投诉 #{accepted.complaint_id} 免责"
    no = f"申诉 #{rejected.pk} 被驳回：投诉 #{rejected.complaint_id} 维持原判"
    assert set(found) == {ok, no}
    assert found[no].body == "不覆盖"
    assert Appeal.objects.filter(status=Appeal.Status.ACCEPTED).count() == 1


def test_report_decisions(ops_user, shop, members):
    pending = DeliveryReportFactory(shop=shop, status=DeliveryReport.Status.PENDING_REVIEW, report_no="BB1")
    report_approve(actor=ops_user, report=pending)
    report_revoke(actor=ops_user, report=pending, reason="抽查不实")
    other = DeliveryReportFactory(shop=shop, status=DeliveryReport.Status.PENDING_REVIEW, report_no="BB2")
    report_reject(actor=ops_user, report=other, reason="材料不足")
    titles = [n.title for n in rows(Kind.REPORT_DECIDED) if n.user == members[0]]
    assert sorted(titles) == ["报备 BB1 已被撤销", "报备 BB1 已通过", "报备 BB2 被驳回"]
    revoked = Notification.objects.get(user=members[0], title="报备 BB1 已被撤销")
    assert revoked.body == "抽查不实" and revoked.link == "/reports/BB1/"
