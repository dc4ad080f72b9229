"""Reminder mail (SPEC §4): on opening and exactly once 4 hours before the due time."""

from datetime import timedelta
from unittest import mock

import pytest

from conftest import make_merchant
from core.models import AuditEntry, OutboxMessage
from core.outbox import outbox_drain
from shops.tests.factories import OrderFactory, ProductFactory, sh
from tickets.models import UrgeTask
from tickets.services import ticket_notify_opened, tickets_send_due_reminders, urge_ingest
from tickets.tests.factories import UrgeTaskFactory

pytestmark = pytest.mark.django_db
DUE = sh(2022, 12, 29, 12, 0)


@pytest.fixture
def task(shop, merchant):
    make_merchant(shop, "merchant-a2")
    return UrgeTaskFactory(order__product__shop=shop, opened_at=DUE - timedelta(hours=24))


def test_opening_a_task_writes_the_opening_mail_to_the_outbox(shop, merchant, platform_user, mailoutbox):
    order = OrderFactory(product=ProductFactory(shop=shop))
    urge_ingest(actor=platform_user, event_id="e1", order_no=order.order_no, urged_at=sh(2022, 12, 28, 12, 0))
    # the mail is a row of the urge's transaction, not a broker message
    row = OutboxMessage.objects.get()
    assert (row.topic, row.payload, row.delivered_at) == ("tickets.opened_mail", {"task_id": UrgeTask.objects.get().pk}, None)
    assert mailoutbox == []
    assert outbox_drain().delivered == 1 and len(mailoutbox) == 1
    assert outbox_drain().delivered == 0 and len(mailoutbox) == 1


def test_opening_mail_goes_to_the_shop_members_once(task, mailoutbox, other_merchant):
    assert ticket_notify_opened(task_id=task.pk) is True
    assert ticket_notify_opened(task_id=task.pk) is False  # a retried job sends nothing more
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert sorted(mail.to) == ["merchant-a2@example.com", "merchant-a@example.com"]
    assert task.order.order_no in mail.subject and "催发货" in mail.subject
    assert "2022-12-29 12:00" in mail.body


def test_reminder_is_sent_exactly_once_four_hours_before_due(task, mailoutbox):
    # 4h01m before: not yet
    assert tickets_send_due_reminders(now=DUE - timedelta(hours=4, minutes=1)) == 0
    # 4h before: sent
    assert tickets_send_due_reminders(now=DUE - timedelta(hours=4)) == 1
    # every later run of the periodic job: nothing more
    for minutes in (1, 60, 200):
        assert tickets_send_due_reminders(now=DUE - timedelta(hours=4) + timedelta(minutes=minutes)) == 0
    assert mailoutbox == [] and outbox_drain().delivered == 1
    assert len(mailoutbox) == 1
    assert "2022-12-29 12:00" in mailoutbox[0].subject
    task.refresh_from_db()
    assert task.reminder_sent_at == DUE - timedelta(hours=4)
    assert AuditEntry.objects.filter(action="ticket_reminder_sent", target_id=str(task.pk)).count() == 1


def test_reminder_lead_time_is_a_setting(task, mailoutbox, settings):
    settings.TICKET_REMINDER_BEFORE_DUE = timedelta(hours=1)
    assert tickets_send_due_reminders(now=DUE - timedelta(hours=2)) == 0
    assert tickets_send_due_reminders(now=DUE - timedelta(minutes=30)) == 1


def test_no_reminder_for_replied_or_already_due_tasks(task, shop, mailoutbox):
    UrgeTask.objects.filter(pk=task.pk).update(status="replied")
    UrgeTaskFactory(order__product__shop=shop, opened_at=DUE - timedelta(hours=30))  # due 6h earlier
    assert tickets_send_due_reminders(now=DUE - timedelta(hours=1)) == 0
    assert outbox_drain().delivered == 0
    assert mailoutbox == []


def test_reminders_in_batches(shop, merchant, mailoutbox):
    for _ in range(5):
        UrgeTaskFactory(order__product__shop=shop, opened_at=DUE - timedelta(hours=24))
    assert tickets_send_due_reminders(now=DUE - timedelta(hours=2), batch_size=2) == 5
    assert outbox_drain().delivered == 5
    assert len(mailoutbox) == 5


def test_a_failed_opening_mail_is_released_for_the_retry(task, mailoutbox):
    with mock.patch("tickets.services.notifications._send", side_effect=OSError("smtp down")), pytest.raises(OSError):
        ticket_notify_opened(task_id=task.pk)
    assert UrgeTask.objects.get(pk=task.pk).opened_mail_sent_at is None
    assert ticket_notify_opened(task_id=task.pk) is True
    assert len(mailoutbox) == 1


def test_a_failed_mail_stays_in_the_outbox_and_is_sent_once_later(task, mailoutbox):
    from django.utils import timezone

    OutboxMessage.objects.all().delete()
    from core.outbox import outbox_enqueue

    outbox_enqueue(topic="tickets.opened_mail", payload={"task_id": task.pk}, dedupe_key=f"ticket-opened:{task.pk}")
    outbox_enqueue(topic="tickets.opened_mail", payload={"task_id": task.pk}, dedupe_key=f"ticket-opened:{task.pk}")
    assert OutboxMessage.objects.count() == 1  # the dedupe key holds
    with mock.patch("tickets.services.notifications._send", side_effect=OSError("smtp down")):
        result = outbox_drain()
    assert (result.delivered, result.failed) == (0, 1)
    row = OutboxMessage.objects.get()
    assert row.delivered_at is None and row.attempts == 1 and "smtp down" in row.last_error
    assert UrgeTask.objects.get(pk=task.pk).opened_mail_sent_at is None  # the claim rolled back with the failure
    assert not AuditEntry.objects.filter(action="ticket_opened_mail_sent").exists()
    assert outbox_drain().delivered == 0  # backing off
    assert outbox_drain(now=timezone.now() + timedelta(minutes=5)).delivered == 1
    assert outbox_drain(now=timezone.now() + timedelta(minutes=10)).delivered == 0
    assert len(mailoutbox) == 1
