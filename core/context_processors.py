"""Portal navigation: the sections whose URLs exist, in the order merchants use them."""

from collections.abc import Callable
from functools import cache
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

PORTAL_SECTIONS = [
    (_("Home"), "portal:home"),
    (_("Delivery reports"), "reports:portal-list"),
    (_("Urge-shipment tasks"), "tickets:portal-list"),
    (_("Complaints & appeals"), "complaints:portal-list"),
    (_("Products & 48h badge"), "badges:portal-products"),
    (_("Service metric"), "tickets:portal-metrics"),
    (_("Storefront"), "storefront:portal-home"),
    (_("Inbox"), "notifications:portal-list"),
]
INBOX = "notifications:portal-list"


def portal_navigation(request: HttpRequest) -> dict[str, Any]:
    """The sections, with exactly one ``active``: the one whose URL is the longest prefix of the
    path (``/tickets/metrics/`` is the metric's tab, not also the tasks' tab)."""
    items: list[dict[str, Any]] = []
    for label, name in PORTAL_SECTIONS:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        item = {"label": label, "url": url, "active": False}
        if name == INBOX:
            item["unread"] = _unread_count(request)  # a callable: counted only where the nav is drawn
        items.append(item)
    matches = [
        item for item in items if request.path == item["url"] or (item["url"] != "/" and request.path.startswith(item["url"]))
    ]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {"portal_nav": items}


def _unread_count(request: HttpRequest) -> Callable[[], int]:
    from notifications.selectors import notification_unread_count

    return cache(lambda: notification_unread_count(user=request.user))
