"""The ops dashboard on the admin home (SPEC §11): what needs attention now and how the last
days went. One page load costs a fixed number of queries whatever the data (a test asserts it):
one aggregate per queue (size and oldest item), one grouped count per chart, one for the
spot-check counts, one for the last badge run, three for job health (``core.jobs.job_overview``)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Min, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from badges.models import BadgeRun
from complaints.models import Appeal, Complaint
from complaints.selectors import complaints_to_rereview
from core.jobs import job_overview
from core.policies import JUDGE_BY_REPORTS, policy_effective_from
from reports.models import DeliveryReport
from tickets.models import Urge, UrgeTask
from tickets.services.metrics import SHANGHAI, day_bounds, shanghai_today
from workbench.models import SpotCheck

CHART_DAYS = 14
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 280, 64, 2


@dataclass
class Queue:
    key: str
    label: str
    count: int
    oldest: datetime | None
    url: str
    now: datetime

    @property
    def age(self) -> timedelta | None:
        return None if self.oldest is None else max(self.now - self.oldest, timedelta(0))

    @property
    def age_hours(self) -> int | None:
        age = self.age
        return None if age is None else int(age.total_seconds() // 3600)


def _changelist(model, **params) -> str:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def _queue(key, label, qs, oldest_field: str, url: str, now: datetime) -> Queue:
    found = qs.order_by().aggregate(count=Count("pk"), oldest=Min(oldest_field))
    return Queue(key, str(label), found["count"], found["oldest"], url, now)


def _local(value: datetime) -> str:
    return str(timezone.localtime(value, SHANGHAI).replace(microsecond=0))


def dashboard_queues(*, now: datetime) -> list[Queue]:
    judge_from = policy_effective_from(JUDGE_BY_REPORTS)
    manual = Complaint.objects.filter(status=Complaint.Status.PENDING_REVIEW)
    manual_params: dict[str, str] = {"status__exact": Complaint.Status.PENDING_REVIEW}
    if judge_from is not None:
        manual = manual.filter(filed_at__lt=judge_from)  # after it the job judges them
        manual_params["filed_at__lt"] = _local(judge_from)
    since = now - timedelta(hours=24)
    return [
        _queue(
            "reports",
            _("Reports to review"),
            DeliveryReport.objects.filter(status=DeliveryReport.Status.PENDING_REVIEW),
            "submitted_at",
            _changelist(DeliveryReport, status__exact=DeliveryReport.Status.PENDING_REVIEW),
            now,
        ),
        _queue(
            "appeals",
            _("Appeals to decide"),
            Appeal.objects.filter(status=Appeal.Status.PENDING_REVIEW),
            "created_at",
            _changelist(Appeal, status__exact=Appeal.Status.PENDING_REVIEW),
            now,
        ),
        _queue(
            "rereview",
            _("Complaints to re-review"),
            complaints_to_rereview(),
            "basis_report__revoked_at",
            reverse("admin:complaints_complainttorereview_changelist"),
            now,
        ),
        _queue(
            "manual",
            _("Complaints awaiting manual judgment"),
            manual,
            "filed_at",
            _changelist(Complaint, **manual_params),
            now,
        ),
        _queue(
            "overdue",
            _("Tasks overdue in the last 24 hours"),
            UrgeTask.objects.filter(status=UrgeTask.Status.OVERDUE, overdue_at__gte=since),
            "overdue_at",
            _changelist(UrgeTask, status__exact=UrgeTask.Status.OVERDUE, overdue_at__gte=_local(since)),
            now,
        ),
        _queue(
            "spot_checks",
            _("Spot checks pending"),
            SpotCheck.objects.filter(status=SpotCheck.Status.PENDING),
            "created_at",
            _changelist(SpotCheck, status__exact=SpotCheck.Status.PENDING),
            now,
        ),
    ]


# --- charts -----------------------------------------------------------------------------------


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    value: int
    today: bool


@dataclass
class Series:
    key: str
    label: str
    days: list[date]
    values: list[int]
    bars: list[Bar] = field(default_factory=list)
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT

    @property
    def today(self) -> int:
        return self.values[-1]

    @property
    def total(self) -> int:
        return sum(self.values)

    @property
    def peak(self) -> int:
        return max(self.values)


def _bars(days: list[date], values: list[int]) -> list[Bar]:
    """Bar geometry of one chart (server-rendered SVG, no script, no CDN)."""
    peak = max(values) or 1
    slot = (CHART_WIDTH - 2 * CHART_PAD) / len(days)
    usable = CHART_HEIGHT - 2 * CHART_PAD
    bars = []
    for i, (day, value) in enumerate(zip(days, values, strict=True)):
        height = round(usable * value / peak, 1) if value else 0.0
        bars.append(
            Bar(
                x=round(CHART_PAD + i * slot + 1, 1),
                y=round(CHART_PAD + usable - height, 1),
                width=round(slot - 2, 1),
                height=height,
                day=day,
                value=value,
                today=i == len(days) - 1,
            )
        )
    return bars


def _per_day(qs, field_name: str, start: datetime, end: datetime, **group) -> dict:
    """``{(day, *group values): count}`` of ``qs`` by the Asia/Shanghai day of ``field_name``."""
    rows = (
        qs.filter(**{f"{field_name}__gte": start, f"{field_name}__lt": end})
        .order_by()
        .annotate(day=TruncDate(field_name, tzinfo=SHANGHAI))
        .values("day", *group)
        .annotate(n=Count("pk"))
        .values_list("day", *group, "n")
    )
    return {tuple(row[:-1]): row[-1] for row in rows}


def dashboard_series(*, now: datetime, days: int = CHART_DAYS) -> list[Series]:
    today = shanghai_today(now)
    window = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    start, end = day_bounds(window[0])[0], day_bounds(today)[1]
    urges = _per_day(Urge.objects.all(), "urged_at", start, end)
    opened = _per_day(UrgeTask.objects.all(), "opened_at", start, end)
    overdue = _per_day(UrgeTask.objects.filter(overdue_at__isnull=False), "overdue_at", start, end)
    filed = _per_day(Complaint.objects.all(), "filed_at", start, end)
    judged = _per_day(Complaint.objects.filter(judged_at__isnull=False), "judged_at", start, end, verdict="verdict")
    appeals = _per_day(Appeal.objects.all(), "created_at", start, end)
    Verdict = Complaint.Verdict
    figures = [
        ("urges", _("Urges"), lambda d: urges.get((d,), 0)),
        ("tasks", _("Tasks opened"), lambda d: opened.get((d,), 0)),
        ("overdue", _("Tasks overdue"), lambda d: overdue.get((d,), 0)),
        ("complaints", _("Complaints filed"), lambda d: filed.get((d,), 0)),
        ("exempt", _("Complaints judged exempt"), lambda d: judged.get((d, Verdict.EXEMPT), 0)),
        ("liable", _("Complaints judged merchant-liable"), lambda d: judged.get((d, Verdict.MERCHANT_LIABLE), 0)),
        ("appeals", _("Appeals filed"), lambda d: appeals.get((d,), 0)),
    ]
    series = []
    for key, label, count in figures:
        values = [count(d) for d in window]
        series.append(Series(key, str(label), window, values, _bars(window, values)))
    return series


# --- the rest ---------------------------------------------------------------------------------


def spot_check_counts() -> dict[str, int]:
    found = SpotCheck.objects.aggregate(
        pending=Count("pk", filter=Q(status=SpotCheck.Status.PENDING)),
        confirmed=Count("pk", filter=Q(status=SpotCheck.Status.CONFIRMED)),
        false=Count("pk", filter=Q(status=SpotCheck.Status.FALSE)),
    )
    return found


def last_badge_run() -> BadgeRun | None:
    return BadgeRun.objects.order_by("-pk").first()


def dashboard(*, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    return {
        "queues": dashboard_queues(now=now),
        "series": dashboard_series(now=now),
        "spot_checks": spot_check_counts(),
        "badge_run": last_badge_run(),
        "jobs": job_overview(now=now),
        "now": now,
    }
