"""The merchant, ops and platform API of reports and exemptions (SPEC §3, §8), from outside."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.audit import audit_trail
from core.models import Policy
from core.policies import AUTO_APPROVE_WITH_COMMITMENT
from reports.models import DeliveryReport, UnifiedExemption
from reports.tests.factories import DeliveryReportFactory, UnifiedExemptionFactory
from shops.tests.factories import OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/"


def body(shop, **overrides):
    now = timezone.now()
    data = {
        "shop": shop.code,
        "scenario": "epidemic",
        "scope": "shop",
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=5)).isoformat(),
        "commitment_accepted": True,
    }
    data.update(overrides)
    return data


def post(client, data, **extra):
    return client.post(URL, data, format="json", **extra)


# --- create ---------------------------------------------------------------------------------


def test_epidemic_report_is_approved_in_the_same_request(merchant_api, shop, merchant):
    response = post(merchant_api, body(shop, note="封控"))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "approved" and data["decided_by"] == "系统"
    assert data["report_no"].startswith("BB") and len(data["report_no"]) == 15
    assert data["approved_at"] is not None and data["expired"] is False
    assert data["commitment_letter_version"] == "2022.12"
    report = DeliveryReport.objects.get(report_no=data["report_no"])
    assert report.decided_by_system and report.commitment_accepted_by == merchant
    assert [(e.action, e.to_status, e.actor_label) for e in audit_trail(report)] == [
        ("report_submitted", "pending_review", "merchant-a"),
        ("report_approved", "approved", "system"),
    ]


def test_major_event_waits_for_review_and_lists_products_and_regions(merchant_api, shop):
    ProductFactory(shop=shop, code="TEA-1")
    response = post(merchant_api, body(shop, scenario="major_event", scope="product", products=["TEA-1"]))
    assert response.status_code == 201
    assert response.json()["status"] == "pending_review" and response.json()["products"] == ["TEA-1"]
    response = post(merchant_api, body(shop, scenario="major_event", scope="region", regions=["330100", "420000"]))
    assert response.json()["regions"] == [{"code": "330100", "name": "杭州市"}, {"code": "420000", "name": "湖北省"}]
    report = DeliveryReport.objects.get(report_no=response.json()["report_no"])
    assert sorted(report.region_links.values_list("prefix", flat=True)) == ["3301", "42"]


def test_promised_ship_by_defaults_to_ends_at(merchant_api, shop):
    data = body(shop)
    response = post(merchant_api, data)
    assert response.json()["promised_ship_by"] == response.json()["ends_at"]


def test_before_the_policy_epidemic_reports_wait_for_review(merchant_api, shop):
    Policy.objects.filter(key=AUTO_APPROVE_WITH_COMMITMENT).update(effective_from=timezone.now() + timedelta(hours=1))
    assert post(merchant_api, body(shop)).json()["status"] == "pending_review"
    Policy.objects.filter(key=AUTO_APPROVE_WITH_COMMITMENT).update(effective_from=timezone.now() - timedelta(seconds=1))
    assert post(merchant_api, body(shop)).json()["status"] == "approved"
    Policy.objects.filter(key=AUTO_APPROVE_WITH_COMMITMENT).update(enabled=False)
    assert post(merchant_api, body(shop)).json()["status"] == "pending_review"


def _refusals(shop, other_shop_product):
    now = timezone.now()
    return [
        ({"commitment_accepted": False}, "commitment_required"),
        ({"commitment_accepted": None}, "invalid"),
        ({"commitment_letter_version": "2019.01"}, "commitment_letter_outdated"),
        ({"ends_at": (now - timedelta(hours=1)).isoformat()}, "window_invalid"),
        ({"ends_at": (now - timedelta(hours=1) + timedelta(days=30, seconds=1)).isoformat()}, "window_too_long"),
        ({"starts_at": (now - timedelta(hours=24, minutes=5)).isoformat()}, "window_backdated"),
        ({"promised_ship_by": (now + timedelta(days=6)).isoformat()}, "promised_ship_by_outside_window"),
        ({"promised_ship_by": (now - timedelta(hours=2)).isoformat()}, "promised_ship_by_outside_window"),
        ({"scope": "product"}, "products_required"),
        ({"scope": "region"}, "regions_required"),
        ({"scope": "shop", "regions": ["330000"]}, "scope_mismatch"),
        ({"scope": "region", "products": ["X"], "regions": ["330000"]}, "scope_mismatch"),
        ({"scope": "product", "products": ["NOPE"]}, "product_not_in_shop"),
        ({"scope": "product", "products": [other_shop_product.code]}, "product_not_in_shop"),
        ({"scope": "region", "regions": ["339999"]}, "region_unknown"),
        ({"scope": "region", "regions": ["33"]}, "region_unknown"),
        ({"scenario": "flood"}, "invalid"),
        ({"starts_at": "yesterday"}, "datetime_invalid"),
    ]


def test_every_refusal_has_its_code_and_changes_nothing(merchant_api, shop, other_shop):
    other_product = ProductFactory(shop=other_shop, code="B-ONLY")
    for overrides, code in _refusals(shop, other_product):
        response = post(merchant_api, body(shop, **overrides))
        assert (response.status_code, response.json()["code"]) == (400, code), overrides
        assert response.json()["detail"]
    assert not DeliveryReport.objects.exists()


def test_window_limits_follow_settings(merchant_api, shop, settings):
    settings.REPORT_MAX_WINDOW = timedelta(days=3)
    assert post(merchant_api, body(shop)).json()["code"] == "window_too_long"
    settings.REPORT_MAX_WINDOW = timedelta(days=30)
    settings.REPORT_MAX_BACKDATE = timedelta(minutes=30)
    assert post(merchant_api, body(shop)).json()["code"] == "window_backdated"


def test_a_window_exactly_at_the_limits_is_accepted(merchant_api, shop):
    now = timezone.now()
    starts = now - timedelta(hours=23, minutes=59)
    response = post(merchant_api, body(shop, starts_at=starts.isoformat(), ends_at=(starts + timedelta(days=30)).isoformat()))
    assert response.status_code == 201


def test_another_merchants_shop_is_404(merchant_api, other_shop):
    response = post(merchant_api, body(other_shop))
    assert (response.status_code, response.json()["code"]) == (404, "shop_not_found")
    assert not DeliveryReport.objects.exists()


def test_ops_and_platform_cannot_file_reports(ops_api, platform_api, shop):
    assert post(ops_api, body(shop)).status_code == 403
    assert post(platform_api, body(shop)).status_code == 403


def test_request_id_makes_a_repeat_idempotent(merchant_api, shop):
    data = body(shop, request_id="r-1")
    first = post(merchant_api, data)
    again = post(merchant_api, data)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["report_no"] == first.json()["report_no"]
    header = post(merchant_api, body(shop, starts_at=data["starts_at"], ends_at=data["ends_at"]), HTTP_IDEMPOTENCY_KEY="r-1")
    assert header.status_code == 200 and header.json()["report_no"] == first.json()["report_no"]
    conflict = post(merchant_api, {**data, "note": "different"})
    assert (conflict.status_code, conflict.json()["code"]) == (409, "report_conflict")
    assert DeliveryReport.objects.count() == 1
    assert post(merchant_api, body(shop)).status_code == 201  # no key: always a new report


# --- read -----------------------------------------------------------------------------------


def test_detail_and_withdraw_of_another_merchants_report_are_404(merchant_api, other_merchant_api, shop):
    report_no = post(merchant_api, body(shop)).json()["report_no"]
    assert merchant_api.get(f"{URL}{report_no}/").status_code == 200
    for response in (
        other_merchant_api.get(f"{URL}{report_no}/"),
        other_merchant_api.post(f"{URL}{report_no}/withdraw/", {}, format="json"),
        other_merchant_api.get(f"{URL}NOPE/"),
    ):
        assert (response.status_code, response.json()["code"]) == (404, "report_not_found")
    assert other_merchant_api.get(URL).json()["count"] == 0
    assert DeliveryReport.objects.get().status == "approved"


def test_list_filters(merchant_api, shop):
    later = timezone.now() + timedelta(days=1)
    DeliveryReportFactory(shop=shop, scenario="major_event", status="pending_review", ends_at=later)
    DeliveryReportFactory(shop=shop, scope="region", regions=["330000"], ends_at=later)
    past = DeliveryReportFactory(shop=shop, ends_at=timezone.now() - timedelta(seconds=1))
    assert merchant_api.get(URL, {"status": "pending_review"}).json()["count"] == 1
    assert merchant_api.get(URL, {"scenario": "epidemic"}).json()["count"] == 2
    assert merchant_api.get(URL, {"scope": "region"}).json()["count"] == 1
    expired = merchant_api.get(URL, {"expired": "true"}).json()
    assert [r["report_no"] for r in expired["results"]] == [past.report_no] and expired["results"][0]["expired"]
    response = merchant_api.get(URL, {"status": "bogus"})
    assert (response.status_code, response.json()["code"]) == (400, "invalid")


def test_expired_filter_reads_the_version_in_force(merchant_api, merchant, shop):
    from reports.services import report_amend

    now = timezone.now()
    window = {"starts_at": now - timedelta(days=10), "submitted_at": now - timedelta(days=10)}
    extended = DeliveryReportFactory(shop=shop, ends_at=now - timedelta(days=1), **window)
    report_amend(actor=merchant, report=extended, ends_at=now + timedelta(days=5), at=now - timedelta(days=2))
    assert merchant_api.get(URL, {"expired": "true"}).json()["count"] == 0
    live = merchant_api.get(URL, {"expired": "false"}).json()["results"]
    assert [(r["report_no"], r["expired"], r["version"]) for r in live] == [(extended.report_no, False, 2)]


def test_order_no_lookup_finds_scope_matching_reports_only_for_my_orders(
    merchant_api,
    other_merchant_api,
    shop,
    other_shop,
):
    product = ProductFactory(shop=shop)
    order = OrderFactory(product=product, receiver_region_id="330102")
    whole = DeliveryReportFactory(shop=shop)
    region = DeliveryReportFactory(shop=shop, scope="region", regions=["330100"], status="withdrawn", withdrawn_at=timezone.now())
    DeliveryReportFactory(shop=shop, scope="region", regions=["440000"])
    DeliveryReportFactory(shop=shop, scope="product", products=[ProductFactory(shop=shop)])
    listed = DeliveryReportFactory(shop=shop, scope="product", products=[product])
    DeliveryReportFactory(shop=other_shop)
    found = merchant_api.get(URL, {"order_no": order.order_no}).json()
    assert {r["report_no"] for r in found["results"]} == {whole.report_no, region.report_no, listed.report_no}
    assert other_merchant_api.get(URL, {"order_no": order.order_no}).json()["count"] == 0
    assert merchant_api.get(URL, {"order_no": "NOPE"}).json()["count"] == 0


def test_list_runs_a_fixed_number_of_queries(merchant_api, shop, django_assert_num_queries):
    products = ProductFactory.create_batch(2, shop=shop)
    for _ in range(50):
        DeliveryReportFactory(shop=shop, scope="product", products=products)
    DeliveryReportFactory(shop=shop, scope="region", regions=["330000", "110000"])
    merchant_api.get(URL)  # warm the role cache of the forced user
    counts = []
    for size in (1, 50):
        with django_assert_num_queries(5) as ctx:
            response = merchant_api.get(URL, {"page_size": size})
        counts.append(len(ctx.captured_queries))
        assert len(response.json()["results"]) == size
    assert counts[0] == counts[1]


# --- withdraw & ops ------------------------------------------------------------------------


def test_withdraw_then_illegal_moves_are_409(merchant_api, ops_api, shop):
    report_no = post(merchant_api, body(shop, scenario="major_event")).json()["report_no"]
    response = merchant_api.post(f"{URL}{report_no}/withdraw/", {"reason": "已恢复发货"}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "withdrawn" and data["withdrawn_at"] and data["reason"] == "已恢复发货"
    again = merchant_api.post(f"{URL}{report_no}/withdraw/", {}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "report_not_withdrawable")
    approve = ops_api.post(f"/api/v1/ops/reports/{report_no}/approve/", {}, format="json")
    assert (approve.status_code, approve.json()["code"]) == (409, "report_not_pending")
    revoke = ops_api.post(f"/api/v1/ops/reports/{report_no}/revoke/", {"reason": "x"}, format="json")
    assert (revoke.status_code, revoke.json()["code"]) == (409, "report_not_revocable")


def test_ops_approve_reject_revoke(merchant_api, ops_api, shop, ops_user):
    a = post(merchant_api, body(shop, scenario="major_event")).json()["report_no"]
    b = post(merchant_api, body(shop, scenario="other_force_majeure")).json()["report_no"]
    ops = "/api/v1/ops/reports/"
    no_reason = ops_api.post(f"{ops}{b}/reject/", {"reason": "  "}, format="json")
    assert (no_reason.status_code, no_reason.json()["code"]) == (400, "reason_required")
    assert DeliveryReport.objects.get(report_no=b).status == "pending_review"
    rejected = ops_api.post(f"{ops}{b}/reject/", {"reason": "证明材料不足"}, format="json").json()
    assert rejected["status"] == "rejected" and rejected["decided_by"] == "ops-reviewer"
    approved = ops_api.post(f"{ops}{a}/approve/", {}, format="json").json()
    assert approved["status"] == "approved" and approved["approved_at"] and approved["decided_by"] == "ops-reviewer"
    assert ops_api.post(f"{ops}{a}/revoke/", {}, format="json").json()["code"] == "reason_required"
    revoked = ops_api.post(f"{ops}{a}/revoke/", {"reason": "抽查发现承诺不实"}, format="json").json()
    assert revoked["status"] == "revoked" and revoked["revoked_at"] and revoked["reason"] == "抽查发现承诺不实"
    assert ops_api.post(f"{ops}NOPE/approve/", {}, format="json").status_code == 404
    report = DeliveryReport.objects.get(report_no=a)
    assert [e.action for e in audit_trail(report)] == ["report_submitted", "report_approved", "report_revoked"]


def test_merchants_cannot_call_ops_endpoints(merchant_api, shop):
    report = DeliveryReportFactory(shop=shop, status="pending_review")
    response = merchant_api.post(f"/api/v1/ops/reports/{report.report_no}/approve/", {}, format="json")
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == "pending_review"


# --- letter, exemptions ---------------------------------------------------------------------


def test_commitment_letter(merchant_api):
    data = merchant_api.get("/api/v1/commitment-letter/").json()
    assert data["version"] == "2022.12" and "本店铺郑重承诺" in data["text"]


def test_platform_pushes_exemptions_idempotently(platform_api, merchant_api):
    now = timezone.now()
    data = {
        "title": "湖北疫情统一免责",
        "scenario": "epidemic",
        "regions": ["420000", "110105"],
        "applies_to": "either",
        "starts_at": (now - timedelta(days=1)).isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat(),
    }
    first = platform_api.post("/api/v1/platform/exemptions/", data, format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["regions"] == [{"code": "110105", "name": "朝阳区"}, {"code": "420000", "name": "湖北省"}]
    again = platform_api.post("/api/v1/platform/exemptions/", data, format="json")
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    conflict = platform_api.post("/api/v1/platform/exemptions/", {**data, "regions": ["420000"]}, format="json")
    assert (conflict.status_code, conflict.json()["code"]) == (409, "exemption_conflict")
    exemption = UnifiedExemption.objects.get()
    assert exemption.source == "platform"
    assert sorted(exemption.region_links.values_list("prefix", flat=True)) == ["110105", "42"]
    assert [e.action for e in audit_trail(exemption)] == ["exemption_created"]
    in_force = merchant_api.get("/api/v1/exemptions/").json()
    assert [e["title"] for e in in_force["results"]] == ["湖北疫情统一免责"]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"regions": []}, "regions_required"),
        ({"regions": ["999999"]}, "region_unknown"),
        ({"ends_at": "2022-12-01T00:00:00+08:00"}, "window_invalid"),
        ({"applies_to": "buyer"}, "invalid"),
    ],
)
def test_platform_exemption_refusals(platform_api, overrides, code):
    data = {
        "title": "t",
        "scenario": "epidemic",
        "regions": ["420000"],
        "applies_to": "receiver",
        "starts_at": "2022-12-20T00:00:00+08:00",
        "ends_at": "2022-12-30T00:00:00+08:00",
        **overrides,
    }
    response = platform_api.post("/api/v1/platform/exemptions/", data, format="json")
    assert (response.status_code, response.json()["code"]) == (400, code)
    assert not UnifiedExemption.objects.exists()


def test_only_the_platform_pushes_exemptions(merchant_api, ops_api):
    assert merchant_api.post("/api/v1/platform/exemptions/", {}, format="json").status_code == 403
    assert ops_api.post("/api/v1/platform/exemptions/", {}, format="json").status_code == 403


def test_exemptions_list_shows_only_those_in_force(merchant_api):
    now = timezone.now()
    UnifiedExemptionFactory(title="past", starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=1))
    UnifiedExemptionFactory(title="now", starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=1), regions=["420000"])
    UnifiedExemptionFactory(title="future", starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=3))
    assert [e["title"] for e in merchant_api.get("/api/v1/exemptions/").json()["results"]] == ["now"]
