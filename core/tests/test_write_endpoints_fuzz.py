"""Hostile input at every write endpoint (SPEC §9): out-of-range and malformed datetimes (year 1,
year 9999, naive, impossible dates, offsets beyond ±14:00), lists of more than 1,000 items, NUL
characters and unpaired surrogates. Whatever comes in: no 5xx, and every 4xx is JSON
``{"code", "detail"}``.

The POST routes are enumerated from the URLconf and their bodies from the OpenAPI schema the
app serves (so a new endpoint or field is covered without anyone adding it here); each is called
by the role that may call it, on the caller's own objects, so the body is what gets refused.
Bounded for CI: derandomized, a few examples per route, no example database."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from complaints.tests.factories import AppealFactory, JudgedComplaintFactory
from core.tests.test_every_url_refuses import PARAM, api_routes, methods_of, object_of
from notifications.tests.factories import NotificationFactory
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import OrderFactory, ProductFactory
from storefront.tests.factories import ListingFactory, PidBindingFactory, ShopBindingFactory, StorefrontFactory
from tickets.tests.factories import UrgeTaskFactory

BAD_DATETIMES = [
    "0001-01-01T00:00:00+08:00",
    "9999-12-31T23:59:59+08:00",
    "9999-12-31T23:59:59.999999",
    "2026-01-31T12:00:00",  # naive
    "2026-02-30T12:00:00+08:00",  # impossible date
    "2026-13-01T00:00:00Z",
    "2026-01-31T12:00:00+15:00",  # offset beyond ±14:00
    "2026-01-31T12:00:00-23:59",
    "0000-00-00T00:00:00",
]
BAD_TEXT = ["a\x00b", "\x00", "\ud800", "x\udfffy", "\ud800" * 300]
BAD_SCALARS: list[object] = BAD_DATETIMES + BAD_TEXT + [-(2**70), 2**70, 1e308, None, [], {}]

POST_ROUTES = sorted(route for route, cls in api_routes() if "post" in methods_of(cls))


def _role(route: str) -> str:
    if route.startswith("api/v1/platform/"):
        return "platform"
    if route.startswith("api/v1/ops/"):
        return "ops"
    return "merchant"


@pytest.fixture
def own(shop, merchant):
    """The caller's own objects (merchant-a, shop-a), so an id route reaches its body."""
    order = OrderFactory(product=ProductFactory(shop=shop))
    storefront = StorefrontFactory(owner=merchant)
    return {
        "order": order,
        "report": DeliveryReportFactory(shop=shop),
        "ticket": UrgeTaskFactory(order=order),
        "complaint": JudgedComplaintFactory(order=order),
        "appeal": AppealFactory(complaint=JudgedComplaintFactory(order=order)),
        "shop_binding": ShopBindingFactory(storefront=storefront),
        "pid_binding": PidBindingFactory(storefront=storefront),
        "listing": ListingFactory(storefront=storefront),
        "notification": NotificationFactory(user=merchant, shop=shop),
    }


def _resolve(node, components):
    while isinstance(node, dict) and "$ref" in node:
        node = components[node["$ref"].rsplit("/", 1)[-1]]
    for key in ("allOf", "oneOf", "anyOf"):
        if isinstance(node, dict) and node.get(key):
            node = _resolve(node[key][0], components)
    return node or {}


def _skeleton(node, components, depth=0):
    """A plausible value for a schema node (the parts not under attack)."""
    node = _resolve(node, components)
    kind = node.get("type")
    if "enum" in node and node["enum"]:
        return node["enum"][0]
    if kind == "object" or "properties" in node:
        if depth > 4:
            return {}
        return {name: _skeleton(sub, components, depth + 1) for name, sub in node.get("properties", {}).items()}
    if kind == "array":
        return [_skeleton(node.get("items", {}), components, depth + 1)]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if node.get("format") == "date-time":
        return "2026-01-31T12:00:00+08:00"
    if node.get("format") == "date":
        return "2026-01-31"
    return "x"


def _paths(value, prefix=()):
    """Every place in a body a bad value can go (each key, each array and its first item)."""
    yield prefix
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _paths(sub, (*prefix, key))
    elif isinstance(value, list) and value:
        yield from _paths(value[0], (*prefix, 0))


def _put(body, path, bad):
    if not path:
        return bad
    body = json.loads(json.dumps(body))
    node = body
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = bad
    return body


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return APIClient().get("/api/schema/?format=json").json()


def _request_schema(schema, route):
    openapi_path = "/" + PARAM.sub(lambda m: "{" + ("id" if m.group(1) == "pk" else m.group(1)) + "}", route)
    post = schema["paths"][openapi_path]["post"]
    body = post.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    return body or {"type": "object", "properties": {"reason": {"type": "string"}}}


def test_every_write_route_is_enumerated():
    assert len(POST_ROUTES) >= 30
    assert "api/v1/platform/orders/bulk/" in POST_ROUTES and "api/v1/reports/<str:report_no>/amend/" in POST_ROUTES


@pytest.mark.parametrize("route", POST_ROUTES)
@pytest.mark.django_db
def test_hostile_bodies_never_500(route, schema, own, merchant, platform_user, ops_user):
    components = schema["components"]["schemas"]
    skeleton = _skeleton(_request_schema(schema, route), components)
    places = list(_paths(skeleton))
    target = object_of(route)
    url = "/" + route
    if target is not None:
        key, param = target
        url = "/" + PARAM.sub(str(getattr(own[key], param)), route, count=1)
    client = APIClient()
    client.force_authenticate({"platform": platform_user, "ops": ops_user, "merchant": merchant}[_role(route)])

    def huge(path):
        here = skeleton
        for step in path:
            here = here[step]
        return [here[0] if isinstance(here, list) and here else "x"] * 1001

    attack = st.lists(
        st.tuples(st.sampled_from(places), st.one_of(st.sampled_from(BAD_SCALARS), st.just("HUGE"))),
        min_size=1,
        max_size=3,
    )

    @settings(
        max_examples=6,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(attack)
    def check(attacks):
        body = skeleton
        for path, bad in attacks:
            try:
                body = _put(body, path, huge(path) if bad == "HUGE" else bad)
            except (KeyError, IndexError, TypeError):
                continue  # the path went away under an earlier replacement
        response = client.post(url, json.dumps(body), content_type="application/json")
        where = f"POST {url} {json.dumps(body)[:300]} -> {response.status_code} {response.content[:300]!r}"
        assert response.status_code < 500, where
        if response.status_code >= 400:
            assert response["content-type"].startswith("application/json"), where
            payload = response.json()
            assert isinstance(payload, dict) and {"code", "detail"} <= payload.keys(), where

    check()


def test_huge_list_at_a_bulk_endpoint_is_refused_with_its_code(platform_user):
    client = APIClient()
    client.force_authenticate(platform_user)
    response = client.post("/api/v1/platform/orders/bulk/", {"orders": [{}] * 1001}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "too_many_items"
