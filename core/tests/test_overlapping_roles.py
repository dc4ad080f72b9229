"""SPEC §9 "whose shops": a user who is both an ops reviewer and a member of shop A acts as a
merchant of shop A only. Shop B's objects are a 404 on every merchant path (API, portal and the
merchant services themselves), its shop is missing from the portal pickers, and nothing changes.
Ops powers come only through the ops endpoints and the admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from complaints.models import Appeal
from complaints.services import appeal_create
from complaints.tests.factories import JudgedComplaintFactory
from core.errors import NotFound
from core.roles import MERCHANT, OPS_REVIEWER, grant_role
from core.tests.test_api_tenancy import ENDPOINTS, _fill, _state, theirs  # noqa: F401 (fixture)
from reports.models import DeliveryReport
from reports.services import ReportDraft, report_submit, report_withdraw
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import OrderFactory, ProductFactory, UserFactory
from tickets.services import ticket_reply
from tickets.tests.factories import UrgeTaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def both(shop):
    """Ops reviewer **and** member of shop A (shop-a)."""
    user = UserFactory(username="ops-and-merchant")
    grant_role(user, OPS_REVIEWER)
    grant_role(user, MERCHANT)
    shop.memberships.create(user=user)
    return user


@pytest.fixture
def both_api(both):
    client = APIClient()
    client.force_authenticate(both)
    return client


MERCHANT_ENDPOINTS = [e for e in ENDPOINTS if "/storefront/" not in e[1]]


@pytest.mark.parametrize(
    ("method", "url", "body"), MERCHANT_ENDPOINTS, ids=[f"{m.upper()} {u}" for m, u, _ in MERCHANT_ENDPOINTS]
)
def test_ops_member_of_a_gets_404_for_shop_b_on_every_merchant_endpoint(both_api, theirs, method, url, body):  # noqa: F811
    before = _state(theirs)
    filled_url, filled_body = _fill(url, theirs), _fill(body, theirs)
    response = both_api.get(filled_url) if method == "get" else both_api.post(filled_url, filled_body, format="json")
    assert response.status_code == 404, (filled_url, response.content)
    assert response.json()["code"].endswith("not_found")
    assert _state(theirs) == before


def test_ops_member_of_a_lists_only_shop_a(both_api, theirs, shop):  # noqa: F811
    mine = DeliveryReportFactory(shop=shop)
    reports = both_api.get("/api/v1/reports/").json()
    assert [r["report_no"] for r in reports["results"]] == [mine.report_no]
    for url in ("/api/v1/tickets/", "/api/v1/complaints/", "/api/v1/appeals/", "/api/v1/products/"):
        assert both_api.get(url).json()["count"] == 0, url
    shops = [row["shop"] for row in both_api.get("/api/v1/metrics/service/").json()["results"]]
    assert shops == ["shop-a"]


def test_ops_member_of_a_cannot_file_for_shop_b(both_api, other_shop):
    body = {
        "shop": other_shop.code,
        "scenario": "epidemic",
        "scope": "shop",
        "commitment_accepted": True,
        "starts_at": "2030-01-01T00:00:00+08:00",
        "ends_at": "2030-01-02T00:00:00+08:00",
    }
    response = both_api.post("/api/v1/reports/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "shop_not_found")
    assert not DeliveryReport.objects.exists()


def test_the_portal_picker_lists_member_shops_only(client, both, other_shop):
    client.force_login(both)
    page = client.get(reverse("reports:portal-create"))
    choices = [code for code, _label in page.context["form"].fields["shop"].choices]
    assert choices == ["shop-a"]


def test_portal_pages_of_shop_b_are_404_and_change_nothing(client, both, other_shop):
    order = OrderFactory(product=ProductFactory(shop=other_shop))
    report = DeliveryReportFactory(shop=other_shop)
    complaint = JudgedComplaintFactory(order=order, judged_at=timezone.now() - timedelta(hours=1))
    task = UrgeTaskFactory(order=order)
    client.force_login(both)
    assert client.get(reverse("reports:portal-detail", args=[report.report_no])).status_code == 404
    assert client.post(reverse("reports:portal-withdraw", args=[report.report_no])).status_code == 404
    assert client.get(reverse("complaints:portal-detail", args=[complaint.pk])).status_code == 404
    appeal = client.post(
        reverse("complaints:portal-appeal", args=[complaint.pk]), {"report_no": report.report_no, "statement": "x"}
    )
    assert appeal.status_code == 404
    assert client.get(reverse("tickets:portal-detail", args=[task.pk])).status_code == 404
    assert client.post(reverse("tickets:portal-reply", args=[task.pk]), {"option": "shipped"}).status_code == 404
    filed = client.post(
        reverse("reports:portal-create"),
        {
            "shop": other_shop.code,
            "scenario": "epidemic",
            "scope": "shop",
            "starts_at": "2030-01-01T00:00",
            "ends_at": "2030-01-02T00:00",
            "commitment_accepted": "on",
        },
    )
    assert filed.status_code == 200  # the form refuses an unknown choice
    report.refresh_from_db()
    assert report.status == "approved" and DeliveryReport.objects.count() == 1 and not Appeal.objects.exists()


def test_the_merchant_services_check_membership_themselves(both, other_shop):
    """Defence in depth: even a caller that forgot the selector cannot act for shop B."""
    order = OrderFactory(product=ProductFactory(shop=other_shop))
    report = DeliveryReportFactory(shop=other_shop)
    complaint = JudgedComplaintFactory(order=order, judged_at=timezone.now() - timedelta(hours=1))
    task = UrgeTaskFactory(order=order)
    now = timezone.now()
    with pytest.raises(NotFound):
        report_submit(
            actor=both,
            draft=ReportDraft(
                shop=other_shop,
                scenario="epidemic",
                scope="shop",
                starts_at=now,
                ends_at=now + timedelta(days=1),
                commitment_accepted=True,
            ),
        )
    with pytest.raises(NotFound):
        report_withdraw(actor=both, report=report)
    with pytest.raises(NotFound):
        appeal_create(actor=both, complaint=complaint, report_no=report.report_no, statement="x")
    with pytest.raises(NotFound):
        ticket_reply(actor=both, task=task, option="shipped")
    report.refresh_from_db()
    assert report.status == "approved"
