"""The one answer for create-or-existing endpoints: 201 when the call created, else 200."""

from rest_framework import status
from rest_framework.response import Response


def created_or_ok(created: bool) -> int:
    return status.HTTP_201_CREATED if created else status.HTTP_200_OK


def created_or_existing(data: object, *, created: bool) -> Response:
    """``data`` answered with 201 when ``created``, else 200 (an idempotent repeat)."""
    return Response(data, status=created_or_ok(created))
