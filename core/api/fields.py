"""Serializer fields shared by the apps' APIs."""

from datetime import datetime
from typing import TYPE_CHECKING, Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import bounds


class AwareDateTimeField(serializers.DateTimeField):
    """An input datetime: ISO-8601; a value without an offset is read in Asia/Shanghai (TIME_ZONE).

    Bounded by ``core.bounds`` (SPEC §9): 2000-01-01 – 2100-01-01 (Asia/Shanghai) else 400
    ``datetime_out_of_range`` — the services add hours and days to these values (``paid_at +
    48h``), which at the edge of what Python represents overflowed into a 500; text that is no
    real date-time (an impossible date such as 2030-02-30, a UTC offset beyond ±14:00, garbage)
    is 400 ``datetime_invalid``, as in the portal: text is read by
    ``core.bounds.parse_bounded_datetime``, the one parser of every input datetime."""

    EARLIEST = bounds.EARLIEST
    LATEST = bounds.LATEST

    def to_internal_value(self, value: datetime | str) -> datetime:
        if isinstance(value, str):
            try:
                return self.enforce_timezone(bounds.parse_bounded_datetime(value))
            except bounds.BoundsError as exc:
                raise refuse(exc.code, exc.detail) from exc
        try:
            parsed = super().to_internal_value(value)
        except (OverflowError, ValueError) as exc:
            raise refuse("datetime_out_of_range", f"{value} is outside the accepted range.") from exc
        return self._bounded(parsed)

    def _bounded(self, parsed: datetime) -> datetime:
        try:
            value = bounds.check_datetime(parsed)
        except bounds.BoundsError as exc:
            raise refuse(exc.code, exc.detail) from exc
        return self.enforce_timezone(value)


class PlatformEventTimeField(AwareDateTimeField):
    """A platform event time (``at``, ``urged_at``, ``filed_at``, ``paid_at``): bounded like any
    datetime, and at most 5 minutes in the future (400 ``time_in_future``)."""

    def to_internal_value(self, value: datetime | str) -> datetime:
        parsed = super().to_internal_value(value)
        try:
            return bounds.check_not_in_future(parsed)
        except bounds.BoundsError as exc:
            raise refuse(exc.code, exc.detail) from exc


class BoundedListField(serializers.ListField):
    """A list field of at most ``core.bounds.MAX_LIST_ITEMS`` items (400 ``too_many_items``),
    counted before any item is validated or looked up."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", bounds.MAX_LIST_ITEMS)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> list[Any]:
        limit = min(self.max_length or bounds.MAX_LIST_ITEMS, bounds.MAX_LIST_ITEMS)
        if isinstance(data, (list, tuple)) and len(data) > limit:
            raise refuse("too_many_items", f"At most {limit} items (got {len(data)}).")
        return super().to_internal_value(data)


if TYPE_CHECKING:  # DRF's ListSerializer is generic in its stubs only
    _ListSerializerBase = serializers.ListSerializer[Any]
else:
    _ListSerializerBase = serializers.ListSerializer


class BoundedListSerializer(_ListSerializerBase):
    """``many=True`` of a nested serializer, bounded like ``BoundedListField``: at most
    ``core.bounds.MAX_LIST_ITEMS`` items (400 ``too_many_items``), counted before any item is
    validated. A nested serializer opts in with ``Meta.list_serializer_class``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", bounds.MAX_LIST_ITEMS)  # for the schema's maxItems
        super().__init__(*args, **kwargs)

    def to_internal_value(self, data: Any) -> list[Any]:
        try:
            bounds.check_list_size(data, field=self.field_name or "items")
        except bounds.BoundsError as exc:
            raise refuse(exc.code, exc.detail) from exc
        items: list[Any] = super().to_internal_value(data)
        return items


class SearchField(serializers.CharField):
    """Free-text search: at most 100 characters and 10 terms (400 ``search_too_long``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("default", "")
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        try:
            return bounds.check_search(value)
        except bounds.BoundsError as exc:
            raise refuse(exc.code, exc.detail) from exc


def refuse(code: str, message: str) -> serializers.ValidationError:
    """A validation error whose top-level API code is ``code`` (kept by the exception handler)."""
    return serializers.ValidationError(message, code=code)


def refuse_nul_characters(value: Any) -> None:
    """For fields that look a value up while converting it (before validators run): a NUL
    character cannot be in any code here, and PostgreSQL refuses it in a query (a 500)."""
    if isinstance(value, str) and "\x00" in value:
        raise refuse("null_characters_not_allowed", "Null characters are not allowed.")


if TYPE_CHECKING:  # DRF's Field is generic in its stubs only
    _FieldBase = serializers.Field[Any, Any, Any, Any]
else:
    _FieldBase = serializers.Field


@extend_schema_field(
    {"type": "string", "nullable": True, "description": "Username of the caller or a colleague, else 系统 / 平台运营."}
)
class MerchantActorField(_FieldBase):
    """A user as a merchant may see it (SPEC §9): the caller's own name or a colleague's, else
    "系统" / "平台运营" — never an ops username. Read-only; null stays null."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str | None:
        from core.audit import merchant_actor_label, merchant_colleague_ids

        request = self.context.get("request")
        viewer = getattr(request, "user", None)
        context = self.context
        cache: dict[Any, set[int]] = context.setdefault("_merchant_colleagues", {}) if isinstance(context, dict) else {}
        key = getattr(viewer, "pk", None)
        if key not in cache:
            cache[key] = merchant_colleague_ids(viewer)
        return merchant_actor_label(value, colleagues=cache[key])
