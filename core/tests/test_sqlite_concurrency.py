"""The embedded default holds concurrent use (SPEC §10): 32 parallel writers across the write
endpoints, against a live threaded server (gunicorn, gthread) on a SQLite *file* (WAL, IMMEDIATE, busy timeout) —
no 5xx, no "database is locked", and no duplicates where two writers raced on the same event."""

import json
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from django.db import connection
from django.utils import timezone

from core.tests.processes import BIN, PYTHON, django_env, free_port, spawn, stop, wait_for_port

WRITERS = 32
PAIRS = WRITERS // 2

SETUP = f"""
import io, json
from django.core.management import call_command
from core.roles import MERCHANT, grant_role
from shops.tests.factories import OrderFactory, ProductFactory, ShopFactory, UserFactory
shops = [ShopFactory(code=f"cc-{{i}}", kind="tmall") for i in range({WRITERS})]
merchant = UserFactory(username="cc-merchant")
grant_role(merchant, MERCHANT)
for shop in shops:
    shop.memberships.create(user=merchant)
products = [ProductFactory(shop=shop, code=f"CC-P{{i}}") for i, shop in enumerate(shops)]
orders = [OrderFactory(product=products[i % {WRITERS}]).order_no for i in range({WRITERS})]
def token(*args):
    out = io.StringIO()
    call_command("issue_token", *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]
tokens = {{"platform": token("cc-bot", "--platform"), "merchant": token("cc-merchant", "--shop", "cc-0")}}
print(json.dumps({{**tokens, "orders": orders}}))
"""

COUNTS = """
import json
from complaints.models import Complaint
from reports.models import DeliveryReport, UnifiedExemption
from shops.models import Order
from tickets.models import Urge, UrgeTask
print(json.dumps({
    "urges": Urge.objects.filter(event_id__startswith="cc-urge-").count(),
    "tasks": UrgeTask.objects.filter(urges__event_id__startswith="cc-urge-").distinct().count(),
    "complaints": Complaint.objects.filter(event_id__startswith="cc-cmp-").count(),
    "orders": Order.objects.filter(order_no__startswith="CC-NEW-").count(),
    "exemptions": UnifiedExemption.objects.filter(title__startswith="cc-ex-").count(),
    "reports": DeliveryReport.objects.filter(shop__code__startswith="cc-").count(),
}))
"""


def manage(env: dict, *args: str, timeout: float = 240) -> str:
    done = subprocess.run([PYTHON, "manage.py", *args], env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded default: SQLite only")
def test_32_parallel_writers_on_a_sqlite_file(tmp_path):
    env = django_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", DJANGO_DEBUG="false")
    manage(env, "migrate", "--noinput", "-v", "0")
    data = json.loads(manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
    assert (
        manage(
            env,
            "shell",
            "-c",
            "from django.db import connection; c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])",
        )
        .strip()
        .splitlines()[-1]
        == "wal"
    )

    port = free_port()
    # gunicorn, 2 processes × 16 threads (runserver's listen backlog of 10 resets a burst of 32)
    server = spawn(
        [str(BIN / "gunicorn"), "--config", "backoffice/gunicorn.conf.py", "backoffice.wsgi"],
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "16"},
        log=tmp_path / "server.log",
    )
    try:
        wait_for_port(port, proc=server)
        now = timezone.now()
        barrier = threading.Barrier(WRITERS, timeout=60)

        def writer(i: int) -> list[tuple[str, int, str]]:
            k = i // 2  # two writers race on each event id
            platform = {"Authorization": f"Token {data['platform']}"}
            merchant = {"Authorization": f"Token {data['merchant']}"}
            requests = [
                (
                    "urge",
                    "/api/v1/platform/urges/",
                    platform,
                    {"event_id": f"cc-urge-{k}", "order_no": data["orders"][k], "urged_at": "2022-12-28T12:00:00+08:00"},
                ),
                (
                    "complaint",
                    "/api/v1/platform/complaints/",
                    platform,
                    {
                        "event_id": f"cc-cmp-{k}",
                        "order_no": data["orders"][PAIRS + k],
                        "reason": "delayed_shipment",
                        "message": "m",
                        "evidence": [],
                        "filed_at": "2022-12-30T12:00:00+08:00",
                    },
                ),
                (
                    "order",
                    "/api/v1/platform/orders/",
                    platform,
                    {
                        "order_no": f"CC-NEW-{k}",
                        "shop": f"cc-{k}",
                        "product": f"CC-P{k}",
                        "amount": "88.00",
                        "paid_at": "2022-12-28T10:00:00+08:00",
                        "receiver_region": "330102",
                        "sender_region": "440305",
                    },
                ),
                (
                    "exemption",
                    "/api/v1/platform/exemptions/",
                    platform,
                    {
                        "title": f"cc-ex-{k}",
                        "scenario": "epidemic",
                        "regions": ["420000"],
                        "applies_to": "either",
                        "starts_at": (now - timedelta(days=1)).replace(microsecond=0).isoformat(),
                        "ends_at": (now + timedelta(days=1)).replace(microsecond=0).isoformat(),
                    },
                ),
                (
                    "report",
                    "/api/v1/reports/",
                    merchant,
                    {
                        "shop": f"cc-{i}",
                        "scenario": "epidemic",
                        "scope": "shop",
                        "starts_at": (now - timedelta(hours=1)).isoformat(),
                        "ends_at": (now + timedelta(days=5)).isoformat(),
                        "commitment_accepted": True,
                    },
                ),
            ]
            answers = []
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
                barrier.wait()
                for name, url, headers, body in requests:
                    response = client.post(url, json=body, headers=headers)
                    answers.append((name, response.status_code, response.text[:300]))
            return answers

        with ThreadPoolExecutor(WRITERS) as pool:
            results = [answer for answers in pool.map(writer, range(WRITERS)) for answer in answers]
    finally:
        stop(server)

    failures = [r for r in results if r[1] >= 500 or r[1] not in (200, 201)]
    assert not failures, failures[:5]
    counts = json.loads(manage(env, "shell", "-c", COUNTS).strip().splitlines()[-1])
    assert counts == {
        "urges": PAIRS,
        "tasks": PAIRS,
        "complaints": PAIRS,
        "orders": PAIRS,
        "exemptions": PAIRS,
        "reports": WRITERS,
    }
    assert "database is locked" not in (tmp_path / "server.log").read_text()
