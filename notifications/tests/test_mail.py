"""The service also enqueues the e-mail (core.outbox): sent by the drain, once, to the members."""

import pytest

from conftest import make_merchant
from core.models import OutboxMessage
from core.outbox import outbox_drain
from notifications.models import Notification
from notifications.services import MAIL_TOPIC, notify

pytestmark = pytest.mark.django_db


def test_mail_goes_through_the_outbox_once_to_every_member(shop, merchant, mailoutbox, other_merchant):
    make_merchant(shop, "merchant-a2")
    notify(shop=shop, kind="report_decided", title="报备 BB1 已通过", body="理由", link="/reports/BB1/", dedupe_key="k")
    assert mailoutbox == []  # nothing is sent inside the transaction
    row = OutboxMessage.objects.get(topic=MAIL_TOPIC)
    assert sorted(row.payload["ids"]) == sorted(Notification.objects.values_list("pk", flat=True))
    assert outbox_drain().delivered == 1
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.subject == "报备 BB1 已通过"
    assert sorted(mail.to) == ["merchant-a2@example.com", "merchant-a@example.com"]
    assert "理由" in mail.body and "/reports/BB1/" in mail.body
    assert outbox_drain().delivered == 0 and len(mailoutbox) == 1


def test_a_repeat_writes_no_second_mail(shop, merchant):
    for _ in range(2):
        notify(shop=shop, kind="report_decided", title="t", body="b", dedupe_key="same")
    assert OutboxMessage.objects.filter(topic=MAIL_TOPIC).count() == 1


def test_kinds_mailed_elsewhere_are_not_mailed_twice(shop, merchant, settings):
    notify(shop=shop, kind="task_opened", title="t", body="b", dedupe_key="o")  # tickets mails it itself
    assert not OutboxMessage.objects.filter(topic=MAIL_TOPIC).exists()
    settings.NOTIFICATION_MAIL_KINDS = []
    notify(shop=shop, kind="report_decided", title="t", body="b")
    assert not OutboxMessage.objects.filter(topic=MAIL_TOPIC).exists()


def test_members_without_an_address_get_the_inbox_row_only(shop, merchant, mailoutbox):
    merchant.email = ""
    merchant.save(update_fields=["email"])
    notify(shop=shop, kind="report_decided", title="t", body="b")
    assert Notification.objects.count() == 1
    assert outbox_drain().delivered == 1 and mailoutbox == []
