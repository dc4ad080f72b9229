"""Amending an approved report (SPEC §11): versions with their own approval, audit, and coverage
that names the version and never narrows what an earlier version covered."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.audit import audit_trail
from core.errors import Conflict, IllegalTransition, InvalidInput
from core.models import Policy
from core.policies import AUTO_APPROVE_WITH_COMMITMENT
from reports import coverage, services
from reports.models import DeliveryReport, ReportAmendment
from reports.tests.factories import DeliveryReportFactory
from shops.models import Order
from shops.tests.factories import OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def tea(shop):
    return ProductFactory(shop=shop, code="TEA")


@pytest.fixture
def cup(shop):
    return ProductFactory(shop=shop, code="CUP")


@pytest.fixture
def report(shop, tea, now, merchant):
    """An approved epidemic product report on TEA, approved an hour ago, for three days."""
    return DeliveryReportFactory(
        shop=shop,
        scope="product",
        products=[tea],
        starts_at=now - timedelta(hours=1),
        submitted_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=3),
        submitted_by=merchant,
    )


def amend(report, merchant, **kwargs):
    return services.report_amend(actor=merchant, report=report, **kwargs)


def test_extending_an_epidemic_report_is_version_2_approved_at_once_and_audited(report, merchant, now):
    # when the merchant extends the window by two days
    amendment = amend(report, merchant, ends_at=report.ends_at + timedelta(days=2), note="疫情持续")
    # then version 2 is approved by the system with the whole new window and the old products
    assert amendment.version == 2 and amendment.status == "approved" and amendment.decided_by_system
    assert amendment.ends_at == report.ends_at + timedelta(days=2)
    assert [link.product.code for link in amendment.product_links.all()] == ["TEA"]
    # the promised ship-by time was the default (the end) and follows it
    assert amendment.promised_ship_by == amendment.ends_at
    # the report keeps its number and shows version 2 as its current window
    report.refresh_from_db()
    assert services.report_current_version(report).version == 2
    actions = [e.action for e in audit_trail(report)]
    assert actions[-2:] == ["report_amended", "report_amendment_approved"]


def test_a_major_event_amendment_waits_for_ops_then_covers_from_its_approval(shop, tea, cup, merchant, ops_user, now):
    report = DeliveryReportFactory(
        shop=shop,
        scenario="major_event",
        scope="product",
        products=[tea],
        starts_at=now - timedelta(hours=1),
        submitted_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=3),
    )
    amendment = amend(report, merchant, products=["CUP"])
    assert amendment.status == "pending_review" and amendment.approved_at is None
    order = OrderFactory(product=cup, paid_at=now - timedelta(hours=2))
    # pending: the new product is not covered
    assert not coverage.report_covers(report, order, now)
    later = now + timedelta(minutes=10)
    services.amendment_approve(actor=ops_user, amendment=amendment, at=later)
    report = DeliveryReport.objects.get(pk=report.pk)
    # approved: covered from its approval on, and not before
    assert coverage.report_covers(report, order, later)
    assert not coverage.report_covers(report, order, later - timedelta(seconds=1))
    assert coverage.covering_version(report, order, later) == 2
    assert coverage.covering_report(order, later) == report
    assert coverage.covering_report(order, later - timedelta(seconds=1)) is None


def test_the_first_version_keeps_covering_what_it_covered(report, merchant, tea, now):
    order = OrderFactory(product=tea, paid_at=now - timedelta(hours=2))
    amend(report, merchant, ends_at=report.ends_at + timedelta(days=1))
    report = DeliveryReport.objects.get(pk=report.pk)
    assert coverage.covering_version(report, order, now) == 1
    # after version 1's end only version 2 covers
    after = report.ends_at + timedelta(hours=1)
    late_order = OrderFactory(product=tea, paid_at=after - timedelta(hours=1))
    assert coverage.covering_version(report, late_order, after) == 2


def test_python_and_sql_agree_on_versions(report, merchant, tea, cup, now):
    amend(report, merchant, products=["CUP"], ends_at=report.ends_at + timedelta(days=1))
    report = DeliveryReport.objects.prefetch_related("amendments__product_links", "product_links").get(pk=report.pk)
    for product in (tea, cup):
        order = OrderFactory(product=product, paid_at=now - timedelta(hours=1))
        for at in (now - timedelta(minutes=30), now + timedelta(seconds=1), report.ends_at + timedelta(hours=12)):
            sql = Order.objects.filter(pk=order.pk).annotate(
                rid=coverage.covering_reports_subquery(at="ship_deadline")
            )  # the bulk form, at a field
            q = coverage.report_coverage_q(
                shop=order.shop_id,
                product=order.product_id,
                receiver_region=order.receiver_region_id,
                ship_deadline=order.ship_deadline,
                at=at,
            )
            assert DeliveryReport.objects.filter(q, pk=report.pk).exists() is coverage.report_covers(report, order, at), (
                product.code,
                at,
            )
            assert sql.get().rid == (report.pk if coverage.report_covers(report, order, order.ship_deadline) else None)


def test_scope_match_includes_approved_amendments(report, merchant, cup, now):
    order = OrderFactory(product=cup)
    assert report not in coverage.reports_scope_matching(order)
    amend(report, merchant, products=["CUP"])
    assert report in coverage.reports_scope_matching(order)


def test_withdrawing_ends_every_version(report, merchant, tea, now):
    amend(report, merchant, ends_at=report.ends_at + timedelta(days=1))
    services.report_withdraw(actor=merchant, report=report, at=now + timedelta(minutes=1))
    order = OrderFactory(product=tea, paid_at=now - timedelta(hours=1))
    report = DeliveryReport.objects.get(pk=report.pk)
    assert not coverage.report_covers(report, order, now + timedelta(minutes=2))
    assert coverage.report_covers(report, order, now)


@pytest.mark.parametrize(
    ("make_kwargs", "code"),
    [
        (lambda r: {}, "amendment_empty"),
        (lambda r: {"ends_at": r.ends_at}, "amendment_empty"),
        (lambda r: {"products": ["TEA"]}, "amendment_empty"),
        (lambda r: {"ends_at": r.ends_at - timedelta(hours=1)}, "amendment_narrows"),
        (lambda r: {"promised_ship_by": r.promised_ship_by - timedelta(hours=1)}, "amendment_narrows"),
        (lambda r: {"ends_at": r.starts_at + timedelta(days=30, seconds=1)}, "window_too_long"),
        (
            lambda r: {"ends_at": r.ends_at + timedelta(days=1), "promised_ship_by": r.ends_at + timedelta(days=2)},
            "promised_ship_by_outside_window",
        ),
        (lambda r: {"regions": ["330000"]}, "scope_mismatch"),
        (lambda r: {"products": ["NOPE"]}, "product_not_in_shop"),
    ],
)
def test_each_refusal_has_its_code_and_writes_nothing(report, merchant, make_kwargs, code):
    with pytest.raises(InvalidInput) as caught:
        amend(report, merchant, **make_kwargs(report))
    assert caught.value.code == code
    assert not ReportAmendment.objects.exists()


def test_a_window_of_exactly_30_days_is_accepted(report, merchant):
    assert amend(report, merchant, ends_at=report.starts_at + timedelta(days=30)).version == 2


def test_region_report_widens_with_regions_only(shop, merchant, now):
    report = DeliveryReportFactory(
        shop=shop, scope="region", regions=["330100"], starts_at=now, submitted_at=now, ends_at=now + timedelta(days=1)
    )
    with pytest.raises(InvalidInput) as caught:
        amend(report, merchant, regions=["339999"])
    assert caught.value.code == "region_unknown"
    amendment = amend(report, merchant, regions=["420100"])
    assert sorted(link.region_id for link in amendment.region_links.all()) == ["330100", "420100"]


@pytest.mark.parametrize("status", ["pending_review", "rejected", "withdrawn", "revoked"])
def test_only_an_approved_report_can_be_amended(shop, merchant, now, status):
    report = DeliveryReportFactory(shop=shop, status=status, starts_at=now, submitted_at=now, ends_at=now + timedelta(days=1))
    with pytest.raises(Conflict) as caught:
        amend(report, merchant, ends_at=now + timedelta(days=2))
    assert caught.value.code == "report_not_amendable"


def test_an_ended_window_cannot_be_amended(shop, merchant):
    report = DeliveryReportFactory(shop=shop)  # ended in 2023
    with pytest.raises(Conflict) as caught:
        amend(report, merchant, ends_at=timezone.now() + timedelta(days=1))
    assert caught.value.code == "report_window_over"


def test_one_pending_amendment_at_a_time_and_decisions(shop, merchant, ops_user, now):
    Policy.objects.filter(key=AUTO_APPROVE_WITH_COMMITMENT).update(enabled=False)  # nothing is auto-approved
    report = DeliveryReportFactory(shop=shop, starts_at=now, submitted_at=now, ends_at=now + timedelta(days=1))
    first = amend(report, merchant, ends_at=now + timedelta(days=2))
    assert first.status == "pending_review"
    with pytest.raises(Conflict) as caught:
        amend(report, merchant, ends_at=now + timedelta(days=3))
    assert caught.value.code == "amendment_pending"
    with pytest.raises(InvalidInput) as caught:
        services.amendment_reject(actor=ops_user, amendment=first, reason=" ")
    assert caught.value.code == "reason_required"
    services.amendment_reject(actor=ops_user, amendment=first, reason="材料不足")
    with pytest.raises(IllegalTransition) as caught:
        services.amendment_approve(actor=ops_user, amendment=first)
    assert caught.value.code == "amendment_not_pending"
    # after a rejection the next amendment is version 3; version 1 is still current
    second = amend(report, merchant, ends_at=now + timedelta(days=2))
    assert second.version == 3 and services.report_current_version(report) == report


# --- API ------------------------------------------------------------------------------------


def amend_url(report) -> str:
    return f"/api/v1/reports/{report.report_no}/amend/"


def test_api_amend_answers_the_report_at_its_new_version(merchant_api, report, cup, now):
    new_end = report.ends_at + timedelta(days=2)
    response = merchant_api.post(amend_url(report), {"ends_at": new_end.isoformat(), "products": ["CUP"]}, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["report_no"] == report.report_no and data["version"] == 2
    assert data["products"] == ["CUP", "TEA"] and data["ends_at"] == timezone.localtime(new_end).isoformat()
    assert [(a["version"], a["status"], a["decided_by"]) for a in data["amendments"]] == [(2, "approved", "system")]
    # the detail says the same
    detail = merchant_api.get(f"/api/v1/reports/{report.report_no}/").json()
    assert detail["version"] == 2 and detail["products"] == ["CUP", "TEA"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "amendment_empty"),
        ({"ends_at": "2022-01-01T00:00:00+08:00"}, 400, "amendment_narrows"),
        ({"regions": ["330000"]}, 400, "scope_mismatch"),
        ({"products": ["NOPE"]}, 400, "product_not_in_shop"),
        ({"ends_at": "soon"}, 400, "datetime_invalid"),
    ],
)
def test_api_refusals(merchant_api, report, body, status, code):
    response = merchant_api.post(amend_url(report), body, format="json")
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_api_conflicts_and_tenancy(merchant_api, other_merchant_api, ops_api, shop, report, cup, now):
    assert other_merchant_api.post(amend_url(report), {"products": ["CUP"]}, format="json").status_code == 404
    assert ops_api.post(amend_url(report), {"products": ["CUP"]}, format="json").status_code == 403
    ended = DeliveryReportFactory(shop=shop)
    response = merchant_api.post(amend_url(ended), {"ends_at": (now + timedelta(days=1)).isoformat()}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "report_window_over")
    pending = DeliveryReportFactory(
        shop=shop, status="pending_review", starts_at=now, submitted_at=now, ends_at=now + timedelta(days=1)
    )
    response = merchant_api.post(amend_url(pending), {"ends_at": (now + timedelta(days=2)).isoformat()}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "report_not_amendable")


def test_explainer_and_notice_name_the_covering_version(merchant_api, platform_api, report, cup, now):
    order = OrderFactory(product=cup, paid_at=now - timedelta(hours=1))
    merchant_api.post(amend_url(report), {"products": ["CUP"]}, format="json")
    data = merchant_api.get(f"/api/v1/orders/{order.order_no}/coverage/").json()
    assert data["verdict"]["report_no"] == report.report_no and data["verdict"]["version"] == 2
    assert [c["version"] for c in data["reports"] if c["covers"]] == [2]
    notice = platform_api.get(f"/api/v1/platform/orders/{order.order_no}/delivery-notice/").json()
    assert notice["report_no"] == report.report_no and notice["version"] == 2


# --- portal and admin -----------------------------------------------------------------------


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_portal_amend_form_files_version_2_and_the_detail_shows_it(client, merchant, report, cup):
    client.force_login(merchant)
    detail_url = f"/reports/{report.report_no}/"
    page = client.get(detail_url).content.decode()
    assert "补充报备" in page and 'id="amend-form"' in page
    new_end = report.ends_at + timedelta(days=1)
    response = client.post(
        f"/reports/{report.report_no}/amend/", {"ends_at": _local(new_end), "products": ["CUP"], "note": "延长"}
    )
    assert response.status_code == 302 and response["Location"] == detail_url
    page = client.get(detail_url).content.decode()
    assert 'id="report-version">v2<' in page and "CUP" in page and "版本记录" in page
    assert "补充报备已通过" in page  # the history names the amendment


def test_portal_amend_refusal_shows_on_the_form(client, merchant, report):
    client.force_login(merchant)
    response = client.post(f"/reports/{report.report_no}/amend/", {"ends_at": _local(report.ends_at - timedelta(days=1))})
    assert response.status_code == 200 and response.context["amend_form"].errors["ends_at"]
    assert not ReportAmendment.objects.exists()


def test_portal_offers_no_amend_form_to_a_pending_report(client, merchant, shop, now):
    report = DeliveryReportFactory(
        shop=shop, status="pending_review", starts_at=now, submitted_at=now, ends_at=now + timedelta(days=1)
    )
    client.force_login(merchant)
    assert 'id="amend-form"' not in client.get(f"/reports/{report.report_no}/").content.decode()


@pytest.fixture
def pending_amendment(shop, merchant, now):
    """An amendment waiting for review (the policy that approves at once is off)."""
    Policy.objects.filter(key=AUTO_APPROVE_WITH_COMMITMENT).update(enabled=False)
    report = DeliveryReportFactory(
        shop=shop, scenario="major_event", starts_at=now, submitted_at=now, ends_at=now + timedelta(days=1)
    )
    return amend(report, merchant, ends_at=now + timedelta(days=2))


@pytest.fixture
def ops_admin(client, ops_user):
    ops_user.is_staff = True
    ops_user.save(update_fields=["is_staff"])
    client.force_login(ops_user)
    return client


def test_admin_approves_a_pending_amendment(ops_admin, ops_user, pending_amendment):
    client, amendment = ops_admin, pending_amendment
    changelist = "/admin/reports/reportamendment/"
    assert str(amendment) in client.get(changelist + "?status__exact=pending_review").content.decode()
    confirm = client.post(changelist, {"action": "approve_amendments", "_selected_action": [amendment.pk]})
    assert confirm.status_code == 200 and "v2" in confirm.content.decode()
    done = client.post(
        changelist, {"action": "approve_amendments", "_selected_action": [amendment.pk], "apply": "yes", "reason": ""}
    )
    assert done.status_code == 302
    amendment.refresh_from_db()
    assert amendment.status == "approved" and amendment.decided_by == ops_user
    assert client.get(f"/admin/reports/reportamendment/{amendment.pk}/change/").status_code == 200


def test_admin_rejects_an_amendment_only_with_a_reason(ops_admin, ops_user, pending_amendment):
    client, amendment = ops_admin, pending_amendment
    data = {"action": "reject_amendments", "_selected_action": [amendment.pk], "apply": "yes"}
    # an empty reason keeps the confirmation page, with the form's error
    empty = client.post("/admin/reports/reportamendment/", {**data, "reason": ""})
    assert empty.status_code == 200 and empty.context["form"].errors and empty.context["title"] == "确认驳回"
    amendment.refresh_from_db()
    assert amendment.status == "pending_review"
    done = client.post("/admin/reports/reportamendment/", {**data, "reason": "材料不足"})
    assert done.status_code == 302
    amendment.refresh_from_db()
    assert (amendment.status, amendment.reason, amendment.decided_by) == ("rejected", "材料不足", ops_user)


def test_a_decision_reaches_the_shops_inbox_and_nobody_decides_their_own(shop, merchant, ops_user, now):
    from core.errors import DomainError
    from notifications.models import Notification

    Policy.objects.filter(key=AUTO_APPROVE_WITH_COMMITMENT).update(enabled=False)
    report = DeliveryReportFactory(shop=shop, starts_at=now, submitted_at=now, ends_at=now + timedelta(days=1))
    amendment = amend(report, merchant, ends_at=now + timedelta(days=2))
    # a member of the shop may not decide its amendment
    with pytest.raises(DomainError) as caught:
        services.amendment_approve(actor=merchant, amendment=amendment)
    assert caught.value.code == "conflict_of_interest"
    services.amendment_approve(actor=ops_user, amendment=amendment)
    note = Notification.objects.get(user=merchant)
    assert "第 2 版" in note.title and note.link == f"/reports/{report.report_no}/"
