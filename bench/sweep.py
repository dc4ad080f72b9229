"""Urge tasks: the overdue sweep against one hand-written UPDATE, and urge ingestion throughput.

1. Bulk-loads N tasks (one per order) of which D are due: D open and due, the rest half open
   (due later) and half replied. PostgreSQL: ``INSERT … SELECT generate_series``; SQLite (smoke
   only): ``bulk_create``. The load time is reported separately.
2. Copies the task table (same rows, same indexes) and times ``tickets_sweep_overdue`` on the
   real table against one ``UPDATE … WHERE status='open' AND reply_due_at < now`` on the copy.
   The sweep does more than the UPDATE — it files a complaint per tmall task, marks the taobao
   ones waived, links complaints and writes audit rows — so the ratio is the price of that.
   The Celery publish of the judgment job (on commit of each batch) is stubbed: broker I/O.
3. Posts urges through the API (Django test client, token auth, DEBUG off) for fresh orders
   (every one ``task_created``) and times a bare authenticated DRF endpoint on the same stack.
   The Celery publish of the opening mail is stubbed (it is broker I/O, not our code).
All bench rows are deleted at the end.
"""

import os
import statistics
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal
from unittest import mock

from django.db import connection, transaction
from django.test import override_settings
from django.urls import include, path
from django.utils import timezone
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

SIZES = {False: (1_000_000, 10_000, 2_000), True: (20_000, 200, 100)}  # tasks, due, requests
PREFIX = "BENCH"
COPY_TABLE = "bench_urgetask_copy"


class BarePing(APIView):
    """The baseline endpoint: authentication + DRF + JSON, no domain work."""

    permission_classes = [IsAuthenticated]

    def post(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("bench/ping/", BarePing.as_view()),
    path("", include("backoffice.urls")),
]


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _setup_shops():
    from shops.models import Product, Shop

    shops = []
    for kind in ("tmall", "taobao"):
        shop, _ = Shop.objects.get_or_create(code=f"bench-{kind}", defaults={"name": f"压测 {kind}", "kind": kind})
        product, _ = Product.objects.get_or_create(
            shop=shop, code="BENCH-1", defaults={"title": "压测商品", "price": Decimal("10.00")}
        )
        shops.append((shop, product))
    return shops


def _load(n_tasks: int, n_due: int, now, shops) -> None:
    (tmall, p_tmall), (taobao, p_taobao) = shops
    if _pg():
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO shops_order (order_no, shop_id, product_id, amount, paid_at, ship_deadline,
                                         receiver_region_id, sender_region_id, created_at)
                SELECT %s || lpad(g::text, 8, '0'),
                       CASE WHEN g %% 2 = 0 THEN %s ELSE %s END, CASE WHEN g %% 2 = 0 THEN %s ELSE %s END,
                       100.00, %s::timestamptz - interval '3 days', %s::timestamptz - interval '1 day',
                       '330102', '440305', %s
                FROM generate_series(1, %s) AS g
                """,
                [PREFIX, tmall.pk, taobao.pk, p_tmall.pk, p_taobao.pk, now, now, now, n_tasks],
            )
            # Tasks 1..D are due (due between D seconds ago and now); the rest alternate open
            # (due in the next day) and replied.
            cursor.execute(
                """
                INSERT INTO tickets_urgetask (order_id, shop_id, status, opened_at, reply_due_at, urge_count,
                                              reply_message, complaint_waived, created_at, replied_at)
                SELECT o.id, o.shop_id,
                       CASE WHEN s.g <= %(due)s OR s.g %% 2 = 0 THEN 'open' ELSE 'replied' END,
                       s.due - interval '24 hours', s.due, 1, '', false, %(now)s,
                       CASE WHEN s.g <= %(due)s OR s.g %% 2 = 0 THEN NULL ELSE s.due - interval '2 hours' END
                FROM (SELECT g, CASE WHEN g <= %(due)s THEN %(now)s::timestamptz - g * interval '1 second'
                                     ELSE %(now)s::timestamptz + interval '1 hour' + (g %% 86400) * interval '1 second'
                                END AS due
                      FROM generate_series(1, %(n)s) AS g) AS s
                JOIN shops_order o ON o.order_no = %(prefix)s || lpad(s.g::text, 8, '0')
                """,
                {"due": n_due, "now": now, "n": n_tasks, "prefix": PREFIX},
            )
        return
    from shops.models import Order
    from tickets.models import UrgeTask

    orders = [
        Order(
            order_no=f"{PREFIX}{g:08d}",
            shop=(tmall if g % 2 == 0 else taobao),
            product=(p_tmall if g % 2 == 0 else p_taobao),
            amount=Decimal("100.00"),
            paid_at=now - timedelta(days=3),
            ship_deadline=now - timedelta(days=1),
            receiver_region_id="330102",
            sender_region_id="440305",
        )
        for g in range(1, n_tasks + 1)
    ]
    Order.objects.bulk_create(orders, batch_size=2000)
    ids = dict(Order.objects.filter(order_no__startswith=PREFIX).values_list("order_no", "id"))
    tasks = []
    for g in range(1, n_tasks + 1):
        due = now - timedelta(seconds=g) if g <= n_due else now + timedelta(hours=1, seconds=g % 86400)
        open_ = g <= n_due or g % 2 == 0
        tasks.append(
            UrgeTask(
                order_id=ids[f"{PREFIX}{g:08d}"],
                shop=(tmall if g % 2 == 0 else taobao),
                status="open" if open_ else "replied",
                opened_at=due - timedelta(hours=24),
                reply_due_at=due,
                replied_at=None if open_ else due - timedelta(hours=2),
            )
        )
    UrgeTask.objects.bulk_create(tasks, batch_size=2000)


def _copy_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")
        if _pg():
            cursor.execute(f"CREATE TABLE {COPY_TABLE} (LIKE tickets_urgetask INCLUDING DEFAULTS INCLUDING INDEXES)")
        else:
            cursor.execute(f"CREATE TABLE {COPY_TABLE} AS SELECT * FROM tickets_urgetask WHERE 0")
            cursor.execute(f"CREATE INDEX {COPY_TABLE}_due ON {COPY_TABLE} (reply_due_at) WHERE status = 'open'")
        cursor.execute(f"INSERT INTO {COPY_TABLE} SELECT * FROM tickets_urgetask")
    if _pg():
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {COPY_TABLE}")
            cursor.execute("VACUUM ANALYZE tickets_urgetask")
            cursor.execute("VACUUM ANALYZE shops_order")


def _hand_update(now) -> tuple[float, int]:
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {COPY_TABLE} SET status = 'overdue', overdue_at = %s WHERE status = 'open' AND reply_due_at < %s",
            [now, now],
        )
        rows = cursor.rowcount
    return time.perf_counter() - started, rows


def _throughput(client, url: str, bodies: list[dict]) -> tuple[float, dict]:
    statuses: dict = {}
    started = time.perf_counter()
    for body in bodies:
        response = client.post(url, body, format="json")
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    return len(bodies) / (time.perf_counter() - started), statuses


def _ingest(n_requests: int, now, shops) -> None:
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from core.roles import PLATFORM, grant_role
    from shops.models import Order

    (tmall, p_tmall), _ = shops
    Order.objects.bulk_create(
        [
            Order(
                order_no=f"{PREFIX}U{g:07d}",
                shop=tmall,
                product=p_tmall,
                amount=Decimal("100.00"),
                paid_at=now - timedelta(hours=5),
                ship_deadline=now + timedelta(hours=43),
                receiver_region_id="330102",
                sender_region_id="440305",
            )
            for g in range(n_requests)
        ]
    )
    user, _ = get_user_model().objects.get_or_create(username="bench-platform")
    grant_role(user, PLATFORM)
    from core.models import ApiToken
    from core.tokens import token_issue

    _token, key = token_issue(user=user, kind=ApiToken.Kind.PLATFORM)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    urged_at = (now - timedelta(hours=1)).isoformat()
    with override_settings(ROOT_URLCONF=__name__, DEBUG=False):
        for _ in range(min(20, n_requests)):  # warm-up (URL resolver, role cache paths)
            client.post("/bench/ping/", {}, format="json")
        bare, bare_status = _throughput(client, "/bench/ping/", [{}] * n_requests)
        urges, urge_status = _throughput(
            client,
            "/api/v1/platform/urges/",
            [{"event_id": f"bench-{g}", "order_no": f"{PREFIX}U{g:07d}", "urged_at": urged_at} for g in range(n_requests)],
        )
    print(f"   urge ingestion via API: {urges:,.0f} req/s over {n_requests:,} requests {urge_status}")
    print(f"   bare authenticated DRF endpoint (same stack): {bare:,.0f} req/s {bare_status}")
    print(f"   ratio bare/ingest: {bare / urges:.1f}×")


def _cleanup(audit_floor: int) -> None:
    from django.contrib.auth import get_user_model

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")
        shop_ids = "SELECT id FROM shops_shop WHERE code LIKE 'bench-%%'"
        order_ids = f"SELECT id FROM shops_order WHERE shop_id IN ({shop_ids})"
        cursor.execute("DELETE FROM core_auditentry WHERE id > %s", [audit_floor])
        cursor.execute(f"DELETE FROM tickets_urge WHERE order_id IN ({order_ids})")
        cursor.execute(f"DELETE FROM tickets_urgetask WHERE shop_id IN ({shop_ids})")
        cursor.execute(f"DELETE FROM complaints_complaint WHERE order_id IN ({order_ids})")
        cursor.execute(f"DELETE FROM tickets_servicemetricdaily WHERE shop_id IN ({shop_ids})")
        cursor.execute(f"DELETE FROM shops_order WHERE shop_id IN ({shop_ids})")
        cursor.execute(f"DELETE FROM shops_product WHERE shop_id IN ({shop_ids})")
        cursor.execute("DELETE FROM shops_shop WHERE code LIKE 'bench-%%'")
    get_user_model().objects.filter(username="bench-platform").delete()


def _reset(now, audit_floor: int, *, backlog: bool = False) -> None:
    """Undo a measured sweep and baseline (untimed): the same due tasks open again on the table and
    on the copy, their complaints, audit and inbox rows gone, both tables vacuumed (autovacuum's
    job between two sweeps). ``backlog``: every loaded task open and due at ``now`` (an outage)."""
    bench_shops = "SELECT id FROM shops_shop WHERE code LIKE 'bench-%%'"
    with connection.cursor() as cursor:
        if backlog:
            for table, extra in (("tickets_urgetask", ", complaint_id = NULL, complaint_waived = false"), (COPY_TABLE, "")):
                cursor.execute(
                    f"UPDATE {table} SET status = 'open', overdue_at = NULL, replied_at = NULL, "
                    f"reply_due_at = CASE WHEN reply_due_at > %s THEN %s ELSE reply_due_at END{extra} "
                    f"WHERE shop_id IN ({bench_shops})",
                    [now, now],
                )
        else:
            cursor.execute(
                "UPDATE tickets_urgetask SET status = 'open', overdue_at = NULL, complaint_id = NULL, complaint_waived = false "
                f"WHERE status = 'overdue' AND shop_id IN ({bench_shops})"
            )
            cursor.execute(f"UPDATE {COPY_TABLE} SET status = 'open', overdue_at = NULL WHERE status = 'overdue'")
        order_ids = f"SELECT id FROM shops_order WHERE shop_id IN ({bench_shops})"
        cursor.execute(f"DELETE FROM complaints_complaint WHERE order_id IN ({order_ids})")
        cursor.execute("DELETE FROM core_auditentry WHERE id > %s", [audit_floor])
        cursor.execute(f"DELETE FROM notifications_notification WHERE shop_id IN ({bench_shops})")
        if _pg():
            for table in ("tickets_urgetask", COPY_TABLE, "complaints_complaint", "core_auditentry"):
                cursor.execute(f"VACUUM ANALYZE {table}")


def _loaded(n_tasks: int, n_due: int):
    """The load time of a kept load of the same sizes (``--keep``), else ``None``."""
    from shops.models import Order
    from tickets.models import UrgeTask

    if COPY_TABLE not in connection.introspection.table_names():
        return None
    tasks = UrgeTask.objects.filter(shop__code__startswith="bench-")
    first = Order.objects.filter(order_no=f"{PREFIX}{1:08d}").values_list("paid_at", flat=True).first()
    if (
        first is None
        or tasks.count() != n_tasks
        or tasks.exclude(status="replied").filter(reply_due_at__lte=first + timedelta(days=3)).count() != n_due
    ):
        return None
    return first + timedelta(days=3)  # the load's now: paid_at is now − 3 days


def _no_publish(*args, **kwargs) -> None:
    """The stub of the judgment job's publish (broker I/O): a plain function, not a ``Mock`` —
    a mock records every call, which the backlog's memory trace would count."""


def _sweep_once(now, audit_floor: int, *, progress=None):
    """One timed sweep and one timed baseline UPDATE at ``now``, then the reset."""
    from tickets.services import tickets_sweep_overdue

    with mock.patch("complaints.tasks.judge_pending_complaints.apply_async", new=_no_publish):
        started = time.perf_counter()
        result = tickets_sweep_overdue(now=now, progress=progress)
        sweep = time.perf_counter() - started
    baseline, rows = _hand_update(now)
    assert result.overdue == rows, (result.overdue, rows)
    return sweep, baseline, result


def _forget_ingest() -> None:
    """Delete what ``_ingest`` made (its orders, tasks, urges), leaving the sweep's load."""
    with connection.cursor() as cursor:
        orders = "SELECT id FROM shops_order WHERE order_no LIKE %s"
        cursor.execute(f"DELETE FROM tickets_urge WHERE order_id IN ({orders})", [f"{PREFIX}U%"])
        cursor.execute(f"DELETE FROM tickets_urgetask WHERE order_id IN ({orders})", [f"{PREFIX}U%"])
        cursor.execute("DELETE FROM shops_order WHERE order_no LIKE %s", [f"{PREFIX}U%"])


def _load_average() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def _backlog(now, audit_floor: int, n_tasks: int) -> None:
    """Every loaded task due at once (an outage): swept in batches with progress lines, peak
    Python memory traced, beside one UPDATE of the same rows on the copy."""
    _reset(now, audit_floor, backlog=True)
    started = time.perf_counter()
    every = max(n_tasks // 10, 1)
    shown = [0]

    def progress(total) -> None:
        if total.overdue >= shown[0] + every:
            shown[0] = total.overdue - total.overdue % every
            current, peak = tracemalloc.get_traced_memory()
            print(
                f"     … {total.overdue:,} overdue after {time.perf_counter() - started:.1f}s "
                f"(Python memory now {current / 1024:,.0f} KiB, peak {peak / 1024:,.0f} KiB)",
                flush=True,
            )

    print(f"   backlog: all {n_tasks:,} tasks open and due at once (load average {_load_average()})", flush=True)
    tracemalloc.start()
    try:
        sweep, baseline, result = _sweep_once(now + timedelta(milliseconds=1), audit_floor, progress=progress)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(
        f"   backlog sweep: {sweep:.1f}s = {result.overdue / sweep:,.0f} tasks/s — {result.overdue:,} overdue, "
        f"{result.complaints_filed:,} complaints, {result.complaints_waived:,} waived; peak Python memory {peak / 1024:,.0f} KiB"
    )
    print(f"   backlog baseline: one UPDATE of the same rows on the copy: {baseline:.1f}s; ratio {sweep / baseline:.2f}×")
    print(f"   load average after: {_load_average()}", flush=True)


def add_arguments(parser) -> None:
    parser.add_argument("--tasks", type=int, help="sweep: urge tasks loaded (default 1,000,000)")
    parser.add_argument("--due", type=int, help="sweep: of them open and due (default 10,000)")
    parser.add_argument("--requests", type=int, help="sweep: urges posted through the API (default 2,000)")
    parser.add_argument(
        "--repeat", type=int, help="sweep: sweep + baseline pairs on the same load, reset between (default 3; smoke 1)"
    )
    parser.add_argument(
        "--backlog", action="store_true", help="sweep: then make every loaded task due at once (an outage) and sweep them"
    )
    parser.add_argument(
        "--keep", action="store_true", help="sweep: keep the loaded tasks for the next run with the same sizes (reused)"
    )


def main(
    smoke: bool,
    tasks: int | None = None,
    due: int | None = None,
    requests: int | None = None,
    repeat: int | None = None,
    backlog: bool = False,
    keep: bool = False,
) -> None:
    from core.models import AuditEntry
    from tickets.services.overdue import SWEEP_BATCH_SIZE

    n_tasks, n_due, n_requests = SIZES[smoke]
    if not smoke and not _pg():
        print("   the full size needs PostgreSQL (DATABASE_URL=postgres://…); running the smoke size")
        n_tasks, n_due, n_requests = SIZES[True]
    n_tasks, n_due, n_requests = tasks or n_tasks, due or n_due, requests if requests is not None else n_requests
    repeat = repeat or (1 if smoke else 3)
    audit_floor = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    now = _loaded(n_tasks, n_due)
    cleaned = False
    try:
        with override_settings(DEBUG=False):
            if now is None:
                _cleanup(audit_floor)  # leftovers of an interrupted run
                now = timezone.now()
                shops = _setup_shops()
                started = time.perf_counter()
                _load(n_tasks, n_due, now, shops)
                _copy_table()
                print(
                    f"   load: {n_tasks:,} tasks ({n_due:,} due) + identical copy in {time.perf_counter() - started:.1f}s "
                    f"[{connection.vendor}]"
                )
            else:
                shops = _setup_shops()
                print(f"   reusing the kept load: {n_tasks:,} tasks ({n_due:,} due) [{connection.vendor}]")
                _reset(now, audit_floor)

            sweep_now = now + timedelta(milliseconds=1)
            print(f"   load average before: {_load_average()}", flush=True)
            runs = []
            for i in range(repeat):
                if i:
                    _reset(now, audit_floor)
                runs.append(_sweep_once(sweep_now, audit_floor))
                sweep, baseline, result = runs[-1]
                print(
                    f"     run {i + 1}: sweep {sweep:.3f}s, baseline {baseline:.3f}s, ratio {sweep / baseline:.2f}×", flush=True
                )
            sweep = statistics.median(r[0] for r in runs)
            baseline = statistics.median(r[1] for r in runs)
            ratio = statistics.median(r[0] / r[1] for r in runs)
            print(
                f"   sweep (batches of {SWEEP_BATCH_SIZE:,}, complaints + audit): {sweep:.3f}s (median of {repeat}) — "
                f"{result.overdue:,} overdue, {result.complaints_filed:,} complaints filed, "
                f"{result.complaints_waived:,} waived (taobao)"
            )
            print(
                f"   baseline: one UPDATE … WHERE status='open' AND reply_due_at < now on the copy: {baseline:.3f}s "
                f"— {n_due:,} rows"
            )
            print(f"   ratio sweep/baseline: {ratio:.2f}× (median of the paired ratios); load average {_load_average()}")
            assert result.overdue == n_due, (result.overdue, n_due)

            if backlog:
                _backlog(now, audit_floor, n_tasks)
                keep = False  # the backlog changed the load
            if n_requests:
                _ingest(n_requests, now, shops)
            if keep:
                _forget_ingest()
                _reset(now, audit_floor)
                cleaned = True
                print("   kept the loaded tasks for the next run (--keep); a run without --keep deletes them")
    finally:
        if not cleaned:
            _cleanup(audit_floor)
