"""One story across the apps, through the public API only: a merchant whose receivers are
locked down files an epidemic report; urges stop opening tasks; complaints are judged from
the report; an appeal that cites the wrong report is refused."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

pytestmark = pytest.mark.django_db


def iso(dt) -> str:
    return timezone.localtime(dt).isoformat()


def test_report_suppresses_urges_and_exempts_complaints(platform_api, merchant_api, other_merchant_api, merchant):
    now = timezone.now().replace(microsecond=0)
    shop = merchant.shops.get()

    # Given the platform knows a product and two orders: one to Hangzhou, one to Shenzhen.
    assert (
        platform_api.post(
            "/api/v1/platform/products/",
            {"shop": shop.code, "code": "TEA-1", "title": "明前龙井", "price": "88.00"},
            format="json",
        ).status_code
        == 201
    )
    for order_no, region in [("HZ-1", "330102"), ("SZ-1", "440305")]:
        response = platform_api.post(
            "/api/v1/platform/orders/",
            {
                "order_no": order_no,
                "shop": shop.code,
                "product": "TEA-1",
                "amount": "88.00",
                "paid_at": iso(now - timedelta(hours=2)),
                "receiver_region": region,
                "sender_region": "330106",
            },
            format="json",
        )
        assert response.status_code == 201, response.content

    # When the buyer urges before any report exists, a task opens with 24 hours to reply.
    first = platform_api.post(
        "/api/v1/platform/urges/",
        {"event_id": "u-1", "order_no": "HZ-1", "urged_at": iso(now - timedelta(hours=1))},
        format="json",
    )
    assert first.status_code == 201, first.content
    assert first.json()["outcome"] == "task_created"
    assert first.json()["ticket"]["reply_due_at"] == iso(now + timedelta(hours=23))

    # And the merchant reports an epidemic for receivers in Zhejiang: approved at once.
    report = merchant_api.post(
        "/api/v1/reports/",
        {
            "shop": shop.code,
            "scenario": "epidemic",
            "scope": "region",
            "regions": ["330000"],
            "starts_at": iso(now - timedelta(hours=1)),
            "ends_at": iso(now + timedelta(days=5)),
            "commitment_accepted": True,
        },
        format="json",
    )
    assert report.status_code == 201, report.content
    assert report.json()["status"] == "approved" and report.json()["decided_by"] == "系统"
    report_no = report.json()["report_no"]

    # Then a later urge on the Hangzhou order opens nothing and shows the promised ship-by time,
    urge = {"event_id": "u-2", "order_no": "HZ-1", "urged_at": iso(now + timedelta(minutes=1))}
    second = platform_api.post("/api/v1/platform/urges/", urge, format="json")
    assert second.status_code == 200
    assert second.json()["outcome"] == "suppressed"
    assert second.json()["report_no"] == report_no
    assert second.json()["promised_ship_by"] == iso(now + timedelta(days=5))
    # and the same event again gives the same answer.
    assert platform_api.post("/api/v1/platform/urges/", urge, format="json").json() == second.json()
    # The task opened before the report stays open: it must still be answered.
    tickets = merchant_api.get("/api/v1/tickets/", {"order_no": "HZ-1"}).json()
    assert [t["status"] for t in tickets["results"]] == ["open"]

    # When buyers complain about both orders and the judge runs,
    for event_id, order_no in [("c-1", "HZ-1"), ("c-2", "SZ-1")]:
        response = platform_api.post(
            "/api/v1/platform/complaints/",
            {
                "event_id": event_id,
                "order_no": order_no,
                "reason": "delayed_shipment",
                "message": "还没发货",
                "evidence": [],
                "filed_at": iso(now + timedelta(minutes=5)),
            },
            format="json",
        )
        assert response.status_code == 201, response.content
    call_command("judge_complaints")

    # Then the Hangzhou complaint is exempt by the report, the Shenzhen one is the merchant's.
    complaints = {c["order_no"]: c for c in merchant_api.get("/api/v1/complaints/").json()["results"]}
    assert complaints["HZ-1"]["verdict"] == "exempt"
    assert complaints["HZ-1"]["basis"]["report_no"] == report_no
    assert complaints["SZ-1"]["verdict"] == "merchant_liable"
    assert Decimal(complaints["SZ-1"]["penalty"]) == Decimal("5.00")  # 5% of 88.00, at least 5.00

    # And an appeal citing the Zhejiang report for the Shenzhen order is refused by scope.
    appeal = merchant_api.post(
        "/api/v1/appeals/", {"complaint": complaints["SZ-1"]["id"], "report_no": report_no, "statement": "疫情"}, format="json"
    )
    assert appeal.status_code == 400
    assert appeal.json()["code"] == "report_does_not_cover_order"

    # Another merchant sees none of it.
    assert other_merchant_api.get(f"/api/v1/reports/{report_no}/").status_code == 404
    assert other_merchant_api.get(f"/api/v1/complaints/{complaints['SZ-1']['id']}/").status_code == 404
    assert other_merchant_api.get("/api/v1/tickets/").json()["count"] == 0
