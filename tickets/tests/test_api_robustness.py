"""Bad input changes nothing and answers match the documented schema (SPEC §8), for urges and
tickets. Found by fuzzing the API against its own OpenAPI schema (core/tests/test_api_fuzz.py)."""

import pytest

from core.tests.openapi import assert_matches_schema
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import OrderFactory, ProductFactory, sh
from tickets.models import Urge, UrgeTask
from tickets.tests.factories import UrgeTaskFactory

pytestmark = pytest.mark.django_db

URGES = "/api/v1/platform/urges/"


@pytest.fixture
def order(shop):
    return OrderFactory(product=ProductFactory(shop=shop), paid_at=sh(2022, 12, 28, 10, 0))


@pytest.mark.parametrize("urged_at", ["9999-12-31T23:59:00+08:00", "0001-01-01T00:00:00Z"])
def test_an_urge_time_out_of_range_is_400_and_creates_nothing(platform_api, order, urged_at):
    # Was a 500: OverflowError computing reply_due_at = urged_at + 24h.
    response = platform_api.post(URGES, {"event_id": "e1", "order_no": order.order_no, "urged_at": urged_at}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "datetime_out_of_range" and "urged_at" in response.json()["detail"]
    assert not Urge.objects.exists() and not UrgeTask.objects.exists()


def test_every_urge_outcome_matches_the_documented_answer(platform_api, order, shop):
    def urge(event_id, hour):
        body = {"event_id": event_id, "order_no": order.order_no, "urged_at": sh(2022, 12, 28, hour).isoformat()}
        return platform_api.post(URGES, body, format="json")

    created, merged = urge("e1", 11), urge("e2", 12)
    DeliveryReportFactory(shop=shop, starts_at=sh(2022, 12, 28, 12, 30), submitted_at=sh(2022, 12, 28, 12, 30))
    suppressed = urge("e3", 13)
    assert [r.json()["outcome"] for r in (created, merged, suppressed)] == ["task_created", "merged", "suppressed"]
    for response in (created, merged, suppressed):
        assert_matches_schema(response, URGES, "POST")


def test_an_unanswered_ticket_matches_its_schema(merchant_api, shop):
    # The schema said reply_option is a string; it is null until the merchant replies.
    task = UrgeTaskFactory(order=OrderFactory(product=ProductFactory(shop=shop)))
    task.urges.create(event_id="e1", order=task.order, urged_at=task.opened_at, outcome="task_created")
    listing = merchant_api.get("/api/v1/tickets/")
    detail = merchant_api.get(f"/api/v1/tickets/{task.pk}/")
    assert listing.json()["results"][0]["reply_option"] is None
    assert detail.json()["urges"][0]["report_no"] is None
    assert_matches_schema(listing, "/api/v1/tickets/")
    assert_matches_schema(detail, "/api/v1/tickets/{id}/")


@pytest.mark.parametrize("days", ["0", "91", "abc", "9" * 5000])
def test_metric_window_outside_1_to_90_is_400_and_the_schema_says_so(merchant_api, days):
    from drf_spectacular.generators import SchemaGenerator

    response = merchant_api.get("/api/v1/metrics/service/", {"days": days})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    operation = SchemaGenerator().get_schema(request=None, public=True)["paths"]["/api/v1/metrics/service/"]["get"]
    (parameter,) = [p for p in operation["parameters"] if p["name"] == "days"]
    assert (parameter["schema"]["minimum"], parameter["schema"]["maximum"]) == (1, 90)
