"""The API under load (SPEC §10): gunicorn, 4 workers, production settings, on PostgreSQL.

Three phases against the same server in the same run, each for a fixed time with 32 concurrent
clients (an asyncio + httpx client, one connection each, keep-alive):

1. ``POST /bench/ping/`` — a bare authenticated DRF endpoint: the ceiling of this stack;
2. ``POST /api/v1/platform/urges/`` — urge ingestion, a distinct event each (the first urge of an
   order opens a task and writes its opening mail to the outbox, later ones merge);
3. ``GET /api/v1/tickets/`` — the merchant's ticket list (the shop holds the tasks phase 2 made).

Prints req/s and p50/p95/p99 per phase and the ratio urge / bare; targets (issue 11): urge
≥ 0.7 × bare, ticket list p95 < 50 ms, zero errors. ``--smoke``: 2 s per phase. The load client
shares the machine with the server, so it takes CPU from it: the figures are a floor.
"""

import asyncio
import io
import os
import secrets
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

CLIENTS = 32
WORKERS = 4
SECONDS = {False: 20.0, True: 2.0}
ORDERS = {False: 20_000, True: 1_000}
PREFIX = "APIB"
BASE_DIR = Path(__file__).resolve().parent.parent


def _token(*args: str) -> str:
    out = io.StringIO()
    call_command("issue_token", *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def _setup(n_orders: int) -> dict:
    from shops.models import Order, Product, Shop

    shop, _ = Shop.objects.get_or_create(code="apib-shop", defaults={"name": "压测 API", "kind": "tmall"})
    product, _ = Product.objects.get_or_create(shop=shop, code="APIB-P", defaults={"title": "压测商品", "price": "88.00"})
    Order.objects.filter(order_no__startswith=PREFIX).exclude(urge_tasks__isnull=False).delete()
    now = timezone.now()
    Order.objects.bulk_create(
        [
            Order(
                order_no=f"{PREFIX}{i:07d}",
                shop=shop,
                product=product,
                amount="88.00",
                paid_at=now - timedelta(days=3),
                ship_deadline=now - timedelta(days=1),
                receiver_region_id="330102",
                sender_region_id="440305",
            )
            for i in range(n_orders)
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    return {"platform": _token("apib-bot", "--platform"), "merchant": _token("apib-merchant", "--shop", shop.code)}


def _cleanup(floors: dict) -> None:
    from core.models import AuditEntry, OutboxMessage
    from shops.models import Order
    from tickets.models import Urge, UrgeTask

    Urge.objects.filter(order__order_no__startswith=PREFIX).delete()
    UrgeTask.objects.filter(order__order_no__startswith=PREFIX).delete()
    Order.objects.filter(order_no__startswith=PREFIX).delete()
    AuditEntry.objects.filter(pk__gt=floors["audit"]).filter(data__event_id__startswith="apib-").delete()
    OutboxMessage.objects.filter(pk__gt=floors["outbox"], topic="tickets.opened_mail").delete()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench._api_settings",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),  # production wants >= 50 chars
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MERCHANT_API_RATE": "100000000/min",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(WORKERS),
        "GUNICORN_THREADS": "1",
        "GUNICORN_ACCESS_LOG": "/dev/null",
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    proc = subprocess.Popen(
        [gunicorn, "--config", "backoffice/gunicorn.conf.py", "backoffice.wsgi"], cwd=BASE_DIR, env=env, start_new_session=True
    )
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-Proto": "https"}).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError("gunicorn did not answer /healthz")


async def _phase(base: str, headers: dict, seconds: float, request) -> dict:
    import httpx

    latencies: list[float] = []
    errors: dict[int | str, int] = {}
    counter = iter(range(10**9))
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as client:

        async def one_client() -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    response = await request(client, next(counter))
                    status: int | str = response.status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                latencies.append(time.perf_counter() - started)
                if not (isinstance(status, int) and status < 400):
                    errors[status] = errors.get(status, 0) + 1

        deadline = time.perf_counter() + seconds
        began = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(CLIENTS)))
        elapsed = time.perf_counter() - began
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [latencies[0]] * 99
    return {
        "n": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": quantiles[49] * 1000,
        "p95": quantiles[94] * 1000,
        "p99": quantiles[98] * 1000,
        "errors": errors,
    }


def _run(port: int, tokens: dict, seconds: float, n_orders: int) -> dict:
    base = f"http://127.0.0.1:{port}"
    proxy = {"X-Forwarded-Proto": "https"}  # production runs behind a TLS-terminating proxy
    platform = {**proxy, "Authorization": f"Token {tokens['platform']}"}
    merchant = {**proxy, "Authorization": f"Token {tokens['merchant']}"}
    urged_at = (timezone.localtime() - timedelta(hours=1)).replace(microsecond=0).isoformat()
    run_id = int(time.time())

    async def bare(client, i):
        return await client.post("/bench/ping/", json={})

    async def urge(client, i):
        body = {"event_id": f"apib-{run_id}-{i}", "order_no": f"{PREFIX}{i % n_orders:07d}", "urged_at": urged_at}
        return await client.post("/api/v1/platform/urges/", json=body)

    async def tickets(client, i):
        return await client.get("/api/v1/tickets/")

    async def all_phases() -> dict:
        await _phase(base, platform, min(seconds, 1.0), bare)  # warm-up: imports, connections
        return {
            "bare POST /bench/ping/": await _phase(base, platform, seconds, bare),
            "POST /api/v1/platform/urges/": await _phase(base, platform, seconds, urge),
            "GET /api/v1/tickets/": await _phase(base, merchant, seconds, tickets),
        }

    return asyncio.run(all_phases())


def main(smoke: bool) -> None:
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request otherwise
    if connection.vendor != "postgresql":
        print("   skipped: bench.api measures gunicorn on PostgreSQL (set DATABASE_URL=postgres://…)")
        return
    from core.models import AuditEntry, OutboxMessage

    floors = {"audit": AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0}
    floors["outbox"] = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    n_orders, seconds = ORDERS[smoke], SECONDS[smoke]
    tokens = _setup(n_orders)
    connection.close()
    port = _free_port()
    server = _start_server(port)
    try:
        results = _run(port, tokens, seconds, n_orders)
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
    print(f"   gunicorn {WORKERS} sync workers, {CLIENTS} concurrent clients, {seconds:.0f} s per endpoint")
    print(f"   {'endpoint':<32} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  errors")
    for name, r in results.items():
        print(
            f"   {name:<32} {r['n']:>8} {r['rps']:>8.1f} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['p99']:>8.1f}  {r['errors'] or 0}"
        )
    bare, urges, listing = results.values()
    ratio = urges["rps"] / bare["rps"]
    errors = sum(sum(r["errors"].values()) for r in results.values())
    print(f"   urge ingestion / bare endpoint: {ratio:.2f}x (target ≥ 0.70)")
    print(f"   ticket list p95: {listing['p95']:.1f} ms (target < 50 ms); errors: {errors} (target 0)")
    _cleanup(floors)
    if errors:
        raise SystemExit(f"bench.api: {errors} failed requests")
