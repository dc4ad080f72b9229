"""Appeals (SPEC §5): the ordered checks, policy boundary, accept/reject, tenant isolation."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from complaints.models import Appeal, Complaint
from complaints.tests.factories import AppealFactory, JudgedComplaintFactory
from core.models import AuditEntry
from core.tests.races import outcome, run_together
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import OrderFactory, ProductFactory, sh

pytestmark = pytest.mark.django_db

URL = "/api/v1/appeals/"
POLICY_START = sh(2022, 12, 28)


@pytest.fixture
def order(shop):
    return OrderFactory(product=ProductFactory(shop=shop), paid_at=sh(2022, 12, 26, 10))


@pytest.fixture
def complaint(order):
    """Filed 2022-12-30 (under appeals.require_prior_report), judged liable an hour ago."""
    return JudgedComplaintFactory(order=order)


@pytest.fixture
def report(shop):
    """Approved 2022-12-27, whole shop: a valid citation for ``complaint``."""
    return DeliveryReportFactory(shop=shop)


def post(client, complaint, report_no="", statement="有报备"):
    return client.post(URL, {"complaint": complaint.pk, "report_no": report_no, "statement": statement}, format="json")


def refused(response, code, status=400):
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["detail"]
    return response


def test_valid_appeal_waits_for_ops(merchant_api, complaint, report):
    response = post(merchant_api, complaint, report.report_no)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending_review" and body["report"] == report.report_no
    assert body["complaint"] == complaint.pk and body["requires_prior_report"] is True
    appeal = Appeal.objects.get()
    assert appeal.report == report and appeal.report_no == report.report_no
    assert AuditEntry.objects.filter(action="appeal_filed", target_type="complaints.appeal").count() == 1


def test_identical_repeat_answers_200_with_the_same_appeal(merchant_api, complaint, report):
    first = post(merchant_api, complaint, report.report_no)
    again = post(merchant_api, complaint, report.report_no)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Appeal.objects.count() == 1


# --- each refusal code ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"verdict": "exempt", "penalty": None},
        {"status": "pending_review", "verdict": "", "penalty": None, "judged_at": None},
    ],
)
def test_complaint_not_appealable(merchant_api, complaint, report, changes):
    Complaint.objects.filter(pk=complaint.pk).update(**changes)
    refused(post(merchant_api, complaint, report.report_no), "complaint_not_appealable")
    assert not Appeal.objects.exists()


def test_appeal_window_closed_after_seven_days(merchant_api, complaint, report):
    Complaint.objects.filter(pk=complaint.pk).update(judged_at=timezone.now() - timedelta(days=7, minutes=1))
    refused(post(merchant_api, complaint, report.report_no), "appeal_window_closed")
    Complaint.objects.filter(pk=complaint.pk).update(judged_at=timezone.now() - timedelta(days=6, hours=23))
    assert post(merchant_api, complaint, report.report_no).status_code == 201


def test_appeal_window_is_a_setting(settings, merchant_api, complaint, report):
    settings.APPEAL_WINDOW = timedelta(minutes=30)
    refused(post(merchant_api, complaint, report.report_no), "appeal_window_closed")


def test_appeal_already_open(merchant_api, complaint, report):
    post(merchant_api, complaint, report.report_no)
    refused(post(merchant_api, complaint, report.report_no, "另一份说明"), "appeal_already_open", status=409)
    assert Appeal.objects.count() == 1


def test_a_decided_appeal_does_not_block_a_new_one(merchant_api, complaint, report):
    AppealFactory(complaint=complaint, status="rejected", reason="no")
    assert post(merchant_api, complaint, report.report_no).status_code == 201


def test_report_not_found(merchant_api, complaint):
    refused(post(merchant_api, complaint, "BB0000NOPE"), "report_not_found")
    refused(post(merchant_api, complaint, ""), "report_not_found")


def test_report_other_shop_is_named_not_hidden(merchant_api, complaint, other_shop):
    other = DeliveryReportFactory(shop=other_shop)
    refused(post(merchant_api, complaint, other.report_no), "report_other_shop")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"scope": "region", "regions": ["440000"]},
        {"scope": "product"},
    ],
)
def test_report_does_not_cover_order_by_scope(merchant_api, complaint, shop, kwargs):
    report = DeliveryReportFactory(shop=shop, **kwargs)
    refused(post(merchant_api, complaint, report.report_no), "report_does_not_cover_order")


def test_scope_match_ignores_window_and_ship_deadline(merchant_api, complaint, shop):
    # window long over and approved after the order's ship deadline: ops weigh that, not us
    report = DeliveryReportFactory(
        shop=shop,
        scope="region",
        regions=["330100"],
        starts_at=sh(2022, 11, 1),
        ends_at=sh(2022, 11, 2),
        approved_at=sh(2022, 12, 29),
    )
    assert post(merchant_api, complaint, report.report_no).status_code == 201


@pytest.mark.parametrize(
    "kwargs",
    [
        {"status": "pending_review"},
        {"status": "rejected"},
        {"status": "withdrawn", "approved_at": sh(2022, 12, 27), "withdrawn_at": sh(2022, 12, 29)},
        {"status": "revoked", "approved_at": sh(2022, 12, 27), "revoked_at": sh(2022, 12, 29)},
    ],
)
def test_report_not_approved(merchant_api, complaint, shop, kwargs):
    report = DeliveryReportFactory(shop=shop, **kwargs)
    refused(post(merchant_api, complaint, report.report_no), "report_not_approved")


def test_report_approved_after_judgment(merchant_api, complaint, shop):
    at_judgment = DeliveryReportFactory(shop=shop, approved_at=complaint.judged_at)
    refused(post(merchant_api, complaint, at_judgment.report_no), "report_approved_after_judgment")
    before = DeliveryReportFactory(shop=shop, approved_at=complaint.judged_at - timedelta(seconds=1))
    assert post(merchant_api, complaint, before.report_no).status_code == 201


# --- ordering: the first failing check wins -------------------------------------------------


def test_not_appealable_beats_window(merchant_api, complaint, report):
    Complaint.objects.filter(pk=complaint.pk).update(verdict="exempt", judged_at=sh(2023, 1, 1))
    refused(post(merchant_api, complaint, report.report_no), "complaint_not_appealable")


def test_window_beats_already_open(merchant_api, complaint, report):
    AppealFactory(complaint=complaint, statement="first")
    Complaint.objects.filter(pk=complaint.pk).update(judged_at=timezone.now() - timedelta(days=8))
    refused(post(merchant_api, complaint, report.report_no), "appeal_window_closed")


def test_already_open_beats_report_checks(merchant_api, complaint):
    AppealFactory(complaint=complaint, statement="first")
    refused(post(merchant_api, complaint, "BB0000NOPE"), "appeal_already_open", status=409)


def test_other_shop_beats_scope_and_status(merchant_api, complaint, other_shop):
    other = DeliveryReportFactory(shop=other_shop, scope="product", status="pending_review")
    refused(post(merchant_api, complaint, other.report_no), "report_other_shop")


def test_scope_beats_not_approved(merchant_api, complaint, shop):
    report = DeliveryReportFactory(shop=shop, scope="region", regions=["440000"], status="rejected")
    refused(post(merchant_api, complaint, report.report_no), "report_does_not_cover_order")


def test_not_approved_beats_approved_after_judgment(merchant_api, complaint, shop):
    report = DeliveryReportFactory(shop=shop, status="revoked", approved_at=timezone.now(), revoked_at=timezone.now())
    refused(post(merchant_api, complaint, report.report_no), "report_not_approved")


# --- policy boundary: appeals.require_prior_report by the complaint's filed_at -------------


def test_filed_one_second_before_the_policy_free_text_appeal_goes_to_ops(merchant_api, order):
    complaint = JudgedComplaintFactory(order=order, filed_at=POLICY_START - timedelta(seconds=1))
    response = post(merchant_api, complaint, "BB0000NOPE", "买家地址在封控区，物流停运")
    assert response.status_code == 201, response.content
    assert response.json()["requires_prior_report"] is False
    appeal = Appeal.objects.get()
    assert appeal.report is None and appeal.report_no == "BB0000NOPE"


def test_filed_one_second_after_the_policy_the_report_is_checked(merchant_api, order):
    complaint = JudgedComplaintFactory(order=order, filed_at=POLICY_START + timedelta(seconds=1))
    refused(post(merchant_api, complaint, "BB0000NOPE", "买家地址在封控区，物流停运"), "report_not_found")


def test_legacy_appeal_needs_some_evidence(merchant_api, order):
    complaint = JudgedComplaintFactory(order=order, filed_at=POLICY_START - timedelta(seconds=1))
    refused(post(merchant_api, complaint, "", ""), "appeal_evidence_required")


def test_legacy_appeal_links_a_report_of_the_shop(merchant_api, order, report):
    complaint = JudgedComplaintFactory(order=order, filed_at=POLICY_START - timedelta(seconds=1))
    assert post(merchant_api, complaint, report.report_no, "").status_code == 201
    assert Appeal.objects.get().report == report


# --- ops decisions --------------------------------------------------------------------------


def test_accept_exempts_with_the_report_and_voids_the_penalty(merchant_api, ops_api, complaint, report, ops_user):
    complaint.penalty = Decimal("12.34")
    complaint.save(update_fields=["penalty"])
    appeal_id = post(merchant_api, complaint, report.report_no).json()["id"]
    response = ops_api.post(f"/api/v1/ops/appeals/{appeal_id}/accept/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    complaint.refresh_from_db()
    assert complaint.verdict == "exempt" and complaint.basis_report == report
    assert complaint.penalty == Decimal("0.00") and complaint.status == "judged"
    audit = AuditEntry.objects.get(action="complaint_exempted_on_appeal")
    assert audit.data["original"]["penalty"] == "12.34" and audit.data["original"]["verdict"] == "merchant_liable"
    assert audit.actor == ops_user
    appeal = Appeal.objects.get()
    assert appeal.decided_by == ops_user and appeal.decided_at is not None
    again = ops_api.post(f"/api/v1/ops/appeals/{appeal_id}/accept/", {}, format="json")
    refused(again, "appeal_already_decided", status=409)
    detail = merchant_api.get(f"/api/v1/complaints/{complaint.pk}/").json()
    assert detail["verdict"] == "exempt" and detail["penalty"] == "0.00"
    assert detail["basis"]["report_no"] == report.report_no


def test_reject_needs_a_reason_and_keeps_the_verdict(merchant_api, ops_api, complaint, report):
    appeal_id = post(merchant_api, complaint, report.report_no).json()["id"]
    url = f"/api/v1/ops/appeals/{appeal_id}/reject/"
    refused(ops_api.post(url, {}, format="json"), "reason_required")
    refused(ops_api.post(url, {"reason": "   "}, format="json"), "reason_required")
    assert Appeal.objects.get().status == "pending_review"
    response = ops_api.post(url, {"reason": "报备范围与订单不符"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "rejected" and response.json()["reason"] == "报备范围与订单不符"
    complaint.refresh_from_db()
    assert complaint.verdict == "merchant_liable" and complaint.penalty == Decimal("5.00")
    refused(ops_api.post(url, {"reason": "x"}, format="json"), "appeal_already_decided", status=409)
    # a rejected appeal no longer blocks a new one
    assert post(merchant_api, complaint, report.report_no, "补充材料").status_code == 201


def test_ops_endpoints_are_for_ops_only(merchant_api, platform_api, complaint):
    appeal = AppealFactory(complaint=complaint)
    for client in (merchant_api, platform_api):
        for action in ("accept", "reject"):
            r = client.post(f"/api/v1/ops/appeals/{appeal.pk}/{action}/", {"reason": "x"}, format="json")
            assert r.status_code == 403
    assert Appeal.objects.get().status == "pending_review"


def test_unknown_appeal_is_404_for_ops(ops_api):
    refused(ops_api.post("/api/v1/ops/appeals/999/accept/", {}, format="json"), "appeal_not_found", status=404)


# --- tenant isolation -----------------------------------------------------------------------


def test_appealing_another_shops_complaint_is_404(other_merchant_api, complaint, report):
    refused(post(other_merchant_api, complaint, report.report_no), "complaint_not_found", status=404)
    assert not Appeal.objects.exists()


def test_appeal_list_and_detail_are_tenant_scoped(merchant_api, other_merchant_api, complaint, other_shop):
    mine = AppealFactory(complaint=complaint)
    theirs = AppealFactory(complaint=JudgedComplaintFactory(order=OrderFactory(product=ProductFactory(shop=other_shop))))
    assert [a["id"] for a in merchant_api.get(URL).json()["results"]] == [mine.pk]
    assert [a["id"] for a in other_merchant_api.get(URL).json()["results"]] == [theirs.pk]
    assert merchant_api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert other_merchant_api.get(f"{URL}{mine.pk}/").status_code == 404
    assert merchant_api.get(f"{URL}{mine.pk}/").json()["order_no"] == complaint.order.order_no


def test_appeal_list_filters(merchant_api, complaint, order):
    open_one = AppealFactory(complaint=complaint)
    other_complaint = JudgedComplaintFactory(order=OrderFactory(product=order.product))
    rejected = AppealFactory(complaint=other_complaint, status="rejected", reason="no")
    assert [a["id"] for a in merchant_api.get(URL, {"status": "rejected"}).json()["results"]] == [rejected.pk]
    by_order = merchant_api.get(URL, {"order_no": order.order_no}).json()["results"]
    assert [a["id"] for a in by_order] == [open_one.pk]
    refused(merchant_api.get(URL, {"status": "bogus"}), "invalid")


@pytest.mark.parametrize("page_size", [1, 50])
def test_appeal_list_query_count_is_constant(merchant_api, complaint, shop, page_size, django_assert_num_queries):
    for _ in range(4):
        c = JudgedComplaintFactory(order=OrderFactory(product=ProductFactory(shop=shop)))
        AppealFactory(complaint=c, report=DeliveryReportFactory(shop=shop))
    merchant_api.get(URL)  # warm the role cache of the user object
    with django_assert_num_queries(2):  # count + one page with its related rows joined
        response = merchant_api.get(URL, {"page_size": page_size})
    assert len(response.json()["results"]) == min(page_size, 4)


def test_unknown_fields_and_bad_types_are_400(merchant_api, complaint):
    refused(merchant_api.post(URL, {"complaint": "abc"}, format="json"), "invalid")
    refused(merchant_api.post(URL, {}, format="json"), "required")
    assert not Appeal.objects.exists()


def test_platform_cannot_file_appeals(platform_api, complaint, report):
    assert post(platform_api, complaint, report.report_no).status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_appeals_open_only_one(merchant, shop):

    from complaints.services import appeal_create
    from core.errors import DomainError

    complaint = JudgedComplaintFactory(order=OrderFactory(product=ProductFactory(shop=shop), paid_at=sh(2022, 12, 26)))
    report = DeliveryReportFactory(shop=shop)

    def file(statement):
        appeal_create(actor=merchant, complaint=complaint, report_no=report.report_no, statement=statement)
        return "created"

    results = run_together(lambda: file("说明一"), lambda: file("说明二"))
    outcomes = [outcome(r, DomainError) for r in results]
    assert sorted(outcomes) == ["appeal_already_open", "created"]
    assert Appeal.objects.filter(complaint=complaint).count() == 1
