"""Bulk order ingestion end to end over HTTP, beside COPY of the same rows (the ceiling).

1. Creates 20 shops × 50 products and a platform service user (``issue_token``).
2. Starts gunicorn (``backoffice.wsgi``, 2 sync workers, DEBUG off, persistent DB connections)
   on a free loopback port, and pre-encodes the request bodies: N orders in batches of 1,000
   (``POST /api/v1/platform/orders/bulk/``), each order on a random product, paid on one day.
3. Posts every batch from 2 client threads (one connection each), checks every result is 201,
   and reports orders/s from the first request to the last answer — JSON parsing, token auth,
   validation, the insert, the audit rows, the answer, all included.
4. PostgreSQL: the same rows (the values the API stored) are written with one ``COPY`` into a
   copy of the order table with the same indexes: the database's own speed for these rows.
   The ratio printed is API time / COPY time.
Everything it created is deleted at the end (orders, their audit rows, shops, products, user).

``--orders N`` sets the size (default 100,000; ``--smoke`` 2,000).
"""

import io
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.core.management import call_command
from django.db import connection

DEFAULT_ORDERS = {False: 100_000, True: 2_000}
BATCH = 1000
PREFIX = "BINGEST"
COPY_TABLE = "bench_order_copy"
ROOT = Path(__file__).resolve().parent.parent


def add_arguments(parser) -> None:
    parser.add_argument("--orders", type=int, help="ingest: orders (default 100,000; smoke 2,000)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _setup():
    from shops.models import Product, Shop

    shops = Shop.objects.bulk_create(
        [Shop(code=f"{PREFIX}-s{i}", name=f"压测店 {i}", kind="tmall" if i % 2 else "taobao") for i in range(20)]
    )
    Product.objects.bulk_create(
        [Product(shop=s, code=f"P{j}", title="压测商品", price=Decimal("10.00")) for s in shops for j in range(50)]
    )
    out = io.StringIO()
    call_command("issue_token", f"{PREFIX.lower()}-platform", "--platform", stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def _bodies(n: int) -> list[bytes]:
    rng = random.Random(12)
    day = datetime(2026, 11, 20, tzinfo=UTC)
    regions = ["330102", "440305", "110101", "310104"]
    orders = [
        {
            "order_no": f"{PREFIX}{i:09d}",
            "shop": f"{PREFIX}-s{(shop := rng.randrange(20))}",
            "product": f"P{rng.randrange(50)}",
            "amount": f"{rng.randrange(100, 100_000) / 100:.2f}",
            "paid_at": (day + timedelta(seconds=rng.randrange(86_400))).isoformat(),
            "receiver_region": regions[(i + shop) % 4],
            "sender_region": regions[shop % 4],
        }
        for i in range(n)
    ]
    return [json.dumps({"orders": orders[i : i + BATCH]}).encode() for i in range(0, n, BATCH)]


def _start_gunicorn(port: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_DEBUG": "0", "DATABASE_CONN_MAX_AGE": "600"}
    env.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))  # production settings want >= 50 chars
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "backoffice.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/schema/", timeout=5).read(1)
            return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("gunicorn exited") from None
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn did not answer within 60 s")


def _post_all(port: int, token: str, bodies: list[bytes], threads: int = 2, expect_empty: bool = False) -> float:
    import http.client

    queue = list(enumerate(bodies))
    lock = threading.Lock()
    failures: list[str] = []

    def check(statuses: set) -> bool:
        return statuses == {201} or (expect_empty and not statuses)

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                if not queue:
                    break
                index, body = queue.pop(0)
            headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
            conn.request("POST", "/api/v1/platform/orders/bulk/", body=body, headers=headers)
            response = conn.getresponse()
            answer = response.read()
            if response.status != 200:
                failures.append(f"batch {index}: HTTP {response.status} {answer[:200]!r}")
                continue
            statuses = {r["status"] for r in json.loads(answer)["results"]}
            if not check(statuses):
                failures.append(f"batch {index}: statuses {statuses}")
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.close()

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=600)
    elapsed = time.perf_counter() - started
    if failures:
        raise AssertionError("; ".join(failures[:5]))
    return elapsed


def _copy_ceiling(n: int) -> float:
    """COPY the rows the API stored into an identical table (same columns, indexes, constraints)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")
        cursor.execute(f"CREATE TABLE {COPY_TABLE} (LIKE shops_order INCLUDING ALL)")
        cursor.execute(
            "SELECT order_no, shop_id, product_id, amount, paid_at, ship_deadline, receiver_region_id,"
            " sender_region_id, created_at FROM shops_order WHERE order_no LIKE %s",
            [f"{PREFIX}%"],
        )
        rows = cursor.fetchall()
        assert len(rows) == n, (len(rows), n)
        columns = (
            "order_no, shop_id, product_id, amount, paid_at, ship_deadline, receiver_region_id, sender_region_id, created_at"
        )
        raw = cursor.cursor  # the psycopg cursor
        started = time.perf_counter()
        with raw.copy(f"COPY {COPY_TABLE} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        elapsed = time.perf_counter() - started
        cursor.execute(f"DROP TABLE {COPY_TABLE}")
    return elapsed


def _cleanup() -> None:
    from core.models import AuditEntry
    from shops.models import Order, Product, Shop

    ids = [str(pk) for pk in Order.objects.filter(order_no__startswith=PREFIX).values_list("pk", flat=True)]
    for i in range(0, len(ids), 10_000):
        AuditEntry.objects.filter(target_type="shops.order", target_id__in=ids[i : i + 10_000]).delete()
    Order.objects.filter(order_no__startswith=PREFIX).delete()
    Product.objects.filter(shop__code__startswith=f"{PREFIX}-").delete()
    Shop.objects.filter(code__startswith=f"{PREFIX}-").delete()
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username=f"{PREFIX.lower()}-platform").delete()


def main(smoke: bool, orders: int | None = None) -> None:
    n = orders or DEFAULT_ORDERS[smoke]
    pg = connection.vendor == "postgresql"
    _cleanup()
    token = _setup()
    bodies = _bodies(n)
    port = _free_port()
    server = _start_gunicorn(port)
    try:
        # One small warm-up request per worker process (imports, first connection): not timed.
        warm = json.dumps({"orders": []}).encode()
        _post_all(port, token, [warm, warm, warm, warm], expect_empty=True)
        api = _post_all(port, token, bodies)
    finally:
        server.terminate()
        server.wait(timeout=30)
    try:
        load = os.getloadavg()[0]
        print(f"   orders: {n:,} in {len(bodies)} requests of ≤{BATCH} (gunicorn -w 2, 2 client threads, load {load:.1f})")
        print(f"   API bulk ingestion: {api:.2f} s = {n / api:,.0f} orders/s")
        if pg:
            ceiling = _copy_ceiling(n)
            print(f"   COPY of the same rows (same indexes): {ceiling:.2f} s = {n / ceiling:,.0f} orders/s")
            print(f"   ratio API / COPY: {api / ceiling:.1f}×")
        target = 10_000
        verdict = "met" if n / api >= target else "NOT met"
        print(f"   target ≥ {target:,} orders/s end to end: {verdict}" + ("" if not smoke else " (smoke size: not judged)"))
    finally:
        _cleanup()
