"""Answers match the documented schema and bad input changes nothing (SPEC §8), for the
storefront. Found by fuzzing the API against its own OpenAPI schema (core/tests/test_api_fuzz.py)."""

import pytest

from core.tests.openapi import assert_matches_schema
from storefront.models import LibraryItem
from storefront.tests.factories import PidBindingFactory, ShopBindingFactory

pytestmark = pytest.mark.django_db


def test_a_storefront_without_pid_and_active_bindings_match_their_schema(creator_api, storefront):
    # The schema said active_pid and revoked_by are strings; they are null until a PID is bound /
    # a binding is revoked.
    ShopBindingFactory(storefront=storefront)
    PidBindingFactory(storefront=storefront)
    storefront.pid_bindings.update(status="revoked")
    shown = creator_api.get("/api/v1/storefront/")
    assert shown.json()["active_pid"] is None
    assert_matches_schema(shown, "/api/v1/storefront/")
    for route in ("/api/v1/storefront/shop-bindings/", "/api/v1/storefront/pid-bindings/"):
        listing = creator_api.get(route)
        assert listing.json()["results"][0]["revoked_by"] is None
        assert_matches_schema(listing, route)


def test_an_ingested_library_item_matches_its_schema(platform_api):
    # ``listed`` is null in the ingestion answer (no caller storefront); the schema said boolean.
    body = {"platform": "taobao", "item_id": "600000000001", "title": "保温杯", "price": "99.00"}
    response = platform_api.post("/api/v1/platform/library-items/", body, format="json")
    assert response.status_code == 201 and response.json()["listed"] is None
    assert_matches_schema(response, "/api/v1/platform/library-items/", "POST")


def test_library_item_stats_time_out_of_range_is_400_and_ingests_nothing(platform_api):
    # Year 352 came back as "0352-01-10T02:30:40+08:05:43" (local mean time), not a valid date-time.
    body = {
        "platform": "taobao",
        "item_id": "600000000001",
        "title": "保温杯",
        "price": "99.00",
        "stats_at": "0352-01-10T07:08:57+12:44",
    }
    response = platform_api.post("/api/v1/platform/library-items/", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "datetime_out_of_range"
    assert not LibraryItem.objects.exists()
