"""Withholding by reports in force at run time (SPEC §6: scope match, not per-order coverage)."""

from datetime import date, timedelta

import pytest

from badges.models import ProductPickupStat, WithheldReason
from badges.services import badge_run_day
from badges.tests.factories import RUN_AT, current_badges, make_orders
from reports.models import DeliveryReport
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import ProductFactory, sh

pytestmark = pytest.mark.django_db
DAY = date(2022, 12, 28)


@pytest.fixture
def products(shop, other_shop):
    """Three qualifying products of ``shop`` and one of ``other_shop``."""
    made = {name: ProductFactory(shop=shop) for name in ("listed", "unlisted", "third")}
    made["other"] = ProductFactory(shop=other_shop)
    for product in made.values():
        make_orders(product, on_time=10)
    return made


def outcome(products) -> dict:
    rows = {s.product_id: s for s in ProductPickupStat.objects.all()}
    return {name: (rows[p.pk].badged, rows[p.pk].withheld_reason) for name, p in products.items()}


def test_shop_scope_withholds_every_product_of_the_shop(shop, products):
    report = DeliveryReportFactory(shop=shop, scope=DeliveryReport.Scope.SHOP)
    run = badge_run_day(day=DAY, now=RUN_AT)
    assert outcome(products) == {
        "listed": (False, "shop"),
        "unlisted": (False, "shop"),
        "third": (False, "shop"),
        "other": (True, ""),
    }
    assert set(ProductPickupStat.objects.filter(withheld_report=report).values_list("product_id", flat=True)) == {
        products[n].pk for n in ("listed", "unlisted", "third")
    }
    assert (run.badged_count, run.withheld_count) == (1, 3)
    badge = current_badges().get(product=products["listed"])
    assert (badge.badged, badge.withheld_reason, badge.withheld_report_id) == (False, "shop", report.pk)
    assert str(badge.ranking_boost) == "1.00"


def test_product_scope_withholds_only_listed_products(shop, products):
    DeliveryReportFactory(shop=shop, scope=DeliveryReport.Scope.PRODUCT, products=[products["listed"]])
    badge_run_day(day=DAY, now=RUN_AT)
    assert outcome(products) == {
        "listed": (False, WithheldReason.PRODUCT),
        "unlisted": (True, ""),
        "third": (True, ""),
        "other": (True, ""),
    }


def test_region_scope_withholds_every_product_of_the_shop(shop, products):
    DeliveryReportFactory(shop=shop, scope=DeliveryReport.Scope.REGION, regions=["110000"])
    badge_run_day(day=DAY, now=RUN_AT)
    assert outcome(products) == {
        "listed": (False, "region"),
        "unlisted": (False, "region"),
        "third": (False, "region"),
        "other": (True, ""),
    }


def test_another_shops_product_report_does_not_withhold(other_shop, products):
    DeliveryReportFactory(shop=other_shop, scope=DeliveryReport.Scope.PRODUCT, products=[products["other"]])
    badge_run_day(day=DAY, now=RUN_AT)
    assert outcome(products)["listed"] == (True, "")
    assert outcome(products)["other"] == (False, "product")


@pytest.mark.parametrize("variant", ["expired", "not_started", "withdrawn", "revoked", "pending", "rejected", "approved_later"])
def test_reports_not_in_force_at_run_time_do_not_withhold(shop, products, variant):
    values = {
        "expired": {"starts_at": sh(2022, 12, 20), "ends_at": sh(2022, 12, 30)},
        "not_started": {"starts_at": sh(2022, 12, 31, 3), "ends_at": sh(2023, 1, 5)},
        "withdrawn": {
            "status": DeliveryReport.Status.WITHDRAWN,
            "approved_at": sh(2022, 12, 27),
            "withdrawn_at": sh(2022, 12, 30),
        },
        "revoked": {"status": DeliveryReport.Status.REVOKED, "approved_at": sh(2022, 12, 27), "revoked_at": RUN_AT},
        "pending": {"status": DeliveryReport.Status.PENDING_REVIEW},
        "rejected": {"status": DeliveryReport.Status.REJECTED},
        "approved_later": {"approved_at": RUN_AT + timedelta(seconds=1)},
    }[variant]
    DeliveryReportFactory(shop=shop, **values)
    run = badge_run_day(day=DAY, now=RUN_AT)
    assert outcome(products)["listed"] == (True, "")
    assert run.withheld_count == 0


def test_withdrawn_after_run_time_still_withholds(shop, products):
    DeliveryReportFactory(
        shop=shop,
        status=DeliveryReport.Status.WITHDRAWN,
        approved_at=sh(2022, 12, 27),
        withdrawn_at=RUN_AT + timedelta(seconds=1),
    )
    badge_run_day(day=DAY, now=RUN_AT)
    assert outcome(products)["listed"] == (False, "shop")


def test_product_below_threshold_is_not_marked_withheld(shop):
    product = ProductFactory(shop=shop)
    make_orders(product, on_time=1, late=1)
    DeliveryReportFactory(shop=shop)
    run = badge_run_day(day=DAY, now=RUN_AT)
    assert (ProductPickupStat.objects.get().withheld_reason, run.withheld_count) == ("", 0)


@pytest.mark.parametrize("first", ["product", "shop"])
def test_the_earliest_approved_report_in_force_is_the_reason(shop, products, first):
    # a shop-scope and a product-scope report both reach "listed"; the earlier approval is kept
    product_at, shop_at = (
        (sh(2022, 12, 27), sh(2022, 12, 27, 1)) if first == "product" else (sh(2022, 12, 27, 1), sh(2022, 12, 27))
    )
    by_product = DeliveryReportFactory(
        shop=shop, scope=DeliveryReport.Scope.PRODUCT, products=[products["listed"]], approved_at=product_at
    )
    by_shop = DeliveryReportFactory(shop=shop, scope=DeliveryReport.Scope.SHOP, approved_at=shop_at)
    DeliveryReportFactory(
        shop=shop, scope=DeliveryReport.Scope.REGION, regions=["110000"], approved_at=sh(2022, 12, 27, 2)
    )  # later than both: never the reason
    run = badge_run_day(day=DAY, now=RUN_AT)
    rows = {s.product_id: (s.withheld_reason, s.withheld_report_id) for s in ProductPickupStat.objects.all()}
    expected = (first, (by_product if first == "product" else by_shop).pk)
    assert rows[products["listed"].pk] == expected
    assert rows[products["unlisted"].pk] == ("shop", by_shop.pk)
    assert (run.badged_count, run.withheld_count) == (1, 3)


def test_same_approval_instant_ties_break_on_the_lower_report_id(shop, products):
    at = sh(2022, 12, 27)
    by_shop = DeliveryReportFactory(shop=shop, scope=DeliveryReport.Scope.SHOP, approved_at=at)
    DeliveryReportFactory(shop=shop, scope=DeliveryReport.Scope.PRODUCT, products=[products["listed"]], approved_at=at)
    badge_run_day(day=DAY, now=RUN_AT)
    assert ProductPickupStat.objects.get(product=products["listed"]).withheld_report_id == by_shop.pk


# --- amended reports (SPEC §11): the version in force at run time withholds, not version 1 ---


def _amend(report, merchant, at, **kwargs):
    """Version 2 of ``report``, approved at ``at`` (an epidemic report: approved on submission)."""
    from reports.services import report_amend

    amendment = report_amend(actor=merchant, report=report, at=at, **kwargs)
    assert amendment.approved_at == at
    return amendment


def test_an_amendment_adding_a_product_withholds_it_from_its_approval(shop, merchant, products):
    report = DeliveryReportFactory(shop=shop, scope=DeliveryReport.Scope.PRODUCT, products=[products["listed"]])
    _amend(report, merchant, sh(2022, 12, 29), products=[products["unlisted"].code])
    run = badge_run_day(day=DAY, now=RUN_AT)
    assert outcome(products) == {
        "listed": (False, "product"),
        "unlisted": (False, "product"),
        "third": (True, ""),
        "other": (True, ""),
    }
    assert set(ProductPickupStat.objects.filter(withheld_report=report).values_list("product_id", flat=True)) == {
        products["listed"].pk,
        products["unlisted"].pk,
    }
    assert run.withheld_count == 2


def test_an_amendment_approved_after_run_time_does_not_withhold_yet(shop, merchant, products):
    report = DeliveryReportFactory(shop=shop, scope=DeliveryReport.Scope.PRODUCT, products=[products["listed"]])
    _amend(report, merchant, RUN_AT + timedelta(seconds=1), products=[products["unlisted"].code])
    badge_run_day(day=DAY, now=RUN_AT)
    assert outcome(products)["listed"] == (False, "product")
    assert outcome(products)["unlisted"] == (True, "")


def test_an_extended_window_keeps_withholding_after_version_1_ended(shop, merchant, products):
    # version 1 ended on 12-30; version 2 (approved 12-29) runs to 01-05, past the run at 12-31 02:00
    report = DeliveryReportFactory(shop=shop, scope=DeliveryReport.Scope.SHOP, ends_at=sh(2022, 12, 30))
    _amend(report, merchant, sh(2022, 12, 29), ends_at=sh(2023, 1, 5))
    run = badge_run_day(day=DAY, now=RUN_AT)
    assert outcome(products)["listed"] == (False, "shop")
    assert ProductPickupStat.objects.get(product=products["third"]).withheld_report_id == report.pk
    assert run.withheld_count == 3


def test_withdrawing_an_amended_report_ends_every_version(shop, merchant, products):
    from reports.services import report_withdraw

    report = DeliveryReportFactory(shop=shop, scope=DeliveryReport.Scope.PRODUCT, products=[products["listed"]])
    _amend(report, merchant, sh(2022, 12, 29), products=[products["unlisted"].code])
    report_withdraw(actor=merchant, report=report, at=sh(2022, 12, 30))
    run = badge_run_day(day=DAY, now=RUN_AT)
    assert run.withheld_count == 0
