"""GET /api/v1/notifications/ and POST /api/v1/notifications/{id}/read/."""

import pytest
from django.urls import reverse

from notifications.models import Notification
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/notifications/"


def test_own_rows_newest_first_with_labels(merchant_api, merchant, other_merchant, shop):
    old = NotificationFactory(user=merchant, shop=shop, title="旧")
    new = NotificationFactory(user=merchant, shop=shop, title="新")
    NotificationFactory(user=other_merchant, title="别人的")
    body = merchant_api.get(URL).json()
    assert body["count"] == 2
    assert [r["id"] for r in body["results"]] == [new.pk, old.pk]
    first = body["results"][0]
    assert first["kind_label"] == "新催发货任务" and first["shop"] == "shop-a" and first["unread"] is True
    assert set(first) == {"id", "kind", "kind_label", "shop", "title", "body", "link", "created_at", "read_at", "unread"}


@pytest.mark.parametrize("value, expected", [("true", ["未读"]), ("1", ["未读"]), ("false", ["已读"]), ("0", ["已读"])])
def test_unread_filter(merchant_api, merchant, shop, value, expected):
    from django.utils import timezone

    NotificationFactory(user=merchant, shop=shop, title="未读")
    NotificationFactory(user=merchant, shop=shop, title="已读", read_at=timezone.now())
    assert [r["title"] for r in merchant_api.get(URL, {"unread": value}).json()["results"]] == expected


def test_bad_filter_and_page_are_400(merchant_api):
    response = merchant_api.get(URL, {"unread": "maybe"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_unread"
    assert merchant_api.get(URL, {"page_size": "1000"}).json()["code"] == "invalid_page_size"
    assert merchant_api.get(URL, {"page": "9"}).status_code == 404


def test_anonymous_is_refused(api):
    assert api.get(URL).status_code in (401, 403)


@pytest.mark.parametrize("count", [1, 15])
def test_query_count_is_fixed(merchant_api, merchant, shop, count, django_assert_num_queries):
    for _ in range(count):
        NotificationFactory(user=merchant, shop=shop)
    merchant_api.get(URL)  # warm the role cache of the user object
    with django_assert_num_queries(2):  # count + one page with its shop joined
        assert len(merchant_api.get(URL).json()["results"]) == count


def test_mark_read(merchant_api, merchant, shop):
    n = NotificationFactory(user=merchant, shop=shop)
    url = reverse("notification-read", args=[n.pk])
    response = merchant_api.post(url)
    assert response.status_code == 200 and response.json()["unread"] is False
    n.refresh_from_db()
    assert n.read_at is not None
    assert merchant_api.post(url).status_code == 200  # again: still read, same stamp
    n2 = Notification.objects.get(pk=n.pk)
    assert n2.read_at == n.read_at


def test_another_users_notification_is_404_and_stays_unread(merchant_api, other_merchant):
    theirs = NotificationFactory(user=other_merchant)
    response = merchant_api.post(reverse("notification-read", args=[theirs.pk]))
    assert response.status_code == 404 and response.json()["code"] == "notification_not_found"
    assert merchant_api.post(reverse("notification-read", args=[999999])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_other_merchant_sees_only_theirs(other_merchant_api, merchant, other_merchant):
    NotificationFactory(user=merchant)
    mine = NotificationFactory(user=other_merchant)
    assert [r["id"] for r in other_merchant_api.get(URL).json()["results"]] == [mine.pk]
