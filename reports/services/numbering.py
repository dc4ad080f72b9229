"""Human-readable report numbers: ``BB`` + yyyymmdd (Asia/Shanghai) + a 5-digit daily sequence."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import F

from reports.models import ReportSequence

SHANGHAI = ZoneInfo("Asia/Shanghai")
PREFIX = "BB"


def report_no_next(*, at: datetime) -> str:
    """Take the next number of ``at``'s day. Call inside the submitting transaction: the
    ``UPDATE`` locks the day's counter row until commit, so concurrent submissions queue on it
    and never share a number (and a rolled-back submission gives its number back)."""
    day = at.astimezone(SHANGHAI).date()
    ReportSequence.objects.get_or_create(day=day)  # a concurrent creator is settled by the pk
    ReportSequence.objects.filter(day=day).update(last=F("last") + 1)
    last = ReportSequence.objects.values_list("last", flat=True).get(day=day)
    return f"{PREFIX}{day:%Y%m%d}{last:05d}"
