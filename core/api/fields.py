"""Serializer fields shared by the apps' APIs."""

from rest_framework import serializers


class AwareDateTimeField(serializers.DateTimeField):
    """ISO-8601 datetimes; a value without an offset is read in Asia/Shanghai (TIME_ZONE)."""


def refuse(code: str, message: str) -> serializers.ValidationError:
    """A validation error whose top-level API code is ``code`` (kept by the exception handler)."""
    return serializers.ValidationError(message, code=code)
