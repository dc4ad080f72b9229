from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.core.management import CommandError, call_command

from badges import tasks
from badges.computation import default_day
from badges.models import BadgeRun, ProductPickupStat
from badges.schedule import BEAT_SCHEDULE
from badges.tests.factories import make_orders
from core.tests.clock import frozen_now
from shops.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_beat_runs_at_02_00_shanghai_with_expiry(settings):
    entry = BEAT_SCHEDULE["badges-daily-48h-pickup"]
    assert entry["task"] == "badges.run_scheduled"
    assert entry["schedule"] == crontab(hour=2, minute=0)
    assert entry["options"]["expires"] > 0
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    assert "badges-daily-48h-pickup" in settings.CELERY_BEAT_SCHEDULE


def test_default_day_is_today_minus_3_in_shanghai():
    # 2022-12-30 17:00 UTC is already 12-31 01:00 in Shanghai
    assert default_day(datetime(2022, 12, 30, 17, 0, tzinfo=ZoneInfo("UTC"))) == date(2022, 12, 28)


def test_run_badges_command_with_date(shop):
    make_orders(ProductFactory(shop=shop), on_time=2)
    out, err = StringIO(), StringIO()
    call_command("run_badges", "--date", "2022-12-28", stdout=out, stderr=err)
    run = BadgeRun.objects.get(day=date(2022, 12, 28))
    assert run.trigger == BadgeRun.Trigger.COMMAND and run.status == "succeeded"
    assert "orders 2, products 1, badged 1" in out.getvalue()
    assert "48h badge 2022-12-28" in err.getvalue()  # the progress bar


def test_run_badges_command_in_ranges_gives_the_same_stats(shop):
    products = [ProductFactory(shop=shop) for _ in range(5)]
    for i, product in enumerate(products):
        make_orders(product, on_time=10, late=i % 2)
    call_command("run_badges", "--date", "2022-12-28", "--no-progress", stdout=StringIO())
    single = sorted(ProductPickupStat.objects.values_list("product_id", "paid_orders", "picked_up_48h", "badged"))
    call_command("run_badges", "--date", "2022-12-28", "--shard-size", "2", "--no-progress", stdout=StringIO())
    run = BadgeRun.objects.get()
    assert (run.mode, run.shards, run.attempt) == ("sharded", 3, 2)
    assert sorted(ProductPickupStat.objects.values_list("product_id", "paid_orders", "picked_up_48h", "badged")) == single


def test_run_badges_command_rejects_bad_date():
    with pytest.raises(CommandError):
        call_command("run_badges", "--date", "28/12/2022", stdout=StringIO())


def test_run_badges_before_policy_records_skipped():
    call_command("run_badges", "--date", "2022-12-20", "--no-progress", stdout=StringIO())
    assert BadgeRun.objects.get().status == BadgeRun.Status.SKIPPED


def test_scheduled_task_runs_today_minus_3(shop):
    make_orders(ProductFactory(shop=shop), on_time=1)
    with frozen_now(tasks, datetime(2022, 12, 31, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        tasks.run_scheduled.apply()
    run = BadgeRun.objects.get()
    assert (run.day, run.status, run.badged_count) == (date(2022, 12, 28), "succeeded", 1)


def test_second_task_while_running_does_nothing(shop, monkeypatch):
    from badges import services

    services.badge_run_begin(day=date(2022, 12, 28), shards=2)  # a sharded attempt in flight
    tasks.run_day.apply(args=["2022-12-28"])  # logs and returns, no exception
    assert BadgeRun.objects.get().attempt == 1
