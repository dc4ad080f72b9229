"""Demo reports over the demo shops (approved, pending, withdrawn, rejected, revoked, expired) and
one unified exemption. Filed through the services, backdated with their ``at`` argument."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from reports import services
from reports.models import DeliveryReport, UnifiedExemption
from shops.models import Shop

ORDER = 20
MARKER = "demo-"


def _file(shop: Shop, user, key: str, at, **kwargs) -> DeliveryReport:
    values = {"scenario": "epidemic", "scope": "shop", "commitment_accepted": True}
    draft = services.ReportDraft(shop=shop, request_id=f"{MARKER}{key}", **{**values, **kwargs})
    return services.report_submit(actor=user, draft=draft, at=at).report


def seed(stdout) -> list[str]:
    shops = {s.code: s for s in Shop.objects.filter(code__in=["hz-tea", "sz-digital", "cd-snacks", "sh-beauty"])}
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=["merchant1", "merchant2", "ops", "opsadmin"])}
    if len(shops) < 4 or len(users) < 4:
        return []
    now = timezone.now().replace(microsecond=0)
    if DeliveryReport.objects.filter(request_id__startswith=MARKER).exists():
        _amend(users["merchant1"], now)  # a database seeded before amendments existed gets one too
        return []
    day = timedelta(days=1)
    m1, m2, ops = users["merchant1"], users["merchant2"], users["ops"]
    filed = [
        # 杭州: an expired whole-shop report, and a live one approved automatically.
        _file(
            shops["hz-tea"], m1, "1", now - 9 * day, starts_at=now - 9 * day, ends_at=now - 7 * day, note="仓库所在小区临时封控"
        ),
        _file(
            shops["hz-tea"],
            m1,
            "2",
            now - 6 * day,
            starts_at=now - 6 * day,
            ends_at=now + 2 * day,
            note="杭州仓疫情管控，快递停收",
        ),
        # 成都: receiver regions hit by a natural disaster, and a rejected major-event report.
        _file(
            shops["cd-snacks"],
            m1,
            "3",
            now - 5 * day,
            scenario="natural_disaster",
            scope="region",
            regions=["540000", "630000", "510100"],
            starts_at=now - 5 * day,
            ends_at=now + 5 * day,
            note="川藏、青海方向道路塌方，物流停运",
        ),
        _file(
            shops["cd-snacks"],
            m1,
            "4",
            now - 4 * day,
            scenario="major_event",
            starts_at=now - 4 * day,
            ends_at=now - 1 * day,
            note="大运会期间园区封闭",
        ),
        # 深圳: a product report waiting for review.
        _file(
            shops["sz-digital"],
            m2,
            "5",
            now - timedelta(hours=2),
            scenario="major_event",
            scope="product",
            products=list(shops["sz-digital"].products.order_by("code").values_list("code", flat=True)[:2]),
            starts_at=now - timedelta(hours=2),
            ends_at=now + 7 * day,
            note="新品首发，备货不足",
        ),
        # 上海: one withdrawn, one approved by ops then revoked after a spot check.
        _file(shops["sh-beauty"], m2, "6", now - 6 * day, starts_at=now - 6 * day, ends_at=now + 1 * day, note="仓库员工隔离"),
        _file(
            shops["sh-beauty"],
            m2,
            "7",
            now - 4 * day,
            scenario="other_force_majeure",
            scope="region",
            regions=["310000", "320500"],
            starts_at=now - 4 * day,
            ends_at=now + 3 * day,
            note="台风影响",
        ),
    ]
    services.report_reject(
        actor=ops, report=filed[3], reason="大型活动需提供主办方证明材料", at=now - 4 * day + timedelta(hours=3)
    )
    services.report_withdraw(actor=m2, report=filed[5], reason="已恢复正常发货", at=now - 3 * day)
    services.report_approve(actor=ops, report=filed[6], at=now - 4 * day + timedelta(hours=2))
    services.report_revoke(actor=ops, report=filed[6], reason="抽查发现承诺不实", at=now - 2 * day)

    if not UnifiedExemption.objects.filter(title="湖北省疫情统一免责", source=UnifiedExemption.Source.OPS).exists():
        services.exemption_create(
            actor=users["opsadmin"],
            title="湖北省疫情统一免责",
            scenario="epidemic",
            applies_to="either",
            regions=["420000"],
            starts_at=now - 3 * day,
            ends_at=now + 4 * day,
        )
    _amend(m1, now)
    stdout.write(f"  reports: {len(filed)} reports (one amended to version 2), 1 unified exemption")
    return [
        "Reports: merchant1 has approved/expired/rejected reports (成都's region report is at version 2); "
        "merchant2 pending/withdrawn/revoked."
    ]


def _amend(merchant, now) -> None:
    """成都's region report, extended by three days and widened to 重庆 a day ago (version 2)."""
    report = DeliveryReport.objects.filter(request_id=f"{MARKER}3", status=DeliveryReport.Status.APPROVED).first()
    if report is None or report.amendments.exists() or report.ends_at < now:
        return
    services.report_amend(
        actor=merchant,
        report=report,
        ends_at=report.ends_at + timedelta(days=3),
        regions=["500000"],
        note="道路抢修延期，重庆方向也受影响",
        at=now - timedelta(days=1),
    )
