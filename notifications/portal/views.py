from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import NotFound
from notifications import selectors, services

PAGE_SIZE = 20


@login_required
def inbox(request):
    """消息中心: the caller's notifications, newest first; ``?unread=1`` only the unread ones."""
    only_unread = request.GET.get("unread") == "1"
    items = selectors.notification_list_for_user(user=request.user, unread=True if only_unread else None)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "only_unread": only_unread})


@login_required
@require_POST
def mark_read(request, pk: int):
    """Mark one read; with ``open=1`` go on to the notification's link."""
    try:
        notification = selectors.notification_get_for_user(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    services.notification_mark_read(user=request.user, notification=notification)
    if request.POST.get("open") and notification.link and url_has_allowed_host_and_scheme(notification.link, None):
        return redirect(notification.link)
    return redirect(_back(request))


@login_required
@require_POST
def mark_all_read(request):
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("%(count)s notifications marked read.") % {"count": count})
    return redirect(_back(request))


def _back(request) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    from django.urls import reverse

    return reverse("notifications:portal-list")
