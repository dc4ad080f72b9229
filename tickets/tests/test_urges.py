"""Urge ingestion (SPEC §4): outcomes in order, refusals, idempotency by event id."""

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
    real_lock = urges._lock_order

    def lock_without_seeing_the_repeat(order_no, event_id):
        locked = real_lock(order_no, event_id)
        locked.repeat_of = None
        return locked

    monkeypatch.setattr(urges, "_lock_order", lock_without_seeing_the_repeat)
    audit_before = AuditEntry.objects.count()
    again = urges.urge_ingest(actor=platform_user, event_id="e1", order_no=order.order_no, urged_at=sh(2022, 12, 28, 12, 0))
    assert (again.created, again.answer, again.urge.pk) == (False, first.answer, first.urge.pk)
    assert UrgeTask.objects.get().urge_count == 1  # the merge of the failed attempt was rolled back
    assert (Urge.objects.count(), AuditEntry.objects.count()) == (1, audit_before)


@pytest.mark.parametrize(("outcome", "queries"), [("task_created", 8), ("merged", 5), ("suppressed", 4)])
def test_queries_per_urge(platform_user, order, shop, outcome, queries, django_assert_num_queries):
    """Order lock (with the event-id look-up), coverage, merge-or-nothing, inserts (a new task:
    also its inbox rows, one INSERT … SELECT, and its outbox mail row) — plus the savepoint pair the test's enclosing
    transaction adds."""
    if outcome == "merged":
        urge_ingest(actor=platform_user, event_id="e0", order_no=order.order_no, urged_at=sh(2022, 12, 28, 11, 0))
    if outcome == "suppressed":
        DeliveryReportFactory(shop=shop)
    with django_assert_num_queries(queries + 2):
        result = urge_ingest(actor=platform_user, event_id="e1", order_no=order.order_no, urged_at=sh(2022, 12, 28, 12, 0))
    assert result.outcome == outcome
