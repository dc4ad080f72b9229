"""Bounds on every input (SPEC §9), in one place.

API serializers (``core.api.fields``), portal forms, admin forms (``core.forms``) and query
parameters all call these checks, so a limit and its code exist once:

- datetimes lie in [2000-01-01, 2100-01-01) (Asia/Shanghai) → ``datetime_out_of_range``; text
  that is not a real date-time (an impossible date, an offset beyond ±14:00, garbage) →
  ``datetime_invalid``; never a 500;
- platform event times (``at``, ``urged_at``, ``filed_at``, ``paid_at``) at most 5 minutes in
  the future → ``time_in_future``;
- list fields at most 1,000 items → ``too_many_items`` (checked before any item is looked at);
- free-text search at most 100 characters and 10 terms → ``search_too_long``.
"""

from collections.abc import Sized
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.errors import InvalidInput

SHANGHAI = ZoneInfo("Asia/Shanghai")
EARLIEST = datetime(2000, 1, 1, tzinfo=SHANGHAI)
LATEST = datetime(2100, 1, 1, tzinfo=SHANGHAI)
MAX_OFFSET = timedelta(hours=14)
FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_LIST_ITEMS = 1000
MAX_SEARCH_CHARS = 100
MAX_SEARCH_TERMS = 10


class BoundsError(InvalidInput):
    """A value outside SPEC §9's bounds (400 with its own code)."""


def _out_of_range(value: datetime) -> BoundsError:
    return BoundsError(
        "datetime_out_of_range",
        _("%(value)s is outside the accepted range %(earliest)s – %(latest)s (Asia/Shanghai).")
        % {"value": value.isoformat(), "earliest": f"{EARLIEST:%Y-%m-%d}", "latest": f"{LATEST:%Y-%m-%d}"},
    )


def _not_a_datetime() -> BoundsError:
    return BoundsError("datetime_invalid", _("Not a date-time (ISO 8601, e.g. 2026-01-31T12:00+08:00)."))


def datetime_bounds_error(value: datetime) -> BoundsError | None:
    """The refusal for an aware datetime outside the bounds (or with an impossible offset)."""
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        return BoundsError(
            "datetime_invalid", _("%(value)s: a UTC offset must lie within ±14:00.") % {"value": value.isoformat()}
        )
    try:
        inside = EARLIEST <= value < LATEST
    except (OverflowError, ValueError):  # pragma: no cover - aware comparisons of extreme values
        inside = False
    if not inside:
        return _out_of_range(value)
    return None


def check_datetime(value: datetime) -> datetime:
    """An aware datetime within bounds, or a ``BoundsError``. A naive value is read in
    Asia/Shanghai first (only after a year check, since making year 1 aware is meaningless)."""
    if timezone.is_naive(value):
        if not EARLIEST.year <= value.year < LATEST.year:
            raise _out_of_range(value)
        value = value.replace(tzinfo=SHANGHAI)
    error = datetime_bounds_error(value)
    if error is not None:
        raise error
    return value


def parse_bounded_datetime(text: str) -> datetime:
    """A query parameter or form text as a bounded aware datetime (naive → Asia/Shanghai).
    Anything else — an impossible date, ``+99:00``, garbage — is a 400, never a 500."""
    text = (text or "").strip()
    if len(text) > 40:
        raise _not_a_datetime()
    try:
        parsed = parse_datetime(text.replace(" ", "T", 1) if "T" not in text else text)
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None:
        raise _not_a_datetime()
    return check_datetime(parsed)


def check_not_in_future(value: datetime, *, now: datetime | None = None) -> datetime:
    """Platform event times: at most ``FUTURE_TOLERANCE`` after now (clock skew), else 400."""
    now = now or timezone.now()
    if value > now + FUTURE_TOLERANCE:
        raise BoundsError("time_in_future", _("%(value)s lies more than 5 minutes in the future.") % {"value": value.isoformat()})
    return value


def check_list_size(items: object, *, field: str = "items") -> None:
    """At most ``MAX_LIST_ITEMS`` items (look at the length only, before any item); a value
    without a length is left to the field's own type check."""
    if not isinstance(items, Sized):
        return
    size = len(items)
    if size > MAX_LIST_ITEMS:
        raise BoundsError(
            "too_many_items",
            _("%(field)s: at most %(max)s items (got %(count)s).") % {"field": field, "max": MAX_LIST_ITEMS, "count": size},
        )


def check_search(text: str) -> str:
    """Free-text search: at most 100 characters and 10 terms."""
    text = text or ""
    if len(text) > MAX_SEARCH_CHARS or len(text.split()) > MAX_SEARCH_TERMS:
        raise BoundsError(
            "search_too_long",
            _("A search may have at most %(chars)s characters and %(terms)s words.")
            % {"chars": MAX_SEARCH_CHARS, "terms": MAX_SEARCH_TERMS},
        )
    return text
