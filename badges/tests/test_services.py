from datetime import date, timedelta
from decimal import Decimal

import pytest

from badges.models import BadgeRun, ProductPickupStat
from badges.services import badge_run_day
from badges.tests.factories import RUN_AT, current_badges, make_orders, paid_on_d
from core.models import AuditEntry
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import OrderFactory, ProductFactory, sh

pytestmark = pytest.mark.django_db
DAY = date(2022, 12, 28)


def run(day: date = DAY, **kwargs) -> BadgeRun:
    return badge_run_day(day=day, now=kwargs.pop("now", RUN_AT), **kwargs)


def stat(product) -> ProductPickupStat:
    return ProductPickupStat.objects.get(product=product)


def test_exactly_48h_is_on_time_and_48h_plus_1s_is_not(shop):
    exact, late = ProductFactory(shop=shop), ProductFactory(shop=shop)
    make_orders(exact, on_time=1, pickup_after=timedelta(hours=48))
    make_orders(late, late=1)
    run()
    assert (stat(exact).picked_up_48h, stat(exact).rate, stat(exact).badged) == (1, Decimal("1.0000"), True)
    assert (stat(late).picked_up_48h, stat(late).rate, stat(late).badged) == (0, Decimal("0.0000"), False)


def test_98_0_percent_is_not_badged_and_98_1_is(shop):
    at_98_0, at_98_1 = ProductFactory(shop=shop), ProductFactory(shop=shop)
    make_orders(at_98_0, on_time=980, late=20)
    make_orders(at_98_1, on_time=981, not_picked=19)
    result = run()
    assert (stat(at_98_0).rate, stat(at_98_0).meets_threshold, stat(at_98_0).badged) == (Decimal("0.9800"), False, False)
    assert (stat(at_98_1).rate, stat(at_98_1).meets_threshold, stat(at_98_1).badged) == (Decimal("0.9810"), True, True)
    assert (result.orders_count, result.products_count, result.badged_count) == (2000, 2, 1)


def test_threshold_and_boost_are_settings(settings, shop):
    product = ProductFactory(shop=shop)
    make_orders(product, on_time=9, late=1)
    settings.BADGE_RATE_THRESHOLD = Decimal("0.85")
    settings.BADGE_RANKING_BOOST = Decimal("1.5")
    run()
    badge = current_badges().get(product=product)
    assert (badge.badged, badge.ranking_boost) == (True, Decimal("1.50"))


def test_cancelled_before_shipping_is_excluded_but_cancelled_after_shipping_counts(shop):
    product = ProductFactory(shop=shop)
    make_orders(product, on_time=49)
    OrderFactory(product=product, paid_at=paid_on_d(), cancelled_at=paid_on_d(12))  # never shipped
    OrderFactory(product=product, paid_at=paid_on_d(), shipped_at=paid_on_d(13), cancelled_at=paid_on_d(12))
    OrderFactory(product=product, paid_at=paid_on_d(), shipped_at=paid_on_d(11), cancelled_at=paid_on_d(12))
    run()
    # the one cancelled after shipping counts, and was never picked up: 49/50
    assert (stat(product).paid_orders, stat(product).picked_up_48h) == (50, 49)
    assert stat(product).badged is False


def test_orders_of_d_minus_1_and_d_plus_1_are_ignored(shop):
    product = ProductFactory(shop=shop)
    make_orders(product, on_time=1)
    make_orders(product, late=5, paid_at=sh(2022, 12, 27, 23, 59, 59))
    make_orders(product, late=5, paid_at=sh(2022, 12, 29, 0, 0))
    run()
    assert (stat(product).paid_orders, stat(product).badged) == (1, True)


def test_day_boundaries_are_midnight_in_shanghai(shop):
    from datetime import UTC, datetime

    product = ProductFactory(shop=shop)
    # 2022-12-27 15:59:59 UTC is 23:59:59 on D−1 in Shanghai; 16:00:00 UTC is 00:00 on D.
    make_orders(product, late=1, paid_at=datetime(2022, 12, 27, 15, 59, 59, tzinfo=UTC))
    make_orders(product, on_time=1, paid_at=datetime(2022, 12, 27, 16, 0, 0, tzinfo=UTC))
    make_orders(product, on_time=1, paid_at=datetime(2022, 12, 28, 15, 59, 59, tzinfo=UTC))
    make_orders(product, late=1, paid_at=datetime(2022, 12, 28, 16, 0, 0, tzinfo=UTC))
    run()
    assert (stat(product).paid_orders, stat(product).picked_up_48h) == (2, 2)


def test_products_without_orders_on_d_get_no_stat(shop):
    product, idle = ProductFactory(shop=shop), ProductFactory(shop=shop)
    make_orders(product, on_time=1)
    run()
    assert list(ProductPickupStat.objects.values_list("product_id", flat=True)) == [product.pk]
    assert not current_badges().filter(product=idle).exists()


@pytest.mark.parametrize(("day", "runs"), [(date(2022, 12, 23), False), (date(2022, 12, 24), True)])
def test_nothing_runs_before_2022_12_24(shop, day, runs):
    product = ProductFactory(shop=shop)
    make_orders(product, on_time=1, paid_at=sh(day.year, day.month, day.day, 10))
    result = run(day=day, now=sh(2022, 12, 27, 2))
    assert result.status == (BadgeRun.Status.SUCCEEDED if runs else BadgeRun.Status.SKIPPED)
    assert result.policy_at == sh(day.year, day.month, day.day)
    assert ProductPickupStat.objects.exists() is runs
    assert current_badges().exists() is runs


def test_disabled_policy_skips(shop):
    from core.models import Policy

    Policy.objects.filter(key="badges.fast_pickup_48h").update(enabled=False)
    make_orders(ProductFactory(shop=shop), on_time=1)
    assert run().status == BadgeRun.Status.SKIPPED
    assert not ProductPickupStat.objects.exists()


def test_rerun_is_idempotent_and_replaces_results(shop):
    product = ProductFactory(shop=shop)
    make_orders(product, on_time=10)
    first = run()
    snapshot = list(ProductPickupStat.objects.values("product_id", "paid_orders", "picked_up_48h", "rate", "badged"))
    second = run(now=RUN_AT + timedelta(hours=1))
    assert second.pk == first.pk and second.attempt == 2
    assert list(ProductPickupStat.objects.values("product_id", "paid_orders", "picked_up_48h", "rate", "badged")) == snapshot
    assert BadgeRun.objects.count() == 1 and current_badges().count() == 1
    assert list(ProductPickupStat.objects.values_list("attempt", flat=True)) == [2]  # only the new attempt's rows
    # a late pickup event changes D's figures: the re-run replaces them, nothing accumulates
    make_orders(product, late=1)
    run(now=RUN_AT + timedelta(hours=2))
    assert (stat(product).paid_orders, stat(product).badged) == (11, False)
    assert current_badges().get(product=product).badged is False
    assert AuditEntry.objects.filter(target_type="badges.badgerun", action="badge_run_succeeded").count() == 3


def test_run_records_counts_and_timing(shop, other_shop):
    a, b, c = ProductFactory(shop=shop), ProductFactory(shop=shop), ProductFactory(shop=other_shop)
    make_orders(a, on_time=3)
    make_orders(b, on_time=1, late=1)
    make_orders(c, on_time=2)
    DeliveryReportFactory(shop=other_shop)
    result = run()
    assert (result.orders_count, result.products_count, result.badged_count, result.withheld_count) == (7, 3, 1, 1)
    assert result.started_at == RUN_AT and result.finished_at >= result.started_at
    assert result.duration == result.finished_at - result.started_at
    assert result.trigger == BadgeRun.Trigger.SCHEDULE


def test_older_day_rerun_keeps_the_latest_days_badges(shop):
    product = ProductFactory(shop=shop)
    make_orders(product, on_time=1, paid_at=sh(2022, 12, 27, 10))
    make_orders(product, late=1)
    run()
    run(day=date(2022, 12, 27))
    badge = current_badges().get(product=product)
    assert (badge.day, badge.badged) == (DAY, False)
    assert ProductPickupStat.objects.filter(day=date(2022, 12, 27), badged=True).count() == 1
