"""Urge-task writes. Each module holds one concern; import the services from here."""

from tickets.services.metrics import service_metrics_rollup, service_metrics_rollup_recent
from tickets.services.notifications import ticket_notify_opened, tickets_send_due_reminders
from tickets.services.options import reply_option_create, reply_option_update
from tickets.services.overdue import SweepResult, tickets_sweep_overdue
from tickets.services.replies import ticket_reply, ticket_reply_refusal
from tickets.services.urges import UrgeResult, urge_ingest

__all__ = [
    "SweepResult",
    "UrgeResult",
    "reply_option_create",
    "reply_option_update",
    "service_metrics_rollup",
    "service_metrics_rollup_recent",
    "ticket_notify_opened",
    "ticket_reply",
    "ticket_reply_refusal",
    "tickets_send_due_reminders",
    "tickets_sweep_overdue",
    "urge_ingest",
]
