"""Reminder mail to a task's shop members (SPEC §4): when a task opens, and once 4 hours
before it falls due. Each mail is claimed first by a conditional update of its timestamp
(so a retried or doubled job never sends twice), audited, and handed to the outbox
(``core.outbox``) in the same transaction: a mail failure or a broker outage delays it, never
loses it."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.audit import audit_record, audit_record_bulk
from core.outbox import mail_payload, outbox_enqueue_many
from notifications import events as inbox
from shops.models import ShopMembership
from tickets.models import UrgeTask

REMINDER_BATCH_SIZE = 500
OPENED_MAIL_TOPIC = "tickets.opened_mail"


def _recipients_by_shop(shop_ids: Iterable[int]) -> dict[int, list[str]]:
    rows = (
        ShopMembership.objects.filter(shop_id__in=set(shop_ids))
        .exclude(user__email="")
        .filter(user__is_active=True)
        .values_list("shop_id", "user__email")
        .order_by("shop_id", "user__email")
    )
    found: dict[int, list[str]] = defaultdict(list)
    for shop_id, email in rows:
        found[shop_id].append(email)
    return found


def _messages(task_ids: list[int], *, kind: str) -> list[EmailMessage]:
    return [message for _task_id, message in _messages_by_task(task_ids, kind=kind)]


def _messages_by_task(task_ids: list[int], *, kind: str) -> list[tuple[int, EmailMessage]]:
    tasks = list(UrgeTask.objects.filter(pk__in=task_ids).select_related("order", "shop").order_by("pk"))
    recipients = _recipients_by_shop(t.shop_id for t in tasks)
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for task in tasks:
            to = recipients.get(task.shop_id)
            if not to:
                continue
            due = timezone.localtime(task.reply_due_at).strftime("%Y-%m-%d %H:%M")
            if kind == "opened":
                subject = _("New urge-shipment task #%(id)s for order %(order)s") % {"id": task.pk, "order": task.order.order_no}
            else:
                subject = _("Urge-shipment task #%(id)s falls due at %(due)s") % {"id": task.pk, "due": due}
            body = _(
                "Shop: %(shop)s\nOrder: %(order)s\nPlease reply before %(due)s (Asia/Shanghai). A task not replied "
                "in time becomes overdue and may lead to a complaint on the buyer's behalf."
            ) % {"shop": task.shop.name, "order": task.order.order_no, "due": due}
            messages.append((task.pk, EmailMessage(subject=subject, body=body, to=to)))
    return messages


def _send(messages: list[EmailMessage]) -> int:
    if not messages:
        return 0
    return get_connection(fail_silently=False).send_messages(messages) or 0


@transaction.atomic
def ticket_notify_opened(*, task_id: int) -> bool:
    """Send the "task opened" mail once (the outbox handler of ``OPENED_MAIL_TOPIC``). Returns
    whether this call sent it. A send failure raises and rolls the claim and its audit row back,
    so the outbox tries again."""
    now = timezone.now()
    claimed = UrgeTask.objects.filter(pk=task_id, opened_mail_sent_at__isnull=True).update(opened_mail_sent_at=now)
    if not claimed:
        return False
    task = UrgeTask.objects.get(pk=task_id)
    audit_record(actor=None, target=task, action="ticket_opened_mail_sent", at=now)
    _send(_messages([task_id], kind="opened"))
    return True


def _claim_reminders(*, now: datetime, batch_size: int) -> list[int]:
    window_end = now + settings.TICKET_REMINDER_BEFORE_DUE
    with transaction.atomic():
        ids = list(
            UrgeTask.objects.select_for_update(skip_locked=True)
            .filter(
                status=UrgeTask.Status.OPEN, reminder_sent_at__isnull=True, reply_due_at__gt=now, reply_due_at__lte=window_end
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return []
        UrgeTask.objects.filter(pk__in=ids, reminder_sent_at__isnull=True).update(reminder_sent_at=now)
        ids = list(UrgeTask.objects.filter(pk__in=ids, reminder_sent_at=now).values_list("pk", flat=True))
        audit_record_bulk(actor=None, model=UrgeTask, target_ids=ids, action="ticket_reminder_sent", at=now)
        inbox.tasks_due_soon(task_ids=ids)
        outbox_enqueue_many(
            topic="mail",
            items=[
                (mail_payload(subject=str(m.subject), body=str(m.body), to=m.to), f"ticket-reminder:{task_id}")
                for task_id, m in _messages_by_task(ids, kind="reminder")
            ],
        )
    return ids


def tickets_send_due_reminders(*, now: datetime | None = None, batch_size: int = REMINDER_BATCH_SIZE) -> int:
    """Remind the shops of open tasks falling due within ``TICKET_REMINDER_BEFORE_DUE``.
    Returns the number of tasks reminded (each exactly once)."""
    now = now or timezone.now()
    reminded = 0
    while True:
        ids = _claim_reminders(now=now, batch_size=batch_size)
        reminded += len(ids)
        if len(ids) < batch_size:
            return reminded
