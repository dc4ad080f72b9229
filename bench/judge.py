"""Judging pending complaints: the set-based job vs a per-complaint loop, same data, same run.

Creates shops, orders, a few reports and unified exemptions, and N pending complaints filed under
``complaints.judge_by_reports``; judges a sample with the per-complaint loop (``coverage_of`` +
penalty + conditional save per complaint, the obvious way), then the rest with
``complaints_judge_pending``; prints both rates and the ratio.

PostgreSQL: orders and complaints are written with ``INSERT … SELECT generate_series`` and
committed, then ``ANALYZE``d — as production's tables would have statistics — and everything
is deleted at the end (and at the start: leftovers of an interrupted run). SQLite (smoke): inside
one transaction that is rolled back.
"""

import os
import time
from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

RECEIVERS = ["330102", "330106", "110101", "440305", "510104", "310101", "320102", "420102"]

FULL, SMOKE = 100_000, 2_000


class _Rollback(Exception):
    pass


def _setup(n_complaints: int, members: int = 0):
    from django.contrib.auth import get_user_model

    from complaints.models import Complaint
    from reports.models import (
        CommitmentLetter,
        DeliveryReport,
        ExemptionRegion,
        ReportProduct,
        ReportRegion,
        Scenario,
        UnifiedExemption,
    )
    from shops.models import Order, Product, Shop
    from shops.tests.factories import sh

    user, _ = get_user_model().objects.get_or_create(username="bench-judge")
    letter = CommitmentLetter.objects.order_by("-published_at").first()
    receivers = RECEIVERS
    shops = Shop.objects.bulk_create([Shop(code=f"bench-judge-{i}", name=f"基准店铺{i}", kind="tmall") for i in range(20)])
    if members:  # each shop's merchants get an inbox row per judged complaint (and its mail row)
        from shops.models import ShopMembership

        users = get_user_model().objects.bulk_create(
            [get_user_model()(username=f"bench-judge-member-{i}", email=f"m{i}@bench.invalid") for i in range(members)]
        )
        ShopMembership.objects.bulk_create([ShopMembership(shop=s, user=u) for s in shops for u in users])
    products = Product.objects.bulk_create(
        [Product(shop=s, code=f"P{j}", title=f"商品{j}", price=Decimal("99.00")) for s in shops for j in range(10)]
    )
    n_orders = max(n_complaints // 4, 100)
    paid = sh(2023, 1, 2, 10)
    if connection.vendor == "postgresql":
        _insert_orders_pg(n_orders, paid, products)
    else:
        orders = Order.objects.bulk_create(
            [
                Order(
                    order_no=f"BJ{i:08d}",
                    shop_id=products[i % len(products)].shop_id,
                    product=products[i % len(products)],
                    amount=Decimal(1 + (i * 37) % 90000) / 100,
                    paid_at=paid + timedelta(minutes=i % 600),
                    ship_deadline=paid + timedelta(hours=48, minutes=i % 600),
                    receiver_region_id=receivers[i % len(receivers)],
                    sender_region_id="440305",
                )
                for i in range(n_orders)
            ],
            batch_size=2000,
        )

    def report(shop, scope, no):
        return DeliveryReport(
            report_no=f"BBBENCH{no:06d}",
            shop=shop,
            scenario=Scenario.EPIDEMIC,
            scope=scope,
            starts_at=sh(2023, 1, 1),
            ends_at=sh(2023, 1, 10),
            promised_ship_by=sh(2023, 1, 10),
            commitment_letter=letter,
            commitment_accepted_at=sh(2023, 1, 1),
            commitment_accepted_by=user,
            status="approved",
            submitted_at=sh(2023, 1, 1),
            submitted_by=user,
            approved_at=sh(2023, 1, 1),
            decided_by_system=True,
        )

    reports = DeliveryReport.objects.bulk_create(
        [report(s, "shop", i) for i, s in enumerate(shops[:3])]
        + [report(s, "product", 100 + i) for i, s in enumerate(shops[3:10])]
        + [report(s, "region", 200 + i) for i, s in enumerate(shops[10:15])]
    )
    ReportProduct.objects.bulk_create(
        [ReportProduct(report=r, product=p) for r in reports if r.scope == "product" for p in products if p.shop_id == r.shop_id][
            ::3
        ]
    )
    ReportRegion.objects.bulk_create(
        [ReportRegion(report=r, region_id="330100", prefix="3301") for r in reports if r.scope == "region"]
    )
    exemption = UnifiedExemption.objects.create(
        title="基准统一免责", scenario=Scenario.EPIDEMIC, applies_to="receiver", starts_at=sh(2023, 1, 3), ends_at=sh(2023, 1, 6)
    )
    ExemptionRegion.objects.create(exemption=exemption, region_id="510000", prefix="51")
    if connection.vendor == "postgresql":
        _insert_complaints_pg(n_complaints, n_orders)
    else:
        Complaint.objects.bulk_create(
            [
                Complaint(
                    event_id=f"bench-judge-{i}",
                    order=orders[i % len(orders)],
                    reason="delayed_shipment",
                    source="buyer",
                    filed_at=orders[i % len(orders)].ship_deadline + timedelta(hours=1 + i % 200),
                )
                for i in range(n_complaints)
            ],
            batch_size=5000,
        )
    return list(Complaint.objects.filter(event_id__startswith="bench-judge-").order_by("pk").values_list("pk", flat=True))


def _insert_orders_pg(n_orders: int, paid, products) -> None:
    """The same orders as the ``bulk_create`` form, written by the server."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO shops_order (order_no, shop_id, product_id, amount, paid_at, ship_deadline,
                                     receiver_region_id, sender_region_id, created_at)
            SELECT 'BJ' || lpad(i::text, 8, '0'), (%(shops)s::bigint[])[i %% %(n_products)s + 1],
                   (%(products)s::bigint[])[i %% %(n_products)s + 1], (1 + (i * 37) %% 90000) / 100.0,
                   %(paid)s::timestamptz + (i %% 600) * interval '1 minute',
                   %(paid)s::timestamptz + interval '48 hours' + (i %% 600) * interval '1 minute',
                   (%(receivers)s::text[])[i %% %(n_receivers)s + 1], '440305', now()
            FROM generate_series(0, %(n)s - 1) AS i
            """,
            {
                "shops": [p.shop_id for p in products],
                "products": [p.pk for p in products],
                "n_products": len(products),
                "paid": paid,
                "receivers": RECEIVERS,
                "n_receivers": len(RECEIVERS),
                "n": n_orders,
            },
        )


def _insert_complaints_pg(n_complaints: int, n_orders: int) -> None:
    """Complaint i on order i mod n_orders, filed 1 + i mod 200 hours after its ship deadline."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO complaints_complaint (event_id, order_id, reason, message, evidence, source, filed_at,
                                              status, verdict, judgment_reason, created_at)
            SELECT 'bench-judge-' || i, o.id, 'delayed_shipment', '', '[]'::jsonb, 'buyer',
                   o.ship_deadline + (1 + i %% 200) * interval '1 hour', 'pending_review', '', '', now()
            FROM generate_series(0, %(n)s - 1) AS i
            JOIN shops_order o ON o.order_no = 'BJ' || lpad((i %% %(n_orders)s)::text, 8, '0')
            """,
            {"n": n_complaints, "n_orders": n_orders},
        )
        for table in ("shops_order", "complaints_complaint"):
            cursor.execute(f"ANALYZE {table}")


def _cleanup(audit_floor: int, outbox_floor: int = 0) -> None:
    """Delete every row the bench made (PostgreSQL: they are committed)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_outboxmessage WHERE id > %s AND topic = 'notifications.mail'", [outbox_floor])
        shops = "SELECT id FROM shops_shop WHERE code LIKE 'bench-judge-%%'"
        orders = f"SELECT id FROM shops_order WHERE shop_id IN ({shops})"
        reports = "SELECT id FROM reports_deliveryreport WHERE report_no LIKE 'BBBENCH%%'"
        exemptions = "SELECT id FROM reports_unifiedexemption WHERE title = '基准统一免责'"
        cursor.execute("DELETE FROM core_auditentry WHERE id > %s", [audit_floor])
        cursor.execute(f"DELETE FROM notifications_notification WHERE shop_id IN ({shops})")
        cursor.execute(f"DELETE FROM shops_shopmembership WHERE shop_id IN ({shops})")
        cursor.execute("DELETE FROM auth_user WHERE username LIKE 'bench-judge-member-%%'")
        cursor.execute(f"DELETE FROM complaints_complaint WHERE order_id IN ({orders})")
        cursor.execute(f"DELETE FROM reports_reportproduct WHERE report_id IN ({reports})")
        cursor.execute(f"DELETE FROM reports_reportregion WHERE report_id IN ({reports})")
        cursor.execute(f"DELETE FROM reports_deliveryreport WHERE id IN ({reports})")
        cursor.execute(f"DELETE FROM reports_exemptionregion WHERE exemption_id IN ({exemptions})")
        cursor.execute(f"DELETE FROM reports_unifiedexemption WHERE id IN ({exemptions})")
        cursor.execute(f"DELETE FROM shops_order WHERE shop_id IN ({shops})")
        cursor.execute(f"DELETE FROM shops_product WHERE shop_id IN ({shops})")
        cursor.execute("DELETE FROM shops_shop WHERE code LIKE 'bench-judge-%%'")


def _loop_judge(ids: list[int]) -> None:
    """The per-complaint way: one coverage look-up and one conditional UPDATE per complaint."""
    from complaints.models import Complaint
    from complaints.services import complaint_penalty
    from reports.coverage import coverage_of

    now = timezone.now()
    for complaint in Complaint.objects.filter(pk__in=ids).select_related("order"):
        cover = coverage_of(complaint.order, complaint.filed_at)
        Complaint.objects.filter(pk=complaint.pk, status="pending_review").update(
            status="judged",
            verdict="exempt" if cover else "merchant_liable",
            basis_exemption=cover.exemption if cover else None,
            basis_report=cover.report if cover else None,
            penalty=None if cover else complaint_penalty(complaint.order.amount),
            judged_at=now,
        )


def add_arguments(parser) -> None:
    parser.add_argument("--complaints", type=int, help="judge: pending complaints (default 100,000)")
    parser.add_argument("--batch", type=int, help="judge: complaints per batch of the set-based job (default: the job's)")
    parser.add_argument("--members", type=int, help="judge: merchants per shop, told of each verdict (default 0)")


def _measure(n: int, smoke: bool, batch: int | None, members: int) -> None:
    from complaints.models import Complaint
    from complaints.services import complaints_judge_pending

    sample = min(200 if smoke else 2_000, n // 10)
    started = time.perf_counter()
    ids = _setup(n, members)
    print(f"   setup: {time.perf_counter() - started:.1f}s; load average {_load_average()}", flush=True)

    started = time.perf_counter()
    _loop_judge(ids[:sample])
    loop_s = time.perf_counter() - started
    loop_rate = sample / loop_s

    started = time.perf_counter()
    run = complaints_judge_pending(batch_size=batch) if batch else complaints_judge_pending()
    set_s = time.perf_counter() - started
    set_rate = run.judged / set_s

    assert run.judged >= n - sample, (run.judged, n - sample)  # plus any pending already there
    assert not Complaint.objects.filter(event_id__startswith="bench-judge-", status="pending_review").exists()
    exempt = Complaint.objects.filter(event_id__startswith="bench-judge-", verdict="exempt").count()
    print(f"   per-complaint loop (baseline, sample {sample:,}): {loop_s:.2f}s = {loop_rate:,.0f} complaints/s")
    print(
        f"   complaints_judge_pending: {run.judged:,} in {run.batches} batches, {set_s:.2f}s "
        f"= {set_rate:,.0f} complaints/s ({exempt:,} exempt in all)"
    )
    print(f"   ratio: {set_rate / loop_rate:.1f}× the per-complaint loop; load average {_load_average()}", flush=True)


def _load_average() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main(smoke: bool, complaints: int | None = None, batch: int | None = None, members: int | None = None) -> None:
    from core.models import AuditEntry, OutboxMessage

    n = complaints or (SMOKE if smoke else FULL)
    print(f"   database: {connection.vendor}; {n:,} pending complaints; {members or 0} members per shop", flush=True)
    if connection.vendor == "postgresql":
        audit_floor = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        outbox_floor = OutboxMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0
        _cleanup(audit_floor, outbox_floor)
        try:
            _measure(n, smoke, batch, members or 0)
        finally:
            _cleanup(audit_floor, outbox_floor)
        return
    try:
        with transaction.atomic():
            _measure(n, smoke, batch, members or 0)
            raise _Rollback
    except _Rollback:
        pass
