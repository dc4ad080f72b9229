"""Faults lose nothing (SPEC §10), on PostgreSQL with real processes and a throw-away Redis:

- the broker down: writes succeed, and every notification goes out exactly once when it is back;
- a worker killed with SIGKILL in the middle of a badge range task (the pool child: acks_late +
  reject_on_worker_lost re-queue it at once) and of a sweep batch (the whole worker: Redis
  re-delivers after ``visibility_timeout``) → the task runs again and the result equals one
  clean run;
- the database's connections terminated under a running server → 503 ``database_unavailable``,
  then service again without restarting anything.

Only this test database's backends are terminated and only our own redis-server is stopped."""

import os
import signal
import time
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from django.db import connection
from django.utils import timezone
from kombu import pools as kombu_pools

from backoffice.celery import app
from core.models import AuditEntry, OutboxMessage
from core.tests.processes import (
    BIN,
    database_url,
    django_env,
    free_port,
    redis_available,
    redis_server,
    spawn,
    stop,
    wait_for_port,
)

pytestmark = [
    pytest.mark.fault,
    pytest.mark.postgres,
    pytest.mark.skipif(not redis_available(), reason="needs redis-server"),
    pytest.mark.django_db(transaction=True),
]


def wait_until(check, *, timeout: float = 90, every: float = 0.3, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def worker_env(broker: str, **extra: str) -> dict:
    return django_env(DATABASE_URL=database_url(), CELERY_BROKER_URL=broker, CELERY_RESULT_BACKEND=broker, **extra)


@contextmanager
def celery_worker(env: dict, log: Path, *, app_module: str = "backoffice", concurrency: int = 1):
    proc = spawn(
        [
            str(BIN / "celery"),
            "-A",
            app_module,
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
        ],
        env=env,
        log=log,
    )
    try:
        yield proc
    finally:
        stop(proc)


def send(task_name: str, broker: str, *args) -> None:
    """Publish to ``broker`` (not this process's configured one)."""
    with app.connection_for_write(broker) as conn:
        app.send_task(task_name, args=args, connection=conn)


@contextmanager
def app_broker(url: str):
    """Point this process's Celery app at ``url`` (the writes' nudges go there)."""
    saved = app.conf.broker_url

    def reset():
        if app._pool is not None:
            app._pool.force_close_all()
            app._pool = None
        app.amqp._producer_pool = None
        # kombu's process-wide producer pools are keyed by broker URL: once the URL is restored, the
        # cached pool would hand later tests (the real-worker ones) the connections closed above.
        kombu_pools.reset()

    reset()
    app.conf.broker_url = url
    try:
        yield
    finally:
        reset()
        app.conf.broker_url = saved


# --- the broker down ----------------------------------------------------------------------------


def sent_mails(mail_dir) -> list[str]:
    """Every message the file-based mail backend wrote, one string each: a backend instance
    appends its messages to one file (each followed by a line of 79 dashes), and two instances
    created in the same second at the same address share a file name."""
    files = [p.read_text(errors="replace") for p in sorted(mail_dir.iterdir())] if mail_dir.exists() else []
    separator = "\n" + "-" * 79 + "\n"
    return [message for text in files for message in text.split(separator) if message.strip()]


def test_broker_outage_delays_notifications_and_loses_none(tmp_path, platform_api, shop, merchant, settings):
    from complaints.models import Complaint
    from shops.tests.factories import OrderFactory, ProductFactory
    from tickets.models import UrgeTask

    port = free_port()  # nothing listens here yet: the broker is down
    broker = f"redis://127.0.0.1:{port}/0"
    settings.CELERY_BROKER_URL = broker
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    orders = [OrderFactory(product=ProductFactory(shop=shop)) for _ in range(6)]

    # given the broker is down, when the platform pushes urges and a complaint
    with app_broker(broker):
        started = time.monotonic()
        for i, order in enumerate(orders[:5]):
            response = platform_api.post(
                "/api/v1/platform/urges/",
                {"event_id": f"outage-{i}", "order_no": order.order_no, "urged_at": "2022-12-28T12:00:00+08:00"},
                format="json",
            )
            assert response.status_code == 201, response.content  # the writes succeed
        complaint = platform_api.post(
            "/api/v1/platform/complaints/",
            {
                "event_id": "outage-c",
                "order_no": orders[5].order_no,
                "reason": "delayed_shipment",
                "message": "m",
                "evidence": [],
                "filed_at": "2022-12-30T12:00:00+08:00",
            },
            format="json",
        )
        assert complaint.status_code == 201, complaint.content
        assert time.monotonic() - started < 60
        assert platform_api.get("/readyz").status_code == 503
    assert OutboxMessage.objects.filter(topic="tickets.opened_mail", delivered_at__isnull=True).count() == 5

    # when the broker comes back and a worker drains the outbox (twice: a repeat sends nothing)
    mail_dir = tmp_path / "mail"
    with (
        redis_server(port, tmp_path),
        celery_worker(worker_env(broker, DJANGO_TEST_EMAIL_FILE_PATH=str(mail_dir)), tmp_path / "worker.log"),
    ):
        send("core.outbox_drain", broker)
        wait_until(lambda: not OutboxMessage.objects.filter(delivered_at__isnull=True).exists(), what="the outbox to drain")
        send("complaints.judge_pending", broker)
        send("core.outbox_drain", broker)
        wait_until(lambda: not Complaint.objects.filter(status="pending").exists(), what="the judgment")

    # then each opening mail went out exactly once
    tasks = list(UrgeTask.objects.all())
    assert len(tasks) == 5 and all(t.opened_mail_sent_at for t in tasks)
    assert AuditEntry.objects.filter(action="ticket_opened_mail_sent").count() == 5
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
    sent = sent_mails(mail_dir)
    opening = [text for text in sent if any(task.order.order_no in text for task in tasks)]
    assert len(opening) == 5
    for task in tasks:
        assert sum(task.order.order_no in text for text in opening) == 1
    # … and nothing else (the complaint's inbox mails) went out twice either
    message_ids = [line for text in sent for line in text.splitlines() if line.lower().startswith("message-id:")]
    assert len(message_ids) == len(sent) == len(set(message_ids))


# --- a worker killed mid-task -----------------------------------------------------------------------


def killed_pid(marker: Path) -> int:
    return int(wait_until(lambda: marker.exists() and marker.read_text().strip(), what="the fault point"))


def test_worker_killed_in_a_badge_range_task_gives_the_clean_result(tmp_path):
    from badges import services
    from badges.models import BadgeRun, CurrentBadges, PickupStatStage, ProductPickupStat
    from badges.tests.factories import RUN_AT, mixed_catalogue, stats_snapshot

    day = date(2022, 12, 28)
    mixed_catalogue()
    services.badge_run_day(day=day, now=RUN_AT)
    clean = stats_snapshot()
    ProductPickupStat.objects.all().delete()
    CurrentBadges.objects.all().delete()

    port = free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    marker = tmp_path / "marker"
    env = worker_env(broker, FAULT_POINT="badge_range", FAULT_MARKER=str(marker))
    with (
        redis_server(port, tmp_path),
        celery_worker(env, tmp_path / "worker.log", app_module="core.tests.fault_worker") as worker,
    ):
        from badges.dispatch import badge_run_start

        started = badge_run_start(day=day, shard_size=2, now=RUN_AT)
        assert started.status == BadgeRun.Status.RUNNING
        send("core.outbox_drain", broker)  # the worker publishes the chord
        child = killed_pid(marker)
        assert child != worker.pid
        os.kill(child, signal.SIGKILL)  # the pool child dies mid-transaction
        run = wait_until(
            lambda: BadgeRun.objects.exclude(status=BadgeRun.Status.RUNNING).filter(day=day, attempt=started.attempt).first(),
            what="the run to finish after the kill",
        )
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert "WorkerLostError" in log or "SIGKILL" in log
    assert run.status == "succeeded", run.error
    assert stats_snapshot() == clean
    assert not PickupStatStage.objects.exists()


def test_worker_killed_in_a_sweep_batch_gives_the_clean_result(tmp_path):
    from complaints.models import Complaint
    from shops.tests.factories import ShopFactory
    from tickets.models import UrgeTask
    from tickets.tests.factories import UrgeTaskFactory

    shop = ShopFactory(code="fault-shop", kind="tmall")
    tasks = [UrgeTaskFactory(order__product__shop=shop, opened_at=timezone.now() - timedelta(hours=25)) for _ in range(8)]

    port = free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    marker = tmp_path / "marker"
    # Redis re-delivers an unacknowledged task after visibility_timeout: short here, an hour in production
    env = worker_env(broker, FAULT_POINT="sweep_batch", FAULT_MARKER=str(marker), CELERY_VISIBILITY_TIMEOUT="3")
    with redis_server(port, tmp_path):
        with celery_worker(env, tmp_path / "worker-1.log", app_module="core.tests.fault_worker") as worker:
            send("tickets.sweep_overdue", broker)
            killed_pid(marker)
            os.killpg(worker.pid, signal.SIGKILL)  # the whole worker dies: the message stays unacknowledged
            worker.wait(timeout=30)
        assert UrgeTask.objects.filter(status="overdue").count() == 3  # the first batch committed, the second did not
        with celery_worker(env, tmp_path / "worker-2.log", app_module="core.tests.fault_worker"):
            wait_until(lambda: not UrgeTask.objects.filter(status="open").exists(), what="the re-delivered sweep")
    assert UrgeTask.objects.filter(status="overdue").count() == len(tasks)
    for task in tasks:
        assert Complaint.objects.filter(event_id=f"ticket-overdue:{task.pk}").count() == 1
        assert AuditEntry.objects.filter(target_id=str(task.pk), action="ticket_overdue").count() == 1


# --- the database's connections dropped -------------------------------------------------------------


def terminate_backends() -> int:
    """pg_terminate_backend for this test database's other sessions only."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.parametrize("health_checks", ["false", "true"])
def test_dropped_database_connections_are_503_then_recover_without_restart(tmp_path, platform_user, health_checks):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("issue_token", platform_user.username, "--platform", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    port = free_port()
    env = django_env(
        DATABASE_URL=database_url(),
        DATABASE_CONN_MAX_AGE="600",
        DATABASE_CONN_HEALTH_CHECKS=health_checks,
        DJANGO_DEBUG="false",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
    )
    server = spawn(
        [str(BIN / "gunicorn"), "--config", "backoffice/gunicorn.conf.py", "backoffice.wsgi"], env=env, log=tmp_path / "web.log"
    )
    try:
        wait_for_port(port, proc=server)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Token {token}"}, timeout=30) as client:
            assert client.get("/api/v1/regions/").status_code == 200  # the worker now holds a persistent connection
            assert terminate_backends() >= 1
            dropped = client.get("/api/v1/regions/")
            if health_checks == "false":
                # the request finds its connection dead: 503 with a code, not a 500
                assert dropped.status_code == 503 and dropped.json()["code"] == "database_unavailable"
            else:
                assert dropped.status_code == 200  # checked before reuse: reconnected at once
            # and the same process serves again, without a restart
            assert [client.get("/api/v1/regions/").status_code for _ in range(3)] == [200, 200, 200]
            assert client.get("/readyz").status_code == 200
    finally:
        stop(server)
