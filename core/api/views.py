"""Error answers for requests that never reach a DRF view, in the API's ``{"code", "detail"}`` shape."""

import sys
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt


def _did_you_mean(path: str) -> str | None:
    """``/api/v1/reports`` → ``/api/v1/reports/`` when the slashed path is an API route."""
    if path.endswith("/"):
        return None
    try:
        resolve(path + "/")
    except Resolver404:
        return None
    return path + "/"


@csrf_exempt  # it changes nothing; a POST to a mistyped path must get the JSON 404, not a CSRF page
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """The last route under ``/api/``: an unknown path, or an id that is not one (``/tickets/abc/``),
    is a JSON 404 — never Django's HTML page, and never an APPEND_SLASH redirect that would turn
    a POST into a GET."""
    suggestion = _did_you_mean(request.path)
    if suggestion:
        detail = _("No API endpoint at %(path)s; API paths end with a slash: %(suggestion)s") % {
            "path": request.path,
            "suggestion": suggestion,
        }
    else:
        detail = _("No API endpoint at %(path)s.") % {"path": request.path}
    return JsonResponse({"code": "not_found", "detail": detail}, status=404)


def database_unavailable() -> bool:
    """Whether the error being handled is the database being unreachable (restart, dropped
    connection): Django then closes the broken connection at the end of the request, and the
    next request connects again — nothing to restart."""
    exc = sys.exc_info()[1]
    return isinstance(exc, OperationalError | InterfaceError)


def server_error(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """``handler500``: a JSON body under ``/api/``, Django's page elsewhere; the database being
    unreachable is a 503 ``database_unavailable`` (retry later), not a 500."""
    if database_unavailable():
        detail = _("The database is unavailable; try again shortly.")
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = JsonResponse({"code": "database_unavailable", "detail": detail}, status=503)
        else:
            response = HttpResponse(f"503 database_unavailable: {detail}", status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "5"
        return response
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "server_error", "detail": _("Server error; it has been logged.")}, status=500)
    return defaults.server_error(request, *args, **kwargs)


def bad_request(request: HttpRequest, exception: Exception, *args: Any, **kwargs: Any) -> HttpResponse:
    """``handler400`` (a SuspiciousOperation, e.g. a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``):
    a JSON ``{"code", "detail"}`` under ``/api/``, Django's page elsewhere."""
    if not request.path.startswith("/api/"):
        return defaults.bad_request(request, exception, *args, **kwargs)
    if isinstance(exception, RequestDataTooBig):
        code, detail = "request_too_large", _("The request body is too large.")
    elif isinstance(exception, TooManyFieldsSent):
        code, detail = "too_many_fields", _("The request has too many fields.")
    else:
        code, detail = "bad_request", _("Bad request.")
    return JsonResponse({"code": code, "detail": detail}, status=400)
