"""Replies (SPEC §4): active options by reply time, the date rule, on time vs late, 409 twice."""

from datetime import timedelta

import pytest

from complaints.models import Complaint
from core.errors import Conflict, InvalidInput
from core.models import AuditEntry, Policy
from core.policies import EPIDEMIC_REPLY_OPTIONS_RETIRED
from shops.tests.factories import sh
from tickets.models import ReplyOption, UrgeTask
from tickets.options import reply_options_active
from tickets.services import ticket_reply
from tickets.tests.factories import UrgeTaskFactory

pytestmark = pytest.mark.django_db
RETIREMENT = sh(2022, 12, 27)
ONE_SECOND = timedelta(seconds=1)


@pytest.fixture
def task(shop):
    return UrgeTaskFactory(order__product__shop=shop)


def test_seeded_options():
    options = {o.code: (o.name, o.needs_date, o.retire_with_policy) for o in ReplyOption.objects.all()}
    assert len(options) == 7
    assert options["ship_later"] == ("后续可发", True, "")
    assert options["shipped"] == ("已发货", False, "")
    assert options["ship_later_epidemic_area"][1:] == (True, EPIDEMIC_REPLY_OPTIONS_RETIRED)
    epidemic = [c for c, v in options.items() if v[2]]
    assert sorted(epidemic) == ["cannot_ship_epidemic_area", "exchange_epidemic_area", "ship_later_epidemic_area"]


def test_active_options_by_time():
    before = set(reply_options_active(RETIREMENT - ONE_SECOND).values_list("code", flat=True))
    after = set(reply_options_active(RETIREMENT).values_list("code", flat=True))
    assert len(before) == 7
    assert after == {"shipped", "ship_later", "cannot_ship", "negotiated_exchange"}


def test_retirement_follows_the_policy_timeline_and_an_own_retired_at():
    Policy.objects.filter(key=EPIDEMIC_REPLY_OPTIONS_RETIRED).update(enabled=False)
    assert reply_options_active(sh(2023, 1, 5)).count() == 7
    ReplyOption.objects.filter(code="negotiated_exchange").update(retired_at=sh(2023, 1, 1))
    assert "negotiated_exchange" not in reply_options_active(sh(2023, 1, 5)).values_list("code", flat=True)


def test_reply_before_due_is_replied(task, merchant):
    at = task.reply_due_at - ONE_SECOND
    ticket_reply(actor=merchant, task=task, option="shipped", message="今天已发出", at=at)
    task.refresh_from_db()
    assert (task.status, task.reply_option.code, task.replied_at, task.replied_by) == ("replied", "shipped", at, merchant)
    assert task.reply_message == "今天已发出"
    entry = AuditEntry.objects.get(action="ticket_replied", target_id=str(task.pk))
    assert (entry.from_status, entry.to_status, entry.actor) == ("open", "replied", merchant)
    assert not Complaint.objects.exists()


def test_reply_at_due_time_on_an_open_task_goes_overdue_first_then_replied_late(task, merchant):
    # given the sweep has not run yet, when the merchant answers at the due time
    ticket_reply(actor=merchant, task=task, option="shipped", at=task.reply_due_at)
    task.refresh_from_db()
    # then the overdue consequences apply (tmall: a complaint) and the reply is kept, late
    assert task.status == "replied_late"
    assert task.overdue_at == task.reply_due_at
    assert task.complaint is not None and task.complaint.filed_at == task.reply_due_at
    assert list(
        AuditEntry.objects.filter(target_id=str(task.pk), target_type="tickets.urgetask")
        .order_by("id")
        .values_list("action", "to_status")
    ) == [("ticket_overdue", "overdue"), ("ticket_replied", "replied_late")]


def test_reply_to_an_overdue_task_is_replied_late(task, merchant):
    UrgeTask.objects.filter(pk=task.pk).update(status="overdue", overdue_at=task.reply_due_at)
    ticket_reply(actor=merchant, task=task, option="cannot_ship", at=task.reply_due_at + timedelta(hours=3))
    task.refresh_from_db()
    assert task.status == "replied_late"
    assert not Complaint.objects.exists()  # the sweep's business, not the reply's


def test_replying_twice_is_409_and_keeps_the_first_reply(task, merchant):
    ticket_reply(actor=merchant, task=task, option="shipped", at=task.opened_at)
    with pytest.raises(Conflict) as exc:
        ticket_reply(actor=merchant, task=task, option="cannot_ship", at=task.opened_at + ONE_SECOND)
    assert exc.value.code == "ticket_already_replied"
    task.refresh_from_db()
    assert task.reply_option.code == "shipped"


@pytest.mark.parametrize(
    ("at", "outcome"),
    [
        (RETIREMENT - ONE_SECOND, "replied"),
        (RETIREMENT, "reply_option_retired"),
        (RETIREMENT + ONE_SECOND, "reply_option_retired"),
    ],
)
def test_retired_options_by_reply_time(shop, merchant, at, outcome):
    task = UrgeTaskFactory(order__product__shop=shop, opened_at=at - timedelta(hours=1))
    if outcome == "replied":
        ticket_reply(actor=merchant, task=task, option="cannot_ship_epidemic_area", at=at)
        task.refresh_from_db()
        assert task.status == "replied"
        return
    with pytest.raises(InvalidInput) as exc:
        ticket_reply(actor=merchant, task=task, option="cannot_ship_epidemic_area", at=at)
    assert exc.value.code == outcome
    task.refresh_from_db()
    assert (task.status, task.reply_option) == ("open", None)


def test_unknown_option_is_refused(task, merchant):
    with pytest.raises(InvalidInput) as exc:
        ticket_reply(actor=merchant, task=task, option="nope", at=task.opened_at)
    assert exc.value.code == "reply_option_unknown"


def test_option_not_yet_effective_is_refused(task, merchant):
    ReplyOption.objects.create(code="future", name="未来选项", effective_from=sh(2030, 1, 1))
    with pytest.raises(InvalidInput) as exc:
        ticket_reply(actor=merchant, task=task, option="future", at=task.opened_at)
    assert exc.value.code == "reply_option_not_active"


def test_ship_later_needs_a_future_promised_ship_by(task, merchant):
    with pytest.raises(InvalidInput) as exc:
        ticket_reply(actor=merchant, task=task, option="ship_later", at=task.opened_at)
    assert exc.value.code == "promised_ship_by_required"
    with pytest.raises(InvalidInput) as exc:
        ticket_reply(
            actor=merchant, task=task, option="ship_later", promised_ship_by=task.opened_at - ONE_SECOND, at=task.opened_at
        )
    assert exc.value.code == "promised_ship_by_in_past"
    promise = task.opened_at + timedelta(days=2)
    ticket_reply(actor=merchant, task=task, option="ship_later", promised_ship_by=promise, at=task.opened_at)
    task.refresh_from_db()
    assert (task.status, task.promised_ship_by) == ("replied", promise)


def test_a_promise_is_dropped_for_options_without_a_date(task, merchant):
    ticket_reply(actor=merchant, task=task, option="shipped", promised_ship_by=sh(2023, 1, 9), at=task.opened_at)
    task.refresh_from_db()
    assert task.promised_ship_by is None


def test_overlong_message_is_refused(task, merchant):
    with pytest.raises(InvalidInput) as exc:
        ticket_reply(actor=merchant, task=task, option="shipped", message="长" * 501, at=task.opened_at)
    assert exc.value.code == "message_too_long"
