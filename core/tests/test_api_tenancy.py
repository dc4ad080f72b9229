"""Another tenant's object is a 404 on every merchant detail and action endpoint (SPEC §8), exactly
like an object that does not exist, and the call changes nothing. One table for the whole API, so
a new endpoint that forgets its tenant scope shows up here."""

from types import SimpleNamespace

import pytest

from complaints.models import Appeal, Complaint
from complaints.tests.factories import AppealFactory, JudgedComplaintFactory
from reports.models import DeliveryReport
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import OrderFactory, ProductFactory, UserFactory
from storefront.models import Listing, PidBinding, ShopBinding
from storefront.tests.factories import ListingFactory, PidBindingFactory, ShopBindingFactory, StorefrontFactory
from tickets.models import UrgeTask
from tickets.tests.factories import UrgeTaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(other_shop, merchant):
    """The other merchant's objects (shop-b), and an own storefront for the caller (merchant-a)."""
    order = OrderFactory(product=ProductFactory(shop=other_shop), order_no="O-THEIRS")
    complaint = JudgedComplaintFactory(order=order)
    storefront = StorefrontFactory(owner=UserFactory(username="creator-b"))
    StorefrontFactory(owner=merchant)
    return {
        "order": order,
        "report": DeliveryReportFactory(shop=other_shop, report_no="BB2022122799999"),
        "ticket": UrgeTaskFactory(order=order),
        "complaint": complaint,
        "appeal": AppealFactory(complaint=JudgedComplaintFactory(order=order)),
        "shop_binding": ShopBindingFactory(storefront=storefront),
        "pid_binding": PidBindingFactory(storefront=storefront),
        "listing": ListingFactory(storefront=storefront),
    }


def _state(theirs) -> dict:
    """Everything a refused call must leave as it was."""
    return {
        "report": DeliveryReport.objects.get(pk=theirs["report"].pk).status,
        "ticket": UrgeTask.objects.filter(pk=theirs["ticket"].pk).values("status", "reply_message").get(),
        "appeals": Appeal.objects.count(),
        "complaint": Complaint.objects.filter(pk=theirs["complaint"].pk).values("status", "verdict", "penalty").get(),
        "shop_binding": ShopBinding.objects.get(pk=theirs["shop_binding"].pk).status,
        "pid_binding": PidBinding.objects.get(pk=theirs["pid_binding"].pk).status,
        "listing": Listing.objects.get(pk=theirs["listing"].pk).status,
    }


# (method, url template, body, the key of the object in ``theirs``)
ENDPOINTS = [
    ("get", "/api/v1/reports/{report.report_no}/", None),
    ("post", "/api/v1/reports/{report.report_no}/withdraw/", {"reason": "x"}),
    ("get", "/api/v1/orders/{order.order_no}/coverage/", None),
    ("get", "/api/v1/tickets/{ticket.pk}/", None),
    ("post", "/api/v1/tickets/{ticket.pk}/reply/", {"option": "shipped", "message": "已发货"}),
    ("get", "/api/v1/complaints/{complaint.pk}/", None),
    ("get", "/api/v1/appeals/{appeal.pk}/", None),
    ("post", "/api/v1/appeals/", {"complaint": "{complaint.pk}", "report_no": "", "statement": "x"}),
    ("get", "/api/v1/storefront/shop-bindings/{shop_binding.pk}/", None),
    ("post", "/api/v1/storefront/shop-bindings/{shop_binding.pk}/revoke/", {"reason": "x"}),
    ("get", "/api/v1/storefront/pid-bindings/{pid_binding.pk}/", None),
    ("post", "/api/v1/storefront/pid-bindings/{pid_binding.pk}/revoke/", {}),
    ("get", "/api/v1/storefront/listings/{listing.pk}/", None),
    ("post", "/api/v1/storefront/listings/{listing.pk}/remove/", {}),
    ("post", "/api/v1/storefront/listings/{listing.pk}/readd/", {}),
]


_NOBODY = SimpleNamespace(pk=999999, report_no="BB2099010199999", order_no="O-NOBODY")
MISSING = dict.fromkeys(("order", "report", "ticket", "complaint", "appeal", "shop_binding", "pid_binding", "listing"), _NOBODY)


def _fill(template, theirs):
    if isinstance(template, dict):
        return {key: _fill(value, theirs) for key, value in template.items()}
    if isinstance(template, str):
        filled = template.format(**theirs)
        return int(filled) if filled.isdigit() and template.startswith("{") else filled
    return template


@pytest.mark.parametrize(("method", "url", "body"), ENDPOINTS, ids=[f"{m.upper()} {u}" for m, u, _ in ENDPOINTS])
def test_another_tenants_object_is_404_like_a_missing_one_and_nothing_changes(merchant_api, theirs, method, url, body):
    before = _state(theirs)
    filled_url, filled_body = _fill(url, theirs), _fill(body, theirs)
    response = merchant_api.get(filled_url) if method == "get" else merchant_api.post(filled_url, filled_body, format="json")

    assert response.status_code == 404, (filled_url, response.content)
    assert response.json()["code"].endswith("not_found") and response.json()["detail"]
    assert _state(theirs) == before
    missing_url, missing_body = _fill(url, MISSING), _fill(body, MISSING)
    missing = merchant_api.get(missing_url) if method == "get" else merchant_api.post(missing_url, missing_body, format="json")
    assert (missing.status_code, missing.json()["code"]) == (404, response.json()["code"])


def test_lists_and_order_filters_never_show_another_tenants_rows(merchant_api, theirs):
    for url in (
        "/api/v1/reports/",
        "/api/v1/tickets/",
        "/api/v1/complaints/",
        "/api/v1/appeals/",
        "/api/v1/storefront/shop-bindings/",
        "/api/v1/storefront/pid-bindings/",
        "/api/v1/storefront/listings/",
    ):
        assert merchant_api.get(url).json()["count"] == 0, url
        assert merchant_api.get(url, {"order_no": "O-THEIRS"}).json()["count"] == 0, url


def test_a_report_for_another_merchants_shop_is_refused_like_an_unknown_shop(merchant_api, other_shop):
    body = {
        "scenario": "epidemic",
        "scope": "shop",
        "commitment_accepted": True,
        "starts_at": "2030-01-01T00:00:00+08:00",
        "ends_at": "2030-01-02T00:00:00+08:00",
    }
    theirs = merchant_api.post("/api/v1/reports/", {**body, "shop": other_shop.code}, format="json")
    unknown = merchant_api.post("/api/v1/reports/", {**body, "shop": "no-such-shop"}, format="json")
    assert (theirs.status_code, theirs.json()["code"]) == (unknown.status_code, unknown.json()["code"])
    assert theirs.status_code in (400, 404) and not DeliveryReport.objects.exists()
