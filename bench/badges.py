"""48h pickup badge run vs. one hand-written aggregate statement (SPEC §6, issue 6).

Loads N orders over P products on day D with ``INSERT … SELECT generate_series`` (timed
separately), then measures, in the same process and on the same warm data:

* baseline — one hand-written SQL statement computing the per-product aggregate (fetched), at
  the server's settings and again with the settings the run gives its aggregate statement;
* the run  — ``badges.services.badge_run_day`` (lock, the aggregate, one INSERT … SELECT into
  the stats with the withholding join, counts, badge pointer swap, audit), and the sharded path
  run in-process for reference;
* peak memory of the run — tracemalloc peak (Python allocations) at two order counts, to show
  it does not grow with N.

Times are medians of ``REPEAT`` interleaved repetitions (baseline, tuned baseline, run) on warm
data; each run is a re-run of D (it replaces D's 20k rows), after an untimed VACUUM of the stats
table. Ratios are paired: each repetition's run over the same repetition's baseline, then the
median (the machine's load drifts during a measurement); the one judged is the re-run's against
the baseline with the run's own settings or the server's, whichever ratio is larger.

Full: 250,000 then 1,000,000 orders over 20,000 products. ``--smoke``: 5,000 then 20,000 over
400. Everything it creates is deleted at the end. PostgreSQL only.
"""

import statistics
import time
import tracemalloc
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

BENCH_PREFIX = "BENCH-BADGE"
DAY = date(2023, 1, 10)
SHOPS = 200
REPEAT = 7


def _sql(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall() if cursor.description else cursor.rowcount


def _cleanup() -> None:
    from badges.models import BadgeRun, CurrentBadges

    CurrentBadges.objects.filter(run__day=DAY).delete()
    run_ids = [str(pk) for pk in BadgeRun.objects.filter(day=DAY).values_list("pk", flat=True)]
    _sql("DELETE FROM core_auditentry WHERE target_type = 'badges.badgerun' AND target_id = ANY(%s)", [run_ids])
    BadgeRun.objects.filter(day=DAY).delete()
    _sql("DELETE FROM shops_order WHERE order_no LIKE %s", [f"{BENCH_PREFIX}%"])
    _sql(
        "DELETE FROM reports_reportproduct WHERE report_id IN "
        "(SELECT id FROM reports_deliveryreport WHERE report_no LIKE 'BBBENCH%%')"
    )
    _sql("DELETE FROM reports_deliveryreport WHERE report_no LIKE 'BBBENCH%%'")
    _sql("DELETE FROM shops_product WHERE code LIKE %s", [f"{BENCH_PREFIX}%"])
    _sql("DELETE FROM shops_shop WHERE code LIKE %s", [f"{BENCH_PREFIX.lower()}%"])
    _sql("DELETE FROM auth_user WHERE username = 'bench-badges'")


def _load_catalogue(products: int) -> None:
    now = timezone.now()
    _sql(
        "INSERT INTO shops_shop (code, name, kind, created_at) "
        "SELECT %s || '-' || s, 'bench shop ' || s, 'tmall', %s FROM generate_series(0, %s - 1) s",
        [BENCH_PREFIX.lower(), now, SHOPS],
    )
    _sql(
        "INSERT INTO shops_product (shop_id, code, title, price, created_at) "
        "SELECT sh.id, %s || '-' || p, 'bench product ' || p, 10.00, %s "
        "FROM generate_series(0, %s - 1) p JOIN shops_shop sh ON sh.code = %s || '-' || (p %% %s)",
        [BENCH_PREFIX, now, products, BENCH_PREFIX.lower(), SHOPS],
    )


def _load_orders(*, first: int, count: int, products: int, day: date, noise: bool = False) -> None:
    """Orders ``first … first+count-1``; order i is of product ``i mod P``. Product k is late on
    ``k mod 4`` of every 100 orders (rates 100/99/98/97 %…), every 97th order is cancelled before
    shipping. ``noise`` orders are paid on D−1/D+1 (must be ignored)."""
    from badges.computation import day_bounds

    start, _ = day_bounds(day)
    _sql(
        f"""
        WITH p AS (
            SELECT id, shop_id, (row_number() OVER (ORDER BY id) - 1) AS k
            FROM shops_product WHERE code LIKE '{BENCH_PREFIX}%%'
        )
        INSERT INTO shops_order (order_no, shop_id, product_id, amount, paid_at, ship_deadline, receiver_region_id,
                                 sender_region_id, shipped_at, picked_up_at, cancelled_at, created_at)
        SELECT '{BENCH_PREFIX}-' || i, p.shop_id, p.id, 10.00, o.paid_at, o.paid_at + interval '48 hours',
               '330102', '440305',
               CASE WHEN i %% 97 = 0 THEN NULL ELSE o.paid_at + interval '6 hours' END,
               CASE WHEN i %% 97 = 0 THEN NULL
                    WHEN ((i / %(p)s) %% 100) < (p.k %% 4) THEN o.paid_at + interval '48 hours 1 second'
                    ELSE o.paid_at + interval '20 hours' END,
               CASE WHEN i %% 97 = 0 THEN o.paid_at + interval '1 hour' END,
               o.paid_at
        FROM generate_series(%(first)s, %(last)s) i
        JOIN p ON p.k = i %% %(p)s
        CROSS JOIN LATERAL (SELECT %(start)s::timestamptz
            + (CASE WHEN %(noise)s THEN (CASE WHEN i %% 2 = 0 THEN -1 ELSE 1 END) * interval '1 day' ELSE interval '0' END)
            + ((i %% 86400) * interval '1 second') AS paid_at) o
        """,
        {"p": products, "first": first, "last": first + count - 1, "start": start, "noise": noise},
    )


def _load_reports() -> None:
    """Approved reports in force now: whole-shop for 5 shops, product scope for 50 products."""
    from django.contrib.auth import get_user_model

    from reports.models import CommitmentLetter, DeliveryReport

    user, _ = get_user_model().objects.get_or_create(username="bench-badges")
    letter = CommitmentLetter.objects.latest("published_at")
    now = timezone.now()
    window = {
        "starts_at": now - timedelta(days=1),
        "ends_at": now + timedelta(days=5),
        "promised_ship_by": now + timedelta(days=5),
    }
    shops = list(_sql("SELECT id FROM shops_shop WHERE code LIKE %s ORDER BY id LIMIT 6", [f"{BENCH_PREFIX.lower()}%"]))
    for n, (shop_id,) in enumerate(shops):
        report = DeliveryReport.objects.create(
            report_no=f"BBBENCH{n:05d}",
            shop_id=shop_id,
            scenario="epidemic",
            scope="product" if n == 5 else "shop",
            commitment_letter=letter,
            commitment_accepted_at=now,
            commitment_accepted_by=user,
            submitted_at=now,
            submitted_by=user,
            status="approved",
            approved_at=now,
            decided_at=now,
            decided_by_system=True,
            **window,
        )
        if n == 5:
            _sql(
                "INSERT INTO reports_reportproduct (report_id, product_id) "
                "SELECT %s, id FROM shops_product WHERE shop_id = %s ORDER BY id LIMIT 50",
                [report.pk, shop_id],
            )


BASELINE = """
SELECT product_id, shop_id, count(*) AS paid,
       count(*) FILTER (WHERE picked_up_at IS NOT NULL AND picked_up_at <= paid_at + interval '48 hours') AS picked
FROM shops_order
WHERE paid_at >= %s AND paid_at < %s
  AND (cancelled_at IS NULL OR (shipped_at IS NOT NULL AND cancelled_at >= shipped_at))
GROUP BY product_id, shop_id
"""


def _baseline(day: date, *, tuned: bool = False) -> tuple[float, list]:
    """The hand-written statement, fetched. ``tuned``: in a transaction with the settings the run
    gives its own aggregate statement (``computation.aggregate_pg_settings``)."""
    from badges.computation import aggregate_pg_settings, day_bounds

    start, end = day_bounds(day)
    with transaction.atomic():
        if tuned:
            for name, value in aggregate_pg_settings().items():
                _sql("SELECT set_config(%s, %s, true)", [name, str(value)])
        started = time.perf_counter()
        rows = _sql(BASELINE, [start, end])
        return time.perf_counter() - started, rows


class _StatementTimer:
    """Wall time per statement of a run, grouped: the aggregate, the stats INSERT, the rest."""

    def __init__(self):
        self.parts = {"aggregate": 0.0, "insert": 0.0, "other": 0.0}
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            part = (
                "aggregate"
                if sql.startswith("CREATE TEMP TABLE badge_aggregate")
                else "insert"
                if 'INSERT INTO "badges_productpickupstat"' in sql[:80]
                else "other"
            )
            self.parts[part] += time.perf_counter() - started
            self.count += 1


def _timed_run(day: date):
    from badges.services import badge_run_day

    timer = _StatementTimer()
    started = time.perf_counter()
    with connection.execute_wrapper(timer):
        run = badge_run_day(day=day, trigger="command")
    return time.perf_counter() - started, run, timer


def _timed_sharded(day: date, size: int) -> float:
    from badges import services
    from badges.dispatch import planned_ranges

    started = time.perf_counter()
    ranges = planned_ranges(size=size)
    run = services.badge_run_begin(day=day, shards=len(ranges), trigger="command").run
    for product_range in ranges:
        services.badge_stage_range(run_id=run.pk, attempt=run.attempt, product_range=product_range)
    services.badge_run_publish(run_id=run.pk, attempt=run.attempt)
    return time.perf_counter() - started


def _peak_memory(day: date) -> int:
    from badges.services import badge_run_day

    tracemalloc.start()
    tracemalloc.reset_peak()
    badge_run_day(day=day, trigger="command")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def _scan_of(day: date) -> str:
    """How the run's aggregate reads the orders of ``day`` (its settings, EXPLAIN without ANALYZE)."""
    from badges.computation import aggregate_pg_settings, pickup_aggregate

    sql, params = pickup_aggregate(day=day).query.sql_with_params()
    with transaction.atomic():
        for name, value in aggregate_pg_settings().items():
            _sql("SELECT set_config(%s, %s, true)", [name, str(value)])
        plan = [row[0] for row in _sql(f"EXPLAIN {sql}", list(params))]
    nodes = [line.strip().lstrip("-> ").split("  (")[0] for line in plan if "Scan" in line or "Aggregate" in line]
    return " / ".join(nodes)


def _measure(label: str, products: int, expected_orders: int, repeat: int) -> dict:
    from badges.models import ProductPickupStat

    _sql("VACUUM ANALYZE shops_order")  # freshly loaded rows as a settled table has them (both sides)
    _sql("ANALYZE shops_product")
    _baseline(DAY)  # warm the cache for both, and publish D once: every timed run is a re-run of D
    _timed_run(DAY)
    stats_table = ProductPickupStat._meta.db_table
    base, tuned, ours, firsts, timers, baseline_rows, run = [], [], [], [], [], None, None
    for _ in range(repeat):
        _sql(f"VACUUM {stats_table}")  # untimed: autovacuum's work between two runs
        t, baseline_rows = _baseline(DAY)
        base.append(t)
        tuned.append(_baseline(DAY, tuned=True)[0])
        t, run, timer = _timed_run(DAY)  # a re-run: replaces D's rows
        ours.append(t)
        timers.append(timer)
        ProductPickupStat.objects.filter(run=run).delete()  # untimed: D never published (the daily case)
        _sql(f"VACUUM {stats_table}")
        firsts.append(_timed_run(DAY)[0])
    assert run is not None and baseline_rows is not None, "repeat must be at least 1"
    baseline, baseline_tuned, run_s, first_s = (statistics.median(x) for x in (base, tuned, ours, firsts))
    parts = {k: statistics.median(t.parts[k] for t in timers) for k in timers[0].parts}
    sharded = _timed_sharded(DAY, size=max(products // 4, 1))
    peak = _peak_memory(DAY)
    expected_paid = sum(r[2] for r in baseline_rows)
    assert run.orders_count == expected_paid, (run.orders_count, expected_paid)
    assert run.products_count == len(baseline_rows) == products
    paired = {  # median of per-repetition ratios
        "defaults": statistics.median(r / b for r, b in zip(ours, base, strict=True)),
        "same settings": statistics.median(r / t for r, t in zip(ours, tuned, strict=True)),
        "first run": statistics.median(f / min(b, t) for f, b, t in zip(firsts, base, tuned, strict=True)),
    }
    ratio = max(paired["defaults"], paired["same settings"])
    figures = {
        "label": label,
        "orders": expected_orders,
        "counted": run.orders_count,
        "products": run.products_count,
        "badged": run.badged_count,
        "withheld": run.withheld_count,
        "baseline_s": baseline,
        "baseline_tuned_s": baseline_tuned,
        "run_s": run_s,
        "first_s": first_s,
        "ratio": ratio,
        "first_ratio": paired["first run"],
        "sharded_s": sharded,
        "peak_kib": peak / 1024,
    }
    ms = [f"{t * 1000:.0f}" for t in ours]
    print(
        f"   {label}: {expected_orders:,} orders on D (+ noise on D±1), {products:,} products → "
        f"{run.badged_count:,} badged, {run.withheld_count:,} withheld"
    )
    print(f"     orders of D read by: {_scan_of(DAY)}; of D−1: {_scan_of(DAY - timedelta(days=1))}")
    print(f"     baseline, one hand-written aggregate SELECT (fetched), medians of {repeat}:")
    print(
        f"       server defaults: {baseline * 1000:8.1f} ms   with the run's aggregate settings "
        f"{dict(_settings())}: {baseline_tuned * 1000:8.1f} ms"
    )
    print(f"     badge run, one worker (re-run of D, whole transaction): {run_s * 1000:8.1f} ms  (runs: {', '.join(ms)})")
    print(
        f"       of which aggregate {parts['aggregate'] * 1000:.1f} ms, stats INSERT (withholding join) "
        f"{parts['insert'] * 1000:.1f} ms, {timers[0].count - 2} other statements {parts['other'] * 1000:.1f} ms"
    )
    print(
        f"     first run of D (D not yet published, as every day): {first_s * 1000:8.1f} ms  "
        f"(runs: {', '.join(f'{t * 1000:.0f}' for t in firsts)})"
    )
    print(
        f"     ratio (paired median) re-run / baseline: {paired['defaults']:.2f} (server defaults), "
        f"{paired['same settings']:.2f} (same settings) → {ratio:.2f};  first run / faster baseline: "
        f"{paired['first run']:.2f}"
    )
    print(f"     badge run, 4 product ranges in-process (chord path): {sharded * 1000:8.1f} ms")
    print(f"     peak Python memory of the run (tracemalloc): {peak / 1024:,.0f} KiB", flush=True)
    return figures


def _settings() -> dict:
    from badges.computation import aggregate_pg_settings

    return aggregate_pg_settings()


def main(smoke: bool) -> None:
    if connection.vendor != "postgresql":
        print("   needs PostgreSQL (DATABASE_URL=postgres://…); skipped")
        return
    products = 400 if smoke else 20_000
    small, large = (5_000, 20_000) if smoke else (250_000, 1_000_000)
    _cleanup()
    try:
        started = time.perf_counter()
        _load_catalogue(products)
        _load_reports()
        _load_orders(first=0, count=small, products=products, day=DAY)
        _load_orders(first=10_000_000, count=small // 10, products=products, day=DAY, noise=True)
        print(
            f"   load: {SHOPS} shops, {products:,} products, {small:,} orders (+{small // 10:,} on D±1) "
            f"in {time.perf_counter() - started:.1f}s (INSERT … SELECT generate_series)",
            flush=True,
        )
        repeat = 3 if smoke else REPEAT
        first = _measure("small", products, small, repeat)
        started = time.perf_counter()
        _load_orders(first=small, count=large - small, products=products, day=DAY)
        print(f"   load: +{large - small:,} orders in {time.perf_counter() - started:.1f}s", flush=True)
        second = _measure("large", products, large, repeat)
        growth = second["peak_kib"] / first["peak_kib"]
        print(
            f"   peak memory {first['peak_kib']:,.0f} KiB at {small:,} orders vs {second['peak_kib']:,.0f} KiB at "
            f"{large:,} orders (×{growth:.2f} for ×{large // small} orders)"
        )
        if smoke:
            print("   target at 1M orders (ratio ≤ 1.5): smoke size, fixed costs dominate, not judged")
        else:
            for what, value in (
                ("first run of D (the daily run)", second["first_ratio"]),
                ("re-run of a published D", second["ratio"]),
            ):
                print(f"   target at 1M orders, {what}: ratio ≤ 1.5 → {'met' if value <= 1.5 else 'NOT met'} ({value:.2f})")
    finally:
        started = time.perf_counter()
        _cleanup()
        print(f"   cleanup in {time.perf_counter() - started:.1f}s")
