"""Merchant replies to urge tasks (SPEC §4)."""

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import Conflict, InvalidInput
from core.roles import AnyUser, is_merchant
from core.transitions import guard_transition
from shops.selectors import require_member, user_is_member
from tickets.models import TASK_TRANSITIONS, ReplyOption, UrgeTask
from tickets.options import reply_option_state
from tickets.services.overdue import mark_overdue
from tickets.services.urges import iso

Status = UrgeTask.Status
MESSAGE_MAX_LENGTH = 500


def _option_for_reply(code: str, at: datetime) -> ReplyOption:
    option = ReplyOption.objects.filter(code=code).first()
    if option is None:
        raise InvalidInput("reply_option_unknown", _("Unknown reply option %(code)s.") % {"code": code})
    state = reply_option_state(option, at)
    if state == "retired":
        raise InvalidInput(
            "reply_option_retired", _("The reply option %(name)s can no longer be chosen.") % {"name": option.name}
        )
    if state != "active":
        raise InvalidInput(
            "reply_option_not_active", _("The reply option %(name)s is not available yet.") % {"name": option.name}
        )
    return option


def _status_refusal(task: UrgeTask) -> str | None:
    return None if task.status in UrgeTask.AWAITING_REPLY else "ticket_already_replied"


def ticket_reply_refusal(*, actor: AnyUser, task: UrgeTask) -> str | None:
    """Why ``actor`` may not reply to ``task`` now, or ``None`` (the portal shows the reply form
    only then): ``ticket_not_found`` — not a merchant member of the task's shop (replying is the
    members' act; ``ticket_reply`` requires the same membership);
    ``ticket_already_replied`` — the task no longer awaits a reply (``ticket_reply`` refuses it)."""
    if not is_merchant(actor) or not user_is_member(user=actor, shop_id=task.shop_id):
        return "ticket_not_found"
    return _status_refusal(task)


@transaction.atomic
def ticket_reply(
    *,
    actor: User,
    task: UrgeTask,
    option: str,
    message: str = "",
    promised_ship_by: datetime | None = None,
    at: datetime | None = None,
) -> UrgeTask:
    """Record the merchant's reply. Before the due time the task becomes ``replied``; at or after
    it, ``replied_late`` — by way of ``overdue`` (with its complaint) if the sweep has not run yet.

    The task row is locked first, so a reply and the sweep on one task are serialised: whichever
    commits second sees the other's status. ``at`` is the reply time (now, unless replayed).
    """
    require_member(
        user=actor, shop_id=task.shop_id, code="ticket_not_found", detail=_("Task %(id)s not found.") % {"id": task.pk}
    )
    at = at or timezone.now()
    task = UrgeTask.objects.select_for_update().get(pk=task.pk)
    if _status_refusal(task):
        raise Conflict("ticket_already_replied", _("Task #%(id)s has already been replied to.") % {"id": task.pk})
    reply_option = _option_for_reply(option, at)
    if len(message) > MESSAGE_MAX_LENGTH:
        raise InvalidInput(
            "message_too_long", _("The message may have at most %(max)s characters.") % {"max": MESSAGE_MAX_LENGTH}
        )
    if reply_option.needs_date:
        if promised_ship_by is None:
            raise InvalidInput(
                "promised_ship_by_required", _("The option %(name)s needs promised_ship_by.") % {"name": reply_option.name}
            )
        if promised_ship_by <= at:
            raise InvalidInput("promised_ship_by_in_past", _("promised_ship_by must be later than the reply time."))
    else:
        promised_ship_by = None

    if task.status == Status.OPEN and at >= task.reply_due_at:
        mark_overdue(actor=None, task_ids=[task.pk], now=at)
        task.refresh_from_db()
    target = Status.REPLIED if task.status == Status.OPEN else Status.REPLIED_LATE
    guard_transition(TASK_TRANSITIONS, current=task.status, target=target, code="ticket_already_replied", entity="Urge task")
    previous = task.status
    task.status = target
    task.reply_option = reply_option
    task.reply_message = message
    task.promised_ship_by = promised_ship_by
    task.replied_at = at
    task.replied_by = actor
    task.save(update_fields=["status", "reply_option", "reply_message", "promised_ship_by", "replied_at", "replied_by"])
    audit_record(
        actor=actor,
        target=task,
        action="ticket_replied",
        from_status=previous,
        to_status=target,
        at=at,
        data={"option": reply_option.code, "promised_ship_by": iso(promised_ship_by)},
    )
    return task
