"""Serializer fields shared by the apps' APIs."""

from datetime import datetime
from zoneinfo import ZoneInfo

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

_SHANGHAI = ZoneInfo("Asia/Shanghai")


class AwareDateTimeField(serializers.DateTimeField):
    """An input datetime: ISO-8601; a value without an offset is read in Asia/Shanghai (TIME_ZONE).

    Bounded to 2000-01-01 – 2100-01-01 (Asia/Shanghai): the services add hours and days to these
    values (``paid_at + 48h``, ``urged_at + 24h``), which for a date at the edge of what Python
    can represent (``9999-12-31``) overflowed into a 500; no event of this marketplace lies
    outside that range anyway. Out of range is 400 ``datetime_out_of_range``."""

    EARLIEST = datetime(2000, 1, 1, tzinfo=_SHANGHAI)
    LATEST = datetime(2100, 1, 1, tzinfo=_SHANGHAI)

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if not self.EARLIEST <= parsed < self.LATEST:
            raise refuse(
                "datetime_out_of_range",
                f"{value} is outside the accepted range {self.EARLIEST:%Y-%m-%d} – {self.LATEST:%Y-%m-%d} (Asia/Shanghai).",
            )
        return parsed


def refuse(code: str, message: str) -> serializers.ValidationError:
    """A validation error whose top-level API code is ``code`` (kept by the exception handler)."""
    return serializers.ValidationError(message, code=code)


def refuse_nul_characters(value) -> None:
    """For fields that look a value up while converting it (before validators run): a NUL
    character cannot be in any code here, and PostgreSQL refuses it in a query (a 500)."""
    if isinstance(value, str) and "\x00" in value:
        raise refuse("null_characters_not_allowed", "Null characters are not allowed.")


@extend_schema_field(
    {"type": "string", "nullable": True, "description": "Username of the caller or a colleague, else 系统 / 平台运营."}
)
class MerchantActorField(serializers.Field):
    """A user as a merchant may see it (SPEC §9): the caller's own name or a colleague's, else
    "系统" / "平台运营" — never an ops username. Read-only; null stays null."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        from core.audit import merchant_actor_label, merchant_colleague_ids

        request = self.context.get("request")
        viewer = getattr(request, "user", None)
        cache = self.context.setdefault("_merchant_colleagues", {})
        key = getattr(viewer, "pk", None)
        if key not in cache:
            cache[key] = merchant_colleague_ids(viewer)
        return merchant_actor_label(value, colleagues=cache[key])
