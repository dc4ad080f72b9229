"""The Python and SQL forms of the coverage rule must agree (a smoke table; the full table of
scope × time × status lives beside the reports services)."""

from datetime import timedelta

import pytest

from reports import coverage
from reports.models import DeliveryReport
from reports.tests.factories import DeliveryReportFactory, UnifiedExemptionFactory
from shops.models import Order
from shops.tests.factories import OrderFactory, ProductFactory, sh

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(shop):
    return OrderFactory(product=ProductFactory(shop=shop))  # paid 12-28 10:00, deadline 12-30 10:00


def sql_covers(report, order, at) -> bool:
    q = coverage.report_coverage_q(
        shop=order.shop_id,
        product=order.product_id,
        receiver_region=order.receiver_region_id,
        ship_deadline=order.ship_deadline,
        at=at,
    )
    return DeliveryReport.objects.filter(q, pk=report.pk).exists()


@pytest.mark.parametrize(
    ("kwargs", "at", "expected"),
    [
        ({}, sh(2022, 12, 29), True),
        ({"scope": "product"}, sh(2022, 12, 29), False),
        ({"scope": "region", "regions": ["330000"]}, sh(2022, 12, 29), True),
        ({"scope": "region", "regions": ["330100"]}, sh(2022, 12, 29), True),
        ({"scope": "region", "regions": ["330105"]}, sh(2022, 12, 29), False),
        ({"scope": "region", "regions": ["440000"]}, sh(2022, 12, 29), False),
        ({}, sh(2023, 1, 5), True),
        ({}, sh(2023, 1, 5) + timedelta(seconds=1), False),
        ({"starts_at": sh(2022, 12, 29)}, sh(2022, 12, 29) - timedelta(seconds=1), False),
        ({"status": "pending_review"}, sh(2022, 12, 29), False),
        ({"approved_at": sh(2022, 12, 30, 10, 0, 1)}, sh(2022, 12, 31), False),
        ({"approved_at": sh(2022, 12, 30, 10)}, sh(2022, 12, 31), True),
        ({"withdrawn_at": sh(2022, 12, 29)}, sh(2022, 12, 29), False),
        ({"withdrawn_at": sh(2022, 12, 29)}, sh(2022, 12, 29) - timedelta(seconds=1), True),
        ({"revoked_at": sh(2022, 12, 29)}, sh(2022, 12, 30), False),
    ],
)
def test_report_python_and_sql_agree(order, kwargs, at, expected):
    report = DeliveryReportFactory(shop=order.shop, **kwargs)
    assert coverage.report_covers(report, order, at) is expected
    assert sql_covers(report, order, at) is expected


def test_product_scope_lists_the_orders_product(order):
    report = DeliveryReportFactory(shop=order.shop, scope="product", products=[order.product])
    assert coverage.report_covers(report, order, sh(2022, 12, 29))
    assert sql_covers(report, order, sh(2022, 12, 29))


def test_other_shops_report_never_covers(order, other_shop):
    report = DeliveryReportFactory(shop=other_shop)
    assert coverage.report_coverage_failures(report, order, sh(2022, 12, 29)) == ["other_shop"]
    assert not sql_covers(report, order, sh(2022, 12, 29))


@pytest.mark.parametrize(
    ("applies_to", "regions", "expected"),
    [
        ("receiver", ["330000"], True),
        ("receiver", ["440000"], False),
        ("sender", ["440300"], True),
        ("sender", ["330000"], False),
        ("either", ["440305"], True),
        ("either", ["110000"], False),
    ],
)
def test_exemption_python_and_sql_agree_and_bulk_annotation(order, applies_to, regions, expected):
    exemption = UnifiedExemptionFactory(applies_to=applies_to, regions=regions)
    at = sh(2022, 12, 29)
    assert coverage.exemption_covers(exemption, order, at) is expected
    assert (coverage.covering_exemption(order, at) == exemption) is expected
    row = coverage.annotate_coverage(Order.objects.filter(pk=order.pk), at="paid_at").get()
    assert (row.covering_exemption_id == exemption.pk) is expected


def test_bulk_annotation_matches_per_order_in_one_query(shop, django_assert_num_queries):
    product = ProductFactory(shop=shop)
    orders = [OrderFactory(product=product, receiver_region_id=code) for code in ("330102", "330281", "440305")]
    report = DeliveryReportFactory(shop=shop, scope="region", regions=["330100"])
    with django_assert_num_queries(1):
        rows = {o.pk: o.covering_report_id for o in coverage.annotate_coverage(Order.objects.all(), at="paid_at")}
    assert rows == {orders[0].pk: report.pk, orders[1].pk: None, orders[2].pk: None}


# --- product level: the badge withholding join (SQL) against ``withholding_report`` (Python) ---


def _report_kinds(shop, products):
    """Reports of every scope, in force or not at the badge run time, with equal approval instants
    so that the tie-break on the id is exercised too."""
    from badges.tests.factories import RUN_AT

    listed, _, _ = products
    approved = sh(2022, 12, 27)
    return [
        DeliveryReportFactory(shop=shop, scope="product", products=[listed], approved_at=approved),
        DeliveryReportFactory(shop=shop, scope="product", products=[products[1]], approved_at=approved),
        DeliveryReportFactory(shop=shop, scope="region", regions=["110000"], approved_at=approved),
        DeliveryReportFactory(shop=shop, scope="shop", approved_at=sh(2022, 12, 27, 1)),
        DeliveryReportFactory(shop=shop, scope="shop", approved_at=sh(2022, 12, 26), ends_at=sh(2022, 12, 30)),
        DeliveryReportFactory(shop=shop, scope="product", products=[listed], status="pending_review"),
        DeliveryReportFactory(shop=shop, scope="product", products=[products[2]], approved_at=RUN_AT + timedelta(seconds=1)),
        DeliveryReportFactory(shop=shop, scope="shop", status="revoked", approved_at=sh(2022, 12, 25), revoked_at=RUN_AT),
    ]


@pytest.mark.parametrize("drop", [None, 0, 1, 2, 3])
def test_product_level_python_form_agrees_with_badge_withholding(shop, other_shop, drop):
    from badges.computation import default_day
    from badges.models import ProductPickupStat
    from badges.services import badge_run_day
    from badges.tests.factories import RUN_AT, make_orders

    products = [ProductFactory(shop=shop) for _ in range(3)]
    foreign = ProductFactory(shop=other_shop)
    for product in [*products, foreign]:
        make_orders(product, on_time=10)
    reports = _report_kinds(shop, products)
    if drop is not None:  # take one winner away: the next one must win in both forms
        reports.pop(drop).delete()
    badge_run_day(day=default_day(RUN_AT), now=RUN_AT)

    sql = dict(ProductPickupStat.objects.values_list("product_id", "withheld_report_id"))
    every = list(DeliveryReport.objects.prefetch_related("product_links"))
    python = {
        p.pk: getattr(coverage.withholding_report(every, product_id=p.pk, shop_id=p.shop_id, at=RUN_AT), "pk", None)
        for p in [*products, foreign]
    }
    assert sql == python
    assert python[foreign.pk] is None
    assert any(python.values())


def _amended_report_kinds(shop, products, merchant):
    """Amended reports: a product list widened before the run, one widened after it, a window
    extended past version 1's end, a withdrawn one, and a later-approved shop report whose
    version 1 has ended but whose version 2 runs on (it must lose to the earlier ones)."""
    from badges.tests.factories import RUN_AT
    from reports.services import report_amend, report_withdraw

    listed, second, third = products
    widened = DeliveryReportFactory(shop=shop, scope="product", products=[listed], approved_at=sh(2022, 12, 27, 3))
    report_amend(actor=merchant, report=widened, products=[second.code], at=sh(2022, 12, 29))
    too_late = DeliveryReportFactory(shop=shop, scope="product", products=[second], approved_at=sh(2022, 12, 27, 4))
    report_amend(actor=merchant, report=too_late, products=[third.code], at=RUN_AT + timedelta(seconds=1))
    extended = DeliveryReportFactory(
        shop=shop, scope="product", products=[third], approved_at=sh(2022, 12, 27, 2), ends_at=sh(2022, 12, 30)
    )
    report_amend(actor=merchant, report=extended, ends_at=sh(2023, 1, 5), at=sh(2022, 12, 29, 12))
    withdrawn = DeliveryReportFactory(shop=shop, scope="product", products=[third], approved_at=sh(2022, 12, 27, 1))
    report_amend(actor=merchant, report=withdrawn, ends_at=sh(2023, 1, 6), at=sh(2022, 12, 28))
    report_withdraw(actor=merchant, report=withdrawn, at=sh(2022, 12, 30))
    shop_wide = DeliveryReportFactory(shop=shop, scope="shop", approved_at=sh(2022, 12, 27, 5), ends_at=sh(2022, 12, 30))
    report_amend(actor=merchant, report=shop_wide, ends_at=sh(2023, 1, 5), at=sh(2022, 12, 29, 13))
    return [widened, too_late, extended, withdrawn, shop_wide]


@pytest.mark.parametrize("drop", [None, 0, 2, 4])
def test_product_level_forms_agree_on_amended_reports(shop, merchant, drop):
    from badges.computation import default_day
    from badges.models import ProductPickupStat
    from badges.services import badge_run_day
    from badges.tests.factories import RUN_AT, make_orders

    products = [ProductFactory(shop=shop) for _ in range(4)]
    for product in products:
        make_orders(product, on_time=10)
    reports = _amended_report_kinds(shop, products[:3], merchant)
    if drop is not None:  # take one winner away: the next one must win in both forms
        dropped = reports.pop(drop)
        dropped.amendments.all().delete()
        dropped.delete()
    badge_run_day(day=default_day(RUN_AT), now=RUN_AT)

    sql = dict(ProductPickupStat.objects.values_list("product_id", "withheld_report_id"))
    every = list(DeliveryReport.objects.prefetch_related("product_links", "amendments__product_links"))
    python = {
        p.pk: getattr(coverage.withholding_report(every, product_id=p.pk, shop_id=p.shop_id, at=RUN_AT), "pk", None)
        for p in products
    }
    assert sql == python
    assert any(python.values())


def test_report_window_ended_forms_agree(shop, merchant):
    from reports.services import report_amend

    ended = DeliveryReportFactory(shop=shop, ends_at=sh(2022, 12, 30))
    extended = DeliveryReportFactory(shop=shop, ends_at=sh(2022, 12, 30))
    report_amend(actor=merchant, report=extended, ends_at=sh(2023, 1, 5), at=sh(2022, 12, 29))
    pending = DeliveryReportFactory(shop=shop, status="pending_review", ends_at=sh(2022, 12, 30))
    reports = [ended, extended, pending]
    for at in (sh(2022, 12, 28, 23), sh(2022, 12, 29, 12), sh(2022, 12, 30, 0, 0, 1), sh(2023, 1, 5, 0, 0, 1)):
        python = {r.pk for r in DeliveryReport.objects.prefetch_related("amendments") if coverage.report_window_ended(r, at)}
        sql = set(DeliveryReport.objects.filter(coverage.report_window_ended_q(at)).values_list("pk", flat=True))
        assert sql == python, at
    # version 2 (approved 12-29) keeps the extended report open after version 1 ended, and not before its approval
    at = sh(2022, 12, 30, 0, 0, 1)
    assert {r.pk for r in reports if coverage.report_window_ended(r, at)} == {ended.pk, pending.pk}


def test_product_scope_match_is_scope_only():
    shop_report = DeliveryReportFactory(scope="shop")
    product = ProductFactory(shop=shop_report.shop)
    region_report = DeliveryReportFactory(shop=shop_report.shop, scope="region", regions=["110000"])
    product_report = DeliveryReportFactory(shop=shop_report.shop, scope="product", products=[product])
    other = ProductFactory(shop=shop_report.shop)
    for report in (shop_report, region_report):
        assert coverage.report_scope_matches_product(report, product_id=other.pk, shop_id=other.shop_id)
    assert coverage.report_scope_matches_product(product_report, product_id=product.pk, shop_id=product.shop_id)
    assert not coverage.report_scope_matches_product(product_report, product_id=other.pk, shop_id=other.shop_id)
    assert not coverage.report_scope_matches_product(shop_report, product_id=other.pk, shop_id=other.shop_id + 1)


# --- a draft report (coverage preview): its SQL form, its Python form and the saved report agree


@pytest.mark.parametrize(
    ("kwargs", "at"),
    [
        ({}, sh(2022, 12, 29)),
        ({"scope": "product"}, sh(2022, 12, 29)),
        ({"scope": "product", "own_product": True}, sh(2022, 12, 29)),
        ({"scope": "region", "regions": ["330000"]}, sh(2022, 12, 29)),
        ({"scope": "region", "regions": ["330100"]}, sh(2022, 12, 29)),
        ({"scope": "region", "regions": ["330105", "330102"]}, sh(2022, 12, 29)),
        ({"scope": "region", "regions": ["440000"]}, sh(2022, 12, 29)),
        ({}, sh(2023, 1, 5) + timedelta(seconds=1)),
        ({"starts_at": sh(2022, 12, 29)}, sh(2022, 12, 29) - timedelta(seconds=1)),
        ({"approved_at": sh(2022, 12, 30, 10, 0, 1)}, sh(2022, 12, 31)),
        ({"approved_at": sh(2022, 12, 30, 10)}, sh(2022, 12, 31)),
        ({"approved_at": sh(2022, 12, 29)}, sh(2022, 12, 29) - timedelta(seconds=1)),
    ],
)
@pytest.mark.parametrize("time_as_field", [False, True], ids=["value", "field"])
def test_draft_forms_agree_with_the_saved_reports_rule(order, kwargs, at, time_as_field):
    from complaints.tests.factories import ComplaintFactory

    kwargs = dict(kwargs)
    products = [order.product] if kwargs.pop("own_product", False) else []
    report = DeliveryReportFactory(shop=order.shop, products=products, **kwargs)
    draft = coverage.DraftReport(
        shop_id=order.shop_id,
        scope=report.scope,
        starts_at=report.starts_at,
        ends_at=report.ends_at,
        approved_at=report.approved_at,
        product_ids=tuple(p.pk for p in products),
        region_codes=tuple(kwargs.get("regions", [])),
    )
    expected = coverage.report_covers(report, order, at)
    assert coverage.report_covers(draft, order, at) is expected
    if time_as_field:
        complaint = ComplaintFactory(order=order, filed_at=at)
        rows = type(complaint).objects.filter(coverage.draft_coverage_q(draft, order_path="order", at="filed_at"))
        assert rows.filter(pk=complaint.pk).exists() is expected
    else:
        assert Order.objects.filter(coverage.draft_coverage_q(draft, at=at), pk=order.pk).exists() is expected
