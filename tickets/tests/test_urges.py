"""Urge ingestion (SPEC §4): outcomes in order, refusals, idempotency by event id."""

import re
from datetime import timedelta

import pytest

from core.models import AuditEntry, OutboxMessage
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import OrderFactory, ProductFactory, sh
from tickets.models import Urge, UrgeTask
from tickets.services import urge_ingest

URL = "/api/v1/platform/urges/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def order(shop):
    return OrderFactory(product=ProductFactory(shop=shop), paid_at=sh(2022, 12, 28, 10, 0))


def post(client, event_id, order_no, urged_at):
    return client.post(URL, {"event_id": event_id, "order_no": order_no, "urged_at": urged_at.isoformat()}, format="json")


def test_first_urge_creates_a_task_due_24h_later(platform_api, order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(platform_api, "e1", order.order_no, sh(2022, 12, 28, 12, 0))
    assert response.status_code == 201
    body = response.json()
    assert body["outcome"] == "task_created"
    task = UrgeTask.objects.get()
    assert body["ticket"] == {
        "id": task.pk,
        "order_no": order.order_no,
        "status": "open",
        "opened_at": "2022-12-28T12:00:00+08:00",
        "reply_due_at": "2022-12-29T12:00:00+08:00",
        "urge_count": 1,
    }
    assert task.reply_due_at == sh(2022, 12, 29, 12, 0)
    assert task.shop_id == order.shop_id
    assert AuditEntry.objects.filter(action="ticket_opened", target_id=str(task.pk)).count() == 1
    assert callbacks == []  # no broker call: the opening mail is an outbox row of this transaction
    assert OutboxMessage.objects.filter(topic="tickets.opened_mail", payload={"task_id": task.pk}).count() == 1


def test_reply_window_is_a_setting(platform_api, order, settings):
    settings.TICKET_REPLY_WINDOW = timedelta(hours=12)
    post(platform_api, "e1", order.order_no, sh(2022, 12, 28, 12, 0))
    assert UrgeTask.objects.get().reply_due_at == sh(2022, 12, 29, 0, 0)


def test_second_urge_merges_into_the_open_task(platform_api, order):
    post(platform_api, "e1", order.order_no, sh(2022, 12, 28, 12, 0))
    response = post(platform_api, "e2", order.order_no, sh(2022, 12, 28, 18, 0))
    assert response.status_code == 200
    assert response.json()["outcome"] == "merged"
    assert response.json()["ticket"]["urge_count"] == 2
    task = UrgeTask.objects.get()
    assert task.urge_count == 2
    assert task.reply_due_at == sh(2022, 12, 29, 12, 0)  # the first urge's deadline stands
    assert list(task.urges.values_list("event_id", flat=True)) == ["e1", "e2"]


def test_an_overdue_task_still_awaits_a_reply_so_urges_merge_into_it(platform_api, order):
    post(platform_api, "e1", order.order_no, sh(2022, 12, 28, 12, 0))
    UrgeTask.objects.update(status=UrgeTask.Status.OVERDUE)
    assert post(platform_api, "e2", order.order_no, sh(2022, 12, 30, 9, 0)).json()["outcome"] == "merged"
    assert UrgeTask.objects.count() == 1


def test_after_a_reply_a_new_urge_opens_a_new_task(platform_api, order):
    post(platform_api, "e1", order.order_no, sh(2022, 12, 28, 12, 0))
    UrgeTask.objects.update(status=UrgeTask.Status.REPLIED)
    response = post(platform_api, "e2", order.order_no, sh(2022, 12, 30, 9, 0))
    assert response.status_code == 201
    assert UrgeTask.objects.count() == 2


def test_urge_covered_by_a_report_is_suppressed_with_report_no_and_promise(platform_api, order, shop):
    report = DeliveryReportFactory(shop=shop, report_no="BB2022122700001")
    response = post(platform_api, "e1", order.order_no, sh(2022, 12, 28, 12, 0))
    assert response.status_code == 200
    assert response.json() == {
        "outcome": "suppressed",
        "report_no": "BB2022122700001",
        "promised_ship_by": "2023-01-05T00:00:00+08:00",
    }
    assert not UrgeTask.objects.exists()
    urge = Urge.objects.get()
    assert (urge.outcome, urge.report_id, urge.task_id) == ("suppressed", report.pk, None)


def test_suppression_leaves_an_open_task_open(platform_api, order, shop):
    post(platform_api, "e1", order.order_no, sh(2022, 12, 28, 12, 0))
    task = UrgeTask.objects.get()
    # The report is approved after the task opened, but before the order's ship deadline.
    DeliveryReportFactory(shop=shop, starts_at=sh(2022, 12, 28, 13, 0), submitted_at=sh(2022, 12, 28, 13, 0))
    assert post(platform_api, "e2", order.order_no, sh(2022, 12, 28, 14, 0)).json()["outcome"] == "suppressed"
    task.refresh_from_db()
    assert (task.status, task.urge_count) == ("open", 1)


def test_a_report_that_does_not_cover_the_order_does_not_suppress(platform_api, order, shop):
    # Approved after the order's ship deadline (reported too late): no coverage.
    DeliveryReportFactory(shop=shop, starts_at=sh(2022, 12, 30, 12, 0), submitted_at=sh(2022, 12, 30, 12, 0))
    assert post(platform_api, "e1", order.order_no, sh(2022, 12, 31, 12, 0)).json()["outcome"] == "task_created"


def test_an_exemption_alone_does_not_suppress_an_urge(platform_api, order):
    from reports.tests.factories import UnifiedExemptionFactory

    UnifiedExemptionFactory(regions=["330000"])
    assert post(platform_api, "e1", order.order_no, sh(2022, 12, 28, 12, 0)).json()["outcome"] == "task_created"


@pytest.mark.parametrize(("field", "code"), [("shipped_at", "order_shipped"), ("cancelled_at", "order_cancelled")])
def test_urge_for_shipped_or_cancelled_order_is_409(platform_api, order, field, code):
    setattr(order, field, sh(2022, 12, 28, 11, 0))
    order.save(update_fields=[field])
    response = post(platform_api, "e1", order.order_no, sh(2022, 12, 28, 12, 0))
    assert response.status_code == 409
    assert response.json()["code"] == code
    assert not Urge.objects.exists() and not UrgeTask.objects.exists()


def test_urge_before_payment_is_409(platform_api, order):
    response = post(platform_api, "e1", order.order_no, sh(2022, 12, 28, 9, 0))
    assert (response.status_code, response.json()["code"]) == (409, "urge_before_paid")


def test_unknown_order_is_400(platform_api, db):
    response = post(platform_api, "e1", "NOPE", sh(2022, 12, 28, 12, 0))
    assert (response.status_code, response.json()["code"]) == (400, "order_not_found")


def test_bad_body_is_400(platform_api, order):
    response = platform_api.post(URL, {"event_id": "e1", "order_no": order.order_no, "urged_at": "yesterday"}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "datetime_invalid")
    assert not Urge.objects.exists()


@pytest.mark.parametrize("outcome_setup", ["task_created", "merged", "suppressed"])
def test_same_event_twice_gives_the_same_answer_and_changes_nothing(platform_api, order, shop, outcome_setup):
    if outcome_setup == "merged":
        post(platform_api, "e0", order.order_no, sh(2022, 12, 28, 11, 0))
    if outcome_setup == "suppressed":
        DeliveryReportFactory(shop=shop)
    first = post(platform_api, "e1", order.order_no, sh(2022, 12, 28, 12, 0))
    assert first.json()["outcome"] == outcome_setup
    before = (Urge.objects.count(), list(UrgeTask.objects.values_list("urge_count", flat=True)), AuditEntry.objects.count())
    repeat = post(platform_api, "e1", order.order_no, sh(2022, 12, 28, 12, 0))
    assert repeat.status_code == 200
    assert repeat.json() == first.json()
    after = (Urge.objects.count(), list(UrgeTask.objects.values_list("urge_count", flat=True)), AuditEntry.objects.count())
    assert after == before


def test_repeat_answers_as_recorded_even_after_the_task_moved_on(platform_api, order):
    first = post(platform_api, "e1", order.order_no, sh(2022, 12, 28, 12, 0)).json()
    UrgeTask.objects.update(status=UrgeTask.Status.REPLIED)
    assert post(platform_api, "e1", order.order_no, sh(2022, 12, 28, 12, 0)).json() == first


@pytest.mark.parametrize("change", ["order", "time"])
def test_same_event_id_with_other_content_is_409(platform_api, order, shop, change):
    post(platform_api, "e1", order.order_no, sh(2022, 12, 28, 12, 0))
    other = OrderFactory(product=ProductFactory(shop=shop))
    order_no = other.order_no if change == "order" else order.order_no
    urged_at = sh(2022, 12, 28, 12, 0) if change == "order" else sh(2022, 12, 28, 13, 0)
    response = post(platform_api, "e1", order_no, urged_at)
    assert (response.status_code, response.json()["code"]) == (409, "urge_conflict")
    assert Urge.objects.count() == 1 and UrgeTask.objects.count() == 1


def test_only_platform_users_may_post_urges(merchant_api, ops_api, api, order):
    for client in (merchant_api, ops_api):
        assert post(client, "e1", order.order_no, sh(2022, 12, 28, 12, 0)).status_code == 403
    assert post(api, "e1", order.order_no, sh(2022, 12, 28, 12, 0)).status_code in (401, 403)
    assert not Urge.objects.exists()


def test_a_repeat_is_answered_as_recorded_even_after_the_order_shipped(platform_api, order):
    first = post(platform_api, "e1", order.order_no, sh(2022, 12, 28, 12, 0)).json()
    order.shipped_at = sh(2022, 12, 28, 20, 0)
    order.save(update_fields=["shipped_at"])
    repeat = post(platform_api, "e1", order.order_no, sh(2022, 12, 28, 12, 0))
    assert (repeat.status_code, repeat.json()) == (200, first)


def test_a_repeat_naming_an_unknown_order_is_a_conflict_not_a_missing_order(platform_api, order):
    post(platform_api, "e1", order.order_no, sh(2022, 12, 28, 12, 0))
    response = post(platform_api, "e1", "NO-SUCH-ORDER", sh(2022, 12, 28, 12, 0))
    assert (response.status_code, response.json()["code"]) == (409, "urge_conflict")


def test_a_duplicate_stored_while_waiting_for_the_order_lock_rolls_back_and_answers_as_recorded(
    platform_user, order, monkeypatch
):
    """The lock query did not see the first copy (it committed while we waited): our insert hits the
    unique event id, everything this attempt did (the merge) rolls back, the stored answer is given."""
    from tickets.services import urges

    first = urges.urge_ingest(actor=platform_user, event_id="e1", order_no=order.order_no, urged_at=sh(2022, 12, 28, 12, 0))

    def without_seeing_the_repeat(real_lock):
        def lock(*args):
            locked = real_lock(*args)
            locked.repeat_of = None
            return locked

        return lock

    for name in ("_lock_order", "_lock_order_one_statement"):  # the ORM form and the statement form
        monkeypatch.setattr(urges, name, without_seeing_the_repeat(getattr(urges, name)))
    audit_before = AuditEntry.objects.count()
    again = urges.urge_ingest(actor=platform_user, event_id="e1", order_no=order.order_no, urged_at=sh(2022, 12, 28, 12, 0))
    assert (again.created, again.answer, again.urge.pk) == (False, first.answer, first.urge.pk)
    assert UrgeTask.objects.get().urge_count == 1  # the merge of the failed attempt was rolled back
    assert (Urge.objects.count(), AuditEntry.objects.count()) == (1, audit_before)


@pytest.mark.parametrize(
    ("outcome", "orm_form", "statement_form"), [("task_created", 8, 1), ("merged", 5, 1 + 1), ("suppressed", 4, 1 + 3)]
)
def test_queries_per_urge(platform_user, order, shop, outcome, orm_form, statement_form, on_postgres, django_assert_num_queries):
    """ORM form (SQLite): order lock (with the event-id look-up), coverage, merge-or-nothing,
    inserts (a new task: also its inbox rows, one INSERT … SELECT, and its outbox mail row).
    Statement form (PostgreSQL): an urge that opens a task is one statement (lock, checks and
    every row); a merge is that statement writing nothing and one more that counts the urge on
    the task it read and writes the urge's rows; any other urge is that statement writing
    nothing, then one statement that locks the order and reads the event id, the covering report
    and whether a task awaits a reply, and one more that writes every row (a suppression reads
    the report's number first). Plus a savepoint pair per attempt in the test's enclosing
    transaction."""
    queries = statement_form if on_postgres else orm_form
    savepoints = 2 * (1 if not on_postgres or outcome == "task_created" else 2)
    if outcome == "merged":
        urge_ingest(actor=platform_user, event_id="e0", order_no=order.order_no, urged_at=sh(2022, 12, 28, 11, 0))
    if outcome == "suppressed":
        DeliveryReportFactory(shop=shop)
    with django_assert_num_queries(queries + savepoints):
        result = urge_ingest(actor=platform_user, event_id="e1", order_no=order.order_no, urged_at=sh(2022, 12, 28, 12, 0))
    assert result.outcome == outcome


@pytest.mark.postgres
def test_both_forms_agree(platform_user, shop, monkeypatch):
    """The ORM form (SQLite) and the statement form (PostgreSQL) on one table of cases, each run
    on the same rows and rolled back: the same answers and refusals, and the same rows written —
    tasks, urges, audit rows, inbox rows, outbox rows — ids aside."""
    from django.db import transaction

    from core.errors import DomainError
    from notifications.models import Notification
    from shops.models import ShopMembership
    from tickets.services import urges

    ShopMembership.objects.create(shop=shop, user=platform_user.__class__.objects.create(username="member-a"))
    orders = {name: OrderFactory(product=ProductFactory(shop=shop), paid_at=sh(2022, 12, 28, 10, 0)) for name in "abcdefg"}
    orders["shipped"] = OrderFactory(product=ProductFactory(shop=shop), shipped_at=sh(2022, 12, 28, 11, 0))
    orders["cancelled"] = OrderFactory(product=ProductFactory(shop=shop), cancelled_at=sh(2022, 12, 28, 11, 0))
    covered = ProductFactory(shop=shop)
    DeliveryReportFactory(shop=shop, report_no="BB2022122799999", scope="product", products=[covered])
    orders["covered"] = OrderFactory(product=covered, paid_at=sh(2022, 12, 28, 10, 0))
    cases = [
        ("e1", "a", sh(2022, 12, 28, 12, 0)),  # opens a task
        ("e2", "a", sh(2022, 12, 28, 13, 0, 30)),  # merges
        ("e2", "a", sh(2022, 12, 28, 13, 0, 30)),  # a repeat
        ("e2", "b", sh(2022, 12, 28, 13, 0, 30)),  # the same event with other content
        ("e3", "covered", sh(2022, 12, 28, 12, 0)),  # suppressed
        ("e3", "covered", sh(2022, 12, 28, 12, 0)),  # a repeat of a suppression
        ("e4", "b", sh(2022, 12, 28, 12, 0).replace(microsecond=123400)),  # microseconds in the answer
        ("replied", "c", sh(2022, 12, 28, 12, 0)),  # then the task is replied: the next urge opens another
        ("e5", "c", sh(2022, 12, 29, 9, 0)),
        ("overdue", "d", sh(2022, 12, 28, 12, 0)),  # then the task is overdue: the next urge merges into it
        ("e6", "d", sh(2022, 12, 30, 9, 0)),
        ("e7", "shipped", sh(2022, 12, 28, 12, 0)),
        ("e8", "cancelled", sh(2022, 12, 28, 12, 0)),
        ("e9", "e", sh(2022, 12, 28, 9, 0)),  # before payment
        ("e10", "nope", sh(2022, 12, 28, 12, 0)),
    ]

    def run(statement_form: bool) -> dict:
        monkeypatch.setattr(urges, "_statement_form", lambda: statement_form)
        answers: list[tuple] = []
        with transaction.atomic():
            for event_id, name, at in cases:
                order_no = orders[name].order_no if name in orders else "NO-SUCH-ORDER"
                if event_id in ("replied", "overdue"):
                    urge_ingest(actor=platform_user, event_id=f"{event_id}-first", order_no=order_no, urged_at=at)
                    UrgeTask.objects.filter(order__order_no=order_no).update(status=event_id)
                    continue
                try:
                    result = urge_ingest(actor=platform_user, event_id=event_id, order_no=order_no, urged_at=at)
                    answers.append((result.created, result.answer))
                except DomainError as error:
                    answers.append((error.code, str(error.detail)))
            tasks = list(UrgeTask.objects.order_by("pk"))
            ids = {str(task.pk): f"task{i}" for i, task in enumerate(tasks)}
            urge_ids = {str(u.pk): f"urge{i}" for i, u in enumerate(Urge.objects.order_by("pk"))}

            def plain(value):
                """Task ids as labels: under the keys ``id``/``task_id``, and after ``#``, between
                slashes or after the last colon of a text."""
                if isinstance(value, dict):
                    return {k: ids[str(v)] if k in ("id", "task_id") else plain(v) for k, v in value.items()}
                if isinstance(value, (list, tuple)):
                    return [plain(v) for v in value]
                if isinstance(value, str):
                    return re.sub(r"(?<=#)\d+|(?<=/)\d+(?=/)|(?<=:)\d+$", lambda m: ids.get(m.group(), m.group()), value)
                return value

            state = {
                "answers": [plain(a) for a in answers],
                "tasks": [
                    (ids[str(t.pk)], t.order.order_no, t.shop_id, t.status, t.opened_at, t.reply_due_at, t.urge_count)
                    for t in tasks
                ],
                "urges": [
                    (
                        u.event_id,
                        u.order_id,
                        u.urged_at,
                        u.outcome,
                        u.task_id and ids[str(u.task_id)],
                        u.report_id,
                        plain(u.answer),
                    )
                    for u in Urge.objects.order_by("pk")
                ],
                "audit": [
                    (
                        a.actor_id,
                        a.actor_label,
                        a.action,
                        a.target_type,
                        (ids if a.target_type == "tickets.urgetask" else urge_ids)[a.target_id],
                        a.from_status,
                        a.to_status,
                        a.reason,
                        plain(a.data),
                    )
                    for a in AuditEntry.objects.filter(target_type__in=["tickets.urgetask", "tickets.urge"]).order_by("pk")
                ],
                "inbox": [
                    (n.user_id, n.shop_id, n.kind, plain(n.title), n.body, plain(n.link), plain(n.dedupe_key), n.read_at)
                    for n in Notification.objects.order_by("pk")
                ],
                "outbox": [
                    (m.topic, plain(m.payload), plain(m.dedupe_key), m.delivered_at, m.attempts, m.last_error)
                    for m in OutboxMessage.objects.order_by("pk")
                ],
            }
            transaction.set_rollback(True)
        return state

    orm, statement = run(statement_form=False), run(statement_form=True)
    assert [a[0] if isinstance(a[0], str) else a for a in orm["answers"]]  # the cases ran
    assert len(orm["tasks"]) == 5 and len(orm["inbox"]) == 5 and len(orm["outbox"]) == 5
    for key in orm:
        assert statement[key] == orm[key], key


@pytest.mark.postgres
@pytest.mark.parametrize("between", ["the optimistic merge", "the general path's merge"])
def test_a_task_replied_after_the_lock_statement_saw_it_awaiting_gets_a_new_task(platform_user, order, monkeypatch, between):
    """The statement form reads "a task awaits a reply" in its first statement; if the task was
    replied before the merge — the optimistic merge (``_merge_in_one_statement``) or, when that
    one did not run, the general path's — the merge finds nothing and the urge opens a task,
    with an id drawn then (the lock statement drew none: a task was awaiting)."""
    from tickets.services import urges

    urge_ingest(actor=platform_user, event_id="e1", order_no=order.order_no, urged_at=sh(2022, 12, 28, 12, 0))
    if between == "the optimistic merge":
        real_merge = urges._merge_in_one_statement

        def reply_then_merge(**kwargs):
            assert kwargs["facts"]["awaiting"] and kwargs["facts"]["next_task_id"] is None
            UrgeTask.objects.update(status=UrgeTask.Status.REPLIED)  # a reply lands between the two statements
            merged = real_merge(**kwargs)
            assert merged is None and UrgeTask.objects.get().urge_count == 1  # wrote nothing
            return merged

        monkeypatch.setattr(urges, "_merge_in_one_statement", reply_then_merge)
    else:
        monkeypatch.setattr(urges, "_merge_in_one_statement", lambda **kwargs: None)
        real_lock = urges._lock_order_one_statement

        def lock_then_reply(*args):
            locked = real_lock(*args)
            assert (locked.awaiting, locked.next_task_id) == (True, None)
            UrgeTask.objects.update(status=UrgeTask.Status.REPLIED)  # a reply lands between the two statements
            return locked

        monkeypatch.setattr(urges, "_lock_order_one_statement", lock_then_reply)
    result = urge_ingest(actor=platform_user, event_id="e2", order_no=order.order_no, urged_at=sh(2022, 12, 28, 18, 0))
    assert result.outcome == "task_created"
    opened = UrgeTask.objects.get(status="open")
    assert result.answer["ticket"]["id"] == opened.pk and opened.urges.get().event_id == "e2"


@pytest.mark.postgres
def test_a_new_task_lost_to_a_racing_urge_is_judged_again_inside_the_caller_s_transaction(platform_user, order, monkeypatch):
    """The one-statement form judged "no task awaits a reply" on its snapshot; when a task opened
    meanwhile, its insert fails on the one-awaiting-task index. Inside a caller's transaction only
    its savepoint rolls back, and the general path merges the urge into the task that won."""
    from django.db import transaction

    from tickets.services import urges

    urge_ingest(actor=platform_user, event_id="e0", order_no=order.order_no, urged_at=sh(2022, 12, 28, 11, 0))
    # As if the task above had opened after the statement's snapshot: it sees no task awaiting.
    monkeypatch.setattr(urges, "_OPENS_WHEN", urges._OPENS_WHEN.replace("AND NOT awaiting", ""))
    with transaction.atomic():
        result = urge_ingest(actor=platform_user, event_id="e1", order_no=order.order_no, urged_at=sh(2022, 12, 28, 12, 0))
        assert result.outcome == "merged"
        assert UrgeTask.objects.get().urge_count == 2  # the caller's transaction is still usable
    assert (Urge.objects.count(), OutboxMessage.objects.filter(topic="tickets.opened_mail").count()) == (2, 1)


@pytest.mark.postgres
def test_an_order_shipped_between_the_statements_stops_the_optimistic_merge(platform_user, order, monkeypatch):
    """The optimistic merge locks the order and finds it shipped since the first statement: it
    writes nothing, and the general path refuses the urge as for any shipped order."""
    from core.errors import Conflict
    from shops.models import Order
    from tickets.services import urges

    urge_ingest(actor=platform_user, event_id="e1", order_no=order.order_no, urged_at=sh(2022, 12, 28, 12, 0))
    real_merge = urges._merge_in_one_statement

    def ship_then_merge(**kwargs):
        Order.objects.filter(pk=order.pk).update(shipped_at=sh(2022, 12, 28, 17, 0))  # the order ships meanwhile
        merged = real_merge(**kwargs)
        assert merged is None
        return merged

    monkeypatch.setattr(urges, "_merge_in_one_statement", ship_then_merge)
    with pytest.raises(Conflict) as refused:
        urge_ingest(actor=platform_user, event_id="e2", order_no=order.order_no, urged_at=sh(2022, 12, 28, 18, 0))
    assert refused.value.code == "order_shipped"
    assert UrgeTask.objects.get().urge_count == 1 and not Urge.objects.filter(event_id="e2").exists()
