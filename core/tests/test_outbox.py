"""The transactional outbox: rows commit with the writer, are delivered once, retried on failure."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from core.models import OutboxMessage
from core.outbox import mail_payload, outbox_drain, outbox_enqueue, outbox_enqueue_task, outbox_handler

pytestmark = pytest.mark.django_db

DELIVERED: list = []


@outbox_handler("test.record")
def _record(payload, row):
    DELIVERED.append(payload["n"])
    OutboxMessage.objects.filter(pk=row.pk).update(last_error=f"handled {payload['n']}")  # a DB effect of the handler
    if payload.get("fail"):
        raise RuntimeError("handler failed")


@pytest.fixture(autouse=True)
def _clear():
    DELIVERED.clear()


def test_a_rolled_back_write_leaves_no_row():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        outbox_enqueue(topic="test.record", payload={"n": 1})
        1 / 0  # noqa: B018
    assert not OutboxMessage.objects.exists()
    assert outbox_drain().delivered == 0 and DELIVERED == []


def test_rows_are_delivered_once_in_order():
    for n in range(3):
        outbox_enqueue(topic="test.record", payload={"n": n})
    assert outbox_drain().as_counts() == {"delivered": 3, "failed": 0, "pruned": 0}
    assert outbox_drain().delivered == 0
    assert DELIVERED == [0, 1, 2]
    assert OutboxMessage.objects.filter(delivered_at__isnull=False, attempts=1).count() == 3


def test_dedupe_key_writes_one_row_even_after_delivery():
    outbox_enqueue(topic="test.record", payload={"n": 1}, dedupe_key="k")
    outbox_drain()
    outbox_enqueue(topic="test.record", payload={"n": 2}, dedupe_key="k")
    assert OutboxMessage.objects.count() == 1 and outbox_drain().delivered == 0
    assert DELIVERED == [1]


def test_a_failing_handler_rolls_back_its_effects_and_backs_off():
    outbox_enqueue(topic="test.record", payload={"n": 7, "fail": True})
    result = outbox_drain()
    assert (result.delivered, result.failed) == (0, 1)
    row = OutboxMessage.objects.get()
    assert row.delivered_at is None and row.attempts == 1
    assert row.last_error == "RuntimeError: handler failed"  # the handler's own update rolled back
    assert row.available_at > timezone.now()
    assert outbox_drain().failed == 0  # not due yet
    assert outbox_drain(now=timezone.now() + timedelta(hours=1)).failed == 1
    assert OutboxMessage.objects.get().attempts == 2


def test_unknown_topic_is_refused_at_enqueue():
    with pytest.raises(ValueError, match="no outbox handler"):
        outbox_enqueue(topic="no.such.topic", payload={})


def test_mail_carries_a_message_id_naming_its_row(mailoutbox):
    outbox_enqueue(topic="mail", payload=mail_payload(subject="s", body="b", to=["a@example.com"]))
    outbox_drain()
    row = OutboxMessage.objects.get()
    assert len(mailoutbox) == 1 and mailoutbox[0].extra_headers["Message-ID"].startswith(f"<outbox-{row.pk}@")


def test_a_task_is_published_from_the_outbox_and_a_broker_error_keeps_it():
    from tickets.tasks import sweep_overdue

    outbox_enqueue_task(sweep_overdue.si())
    with mock.patch("celery.app.task.Task.apply_async", side_effect=OSError("broker down")) as publish:
        assert outbox_drain().failed == 1
    with mock.patch("celery.app.task.Task.apply_async") as publish:
        assert outbox_drain(now=timezone.now() + timedelta(hours=1)).delivered == 1
    publish.assert_called_once()


def test_delivered_rows_are_pruned_after_a_week():
    outbox_enqueue(topic="test.record", payload={"n": 1})
    outbox_drain()
    assert outbox_drain(now=timezone.now() + timedelta(days=8)).pruned == 1
    assert not OutboxMessage.objects.exists()
