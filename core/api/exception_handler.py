"""One exception handler: every error leaves the API as ``{"code", "detail"}``."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.errors import DomainError


def _first_message(detail: Any) -> tuple[str, str]:
    """Return (field path, message) of the first error in a DRF ``detail`` tree."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            path, message = _first_message(value)
            field = key if key != "non_field_errors" else ""
            return (f"{field}.{path}".strip(".") if path else field), message
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return "", str(detail)


def _first_code(detail: Any) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_code(value)
    if isinstance(detail, list) and detail:
        return _first_code(detail[0])
    return getattr(detail, "code", None) or "invalid"


_GENERIC_CODES = {
    "invalid",
    "required",
    "null",
    "blank",
    "does_not_exist",
    "invalid_choice",
    "max_length",
    "min_length",
    "max_value",
    "min_value",
    "max_digits",
    "max_decimal_places",
    "max_whole_digits",
    "date",
    "datetime",
    "not_a_list",
    "empty",
    "incorrect_type",
    "unique",
    "parse_error",
    "not_a_dict",
}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response({"code": exc.code, "detail": exc.detail}, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        field, message = _first_message(exc.detail)
        code = _first_code(exc.detail)
        # A field error keeps its specific code when a rule set one (e.g. ``region_unknown``);
        # DRF's generic codes become ``invalid`` with the field named in the detail.
        if code in _GENERIC_CODES:
            code = "invalid" if code not in {"required", "parse_error"} else code
        detail = f"{field}: {message}" if field else message
        response.data = {"code": code, "detail": detail, "errors": exc.detail}
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    if not isinstance(exc, exceptions.APIException):  # DRF answers only its own exceptions
        return response
    code = getattr(exc, "default_code", "error")
    if isinstance(exc.detail, dict | list):
        _, message = _first_message(exc.detail)
    else:
        code = getattr(exc.detail, "code", None) or code
        message = str(exc.detail)
    response.data = {"code": code, "detail": message}
    return response
