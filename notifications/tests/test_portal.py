"""消息中心 in the portal: unread count in the navigation, list, mark read, mark all read."""

import pytest
from django.urls import reverse

from notifications.models import Notification
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def merchant_client(client, merchant):
    client.force_login(merchant)
    return client


def test_login_required(client):
    response = client.get(reverse("notifications:portal-list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unread_count_in_navigation(merchant_client, merchant, shop, other_merchant):
    body = merchant_client.get(reverse("portal:home")).content.decode()
    assert "消息中心" in body and 'id="nav-unread-count"' not in body
    NotificationFactory(user=merchant, shop=shop)
    NotificationFactory(user=merchant, shop=shop)
    NotificationFactory(user=other_merchant)
    body = merchant_client.get(reverse("portal:home")).content.decode()
    assert '<span class="navcount" id="nav-unread-count">2</span>' in body


def test_inbox_lists_own_rows_and_filters_unread(merchant_client, merchant, shop, other_merchant):
    from django.utils import timezone

    NotificationFactory(user=merchant, shop=shop, title="报备 BB1 已通过")
    NotificationFactory(user=merchant, shop=shop, title="已经看过", read_at=timezone.now())
    NotificationFactory(user=other_merchant, title="别人的消息")
    body = merchant_client.get(reverse("notifications:portal-list")).content.decode()
    assert "报备 BB1 已通过" in body and "已经看过" in body and "别人的消息" not in body
    assert 'id="mark-all-read"' in body and "全部标为已读" in body
    body = merchant_client.get(reverse("notifications:portal-list"), {"unread": "1"}).content.decode()
    assert "报备 BB1 已通过" in body and "已经看过" not in body


def test_mark_read_then_open_link(merchant_client, merchant, shop):
    n = NotificationFactory(user=merchant, shop=shop, link="/reports/")
    response = merchant_client.post(reverse("notifications:portal-read", args=[n.pk]), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/reports/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_mark_read_refuses_foreign_link_and_others_rows(merchant_client, merchant, other_merchant, shop):
    n = NotificationFactory(user=merchant, shop=shop, link="https://evil.example.com/")
    response = merchant_client.post(reverse("notifications:portal-read", args=[n.pk]), {"open": "1"})
    assert response["Location"] == reverse("notifications:portal-list")
    theirs = NotificationFactory(user=other_merchant)
    assert merchant_client.post(reverse("notifications:portal-read", args=[theirs.pk])).status_code == 404
    assert merchant_client.get(reverse("notifications:portal-read", args=[n.pk])).status_code == 405


def test_mark_all_read(merchant_client, merchant, shop, other_merchant):
    NotificationFactory(user=merchant, shop=shop)
    NotificationFactory(user=merchant, shop=shop)
    theirs = NotificationFactory(user=other_merchant)
    response = merchant_client.post(reverse("notifications:portal-read-all"), follow=True)
    assert "已将 2 条消息标为已读" in response.content.decode()
    assert not Notification.objects.filter(user=merchant, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
