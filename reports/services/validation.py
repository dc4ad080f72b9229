"""Input rules shared by reports and exemptions: windows and region codes."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from core.errors import InvalidInput
from shops.regions import unknown_region_codes


def validate_window(
    *,
    starts_at: datetime,
    ends_at: datetime,
    submitted_at: datetime | None = None,
    max_window: timedelta | None = None,
    max_backdate: timedelta | None = None,
) -> None:
    """Each rule has its own 400 code: ``window_invalid`` (ends_at ≤ starts_at),
    ``window_too_long`` (longer than ``max_window``), ``window_backdated`` (starts more than
    ``max_backdate`` before ``submitted_at``)."""
    if ends_at <= starts_at:
        raise InvalidInput("window_invalid", _("The end of the window must be after its start."))
    if max_window is not None and ends_at - starts_at > max_window:
        raise InvalidInput("window_too_long", _("The window may last at most %(days)d days.") % {"days": max_window.days})
    if max_backdate is not None and submitted_at is not None and starts_at < submitted_at - max_backdate:
        hours = int(max_backdate.total_seconds() // 3600)
        raise InvalidInput(
            "window_backdated",
            _("The window may start at most %(hours)d hours before submission.") % {"hours": hours},
        )


def clean_region_codes(codes: Iterable[object]) -> list[str]:
    """Distinct codes in the order given; unknown or malformed ones are 400 ``region_unknown``."""
    cleaned = list(dict.fromkeys(str(c).strip() for c in codes))
    unknown = unknown_region_codes(cleaned)
    if unknown:
        raise InvalidInput("region_unknown", _("Unknown or malformed region code: %(code)s.") % {"code": unknown[0]})
    return cleaned
