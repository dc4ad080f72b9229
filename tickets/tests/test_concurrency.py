"""Races on PostgreSQL (row locks do nothing on SQLite): reply vs sweep, sweep vs sweep, and
concurrent duplicate urges. Each round starts its threads together behind a barrier."""

import json
from collections import Counter
from datetime import timedelta

import pytest

from complaints.models import Complaint
from core.errors import DomainError
from core.tests.races import run_together
from shops.tests.factories import OrderFactory, ProductFactory, ShopFactory, UserFactory, sh
from tickets.models import Urge, UrgeTask
from tickets.services import ticket_reply, tickets_sweep_overdue, urge_ingest
from tickets.tests.factories import UrgeTaskFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]
ROUNDS = 25
DUE = sh(2022, 12, 29, 12, 0)


def test_reply_racing_the_sweep_ends_in_exactly_one_outcome_and_never_loses_the_reply():
    shop = ShopFactory(code="race-shop", kind="tmall")
    merchant = UserFactory(username="race-merchant")
    shop.memberships.create(user=merchant)  # a merchant replies only for shops it is a member of
    outcomes = Counter()
    for n in range(ROUNDS):
        task = UrgeTaskFactory(order__product__shop=shop, opened_at=DUE - timedelta(hours=24))
        # The reply is sent one second before the due time; the sweep runs one second after it.
        results = run_together(
            lambda task=task, n=n: ticket_reply(
                actor=merchant, task=task, option="shipped", message=f"round {n}", at=DUE - timedelta(seconds=1)
            ),
            lambda: tickets_sweep_overdue(now=DUE + timedelta(seconds=1)),
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        task.refresh_from_db()
        complaints = Complaint.objects.filter(event_id=f"ticket-overdue:{task.pk}").count()
        # the reply is never lost …
        assert (task.reply_option.code, task.reply_message) == ("shipped", f"round {n}")
        # … and the task is in exactly one of the two consistent end states
        if task.status == "replied":
            assert (task.overdue_at, task.complaint_id, complaints) == (None, None, 0)
        else:
            assert task.status == "replied_late"
            assert task.overdue_at == DUE + timedelta(seconds=1)
            assert complaints == 1 and task.complaint_id is not None
        outcomes[task.status] += 1
    assert sum(outcomes.values()) == ROUNDS
    print(f"reply vs sweep outcomes over {ROUNDS} rounds: {dict(outcomes)}")


def test_two_sweeps_at_once_file_one_complaint_per_task():
    shop = ShopFactory(code="sweep-shop", kind="tmall")
    for _ in range(3):
        tasks = [UrgeTaskFactory(order__product__shop=shop, opened_at=DUE - timedelta(hours=24)) for _ in range(40)]
        results = run_together(*[lambda: tickets_sweep_overdue(now=DUE, batch_size=7)] * 3)
        assert not [r for r in results if isinstance(r, Exception)], results
        assert sum(r.overdue for r in results) == 40
        assert Complaint.objects.filter(event_id__in=[f"ticket-overdue:{t.pk}" for t in tasks]).count() == 40
        assert not UrgeTask.objects.filter(pk__in=[t.pk for t in tasks]).exclude(status="overdue").exists()


def test_concurrent_duplicate_urges_give_one_urge_and_the_same_answer():
    platform = UserFactory(username="race-platform")
    shop = ShopFactory(code="urge-shop", kind="tmall")
    for n in range(ROUNDS // 2):
        order = OrderFactory(product=ProductFactory(shop=shop))
        results = run_together(
            *[
                lambda order=order, n=n: urge_ingest(
                    actor=platform, event_id=f"dup-{n}", order_no=order.order_no, urged_at=sh(2022, 12, 28, 12, 0)
                )
            ]
            * 4
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        assert Urge.objects.filter(event_id=f"dup-{n}").count() == 1
        assert UrgeTask.objects.filter(order=order).count() == 1
        assert UrgeTask.objects.get(order=order).urge_count == 1
        assert len({json.dumps(r.answer, sort_keys=True) for r in results}) == 1
        assert sorted(r.created for r in results) == [False, False, False, True]


def test_concurrent_distinct_urges_of_one_order_merge_into_one_task():
    platform = UserFactory(username="race-platform-2")
    shop = ShopFactory(code="merge-shop", kind="tmall")
    for n in range(5):
        order = OrderFactory(product=ProductFactory(shop=shop))
        results = run_together(
            *[
                lambda order=order, k=k, n=n: urge_ingest(
                    actor=platform, event_id=f"m-{n}-{k}", order_no=order.order_no, urged_at=sh(2022, 12, 28, 12, k)
                )
                for k in range(4)
            ]
        )
        assert not [r for r in results if isinstance(r, (Exception, DomainError))], results
        task = UrgeTask.objects.get(order=order)
        assert task.urge_count == 4
        assert sorted(r.outcome for r in results) == ["merged", "merged", "merged", "task_created"]


def test_an_urge_racing_the_sweep_on_its_task_merges_and_neither_fails():
    """A second urge of an order (it locks the order, then counts on the task) racing the sweep
    of that task (it claims the task, then files a complaint whose foreign key checks the order
    at commit): both succeed — the urge merges whether the sweep got there first or not, and the
    sweep files its one complaint."""
    shop = ShopFactory(code="urge-sweep-shop", kind="tmall")
    platform = UserFactory(username="urge-sweep-bot")
    outcomes = Counter()
    for n in range(ROUNDS):
        order = OrderFactory(product=ProductFactory(shop=shop), paid_at=DUE - timedelta(hours=30))
        first = urge_ingest(actor=platform, event_id=f"us-{n}-a", order_no=order.order_no, urged_at=DUE - timedelta(hours=24))
        results = run_together(
            lambda order=order, n=n: urge_ingest(
                actor=platform, event_id=f"us-{n}-b", order_no=order.order_no, urged_at=DUE - timedelta(minutes=1)
            ),
            lambda: tickets_sweep_overdue(now=DUE + timedelta(seconds=1)),
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        task = UrgeTask.objects.get(pk=first.answer["ticket"]["id"])
        assert results[0].outcome == "merged" and task.urge_count == 2
        assert task.status == "overdue" and task.complaint_id is not None
        assert Complaint.objects.filter(event_id=f"ticket-overdue:{task.pk}").count() == 1
        outcomes[results[0].answer["ticket"]["status"]] += 1
    print(f"urge vs sweep: the urge saw the task {dict(outcomes)}")


def test_an_urge_racing_a_reply_on_its_task_merges_before_it_or_opens_a_new_task():
    """A second urge of an order racing the merchant's reply to its task: the urge either
    counted on the task before the reply (one task, replied, two urges) or came after it and
    opened a new task — never lost, never both, never an error."""
    shop = ShopFactory(code="urge-reply-shop", kind="tmall")
    platform = UserFactory(username="urge-reply-bot")
    merchant = UserFactory(username="urge-reply-merchant")
    shop.memberships.create(user=merchant)
    outcomes = Counter()
    for n in range(ROUNDS):
        order = OrderFactory(product=ProductFactory(shop=shop), paid_at=DUE - timedelta(hours=30))
        first = urge_ingest(actor=platform, event_id=f"ur-{n}-a", order_no=order.order_no, urged_at=DUE - timedelta(hours=24))
        task = UrgeTask.objects.get(pk=first.answer["ticket"]["id"])
        results = run_together(
            lambda order=order, n=n: urge_ingest(
                actor=platform, event_id=f"ur-{n}-b", order_no=order.order_no, urged_at=DUE - timedelta(hours=2)
            ),
            lambda task=task: ticket_reply(actor=merchant, task=task, option="shipped", at=DUE - timedelta(hours=1)),
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        task.refresh_from_db()
        assert task.status == "replied"
        tasks = list(UrgeTask.objects.filter(order=order).order_by("pk"))
        if results[0].outcome == "merged":
            assert task.urge_count == 2 and len(tasks) == 1
        else:
            assert results[0].outcome == "task_created"
            assert task.urge_count == 1 and [t.status for t in tasks] == ["replied", "open"]
        assert Urge.objects.filter(order=order).count() == 2
        outcomes[results[0].outcome] += 1
    print(f"urge vs reply outcomes over {ROUNDS} rounds: {dict(outcomes)}")
