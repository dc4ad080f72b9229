"""Merchant portal pages (Chinese): list with countdown and filters, reply form, metric chart."""

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from shops.tests.factories import sh
from tickets.models import ServiceMetricDaily
from tickets.tests.factories import UrgeTaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(shop):
    return UrgeTaskFactory(order__product__shop=shop, opened_at=timezone.now() - timedelta(hours=2))


def test_list_shows_own_tasks_with_a_countdown(client, merchant, task, other_shop):
    other = UrgeTaskFactory(order__product__shop=other_shop)
    client.force_login(merchant)
    body = client.get(reverse("tickets:portal-list")).content.decode()
    assert task.order.order_no in body and other.order.order_no not in body
    assert 'class="countdown" data-due="' in body
    assert "催发货" in body  # Chinese UI


def test_list_filters_by_status_and_order_no(client, merchant, task, shop):
    replied = UrgeTaskFactory(order__product__shop=shop, status="replied", replied_at=sh(2022, 12, 28, 13))
    client.force_login(merchant)
    body = client.get(reverse("tickets:portal-list"), {"status": "replied"}).content.decode()
    assert replied.order.order_no in body and task.order.order_no not in body
    body = client.get(reverse("tickets:portal-list"), {"order_no": task.order.order_no}).content.decode()
    assert task.order.order_no in body and replied.order.order_no not in body


def test_reply_form_offers_only_active_options(client, merchant, task):
    client.force_login(merchant)
    body = client.get(reverse("tickets:portal-detail", args=[task.pk])).content.decode()
    assert 'value="ship_later"' in body and 'data-needs-date="ship_later"' in body
    assert "epidemic_area" not in body


def test_reply_through_the_portal(client, merchant, task):
    client.force_login(merchant)
    response = client.post(reverse("tickets:portal-reply", args=[task.pk]), {"option": "shipped", "message": "已发"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "replied"


def test_portal_reply_refusal_is_shown_in_chinese(client, merchant, task):
    client.force_login(merchant)
    response = client.post(reverse("tickets:portal-reply", args=[task.pk]), {"option": "ship_later"})
    assert response.status_code == 400
    assert "发货时间" in response.content.decode()
    task.refresh_from_db()
    assert task.status == "open"


def test_retired_option_posted_anyway_is_refused(client, merchant, task):
    client.force_login(merchant)
    response = client.post(reverse("tickets:portal-reply", args=[task.pk]), {"option": "cannot_ship_epidemic_area"})
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.status == "open"


def test_other_merchant_gets_404(client, other_merchant, task):
    client.force_login(other_merchant)
    assert client.get(reverse("tickets:portal-detail", args=[task.pk])).status_code == 404
    assert client.post(reverse("tickets:portal-reply", args=[task.pk]), {"option": "shipped"}).status_code == 404


def test_metrics_page_draws_the_daily_series(client, merchant, shop):
    ServiceMetricDaily.objects.create(
        shop=shop,
        day=sh(2023, 1, 30).date(),
        tasks_opened=4,
        overdue=1,
        complaints=1,
        paid_orders=50,
        computed_at=sh(2023, 1, 30, 1),
    )
    client.force_login(merchant)
    with mock.patch("tickets.portal.views.shanghai_today", return_value=sh(2023, 1, 30).date()):
        body = client.get(reverse("tickets:portal-metrics")).content.decode()
    assert "<svg" in body and body.count("<rect") == 60  # 30 days × 2 bars
    assert "4.00%" in body  # (1 + 1) / 50
    assert "求助率" in body


@pytest.mark.parametrize(
    ("who", "status", "refusal"),
    [
        ("member", "open", None),
        ("member", "overdue", None),
        ("member", "replied", "ticket_already_replied"),
        ("member", "replied_late", "ticket_already_replied"),
        ("ops", "open", "ticket_not_found"),
        ("ops_merchant_elsewhere", "open", "ticket_not_found"),  # a merchant, but of another shop
        ("member_without_merchant_role", "open", "ticket_not_found"),
    ],
)
def test_reply_form_is_shown_only_when_the_service_would_take_the_reply(client, merchant, ops_user, task, who, status, refusal):
    """The portal shows ``ticket_reply_refusal``'s answer; removing any of its checks shows a reply
    form the service (or its selector) would refuse."""
    from conftest import make_merchant
    from shops.tests.factories import ShopFactory, UserFactory
    from tickets.services import ticket_reply_refusal

    # given the task in ``status`` and a viewer who can read it
    task.status = status
    task.save(update_fields=["status"])
    user = {"member": merchant, "ops": ops_user}.get(who)
    if who == "ops_merchant_elsewhere":
        user = make_merchant(ShopFactory(code="shop-c"), "ops-and-merchant")
        from core.roles import OPS_REVIEWER, grant_role

        grant_role(user, OPS_REVIEWER)
    if who == "member_without_merchant_role":  # a membership row alone does not make a merchant
        user = UserFactory(username="member-only")
        task.shop.memberships.create(user=user)
    client.force_login(user)
    # when they open the task
    response = client.get(reverse("tickets:portal-detail", args=[task.pk]))
    assert ticket_reply_refusal(actor=user, task=task) == refusal
    if who.startswith("ops"):  # the portal is the members' (SPEC §9): not even shown
        assert response.status_code == 404
        return
    # then the form is there exactly when the service has no refusal
    assert response.status_code == 200
    assert response.context["can_reply"] is (refusal is None)
    assert ('id="reply-form"' in response.content.decode()) is (refusal is None)
