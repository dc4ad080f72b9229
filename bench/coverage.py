"""Coverage of many orders at once (``annotate_coverage``: one query) against the same check done
order by order (``coverage_of`` per order). Creates its own shops (code prefix ``benchcov-``),
orders, reports and exemptions in bulk, and deletes them afterwards."""

import random
import time
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from reports.coverage import annotate_coverage, coverage_of
from reports.models import DeliveryReport, ExemptionRegion, ReportProduct, ReportRegion, UnifiedExemption
from reports.selectors import commitment_letter_current
from shops.models import Order, Product, Region, Shop
from shops.regions import region_prefix

PREFIX = "benchcov-"


class QueryCounter:
    """Counts the queries run inside ``with`` (no log size limit, unlike CaptureQueriesContext)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __len__(self) -> int:
        return self.count


SHOPS, PRODUCTS = 8, 10


def _cleanup() -> None:
    DeliveryReport.objects.filter(shop__code__startswith=PREFIX).delete()
    UnifiedExemption.objects.filter(title__startswith=PREFIX).delete()
    Order.objects.filter(shop__code__startswith=PREFIX).delete()
    Product.objects.filter(shop__code__startswith=PREFIX).delete()
    Shop.objects.filter(code__startswith=PREFIX).delete()
    get_user_model().objects.filter(username=f"{PREFIX}user").delete()


def _populate(n_orders: int, rng: random.Random) -> None:
    user = get_user_model().objects.create(username=f"{PREFIX}user")
    letter = commitment_letter_current()
    districts = list(Region.objects.filter(level=Region.Level.DISTRICT).values_list("code", flat=True))
    cities = list(Region.objects.filter(level=Region.Level.CITY).values_list("code", flat=True))
    shops = Shop.objects.bulk_create([Shop(code=f"{PREFIX}{i}", name=f"压测店铺{i}", kind="tmall") for i in range(SHOPS)])
    shops = list(Shop.objects.filter(code__startswith=PREFIX).order_by("code"))
    Product.objects.bulk_create(
        [Product(shop=s, code=f"P{j}", title=f"商品{j}", price=Decimal("9.90")) for s in shops for j in range(PRODUCTS)]
    )
    products = {s.pk: list(Product.objects.filter(shop=s)) for s in shops}
    now = timezone.now().replace(microsecond=0)
    start = now - timedelta(days=20)
    orders = []
    for n in range(n_orders):
        shop = shops[n % SHOPS]
        paid = start + timedelta(minutes=rng.randrange(20 * 24 * 60))
        orders.append(
            Order(
                order_no=f"{PREFIX}{n:07d}",
                shop=shop,
                product=rng.choice(products[shop.pk]),
                amount=Decimal("9.90"),
                paid_at=paid,
                ship_deadline=paid + timedelta(hours=48),
                receiver_region_id=rng.choice(districts),
                sender_region_id=rng.choice(districts),
            )
        )
    Order.objects.bulk_create(orders, batch_size=2000)

    reports, links_p, links_r = [], [], []
    statuses = ["approved", "approved", "approved", "pending_review", "withdrawn", "revoked", "rejected"]
    for i, shop in enumerate(shops):
        for k in range(12):
            begin = start + timedelta(days=rng.randrange(18), hours=rng.randrange(24))
            status = rng.choice(statuses)
            approved = begin + timedelta(hours=rng.randrange(6)) if status in ("approved", "withdrawn", "revoked") else None
            reports.append(
                DeliveryReport(
                    report_no=f"BX{i:03d}{k:04d}",
                    shop=shop,
                    scenario="epidemic",
                    scope=["shop", "product", "region"][k % 3],
                    starts_at=begin,
                    ends_at=begin + timedelta(days=rng.randrange(1, 6)),
                    promised_ship_by=begin + timedelta(days=1),
                    commitment_letter=letter,
                    commitment_accepted_at=begin,
                    commitment_accepted_by=user,
                    submitted_at=begin,
                    submitted_by=user,
                    status=status,
                    approved_at=approved,
                    withdrawn_at=approved + timedelta(days=1) if approved and status == "withdrawn" else None,
                    revoked_at=approved + timedelta(days=2) if approved and status == "revoked" else None,
                )
            )
    DeliveryReport.objects.bulk_create(reports)
    for report in DeliveryReport.objects.filter(shop__code__startswith=PREFIX):
        if report.scope == "product":
            links_p += [ReportProduct(report=report, product=p) for p in rng.sample(products[report.shop_id], 3)]
        elif report.scope == "region":
            codes = rng.sample(cities, 5) + [rng.choice(districts)]
            links_r += [ReportRegion(report=report, region_id=c, prefix=region_prefix(c)) for c in codes]
    ReportProduct.objects.bulk_create(links_p)
    ReportRegion.objects.bulk_create(links_r)

    exemptions = UnifiedExemption.objects.bulk_create(
        [
            UnifiedExemption(
                title=f"{PREFIX}{j}",
                scenario="epidemic",
                applies_to=["receiver", "sender", "either"][j % 3],
                starts_at=start + timedelta(days=3 * j),
                ends_at=start + timedelta(days=3 * j + 2),
            )
            for j in range(6)
        ]
    )
    exemptions = list(UnifiedExemption.objects.filter(title__startswith=PREFIX))
    ExemptionRegion.objects.bulk_create(
        [ExemptionRegion(exemption=e, region_id=c, prefix=region_prefix(c)) for e in exemptions for c in rng.sample(cities, 4)]
    )


def main(smoke: bool) -> None:
    n_orders = 500 if smoke else 10_000
    rng = random.Random(2022)
    _cleanup()
    try:
        started = time.perf_counter()
        _populate(n_orders, rng)
        print(
            f"   setup: {n_orders} orders, {DeliveryReport.objects.filter(shop__code__startswith=PREFIX).count()} "
            f"reports, 6 exemptions in {time.perf_counter() - started:.1f}s ({connection.vendor})"
        )
        orders = Order.objects.filter(shop__code__startswith=PREFIX)

        bulk_queries, loop_queries = QueryCounter(), QueryCounter()
        with connection.execute_wrapper(bulk_queries):
            started = time.perf_counter()
            bulk = {
                pk: (e, r)
                for pk, e, r in annotate_coverage(orders, at="paid_at").values_list(
                    "pk", "covering_exemption_id", "covering_report_id"
                )
            }
            bulk_s = time.perf_counter() - started

        rows = list(orders)
        with connection.execute_wrapper(loop_queries):
            started = time.perf_counter()
            one_by_one = {}
            for order in rows:
                cover = coverage_of(order, order.paid_at)
                one_by_one[order.pk] = cover
            loop_s = time.perf_counter() - started

        covered = sum(1 for e, r in bulk.values() if e or r)

        def expected(cover):
            if cover is None:
                return None
            return ("exemption", cover.obj.pk) if cover.kind == "exemption" else ("report", cover.obj.pk)

        def from_bulk(exemption_id, report_id):
            if exemption_id:
                return ("exemption", exemption_id)
            return ("report", report_id) if report_id else None

        agree = all(from_bulk(*bulk[pk]) == expected(cover) for pk, cover in one_by_one.items())
        print(f"   annotate_coverage (bulk):   {bulk_s * 1000:9.1f} ms  {len(bulk_queries):>6} queries")
        print(f"   coverage_of per order:      {loop_s * 1000:9.1f} ms  {len(loop_queries):>6} queries")
        print(
            f"   ratio (per-order / bulk):   {loop_s / bulk_s:9.1f}x   covered orders: {covered}/{n_orders}; "
            f"verdicts agree: {agree}"
        )
        if not agree:
            raise SystemExit("bulk and per-order coverage disagree")
    finally:
        _cleanup()
