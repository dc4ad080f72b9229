"""Reply options as data (SPEC §4): ops admins add and change them; every write is audited.

The option's own rule — an option is retired only after it became effective — lives here
(``reply_option_window_error``); the admin form asks it too, to show the error on the field."""

from collections.abc import Mapping
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import InvalidInput
from core.services import apply_changes
from tickets.models import ReplyOption

REPLY_OPTION_FIELDS = ("code", "name", "needs_date", "effective_from", "retired_at", "retire_with_policy", "position")


def reply_option_window_error(*, effective_from: datetime | None, retired_at: datetime | None) -> InvalidInput | None:
    """``retired_at`` must be later than ``effective_from`` (both optional here)."""
    if retired_at and effective_from and retired_at <= effective_from:
        return InvalidInput("reply_option_retired_before_effective", _("Must be later than the effective time."))
    return None


def _check(option: ReplyOption) -> None:
    error = reply_option_window_error(effective_from=option.effective_from, retired_at=option.retired_at)
    if error is not None:
        raise error


@transaction.atomic
def reply_option_create(*, actor: User, values: Mapping[str, object]) -> ReplyOption:
    """Add an option; the audit row lists the values given."""
    unknown = set(values) - set(REPLY_OPTION_FIELDS)
    if unknown:
        raise ValueError(f"not a reply option field: {sorted(unknown)}")
    option = ReplyOption(**values)
    _check(option)
    option.save()
    audit_record(actor=actor, target=option, action="reply_option_added", data={f: str(v) for f, v in values.items()})
    return option


@transaction.atomic
def reply_option_update(*, actor: User, option: ReplyOption, changes: Mapping[str, object]) -> ReplyOption:
    """Change an option (its code stays); the audit row lists the new values."""
    option = ReplyOption.objects.select_for_update().get(pk=option.pk)
    apply_changes(option, changes, editable=set(REPLY_OPTION_FIELDS) - {"code"})
    _check(option)
    if changes:
        option.save(update_fields=list(changes))
    audit_record(actor=actor, target=option, action="reply_option_changed", data={f: str(v) for f, v in changes.items()})
    return option
