"""Reads of the inbox: a user sees only their own notifications."""

from django.db.models import QuerySet
from django.utils.translation import gettext

from core.errors import NotFound
from notifications.models import Notification


def notification_list_for_user(*, user, unread: bool | None = None) -> QuerySet[Notification]:
    """The caller's notifications, newest first (``unread``: only unread / only read)."""
    qs = Notification.objects.filter(user_id=user.pk).select_related("shop").order_by("-created_at", "-id")
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs


def notification_unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def notification_get_for_user(*, user, pk: int) -> Notification:
    """One of the caller's notifications; anyone else's (or none) is a 404."""
    found = Notification.objects.filter(user_id=user.pk, pk=pk).select_related("shop").first()
    if found is None:
        raise NotFound("notification_not_found", gettext("No such notification."))
    return found
