"""Coverage preview (SPEC §11): POST /api/v1/reports/preview/ — a create's body and refusals,
answers what the draft would cover, writes nothing. ``report_preview`` and ``report_submit`` take
the same ``ReportDraft``; the table at the end runs bad drafts through both services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from complaints.tests.factories import ComplaintFactory
from core.errors import DomainError
from core.models import AuditEntry
from reports import services
from reports.models import DeliveryReport, ReportSequence
from reports.tests.test_api import _refusals, body
from shops.tests.factories import OrderFactory, ProductFactory
from tickets.tests.factories import UrgeTaskFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/preview/"


def preview(client, data):
    return client.post(URL, data, format="json")


@pytest.fixture
def shop_rows(shop, other_shop):
    """Hangzhou and Wuhan orders of two products, a shipped and a cancelled one, open and
    replied tasks, a pending complaint, and another shop's order."""
    now = timezone.now()
    tea, cup = ProductFactory(shop=shop, code="TEA"), ProductFactory(shop=shop, code="CUP")
    paid = now - timedelta(hours=10)
    rows = {
        "hz_tea": OrderFactory(product=tea, order_no="O-HZ-TEA", receiver_region_id="330102", paid_at=paid),
        "wh_tea": OrderFactory(product=tea, order_no="O-WH-TEA", receiver_region_id="420102", paid_at=paid),
        "hz_cup": OrderFactory(product=cup, order_no="O-HZ-CUP", receiver_region_id="330106", paid_at=paid),
        "shipped": OrderFactory(product=tea, order_no="O-SHIPPED", paid_at=paid, shipped_at=now - timedelta(hours=1)),
        "cancelled": OrderFactory(product=tea, order_no="O-CANCELLED", paid_at=paid, cancelled_at=now - timedelta(hours=1)),
        "late": OrderFactory(product=tea, order_no="O-LATE", paid_at=now - timedelta(days=3)),  # ship deadline passed
        "theirs": OrderFactory(product=ProductFactory(shop=other_shop), order_no="O-THEIRS", paid_at=paid),
    }
    UrgeTaskFactory(order=rows["hz_tea"], opened_at=now - timedelta(hours=1))
    UrgeTaskFactory(order=rows["hz_cup"], opened_at=now - timedelta(hours=1), status="replied", replied_at=now)
    UrgeTaskFactory(order=rows["theirs"], opened_at=now - timedelta(hours=1))
    ComplaintFactory(order=rows["wh_tea"], filed_at=now - timedelta(hours=2))
    return rows


def test_whole_shop_draft_counts_open_tasks_awaiting_orders_and_complaints(merchant_api, shop, shop_rows):
    # when the merchant previews a whole-shop report
    response = preview(merchant_api, body(shop))
    # then it answers 200 with what the one coverage rule says, as if approved now
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["auto_approved"] is True and data["covers_from"] is not None
    assert data["open_tasks"] == {"count": 1, "examples": ["O-HZ-TEA"]}
    # shipped, cancelled and past-deadline orders are not covered, nor another shop's
    assert data["awaiting_shipment"] == {"count": 3, "examples": ["O-HZ-CUP", "O-HZ-TEA", "O-WH-TEA"]}
    # a complaint filed before the approval is judged without the report
    assert data["pending_complaints"] == {"count": 0, "examples": []}


def test_region_and_product_scope_narrow_the_sets(merchant_api, shop, shop_rows):
    region = preview(merchant_api, body(shop, scope="region", regions=["330100"])).json()
    assert region["awaiting_shipment"]["examples"] == ["O-HZ-CUP", "O-HZ-TEA"]
    assert region["open_tasks"]["examples"] == ["O-HZ-TEA"]
    product = preview(merchant_api, body(shop, scope="product", products=["CUP"])).json()
    assert product["awaiting_shipment"]["examples"] == ["O-HZ-CUP"] and product["open_tasks"]["count"] == 0


def test_a_window_starting_later_covers_from_its_start(merchant_api, shop, shop_rows):
    starts = timezone.now() + timedelta(hours=1)
    data = preview(merchant_api, body(shop, starts_at=starts.isoformat(), ends_at=(starts + timedelta(days=2)).isoformat()))
    assert data.json()["covers_from"].startswith(timezone.localtime(starts).isoformat()[:16])


def test_a_report_waiting_for_review_says_so(merchant_api, shop, shop_rows):
    assert preview(merchant_api, body(shop, scenario="major_event")).json()["auto_approved"] is False


def test_examples_stop_at_ten_and_the_count_is_all(merchant_api, shop):
    product = ProductFactory(shop=shop)
    for n in range(12):
        OrderFactory(product=product, order_no=f"O-MANY-{n:02d}", paid_at=timezone.now() - timedelta(hours=1))
    data = preview(merchant_api, body(shop)).json()["awaiting_shipment"]
    assert data["count"] == 12 and len(data["examples"]) == 10


def test_every_create_refusal_has_the_same_code_and_nothing_is_written(merchant_api, shop, other_shop, shop_rows):
    other_product = ProductFactory(shop=other_shop, code="B-ONLY")
    for overrides, code in _refusals(shop, other_product):
        response = preview(merchant_api, body(shop, **overrides))
        assert (response.status_code, response.json()["code"]) == (400, code), overrides
    assert preview(merchant_api, body(shop)).status_code == 200
    assert not DeliveryReport.objects.exists() and not ReportSequence.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="report").exists()


def test_another_merchants_shop_is_404_and_others_may_not_preview(merchant_api, ops_api, platform_api, other_shop, shop):
    response = preview(merchant_api, body(other_shop))
    assert (response.status_code, response.json()["code"]) == (404, "shop_not_found")
    assert preview(ops_api, body(shop)).status_code == 403
    assert preview(platform_api, body(shop)).status_code == 403


def test_preview_runs_a_bounded_number_of_queries(merchant_api, shop, django_assert_max_num_queries):
    product = ProductFactory(shop=shop, code="TEA")
    for _ in range(30):
        order = OrderFactory(product=product, paid_at=timezone.now() - timedelta(hours=1))
        UrgeTaskFactory(order=order, opened_at=timezone.now())
        ComplaintFactory(order=order, filed_at=timezone.now())
    with django_assert_max_num_queries(14):
        assert preview(merchant_api, body(shop, scope="product", products=["TEA"])).status_code == 200


def _draft(shop, now, **overrides):
    values = {
        "shop": shop,
        "scenario": "epidemic",
        "scope": "shop",
        "starts_at": now - timedelta(hours=1),
        "ends_at": now + timedelta(days=5),
        "commitment_accepted": True,
    }
    return services.ReportDraft(**{**values, **overrides})


BAD_DRAFTS = [
    # (overrides given now, the 400 code both services answer)
    (lambda now: {"commitment_accepted": False}, "commitment_required"),
    (lambda now: {"commitment_letter_version": "2019.01"}, "commitment_letter_outdated"),
    (lambda now: {"ends_at": now - timedelta(hours=2)}, "window_invalid"),
    (lambda now: {"ends_at": now - timedelta(hours=1) + timedelta(days=30, seconds=1)}, "window_too_long"),
    (lambda now: {"starts_at": now - timedelta(hours=24, minutes=5)}, "window_backdated"),
    (lambda now: {"promised_ship_by": now + timedelta(days=6)}, "promised_ship_by_outside_window"),
    (lambda now: {"scope": "product"}, "products_required"),
    (lambda now: {"scope": "region"}, "regions_required"),
    (lambda now: {"scope": "shop", "regions": ["330000"]}, "scope_mismatch"),
    (lambda now: {"scope": "product", "products": ["NOPE"]}, "product_not_in_shop"),
    (lambda now: {"scope": "region", "regions": ["339999"]}, "region_unknown"),
    (lambda now: {"scope": "region", "regions": ["110000"] * 1001}, "too_many_items"),
]


@pytest.mark.parametrize(("overrides", "code"), BAD_DRAFTS, ids=[code for _, code in BAD_DRAFTS])
def test_preview_and_submit_refuse_the_same_draft_with_the_same_code(merchant, shop, overrides, code):
    # given one bad draft
    now = timezone.now()
    draft = _draft(shop, now, **overrides(now))
    # when it is previewed and when it is filed
    with pytest.raises(DomainError) as previewed:
        services.report_preview(draft=draft, at=now)
    with pytest.raises(DomainError) as filed:
        services.report_submit(actor=merchant, draft=draft, at=now)
    # then both refuse it with the same code, and nothing is filed
    assert (previewed.value.code, filed.value.code) == (code, code)
    assert not DeliveryReport.objects.exists()


def test_a_draft_the_preview_accepts_is_filed(merchant, shop):
    now = timezone.now()
    draft = _draft(shop, now)
    assert services.report_preview(draft=draft, at=now).auto_approved is True
    assert services.report_submit(actor=merchant, draft=draft, at=now).report.status == "approved"
