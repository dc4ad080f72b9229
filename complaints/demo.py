"""Demo complaints and an appeal on the demo orders (after shops 10, reports 20, tickets 30).

Idempotent: complaints are filed by event id, the two demo reports and the appeal are created
only once. Judged complaints come from the real job; a few filed last stay pending until the
worker runs.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from complaints.models import Appeal, Complaint
from complaints.services import JudgeRun, appeal_create, complaint_file, complaints_judge_pending
from reports.models import CommitmentLetter, DeliveryReport, Scenario
from shops.models import Order, Shop

ORDER = 40

# (shop, how many complaints) — judged by the job
JUDGED = [("sz-digital", 4), ("hz-tea", 3), ("cd-snacks", 3)]
# filed after the judge run: pending until the worker's next pass
PENDING = [("sh-beauty", 2), ("cd-snacks", 1)]


def _orders(shop: Shop, count: int, now):
    """Demo orders paid 5–7 days ago whose ship deadline has passed by more than a few hours."""
    return list(
        Order.objects.filter(
            shop=shop, order_no__startswith="DEMO", paid_at__gte=now - timedelta(days=7), paid_at__lte=now - timedelta(days=5)
        ).order_by("order_no")[:count]
    )


DEMO_NOTE = "演示数据：疫情封控"


def _report(seq: int, shop: Shop, *, starts, ends, approved, merchant) -> DeliveryReport:
    """A back-dated approved report (report_submit refuses back-dating, rightly), numbered like
    real ones (BB + day + sequence, from 90001 so it never meets the day counter)."""
    existing = DeliveryReport.objects.filter(shop=shop, note=DEMO_NOTE).first()
    if existing:
        return existing
    return DeliveryReport.objects.create(
        report_no=f"BB{timezone.localtime(starts):%Y%m%d}{90000 + seq}",
        shop=shop,
        scenario=Scenario.EPIDEMIC,
        scope=DeliveryReport.Scope.SHOP,
        starts_at=starts,
        ends_at=ends,
        promised_ship_by=ends,
        commitment_letter=CommitmentLetter.objects.latest("published_at"),
        commitment_accepted_at=starts,
        commitment_accepted_by=merchant,
        status=DeliveryReport.Status.APPROVED,
        submitted_at=starts,
        submitted_by=merchant,
        approved_at=approved,
        decided_at=approved,
        decided_by_system=True,
        note=DEMO_NOTE,
    )


def _file(shops, plan, now, tag: str) -> int:
    filed = 0
    for code, count in plan:
        for i, order in enumerate(_orders(shops[code], count + (3 if tag == "p" else 0), now)[-count:]):
            _, created = complaint_file(
                actor=None,
                event_id=f"demo-{tag}-{order.order_no}",
                order=order,
                reason=Complaint.Reason.DELAYED_SHIPMENT if i % 2 == 0 else Complaint.Reason.CANNOT_SHIP,
                source=Complaint.Source.BUYER if i % 3 else Complaint.Source.PLATFORM,
                filed_at=order.ship_deadline + timedelta(hours=3),
                message="超过发货时效仍未发货，催了也没回复。",
                evidence=[f"https://img.example.com/demo/{order.order_no}.png"],
            )
            filed += created
    return filed


def seed(stdout) -> list[str]:
    shops = {s.code: s for s in Shop.objects.filter(code__in=["hz-tea", "sz-digital", "cd-snacks", "sh-beauty"])}
    User = get_user_model()
    merchant1, merchant2 = User.objects.filter(username="merchant1").first(), User.objects.filter(username="merchant2").first()
    if len(shops) < 4 or not merchant1 or not merchant2 or not Order.objects.filter(order_no__startswith="DEMO").exists():
        return []
    now = timezone.now()
    # sz-digital reported the whole shop for the last 9 days: its complaints are exempt.
    _report(
        1,
        shops["sz-digital"],
        starts=now - timedelta(days=9),
        ends=now - timedelta(days=1),
        approved=now - timedelta(days=9),
        merchant=merchant2,
    )
    # cd-snacks' whole-shop report ended before its complaints were filed: liable, but it may be
    # cited in an appeal (approved before the judgment, scope matches).
    cd_report = _report(
        2,
        shops["cd-snacks"],
        starts=now - timedelta(days=10),
        ends=now - timedelta(days=6),
        approved=now - timedelta(days=10),
        merchant=merchant1,
    )
    filed = _file(shops, JUDGED, now, "j")
    run = complaints_judge_pending() if filed else JudgeRun()
    filed += _file(shops, PENDING, now, "p")
    liable = (
        Complaint.objects.filter(
            event_id__startswith="demo-j-", order__shop=shops["cd-snacks"], verdict=Complaint.Verdict.MERCHANT_LIABLE
        )
        .order_by("pk")
        .first()
    )
    if liable and not Appeal.objects.filter(complaint=liable).exists():
        appeal_create(
            actor=merchant1,
            complaint=liable,
            report_no=cd_report.report_no,
            statement="发货地成都疫情封控，物流停运，已提前报备。",
        )
    stdout.write(
        f"  complaints: {filed} filed, {run.judged} judged ({run.exempt} exempt, {run.liable} liable), "
        f"{Appeal.objects.filter(complaint__event_id__startswith='demo-').count()} appeal(s)"
    )
    return ["Complaints: /complaints/ (merchant portal) · ops queues: /admin/complaints/"]
