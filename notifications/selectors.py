"""Reads of the inbox: a user sees only their own notifications."""

from django.db.models import QuerySet
from django.utils.translation import gettext

from core.errors import NotFound
from core.roles import AnyUser, signed_in
from notifications.models import Notification


def notification_list_for_user(*, user: AnyUser, unread: bool | None = None) -> QuerySet[Notification]:
    """The caller's notifications, newest first (``unread``: only unread / only read)."""
    qs = Notification.objects.filter(user=signed_in(user)).select_related("shop").order_by("-created_at", "-id")
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs


def notification_unread_count(*, user: AnyUser) -> int:
    member = signed_in(user)
    if member is None:
        return 0
    return Notification.objects.filter(user=member, read_at__isnull=True).count()


def notification_get_for_user(*, user: AnyUser, pk: int) -> Notification:
    """One of the caller's notifications; anyone else's (or none) is a 404."""
    found = Notification.objects.filter(user=signed_in(user), pk=pk).select_related("shop").first()
    if found is None:
        raise NotFound("notification_not_found", gettext("No such notification."))
    return found
