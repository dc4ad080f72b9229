"""Outbox topics of the notifications app (``core.outbox`` imports this module to register them)."""

from core.models import OutboxMessage
from core.outbox import outbox_handler
from notifications.services import MAIL_TOPIC, notification_mail_send


@outbox_handler(MAIL_TOPIC)
def deliver_notification_mail(payload: dict, row: OutboxMessage) -> None:
    notification_mail_send(ids=payload["ids"], message_id_prefix=f"outbox-{row.pk}")
