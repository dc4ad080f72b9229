"""Walk every ops admin page and every merchant portal page on the demo data set.

Given ``seed_demo``, when ops, an ops admin and a merchant open each changelist, change page,
add page and portal page they can reach, then none answers a server error: a page that only
breaks on real data (an ordering, a related-field widget, a template) is caught here.
"""

import io
import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="(/[^"#?]*)"')
DETAIL = re.compile(r"/\d+/")


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())


def _client(username: str) -> tuple[Client, object]:
    user = get_user_model().objects.get(username=username)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client, user


def _admin_pages(user) -> list[str]:
    pages = []
    for model, model_admin in admin.site._registry.items():
        request = type("R", (), {"user": user})()
        if not model_admin.has_view_or_change_permission(request):
            continue
        info = model._meta.app_label, model._meta.model_name
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        first = model_admin.get_queryset(request).order_by("pk").first()
        if first is not None:
            pages.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
        if model_admin.has_add_permission(request):
            pages.append(reverse("admin:{}_{}_add".format(*info)))
    return pages


def _get(client: Client, page: str, failures: list):
    response = client.get(page)
    if response.status_code != 200:
        failures.append((page, response.status_code))
    return response


def _walk_admin(username: str, failures: list) -> None:
    client, user = _client(username)
    for page in _admin_pages(user):
        _get(client, page, failures)


def _walk_portal(username: str, failures: list) -> int:
    client, _ = _client(username)
    queue, seen, patterns = ["/"], set(), set()
    while queue:
        page = queue.pop(0)
        if page in seen:
            continue
        seen.add(page)
        response = _get(client, page, failures)
        for link in LINK.findall(response.content.decode()):
            if link.startswith(("/admin", "/api", "/static", "/accounts", "/i18n")):
                continue
            pattern = DETAIL.sub("/N/", link)
            if pattern in patterns and DETAIL.search(link):
                continue  # one detail page of each kind is enough
            patterns.add(pattern)
            queue.append(link)
    return len(seen)


def test_every_admin_and_portal_page_opens(demo):
    failures: list = []
    for username in ("ops", "opsadmin"):
        _walk_admin(username, failures)
    assert _walk_portal("merchant1", failures) > 15
    _walk_portal("merchant2", failures)
    assert failures == []
