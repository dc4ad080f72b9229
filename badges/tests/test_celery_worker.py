"""The sharded run (a chord by product range) on a REAL Celery worker, in-process (a thread).

Broker and results: memory:// and cache+memory:// by default (the memory cache is one dict per
process, so the chord counter the worker increments is the one the chord was registered in), or
Redis when ``CELERY_BROKER_URL`` is set (results then go to the same Redis: native chords)."""

from datetime import date

import pytest
from celery.contrib.testing.worker import start_worker

from backoffice.celery import app
from badges import services
from badges.dispatch import badge_run_start
from badges.models import BadgeRun, CurrentBadges, PickupStatStage, ProductPickupStat
from badges.tests.factories import RUN_AT, mixed_catalogue, stats_snapshot
from core.outbox import outbox_drain
from core.tests.waiting import task_finished

DAY = date(2022, 12, 28)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)  # reference data: the root conftest reseeds it
def test_sharded_run_on_a_real_worker_gives_the_single_worker_result():
    # given the result of one worker for D (badges, a below-threshold product and a withholding)
    products = mixed_catalogue()
    services.badge_run_day(day=DAY, now=RUN_AT)
    single = stats_snapshot()
    assert any(row[6] for row in single[0]) and not all(row[6] for row in single[0])
    assert any(row[9] for row in single[0])
    ProductPickupStat.objects.all().delete()
    CurrentBadges.objects.all().delete()

    # when D is re-run split into 4 product ranges, on a real worker (chord: 4 subtasks + publish)
    assert not app.conf.task_always_eager
    with start_worker(app, perform_ping_check=False, shutdown_timeout=30), task_finished("badges.publish_run") as done:
        started = badge_run_start(day=DAY, shard_size=2, now=RUN_AT)
        assert started.status == BadgeRun.Status.RUNNING  # returned before the chord ran
        assert outbox_drain().delivered == 1  # the drain publishes the chord
        # no polling of the database while the worker writes (SQLite: "database table is locked")
        assert done.wait(60), "the chord did not finish"
    run = BadgeRun.objects.get(day=DAY)

    # then the chord published exactly the single-worker result
    assert (run.status, run.mode, run.shards, run.attempt) == ("succeeded", "sharded", 4, 2), run.error
    assert run.products_count == len(products)
    assert stats_snapshot() == single
    assert not PickupStatStage.objects.exists()
