"""Ops admin (Chinese): task list filters, urge history and audit trail; reply options editable by ops admins."""

import pytest
from django.urls import reverse

from core.models import AuditEntry
from shops.tests.factories import sh
from tickets.models import ReplyOption
from tickets.services import ticket_reply
from tickets.tests.factories import UrgeTaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(shop):
    task = UrgeTaskFactory(order__product__shop=shop)
    task.urges.create(event_id="evt-1", order=task.order, urged_at=task.opened_at, outcome="task_created")
    return task


@pytest.mark.parametrize(
    "query", ["", "?status__exact=open", "?overdue=yes", "?overdue=no", "?shop__kind=tmall", "?due_today=yes", "?q=O"]
)
def test_task_changelist_and_filters(client, ops_user, task, query):
    client.force_login(ops_user)
    response = client.get(reverse("admin:tickets_urgetask_changelist") + query)
    assert response.status_code == 200
    assert "催发货任务" in response.content.decode()


def test_overdue_filter(client, ops_user, task, shop):
    future = UrgeTaskFactory(order__product__shop=shop, opened_at=sh(2099, 1, 1))
    client.force_login(ops_user)
    body = client.get(reverse("admin:tickets_urgetask_changelist") + "?overdue=yes").content.decode()
    assert f"/admin/tickets/urgetask/{task.pk}/change/" in body
    assert f"/admin/tickets/urgetask/{future.pk}/change/" not in body


def test_task_page_shows_urges_and_audit_trail_read_only(client, ops_user, merchant, task):
    ticket_reply(actor=merchant, task=task, option="shipped", at=task.opened_at)
    client.force_login(ops_user)
    body = client.get(reverse("admin:tickets_urgetask_change", args=[task.pk])).content.decode()
    assert "evt-1" in body and "催发货任务已回复" in body
    assert 'name="_save"' not in body


def test_reply_options_are_editable_by_ops_admins_only(client, ops_user, ops_admin_user):
    option = ReplyOption.objects.get(code="shipped")
    url = reverse("admin:tickets_replyoption_change", args=[option.pk])
    client.force_login(ops_user)
    assert 'name="_save"' not in client.get(url).content.decode()
    client.force_login(ops_admin_user)
    data = {
        "name": "已发货（已揽收）",
        "needs_date": "",
        "effective_from_0": "2020-01-01",
        "effective_from_1": "00:00:00",
        "retired_at_0": "",
        "retired_at_1": "",
        "retire_with_policy": "",
        "position": "10",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    option.refresh_from_db()
    assert option.name == "已发货（已揽收）"
    assert AuditEntry.objects.filter(action="reply_option_changed", target_id=str(option.pk)).exists()


def test_reply_option_form_refuses_an_unknown_policy_key(client, ops_admin_user):
    client.force_login(ops_admin_user)
    response = client.post(
        reverse("admin:tickets_replyoption_add"),
        {
            "code": "x",
            "name": "x",
            "effective_from_0": "2020-01-01",
            "effective_from_1": "00:00:00",
            "retire_with_policy": "nope",
            "position": "1",
        },
    )
    assert response.status_code == 200
    assert not ReplyOption.objects.filter(code="x").exists()
