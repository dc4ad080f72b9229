"""Outbox topics of the tickets app (``core.outbox`` imports this module to register them)."""

from core.models import OutboxMessage
from core.outbox import outbox_handler
from tickets.services.notifications import OPENED_MAIL_TOPIC, ticket_notify_opened


@outbox_handler(OPENED_MAIL_TOPIC)
def deliver_opened_mail(payload: dict, row: OutboxMessage) -> None:
    ticket_notify_opened(task_id=payload["task_id"])
