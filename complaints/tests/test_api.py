"""Complaint endpoints: platform ingestion, merchant reads, ops manual review."""

from decimal import Decimal
from unittest import mock

import pytest

from complaints.models import Complaint
from complaints.services import complaint_file_bulk
from complaints.tests.factories import ComplaintFactory, JudgedComplaintFactory
from core.models import AuditEntry
from reports.tests.factories import DeliveryReportFactory, UnifiedExemptionFactory
from shops.tests.factories import OrderFactory, ProductFactory, sh

pytestmark = pytest.mark.django_db

INGEST = "/api/v1/platform/complaints/"
LIST = "/api/v1/complaints/"


@pytest.fixture
def order(shop):
    return OrderFactory(product=ProductFactory(shop=shop), order_no="O-MINE-1")


def body(order, **overrides):
    data = {
        "event_id": "cmp-1",
        "order_no": order.order_no,
        "reason": "delayed_shipment",
        "message": "一直不发货",
        "evidence": ["https://img.example.com/chat.png"],
        "filed_at": "2022-12-30T12:00:00+08:00",
    }
    return {**data, **overrides}


def code_of(response, status):
    assert response.status_code == status, response.content
    return response.json()["code"]


# --- ingestion ------------------------------------------------------------------------------


def test_ingest_creates_then_identical_repeat_is_200(platform_api, order, django_capture_on_commit_callbacks):
    with mock.patch("complaints.tasks.judge_pending_complaints.apply_async") as delay:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            created = platform_api.post(INGEST, body(order), format="json")
        assert created.status_code == 201, created.content
        assert len(callbacks) == 1 and delay.call_count == 1
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            again = platform_api.post(INGEST, body(order), format="json")
        assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
        assert callbacks == [] and delay.call_count == 1
    data = created.json()
    assert data["status"] == "pending_review" and data["source"] == "buyer" and data["order_no"] == order.order_no
    assert data["evidence"] == ["https://img.example.com/chat.png"] and data["message"] == "一直不发货"
    assert data["filed_at"] == "2022-12-30T12:00:00+08:00"
    assert Complaint.objects.count() == 1
    assert AuditEntry.objects.filter(action="complaint_filed").count() == 1


def test_ingest_conflicting_repeat_is_409(platform_api, order):
    platform_api.post(INGEST, body(order), format="json")
    assert code_of(platform_api.post(INGEST, body(order, reason="cannot_ship"), format="json"), 409) == "complaint_conflict"
    assert Complaint.objects.get().reason == "delayed_shipment"


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"order_no": "NOPE"}, 400, "order_not_found"),
        ({"reason": "rude_seller"}, 400, "invalid"),
        ({"filed_at": "yesterday"}, 400, "datetime_invalid"),
        ({"evidence": ["not a url"]}, 400, "invalid"),
        ({"event_id": ""}, 400, "invalid"),
        ({"filed_at": "2022-12-28T09:59:59+08:00"}, 400, "complaint_before_paid"),
    ],
)
def test_bad_ingest_is_400_and_changes_nothing(platform_api, order, overrides, status, code):
    assert code_of(platform_api.post(INGEST, body(order, **overrides), format="json"), status) == code
    assert not Complaint.objects.exists()


def test_missing_fields_are_400(platform_api):
    assert code_of(platform_api.post(INGEST, {}, format="json"), 400) == "required"


def test_only_platform_ingests(merchant_api, ops_api, api, order):
    for client in (merchant_api, ops_api):
        assert client.post(INGEST, body(order), format="json").status_code == 403
    assert api.post(INGEST, body(order), format="json").status_code in (401, 403)
    assert not Complaint.objects.exists()


def test_ingested_complaint_is_judged_by_the_job(platform_api, order):
    DeliveryReportFactory(shop=order.shop)
    UnifiedExemptionFactory(regions=["440000"])  # sender region 440305 but applies to receiver: no
    platform_api.post(INGEST, body(order), format="json")
    from complaints.tasks import judge_pending_complaints

    assert judge_pending_complaints() == 1
    complaint = Complaint.objects.get()
    assert complaint.verdict == "exempt" and complaint.basis_report is not None


def test_bulk_filing_enqueues_judgment_once_on_commit(order, django_capture_on_commit_callbacks):
    rows = [
        {
            "event_id": f"ticket-overdue:{i}",
            "order_id": order.pk,
            "reason": "delayed_shipment",
            "source": "platform",
            "filed_at": sh(2022, 12, 30, 10 + i),
        }
        for i in range(3)
    ]
    with mock.patch("complaints.tasks.judge_pending_complaints.apply_async") as delay:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            ids = complaint_file_bulk(actor=None, complaints=rows)
        assert len(ids) == 3 and len(callbacks) == 1 and delay.call_count == 1
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            assert complaint_file_bulk(actor=None, complaints=rows) == []
        assert callbacks == []
    assert set(Complaint.objects.values_list("source", flat=True)) == {"platform"}


# --- merchant reads -------------------------------------------------------------------------


def test_list_and_detail_are_tenant_scoped(merchant_api, other_merchant_api, order, other_shop):
    mine = ComplaintFactory(order=order)
    theirs = ComplaintFactory(order=OrderFactory(product=ProductFactory(shop=other_shop)))
    assert [c["id"] for c in merchant_api.get(LIST).json()["results"]] == [mine.pk]
    assert [c["id"] for c in other_merchant_api.get(LIST).json()["results"]] == [theirs.pk]
    assert code_of(merchant_api.get(f"{LIST}{theirs.pk}/"), 404) == "complaint_not_found"
    assert other_merchant_api.get(f"{LIST}{mine.pk}/").status_code == 404
    assert merchant_api.get(f"{LIST}{mine.pk}/").json()["shop"] == order.shop.code


def test_platform_user_cannot_read_merchant_lists(platform_api):
    assert platform_api.get(LIST).status_code == 403


def test_list_filters(merchant_api, order, shop):
    pending = ComplaintFactory(order=order)
    liable = JudgedComplaintFactory(order=OrderFactory(product=order.product, order_no="O-MINE-2"))
    exempt = JudgedComplaintFactory(order=OrderFactory(product=order.product), verdict="exempt", penalty=None)

    def ids(**params):
        return [c["id"] for c in merchant_api.get(LIST, params).json()["results"]]

    assert ids(status="pending_review") == [pending.pk]
    assert set(ids(status="judged")) == {liable.pk, exempt.pk}
    assert ids(verdict="merchant_liable") == [liable.pk]
    assert ids(verdict="exempt") == [exempt.pk]
    assert ids(order_no="O-MINE-2") == [liable.pk]
    assert code_of(merchant_api.get(LIST, {"verdict": "guilty"}), 400) == "invalid"


def test_detail_shows_basis_penalty_and_judge(merchant_api, order):
    exemption = UnifiedExemptionFactory(regions=["330000"])
    complaint = JudgedComplaintFactory(order=order, verdict="exempt", penalty=None, basis_exemption=exemption)
    data = merchant_api.get(f"{LIST}{complaint.pk}/").json()
    assert data["basis"] == {
        "kind": "exemption",
        "id": exemption.pk,
        "report_no": None,
        "title": exemption.title,
        "revoked_at": None,
    }
    assert data["judged_by"] == "系统" and data["penalty"] is None  # judged by the job (SPEC §9 label)


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_query_count_is_constant(merchant_api, shop, page_size, django_assert_num_queries):
    for i in range(5):
        order = OrderFactory(product=ProductFactory(shop=shop))
        basis = (
            {"basis_report": DeliveryReportFactory(shop=shop)}
            if i % 2
            else {"basis_exemption": UnifiedExemptionFactory(regions=["330000"])}
        )
        JudgedComplaintFactory(order=order, verdict="exempt", penalty=None, **basis)
    merchant_api.get(LIST)
    with django_assert_num_queries(2):
        response = merchant_api.get(LIST, {"page_size": page_size})
    assert len(response.json()["results"]) == min(page_size, 5)


# --- ops manual review ----------------------------------------------------------------------


def judge_url(complaint):
    return f"/api/v1/ops/complaints/{complaint.pk}/judge/"


def test_ops_judge_endpoint(ops_api, order, ops_user):
    complaint = ComplaintFactory(order=order, filed_at=sh(2022, 12, 27, 12))
    response = ops_api.post(judge_url(complaint), {"verdict": "merchant_liable", "reason": "未按时发货"}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["verdict"] == "merchant_liable" and data["penalty"] == "5.00" and data["judged_by"] == ops_user.username
    again = ops_api.post(judge_url(complaint), {"verdict": "exempt", "reason": "改判"}, format="json")
    assert code_of(again, 409) == "complaint_already_judged"
    assert Complaint.objects.get().penalty == Decimal("5.00")


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"verdict": "exempt"}, "reason_required"),
        ({"verdict": "exempt", "reason": ""}, "reason_required"),
        ({"verdict": "innocent", "reason": "x"}, "invalid"),
        ({"reason": "x"}, "required"),
    ],
)
def test_ops_judge_bad_input_is_400(ops_api, order, payload, code):
    complaint = ComplaintFactory(order=order)
    assert code_of(ops_api.post(judge_url(complaint), payload, format="json"), 400) == code
    assert Complaint.objects.get().status == "pending_review"


def test_ops_judge_is_for_ops_only_and_404_for_unknown(merchant_api, ops_api, order):
    complaint = ComplaintFactory(order=order)
    assert merchant_api.post(judge_url(complaint), {"verdict": "exempt", "reason": "x"}, format="json").status_code == 403
    assert (
        code_of(ops_api.post("/api/v1/ops/complaints/999999/judge/", {"verdict": "exempt", "reason": "x"}, format="json"), 404)
        == "complaint_not_found"
    )
