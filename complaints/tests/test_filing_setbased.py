"""``complaint_file_from_rows``: one complaint per row of a queryset, in one INSERT … SELECT."""

from unittest import mock

import pytest
from django.db.models import CharField, F, Value
from django.db.models.functions import Concat

from complaints.models import Complaint
from complaints.services import complaint_file_from_rows
from core.models import AuditEntry
from core.setbased import pk_in
from shops.models import Order
from shops.tests.factories import OrderFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(shop):
    product = ProductFactory(shop=shop)
    return [OrderFactory(product=product, order_no=f"O-SET-{n}") for n in range(3)]


def file_for(orders, actor=None):
    return complaint_file_from_rows(
        actor=actor,
        rows=Order.objects.filter(pk__in=[o.pk for o in orders]),
        event_id=Concat(Value("ev-"), "order_no", output_field=CharField()),
        order_id=F("pk"),
        filed_at="paid_at",
        reason=Complaint.Reason.DELAYED_SHIPMENT,
        source=Complaint.Source.PLATFORM,
        message="超时未回复",
    )


def test_files_one_complaint_per_row_with_audit_and_one_judgment_on_commit(orders, django_capture_on_commit_callbacks):
    ops = UserFactory(username="filer")
    with mock.patch("complaints.tasks.judge_pending_complaints.apply_async") as delay:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            ids = file_for(orders, actor=ops)
    assert len(ids) == 3 and len(callbacks) == 1 and delay.call_count == 1
    rows = {c.event_id: c for c in Complaint.objects.filter(pk__in=ids)}
    assert set(rows) == {f"ev-{o.order_no}" for o in orders}
    for order in orders:
        complaint = rows[f"ev-{order.order_no}"]
        assert (complaint.order_id, complaint.filed_at, complaint.reason, complaint.source, complaint.message) == (
            order.pk,
            order.paid_at,
            "delayed_shipment",
            "platform",
            "超时未回复",
        )
        assert (complaint.status, complaint.verdict, complaint.evidence) == ("pending_review", "", [])
        assert complaint.created_at is not None  # auto_now_add applied by the set-based insert
    audit = AuditEntry.objects.filter(action="complaint_filed")
    assert sorted(audit.values_list("target_id", flat=True)) == sorted(str(pk) for pk in ids)
    assert set(audit.values_list("target_type", "to_status", "actor_label", "actor_id")) == {
        ("complaints.complaint", "pending_review", "filer", ops.pk)
    }


def test_existing_event_ids_are_skipped_and_a_full_repeat_changes_nothing(orders, django_capture_on_commit_callbacks):
    first = orders[0]
    Complaint.objects.create(
        event_id=f"ev-{first.order_no}", order=first, reason="cannot_ship", source="buyer", filed_at=first.paid_at
    )
    with mock.patch("complaints.tasks.judge_pending_complaints.apply_async"):
        ids = file_for(orders)
        assert len(ids) == 2
        assert Complaint.objects.get(event_id=f"ev-{first.order_no}").source == "buyer"  # untouched
        before = (Complaint.objects.count(), AuditEntry.objects.count())
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            assert file_for(orders) == []
    assert callbacks == []
    assert (Complaint.objects.count(), AuditEntry.objects.count()) == before


def test_pk_in_matches_pk__in_for_many_ids(orders):
    ids = [o.pk for o in orders] + list(range(10**6, 10**6 + 3000))
    assert set(Order.objects.filter(pk_in(ids)).values_list("pk", flat=True)) == {o.pk for o in orders}
    assert not Order.objects.filter(pk_in([])).exists()
