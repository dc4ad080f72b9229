"""Run paths and concurrency: one worker vs. a chord by product range; one writer per day."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection

from backoffice.celery import app as celery_app
from badges import computation, services
from badges.dispatch import badge_run_start, planned_ranges
from badges.models import BadgeRun, CurrentBadges, PickupStatStage, ProductPickupStat
from badges.tests.factories import RUN_AT, current_badges, make_orders
from badges.tests.factories import mixed_catalogue as catalogue
from badges.tests.factories import stats_snapshot as snapshot
from core.errors import Conflict
from core.outbox import outbox_drain
from core.tests.races import outcome, run_together
from shops.tests.factories import ProductFactory

DAY = date(2022, 12, 28)


@pytest.fixture
def eager():
    saved = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    celery_app.conf.update(task_always_eager=saved[0], task_eager_propagates=saved[1])


@pytest.mark.django_db
def test_product_ranges_cover_every_id_once():
    assert services.product_ranges(lo=3, hi=12, size=4) == [(3, 7), (7, 11), (11, 13)]
    assert services.product_ranges(lo=5, hi=5, size=4) == [(5, 6)]


@pytest.mark.django_db
def test_sharded_chord_gives_the_same_result_as_one_worker(eager):
    catalogue()
    services.badge_run_day(day=DAY, now=RUN_AT)
    single = snapshot()
    assert any(row[6] for row in single[0]) and any(row[7] for row in single[0])  # badges and a withholding

    ProductPickupStat.objects.all().delete()
    CurrentBadges.objects.all().delete()
    assert len(planned_ranges(size=2)) == 4
    started = badge_run_start(day=DAY, shard_size=2, now=RUN_AT)
    assert started.status == BadgeRun.Status.RUNNING
    assert outbox_drain().delivered == 1  # the chord is published from the outbox
    run = BadgeRun.objects.get(day=DAY)
    assert (run.status, run.mode, run.shards, run.attempt) == ("succeeded", "sharded", 4, 2)
    assert snapshot()[0] == single[0]
    assert snapshot()[1] == single[1]
    assert not PickupStatStage.objects.exists()


@pytest.mark.django_db
def test_superseded_attempt_publishes_nothing(settings):
    products = catalogue()
    first = services.badge_run_begin(day=DAY, shards=2, now=RUN_AT).run
    services.badge_stage_range(run_id=first.pk, attempt=first.attempt, product_range=(0, 10**9))
    settings.BADGE_RUN_STALE_AFTER = timedelta(0)  # the first attempt is taken over
    second = services.badge_run_begin(day=DAY, shards=2, now=RUN_AT + timedelta(minutes=5)).run
    assert second.attempt == first.attempt + 1
    assert services.badge_stage_range(run_id=first.pk, attempt=first.attempt, product_range=(0, 10**9)) == 0
    assert services.badge_run_publish(run_id=first.pk, attempt=first.attempt) is None
    assert not ProductPickupStat.objects.exists()
    services.badge_stage_range(run_id=second.pk, attempt=second.attempt, product_range=(0, 10**9))
    assert services.badge_run_publish(run_id=second.pk, attempt=second.attempt).products_count == len(products)


@pytest.mark.django_db
def test_a_run_while_a_sharded_attempt_is_running_is_refused(settings):
    catalogue()
    settings.BADGE_RUN_STALE_AFTER = timedelta(hours=1)
    services.badge_run_begin(day=DAY, shards=2, now=RUN_AT)
    with pytest.raises(Conflict) as caught:
        services.badge_run_day(day=DAY, now=RUN_AT + timedelta(minutes=10))
    assert caught.value.code == "badge_run_in_progress" and caught.value.status == 409
    # after the stale limit a new run takes over
    run = services.badge_run_day(day=DAY, now=RUN_AT + timedelta(hours=2))
    assert (run.status, run.attempt) == ("succeeded", 2)


@pytest.mark.django_db
def test_failed_run_rolls_back_and_is_recorded(monkeypatch, shop):
    make_orders(ProductFactory(shop=shop), on_time=1)
    services.badge_run_day(day=DAY, now=RUN_AT)

    def boom(*args, **kwargs):  # fails after the new stats are written
        raise RuntimeError("disk full")

    monkeypatch.setattr(computation, "make_current", boom)
    with pytest.raises(RuntimeError):
        services.badge_run_day(day=DAY, now=RUN_AT + timedelta(hours=1))
    run = BadgeRun.objects.get(day=DAY)
    assert run.status == "failed" and "disk full" in run.error
    assert ProductPickupStat.objects.count() == 1 and current_badges().count() == 1  # the earlier results stay


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_of_the_same_day_cannot_both_write(monkeypatch):
    # given a run of D that holds its lock inside the transaction
    products = catalogue()
    entered, release = threading.Event(), threading.Event()
    original = computation.insert_stats_from_orders
    inserts = []

    def slow_insert(**kwargs):
        inserts.append(threading.current_thread().name)
        count = original(**kwargs)
        entered.set()
        assert release.wait(10)
        return count

    monkeypatch.setattr(computation, "insert_stats_from_orders", slow_insert)
    outcome = {}

    def first():
        try:
            outcome["first"] = services.badge_run_day(day=DAY, now=RUN_AT).status
        finally:
            connection.close()

    thread = threading.Thread(target=first, name="first")
    thread.start()
    assert entered.wait(10)

    # when a second run of D starts meanwhile (another thread, its own connection)
    def second():
        try:
            services.badge_run_day(day=DAY, now=RUN_AT)
        except Conflict as exc:
            outcome["second"] = exc.code
        finally:
            connection.close()

    other = threading.Thread(target=second, name="second")
    other.start()
    other.join(10)
    release.set()
    thread.join(10)
    # then it is refused without writing, and the first one publishes alone
    assert outcome == {"first": "succeeded", "second": "badge_run_in_progress"}
    assert inserts == ["first"]
    run = BadgeRun.objects.get(day=DAY)
    assert (run.attempt, run.products_count) == (1, len(products))
    assert ProductPickupStat.objects.filter(run=run).count() == len(products)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_of_the_same_day_leave_one_consistent_result():
    catalogue()

    def worker():
        return services.badge_run_day(day=DAY, now=RUN_AT).status

    results = [outcome(r, Conflict) for r in run_together(*[worker] * 4)]
    assert len(results) == 4 and "succeeded" in results
    assert set(results) <= {"succeeded", "badge_run_in_progress"}
    run = BadgeRun.objects.get(day=DAY)
    assert run.attempt == results.count("succeeded")
    assert ProductPickupStat.objects.count() == current_badges().count() == 7
