"""Every API route, enumerated from the URLconf (so a new endpoint is covered without anyone
remembering to add it), gets the refusal SPEC §8/§9 says: anonymous → 401; a platform endpoint
refuses merchants and ops, an ops endpoint refuses merchants and platform users, a shop
merchant endpoint refuses ops and platform users (403); and every route that takes an object's
id answers another tenant's id with a 404 exactly like a missing one. A route the table cannot
classify fails the test, and a deliberately unscoped view registered only here is caught."""

import re

import pytest
from django.test import override_settings
from django.urls import URLResolver, get_resolver, path
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from complaints.tests.factories import AppealFactory, JudgedComplaintFactory
from core.api.permissions import IsMerchant
from notifications.tests.factories import NotificationFactory
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import OrderFactory, ProductFactory, UserFactory
from storefront.tests.factories import ListingFactory, PidBindingFactory, ShopBindingFactory, StorefrontFactory
from tickets.models import UrgeTask
from tickets.tests.factories import UrgeTaskFactory

pytestmark = pytest.mark.django_db

#: Open to any signed-in user (reference data); only anonymous callers are refused.
ANY_SIGNED_IN = {"api/v1/regions/", "api/v1/commitment-letter/", "api/v1/exemptions/", "api/v1/reply-options/"}
#: Routes of a creator's own storefront or a user's own inbox: scoped by owner, not by shop
#: role, so any signed-in user may call them (and sees only its own objects).
OWNER_SCOPED = ("api/v1/storefront/", "api/v1/notifications/")
#: The object a route's id names: the path segment before the parameter → the key in ``theirs``.
OBJECT_OF_SEGMENT = {
    "reports": "report",
    "orders": "order",
    "tickets": "ticket",
    "complaints": "complaint",
    "appeals": "appeal",
    "shop-bindings": "shop_binding",
    "pid-bindings": "pid_binding",
    "listings": "listing",
    "notifications": "notification",
}
BODY = {"reason": "x", "option": "shipped", "message": "x", "statement": "x"}
PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def api_routes(urlconf=None) -> list[tuple[str, type]]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), getattr(pattern.callback, "cls", None)

    return [(route, cls) for route, cls in walk(get_resolver(urlconf).url_patterns) if route.startswith("api/v1/")]


def methods_of(cls) -> list[str]:
    return [m for m in ("get", "post") if hasattr(cls, m)]


def kind_of(route: str) -> str:
    if route.startswith("api/v1/platform/"):
        return "platform"
    if route.startswith("api/v1/ops/"):
        return "ops"
    if route in ANY_SIGNED_IN:
        return "any"
    if route.startswith(OWNER_SCOPED):
        return "owner"
    return "merchant"


def object_of(route: str) -> tuple[str, str] | None:
    """(``theirs`` key, parameter name) for a route that takes an object's id, else None."""
    match = PARAM.search(route)
    if match is None:
        return None
    segment = route[: match.start()].rstrip("/").rsplit("/", 1)[-1]
    return OBJECT_OF_SEGMENT.get(segment, "?"), match.group(1)


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _call(client, method: str, url: str):
    return client.get(url) if method == "get" else client.post(url, BODY, format="json")


def _url(route: str, value) -> str:
    return "/" + PARAM.sub(str(value), route, count=1)


@pytest.fixture
def world(shop, other_shop, merchant, platform_user, ops_user):
    """The caller is merchant-a (shop-a, with a storefront); every object below is someone else's."""
    order = OrderFactory(product=ProductFactory(shop=other_shop), order_no="O-THEIRS")
    owner_b = UserFactory(username="creator-b")
    storefront = StorefrontFactory(owner=owner_b)
    StorefrontFactory(owner=merchant)
    theirs = {
        "order": order,
        "report": DeliveryReportFactory(shop=other_shop),
        "ticket": UrgeTaskFactory(order=order),
        "complaint": JudgedComplaintFactory(order=order),
        "appeal": AppealFactory(complaint=JudgedComplaintFactory(order=order)),
        "shop_binding": ShopBindingFactory(storefront=storefront),
        "pid_binding": PidBindingFactory(storefront=storefront),
        "listing": ListingFactory(storefront=storefront),
        "notification": NotificationFactory(user=owner_b, shop=other_shop),
    }
    clients = {
        "anonymous": _client(),
        "merchant": _client(merchant),
        "platform": _client(platform_user),
        "ops": _client(ops_user),
    }
    return theirs, clients


def _value(obj, param: str):
    return getattr(obj, param if param != "pk" else "pk")


def refusal_problems(route: str, cls, world) -> list[str]:
    """What is wrong with this route's refusals (empty when it refuses as SPEC says)."""
    theirs, clients = world
    problems = []
    kind = kind_of(route)
    target = object_of(route)
    if target is not None and target[0] == "?" and kind in ("merchant", "owner"):
        return [f"{route}: takes an id the table does not know — add its segment to OBJECT_OF_SEGMENT"]
    value = _value(theirs[target[0]], target[1]) if target is not None and target[0] != "?" else 999999
    url = _url(route, value) if target is not None else "/" + route
    refused_roles = {"platform": ("merchant", "ops"), "ops": ("merchant", "platform"), "merchant": ("platform", "ops")}
    for method in methods_of(cls):
        status = _call(clients["anonymous"], method, url).status_code
        if status != 401:
            problems.append(f"{method.upper()} {route}: anonymous got {status}, not 401")
        for role in refused_roles.get(kind, ()):
            status = _call(clients[role], method, url).status_code
            if status != 403:
                problems.append(f"{method.upper()} {route}: {role} got {status}, not 403")
        if target is not None and kind in ("merchant", "owner"):
            response = _call(clients["merchant"], method, url)
            if response.status_code != 404:
                problems.append(f"{method.upper()} {route}: another tenant's id got {response.status_code}, not 404")
                continue
            missing = _call(clients["merchant"], method, _url(route, "999999" if target[1] == "pk" else "NOPE-999"))
            if missing.json().get("code") != response.json().get("code"):
                problems.append(f"{method.upper()} {route}: another tenant's id is told apart from a missing one")
    return problems


def test_every_api_route_is_enumerated():
    routes = [route for route, _cls in api_routes()]
    assert len(routes) >= 45  # the enumeration itself works (SPEC §8 lists more than 40)
    assert "api/v1/reports/<str:report_no>/withdraw/" in routes and "api/v1/platform/urges/" in routes


def test_every_api_route_refuses_anonymous_wrong_roles_and_other_tenants(world):
    problems = [problem for route, cls in api_routes() for problem in refusal_problems(route, cls, world)]
    assert problems == []


# --- the test catches an endpoint that forgot its scoping ----------------------------------------


class UnscopedTicketView(APIView):
    """A merchant endpoint that forgot the selector: reads any shop's task by id."""

    permission_classes = [IsMerchant]

    def get(self, request, pk: int):
        return Response({"id": UrgeTask.objects.get(pk=pk).pk})


urlpatterns = [
    path("api/v1/tickets/<int:pk>/unscoped/", UnscopedTicketView.as_view()),
    *get_resolver("backoffice.urls").url_patterns,
]


@override_settings(ROOT_URLCONF=__name__)
def test_an_unscoped_dummy_endpoint_is_caught(world):
    routes = dict(api_routes(__name__))
    assert "api/v1/tickets/<int:pk>/unscoped/" in routes
    problems = refusal_problems("api/v1/tickets/<int:pk>/unscoped/", routes["api/v1/tickets/<int:pk>/unscoped/"], world)
    assert problems == ["GET api/v1/tickets/<int:pk>/unscoped/: another tenant's id got 200, not 404"]


@override_settings(ROOT_URLCONF=__name__)
def test_an_unknown_id_route_is_caught():
    assert object_of("api/v1/gadgets/<int:pk>/") == ("?", "pk")
    assert refusal_problems("api/v1/gadgets/<int:pk>/", UnscopedTicketView, ({}, {}))[0].startswith(
        "api/v1/gadgets/<int:pk>/: takes an id"
    )
