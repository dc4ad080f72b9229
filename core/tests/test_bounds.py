"""SPEC §9 bounds on every input, each with the code that names it, never a 500: API bodies,
query parameters, portal forms and admin forms all use ``core.bounds``."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from badges.services import badge_run_day
from badges.tests.factories import make_orders
from complaints.models import Complaint
from reports.models import DeliveryReport, UnifiedExemption
from shops.models import Order
from shops.tests.factories import OrderFactory, ProductFactory, sh
from storefront.tests.factories import StorefrontFactory
from tickets.models import UrgeTask
from tickets.tests.factories import UrgeTaskFactory

pytestmark = pytest.mark.django_db


def _code(response, status: int = 400) -> str:
    assert response.status_code == status, response.content[:400]
    return response.json()["code"]


def _report(**overrides) -> dict:
    body = {
        "shop": "shop-a",
        "scenario": "epidemic",
        "scope": "shop",
        "commitment_accepted": True,
        "starts_at": "2030-01-01T00:00:00+08:00",
        "ends_at": "2030-01-02T00:00:00+08:00",
    }
    return {**body, **overrides}


# --- datetimes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("0001-01-01T00:00", "datetime_out_of_range"),  # naive year 1: was a 500
        ("0001-01-01T00:00:00+00:00", "datetime_out_of_range"),
        ("9999-12-31T23:59:59", "datetime_out_of_range"),
        ("1999-12-31T23:59:59+08:00", "datetime_out_of_range"),
        ("2100-01-01T00:00:00+08:00", "datetime_out_of_range"),
        ("2030-01-01T00:00:00+20:00", "datetime_invalid"),  # an offset beyond ±14:00
        ("2030-02-30T00:00:00+08:00", "datetime_invalid"),  # an impossible date (was DRF's "invalid")
        ("2030-02-30", "datetime_invalid"),
        ("2030-01-01T00:00:00+99:00", "datetime_invalid"),
        ("yesterday", "datetime_invalid"),
        ("", "datetime_invalid"),
    ],
)
def test_every_api_datetime_is_bounded(merchant_api, merchant, value, code):
    assert _code(merchant_api.post("/api/v1/reports/", _report(starts_at=value), format="json")) == code
    assert not DeliveryReport.objects.exists()


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("0001-01-01T00:00", "datetime_out_of_range"),
        ("2030-02-30T00:00", "datetime_invalid"),
        ("2030-01-01T00:00+99:00", "datetime_invalid"),
        ("9999-12-31T00:00", "datetime_out_of_range"),
    ],
)
def test_the_coverage_query_parameter_is_bounded(merchant_api, shop, value, code):
    order = OrderFactory(product=ProductFactory(shop=shop))
    response = merchant_api.get(f"/api/v1/orders/{order.order_no}/coverage/", {"at": value})
    assert response.status_code == 400 and response.json()["code"] == code


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00", "2030-02-30T00:00", "2030-01-01T00:00+99:00", "2030-01-01T00:00+15:00", "junk", "9" * 200]
)
def test_the_portal_coverage_page_refuses_odd_times_with_a_400_not_a_500(client, merchant, shop, value):
    order = OrderFactory(product=ProductFactory(shop=shop))
    client.force_login(merchant)
    response = client.get(reverse("reports:portal-coverage"), {"order_no": order.order_no, "at": value})
    assert response.status_code == 400
    assert response.context["error"]


def test_the_portal_coverage_page_still_answers_a_good_time(client, merchant, shop):
    order = OrderFactory(product=ProductFactory(shop=shop))
    client.force_login(merchant)
    response = client.get(reverse("reports:portal-coverage"), {"order_no": order.order_no, "at": "2022-12-28T10:00"})
    assert response.status_code == 200 and response.context["explanation"]


def test_the_portal_reply_form_refuses_year_9999(client, merchant, shop):
    task = UrgeTaskFactory(
        order=OrderFactory(product=ProductFactory(shop=shop)), reply_due_at=timezone.now() + timedelta(hours=3)
    )
    client.force_login(merchant)
    response = client.post(
        reverse("tickets:portal-reply", args=[task.pk]), {"option": "ship_later", "promised_ship_by": "9999-12-31T23:59"}
    )
    assert response.status_code == 400  # the form again, with its error
    assert "promised_ship_by" in response.context["form"].errors
    assert UrgeTask.objects.get(pk=task.pk).status == task.status


def test_the_portal_report_form_refuses_year_1(client, merchant, shop):
    client.force_login(merchant)
    response = client.post(
        reverse("reports:portal-create"),
        {
            "shop": shop.code,
            "scenario": "epidemic",
            "scope": "shop",
            "starts_at": "0001-01-01T00:00",
            "ends_at": "2030-01-02T00:00",
            "commitment_accepted": "on",
        },
    )
    assert response.status_code == 200 and "starts_at" in response.context["form"].errors
    assert not DeliveryReport.objects.exists()


def test_admin_forms_refuse_out_of_range_datetimes(client, ops_admin_user):
    client.force_login(ops_admin_user)
    response = client.post(
        reverse("admin:reports_unifiedexemption_add"),
        {
            "title": "远古",
            "scenario": "epidemic",
            "applies_to": "receiver",
            "starts_at_0": "0001-01-01",
            "starts_at_1": "00:00:00",
            "ends_at_0": "9999-12-31",
            "ends_at_1": "00:00:00",
            "region_codes": ["110000"],
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "starts_at" in errors and "ends_at" in errors
    assert not UnifiedExemption.objects.exists()


# --- platform event times ------------------------------------------------------------------------


def test_platform_event_times_may_not_lie_in_the_future(platform_api, shop):
    product = ProductFactory(shop=shop, code="P1")
    soon = (timezone.now() + timedelta(minutes=4)).isoformat()
    later = (timezone.now() + timedelta(minutes=10)).isoformat()
    order = {
        "order_no": "O-FUTURE",
        "shop": shop.code,
        "product": product.code,
        "amount": "10.00",
        "receiver_region": "110101",
        "sender_region": "330106",
    }
    assert _code(platform_api.post("/api/v1/platform/orders/", {**order, "paid_at": later}, format="json")) == "time_in_future"
    assert platform_api.post("/api/v1/platform/orders/", {**order, "paid_at": soon}, format="json").status_code == 201
    events = "/api/v1/platform/orders/O-FUTURE/events/"
    assert _code(platform_api.post(events, {"type": "shipped", "at": later}, format="json")) == "time_in_future"
    urge = {"event_id": "U-FUTURE", "order_no": "O-FUTURE", "urged_at": later}
    assert _code(platform_api.post("/api/v1/platform/urges/", urge, format="json")) == "time_in_future"
    complaint = {"event_id": "C-FUTURE", "order_no": "O-FUTURE", "reason": "delayed_shipment", "filed_at": later}
    assert _code(platform_api.post("/api/v1/platform/complaints/", complaint, format="json")) == "time_in_future"
    assert Order.objects.get(order_no="O-FUTURE").shipped_at is None
    assert not UrgeTask.objects.exists() and not Complaint.objects.exists()


# --- lists ---------------------------------------------------------------------------------------


def test_a_list_of_more_than_1000_items_is_refused_before_any_database_work(
    merchant_api, merchant, django_assert_max_num_queries
):
    merchant_api.get("/api/v1/reports/")  # warm the role cache of the forced user
    regions = [f"{110101 + n}" for n in range(260_000)]
    with django_assert_max_num_queries(1):
        response = merchant_api.post("/api/v1/reports/", _report(scope="region", regions=regions), format="json")
    assert _code(response) == "too_many_items"
    assert _code(merchant_api.post("/api/v1/reports/", _report(scope="product", products=["P"] * 1001), format="json")) == (
        "too_many_items"
    )


def test_exemption_regions_and_evidence_are_bounded(platform_api, shop):
    body = {
        "title": "太多",
        "scenario": "epidemic",
        "regions": ["110000"] * 1001,
        "applies_to": "receiver",
        "starts_at": "2030-01-01T00:00:00+08:00",
        "ends_at": "2030-01-02T00:00:00+08:00",
    }
    assert _code(platform_api.post("/api/v1/platform/exemptions/", body, format="json")) == "too_many_items"
    order = OrderFactory(product=ProductFactory(shop=shop))
    complaint = {
        "event_id": "C-1",
        "order_no": order.order_no,
        "reason": "delayed_shipment",
        "filed_at": "2022-12-30T10:00:00+08:00",
        "evidence": ["https://example.com/a.jpg"] * 21,
    }
    assert _code(platform_api.post("/api/v1/platform/complaints/", complaint, format="json")) == "too_many_items"


def test_the_services_bound_lists_themselves(merchant, shop):
    from core.bounds import BoundsError
    from reports.services import ReportDraft, report_submit

    now = timezone.now()
    with pytest.raises(BoundsError) as refused:
        report_submit(
            actor=merchant,
            draft=ReportDraft(
                shop=shop,
                scenario="epidemic",
                scope="region",
                regions=["110000"] * 1001,
                starts_at=now,
                ends_at=now + timedelta(days=1),
                commitment_accepted=True,
            ),
        )
    assert refused.value.code == "too_many_items"


# --- search --------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["x" * 101, " ".join(["词"] * 11), " ".join(["a"] * 1000)])
def test_library_search_is_bounded_in_the_api_and_the_portal(merchant_api, merchant, client, query):
    StorefrontFactory(owner=merchant)
    assert _code(merchant_api.get("/api/v1/storefront/library/", {"q": query})) == "search_too_long"
    client.force_login(merchant)
    page = client.get(reverse("storefront:portal-selection"), {"q": query})
    assert page.status_code == 200 and not page.context["items"].object_list


def test_ten_words_of_100_characters_are_fine(merchant_api, merchant):
    StorefrontFactory(owner=merchant)
    query = " ".join(["abcdefghi"] * 10)[:100]
    assert merchant_api.get("/api/v1/storefront/library/", {"q": query}).status_code == 200


# --- the badges page -----------------------------------------------------------------------------


def test_the_badges_page_shows_a_product_without_a_stats_row_in_the_current_run(client, merchant, shop):
    old = ProductFactory(shop=shop, title="老商品")
    make_orders(old, on_time=5)
    badge_run_day(day=date(2022, 12, 28), now=sh(2022, 12, 31, 2))
    ProductFactory(shop=shop, title="新上架")  # ingested after the run: no stats row
    client.force_login(merchant)
    for params in ({}, {"badged": "1"}, {"page": "2"}):
        response = client.get(reverse("badges:portal-products"), params)
        assert response.status_code == 200, params
    body = client.get(reverse("badges:portal-products")).content.decode()
    assert "老商品" in body and "新上架" in body
