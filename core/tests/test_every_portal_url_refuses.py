"""Every portal page (the non-API URL patterns), enumerated from the URLconf so that a new page
is covered without anyone adding it: an anonymous visitor is sent to the login page (GET and
POST), and a page that takes an object's id answers a merchant with 404 for another shop's (or
another creator's, or another user's) object, exactly like a missing one. A page the table
cannot classify fails the test, and a deliberately unscoped page registered only here is caught."""

import re

import pytest
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, path

from core.tests.test_every_url_refuses import world  # noqa: F401  (the other tenants' objects)
from tickets.models import UrgeTask

pytestmark = pytest.mark.django_db

#: Pages anyone may open (signing in, health probes, language switch, static files).
PUBLIC = ("healthz", "readyz", "accounts/", "i18n/", "^static/", "api/", "admin/")
#: The object a page's id names: the path segment before the parameter → the key in ``theirs``.
OBJECT_OF_SEGMENT = {
    "reports": "report",
    "tickets": "ticket",
    "complaints": "complaint",
    "shops": "shop_binding",
    "pid": "pid_binding",
    "listings": "listing",
    "inbox": "notification",
}
PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
BODY = {"reason": "x", "option": "shipped", "message": "x", "statement": "x"}


def portal_routes(urlconf=None) -> list[str]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    return [route for route in walk(get_resolver(urlconf).url_patterns) if not route.startswith(PUBLIC)]


def _target(route: str):
    match = PARAM.search(route)
    if match is None:
        return None
    segment = route[: match.start()].rstrip("/").rsplit("/", 1)[-1]
    return OBJECT_OF_SEGMENT.get(segment, "?"), match.group(1)


def _url(route: str, value) -> str:
    return "/" + PARAM.sub(str(value), route, count=1)


def portal_problems(route: str, world, merchant) -> list[str]:  # noqa: F811
    theirs, _clients = world
    target = _target(route)
    if target is not None and target[0] == "?":
        return [f"{route}: takes an id the table does not know — add its segment to OBJECT_OF_SEGMENT"]
    url = _url(route, getattr(theirs[target[0]], target[1])) if target is not None else "/" + route
    problems = []
    anonymous = Client(raise_request_exception=False)
    for method in ("get", "post"):
        response = getattr(anonymous, method)(url, BODY) if method == "post" else anonymous.get(url)
        if method == "get" and response.status_code == 405:
            continue  # a POST-only page refuses the method before asking who calls (reveals nothing)
        if response.status_code != 302 or not response["Location"].startswith("/accounts/login/"):
            problems.append(f"{method.upper()} {route}: anonymous got {response.status_code}, not a redirect to the login page")
    if target is not None:
        client = Client(raise_request_exception=False)
        client.force_login(merchant)
        statuses = []
        for method in ("get", "post"):
            call = (lambda u: client.post(u, BODY)) if method == "post" else client.get
            status = call(url).status_code
            statuses.append(status)
            if status not in (404, 405):
                problems.append(f"{method.upper()} {route}: another tenant's id got {status}, not 404")
            missing = call(_url(route, "999999" if target[1] == "pk" else "NOPE-999")).status_code
            if status == 404 and missing != 404:
                problems.append(f"{method.upper()} {route}: another tenant's id is told apart from a missing one")
        if 404 not in statuses and not problems:
            problems.append(f"{route}: neither GET nor POST reached the page (405 both ways)")
    return problems


def test_every_portal_page_is_enumerated():
    routes = portal_routes()
    assert len(routes) >= 30
    assert "reports/<str:report_no>/" in routes and "inbox/<int:pk>/read/" in routes and "" in routes


def test_every_portal_page_redirects_anonymous_and_hides_other_tenants(world, merchant):  # noqa: F811
    problems = [problem for route in portal_routes() for problem in portal_problems(route, world, merchant)]
    assert problems == []


# --- the test catches a page that forgot its scoping ---------------------------------------------


@login_required
def unscoped_ticket_page(request, pk: int):
    """A portal page that forgot the selector: shows any shop's task by id."""
    return HttpResponse(str(UrgeTask.objects.get(pk=pk).pk))


def forgot_login_page(request):
    """A portal page that forgot ``login_required``."""
    return HttpResponse("metrics for everyone")


urlpatterns = [
    path("tickets/<int:pk>/unscoped/", unscoped_ticket_page),
    path("tickets/open-metrics/", forgot_login_page),
    *get_resolver("backoffice.urls").url_patterns,
]


@override_settings(ROOT_URLCONF=__name__)
def test_an_unscoped_dummy_page_is_caught(world, merchant):  # noqa: F811
    assert "tickets/<int:pk>/unscoped/" in portal_routes(__name__)
    problems = portal_problems("tickets/<int:pk>/unscoped/", world, merchant)
    assert "GET tickets/<int:pk>/unscoped/: another tenant's id got 200, not 404" in problems


@override_settings(ROOT_URLCONF=__name__)
def test_a_page_without_login_is_caught(world, merchant):  # noqa: F811
    assert "tickets/open-metrics/" in portal_routes(__name__)
    assert portal_problems("tickets/open-metrics/", world, merchant) == [
        "GET tickets/open-metrics/: anonymous got 200, not a redirect to the login page",
        "POST tickets/open-metrics/: anonymous got 200, not a redirect to the login page",
    ]


def test_an_unknown_id_page_is_caught():
    assert _target("gadgets/<int:pk>/") == ("?", "pk")
