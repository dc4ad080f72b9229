"""Merchant ticket endpoints (SPEC §8): tenant scoping, filters, reply, constant queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.tests.clock import frozen_now
from shops.tests.factories import ProductFactory, sh
from tickets.api import views as ticket_views
from tickets.models import UrgeTask
from tickets.services import replies
from tickets.tests.factories import UrgeTaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(shop):
    now = timezone.now()
    return UrgeTaskFactory(order__product__shop=shop, opened_at=now - timedelta(hours=1))


def test_list_is_scoped_to_own_shops(merchant_api, other_merchant_api, task, other_shop):
    UrgeTaskFactory(order__product__shop=other_shop)
    body = merchant_api.get("/api/v1/tickets/").json()
    assert body["count"] == 1
    assert body["results"][0]["id"] == task.pk
    assert body["results"][0]["order_no"] == task.order.order_no
    other = other_merchant_api.get("/api/v1/tickets/").json()
    assert task.pk not in [r["id"] for r in other["results"]]


def test_list_filters(merchant_api, task, shop):
    replied = UrgeTaskFactory(order__product__shop=shop, status="replied")
    assert [r["id"] for r in merchant_api.get("/api/v1/tickets/", {"status": "replied"}).json()["results"]] == [replied.pk]
    found = merchant_api.get("/api/v1/tickets/", {"order_no": task.order.order_no}).json()["results"]
    assert [r["id"] for r in found] == [task.pk]
    bad = merchant_api.get("/api/v1/tickets/", {"status": "bogus"})
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid")


def test_list_query_count_does_not_grow_with_page_size(merchant_api, shop, django_assert_num_queries):
    for _ in range(50):
        UrgeTaskFactory(order__product__shop=shop, order__product=ProductFactory(shop=shop))
    merchant_api.get("/api/v1/tickets/", {"page_size": 1})  # warm the role cache paths alike
    with django_assert_num_queries(3) as small:  # the caller's shop ids, the count, the page
        assert len(merchant_api.get("/api/v1/tickets/", {"page_size": 1}).json()["results"]) == 1
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(merchant_api.get("/api/v1/tickets/", {"page_size": 50}).json()["results"]) == 50


def test_detail_includes_urge_history(merchant_api, task):
    task.urges.create(event_id="e1", order=task.order, urged_at=task.opened_at, outcome="task_created")
    body = merchant_api.get(f"/api/v1/tickets/{task.pk}/").json()
    assert body["status"] == "open"
    assert [u["event_id"] for u in body["urges"]] == ["e1"]


def test_other_merchant_gets_404_on_detail_and_reply(other_merchant_api, task):
    detail = other_merchant_api.get(f"/api/v1/tickets/{task.pk}/")
    assert (detail.status_code, detail.json()["code"]) == (404, "ticket_not_found")
    reply = other_merchant_api.post(f"/api/v1/tickets/{task.pk}/reply/", {"option": "shipped"}, format="json")
    assert reply.status_code == 404
    task.refresh_from_db()
    assert task.status == "open"


def test_missing_task_is_404(merchant_api, db):
    assert merchant_api.get("/api/v1/tickets/999999/").status_code == 404


def test_reply_through_the_api(merchant_api, task):
    response = merchant_api.post(f"/api/v1/tickets/{task.pk}/reply/", {"option": "shipped", "message": "已发出"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reply_option"]) == ("replied", "shipped")
    again = merchant_api.post(f"/api/v1/tickets/{task.pk}/reply/", {"option": "shipped"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "ticket_already_replied")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"option": "ship_later"}, "promised_ship_by_required"),
        ({"option": "nope"}, "reply_option_unknown"),
        ({"option": "ship_later_epidemic_area", "promised_ship_by": "2099-01-01T00:00:00+08:00"}, "reply_option_retired"),
        ({"option": "shipped", "promised_ship_by": "not a date"}, "datetime_invalid"),
        ({}, "required"),
    ],
)
def test_reply_refusals_are_400_and_change_nothing(merchant_api, task, body, code):
    response = merchant_api.post(f"/api/v1/tickets/{task.pk}/reply/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (400, code)
    task.refresh_from_db()
    assert (task.status, task.replied_at) == ("open", None)


def test_reply_late_via_api_when_the_clock_has_passed_the_due_time(merchant_api, task):
    with frozen_now(replies, task.reply_due_at + timedelta(minutes=5)):
        response = merchant_api.post(f"/api/v1/tickets/{task.pk}/reply/", {"option": "cannot_ship"}, format="json")
    assert response.json()["status"] == "replied_late"
    assert response.json()["complaint"] is not None  # the shop is tmall


def test_ops_neither_read_nor_reply_through_merchant_endpoints(ops_api, task):
    assert ops_api.get(f"/api/v1/tickets/{task.pk}/").status_code == 403
    assert ops_api.post(f"/api/v1/tickets/{task.pk}/reply/", {"option": "shipped"}, format="json").status_code == 403


def test_reply_options_lists_those_active_now(merchant_api):
    codes = [o["code"] for o in merchant_api.get("/api/v1/reply-options/").json()["results"]]
    assert codes == ["shipped", "ship_later", "cannot_ship", "negotiated_exchange"]
    with frozen_now(ticket_views, sh(2022, 12, 26, 23, 59, 59)):
        assert merchant_api.get("/api/v1/reply-options/").json()["count"] == 7


def test_anonymous_is_refused(api, task):
    assert api.get("/api/v1/tickets/").status_code in (401, 403)
    assert UrgeTask.objects.count() == 1


def test_error_detail_reads_chinese(merchant_api, task):
    response = merchant_api.post(f"/api/v1/tickets/{task.pk}/reply/", {"option": "exchange_epidemic_area"}, format="json")
    assert response.json() == {
        "code": "reply_option_retired",
        "detail": "回复选项“协商一致换货-收/发货地址在疫情区域”已下线，不能再选择。",
    }
