"""The one notification service: one row per member, in the caller's transaction, idempotent."""

import pytest
from django.db import transaction

from conftest import make_merchant
from notifications.models import Notification
from notifications.services import notification_mark_read, notifications_mark_all_read, notify, text_sql, url_template
from shops.models import ShopMembership
from shops.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


def _notify(shop, **kwargs):
    values = {"shop": shop, "kind": Kind.REPORT_DECIDED, "title": "报备 X 已通过", "body": "正文", "link": "/reports/X/"}
    return notify(**{**values, **kwargs})


def test_one_row_per_active_member_of_that_shop_only(shop, merchant, other_merchant):
    second = make_merchant(shop, "merchant-a2")
    gone = make_merchant(shop, "merchant-gone")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    assert _notify(shop) == 2
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["merchant-a", "merchant-a2"]
    row = Notification.objects.get(user=second)
    assert (row.shop, row.kind, row.title, row.body, row.link, row.read_at) == (
        shop,
        Kind.REPORT_DECIDED,
        "报备 X 已通过",
        "正文",
        "/reports/X/",
        None,
    )
    assert not Notification.objects.filter(user=other_merchant).exists()


def test_dedupe_key_makes_it_idempotent_per_user(shop, merchant):
    assert _notify(shop, dedupe_key="k1") == 1
    assert _notify(shop, dedupe_key="k1") == 0
    make_merchant(shop, "merchant-late")
    assert _notify(shop, dedupe_key="k1") == 1  # the member who joined since gets theirs
    assert _notify(shop) == 2 and _notify(shop) == 2  # without a key every call writes
    assert Notification.objects.count() == 6


def test_written_in_the_callers_transaction(shop, merchant):
    with pytest.raises(RuntimeError), transaction.atomic():
        _notify(shop)
        assert Notification.objects.count() == 1
        raise RuntimeError("the event's transaction rolls back")
    assert Notification.objects.count() == 0


def test_unknown_kind_is_refused(shop, merchant):
    with pytest.raises(ValueError):
        _notify(shop, kind="nonsense")


def test_long_title_is_cut_to_the_column(shop, merchant):
    _notify(shop, title="长" * 500)
    assert len(Notification.objects.get().title) == 200


def test_text_sql_and_url_template(shop, merchant):
    assert url_template("tickets:portal-detail", pk="id") == "/tickets/%(id)s/"
    assert url_template("reports:portal-detail", report_no="no") == "/reports/%(no)s/"
    row = ShopMembership.objects.annotate(t=text_sql("店铺 %(code)s 成员 #%(id)s!", code="shop__code", id="user_id")).get()
    assert row.t == f"店铺 shop-a 成员 #{merchant.pk}!"


def test_mark_read_and_mark_all_read(shop, merchant):
    _notify(shop)
    _notify(shop)
    first, second = Notification.objects.order_by("pk")
    notification_mark_read(user=merchant, notification=first)
    first.refresh_from_db()
    stamp = first.read_at
    assert stamp is not None
    notification_mark_read(user=merchant, notification=first)  # again: unchanged
    first.refresh_from_db()
    assert first.read_at == stamp
    assert notifications_mark_all_read(user=merchant) == 1
    assert notifications_mark_all_read(user=merchant) == 0


def test_mark_read_refuses_another_users_row(shop, merchant):
    _notify(shop)
    with pytest.raises(ValueError):
        notification_mark_read(user=UserFactory(username="intruder"), notification=Notification.objects.get())
