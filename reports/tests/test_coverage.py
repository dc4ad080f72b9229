"""The coverage rule as a table: scope × time × status × approval-vs-ship-deadline for reports,
applies_to × region × time for unified exemptions. For every case the expected answer, the
Python form and the SQL form must agree (SPEC §3)."""

from dataclasses import dataclass
from datetime import timedelta
from itertools import product as cross

import pytest

from reports import coverage
from reports.models import DeliveryReport, UnifiedExemption
from reports.tests.factories import DeliveryReportFactory, UnifiedExemptionFactory
from shops.tests.factories import OrderFactory, ProductFactory, ShopFactory, sh

pytestmark = pytest.mark.django_db

T = sh(2022, 12, 31, 12)  # the probe time (e.g. an urge or a complaint's filed_at)
PAID = sh(2022, 12, 28, 10)
DEADLINE = sh(2022, 12, 30, 10)  # the order's ship deadline (paid + 48h)
SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Axis:
    name: str
    kwargs: dict
    ok: bool


# Scope: how the report reaches the order (receiver 330102 杭州上城区, product P).
SCOPES = [
    ("shop", True),
    ("product listed", True),
    ("product not listed", False),
    ("region province 330000", True),
    ("region city 330100", True),
    ("region district 330102", True),
    ("region other district 330105", False),
    ("region other city 330200", False),
    ("region other province 440000", False),
    ("other shop", False),
]

TIMES = [
    Axis("t before window", {"starts_at": T + SECOND, "ends_at": T + timedelta(days=5)}, False),
    Axis("t = starts_at", {"starts_at": T, "ends_at": T + timedelta(days=5)}, True),
    Axis("t inside", {"starts_at": T - timedelta(days=2), "ends_at": T + timedelta(days=2)}, True),
    Axis("t = ends_at", {"starts_at": T - timedelta(days=2), "ends_at": T}, True),
    Axis("t after window", {"starts_at": T - timedelta(days=2), "ends_at": T - SECOND}, False),
]

# Status and the timestamps coverage reads. ``approved`` says whether approved_at is set.
STATUSES = [
    (Axis("approved", {"status": "approved"}, True), True),
    (Axis("pending", {"status": "pending_review"}, False), False),
    (Axis("rejected", {"status": "rejected"}, False), False),
    (Axis("withdrawn while pending", {"status": "withdrawn", "withdrawn_at": T - timedelta(days=3)}, False), False),
    (Axis("withdrawn before t", {"status": "withdrawn", "withdrawn_at": T - SECOND}, False), True),
    (Axis("withdrawn at t", {"status": "withdrawn", "withdrawn_at": T}, False), True),
    (Axis("withdrawn after t", {"status": "withdrawn", "withdrawn_at": T + SECOND}, True), True),
    (Axis("revoked before t", {"status": "revoked", "revoked_at": T - SECOND}, False), True),
    (Axis("revoked at t", {"status": "revoked", "revoked_at": T}, False), True),
    (Axis("revoked after t", {"status": "revoked", "revoked_at": T + SECOND}, True), True),
]

APPROVALS = [
    Axis("approved a day before the ship deadline", {"approved_at": DEADLINE - timedelta(days=1)}, True),
    Axis("approved exactly at the ship deadline", {"approved_at": DEADLINE}, True),
    Axis("approved a second after the ship deadline", {"approved_at": DEADLINE + SECOND}, False),
]
NOT_APPROVED = Axis("never approved", {"approved_at": None}, False)


@pytest.fixture
def world():
    shop, other = ShopFactory(code="cov-a"), ShopFactory(code="cov-b")
    product, other_product = ProductFactory(shop=shop), ProductFactory(shop=shop)
    order = OrderFactory(
        product=product, paid_at=PAID, ship_deadline=DEADLINE, receiver_region_id="330102", sender_region_id="440305"
    )
    return order, other, other_product


def scope_kwargs(name: str, order, other_shop, other_product) -> dict:
    if name == "shop":
        return {"shop": order.shop}
    if name == "other shop":
        return {"shop": other_shop}
    if name.startswith("product"):
        listed = order.product if name == "product listed" else other_product
        return {"shop": order.shop, "scope": "product", "products": [listed]}
    return {"shop": order.shop, "scope": "region", "regions": [name.split()[-1]]}


def sql_covering_ids(order) -> set[int]:
    q = coverage.report_coverage_q(
        shop=order.shop_id,
        product=order.product_id,
        receiver_region=order.receiver_region_id,
        ship_deadline=order.ship_deadline,
        at=T,
    )
    return set(DeliveryReport.objects.filter(q).values_list("pk", flat=True))


@pytest.mark.parametrize(("scope", "scope_ok"), SCOPES, ids=[s[0] for s in SCOPES])
def test_report_coverage_table(world, scope, scope_ok):
    order, other_shop, other_product = world
    cases = {}
    for time, (status, has_approval) in cross(TIMES, STATUSES):
        for approval in APPROVALS if has_approval else [NOT_APPROVED]:
            report = DeliveryReportFactory(
                **scope_kwargs(scope, order, other_shop, other_product),
                **time.kwargs,
                **status.kwargs,
                **approval.kwargs,
                submitted_at=T - timedelta(days=4),
            )
            expected = scope_ok and time.ok and status.ok and approval.ok
            cases[report.pk] = (f"{time.name} / {status.name} / {approval.name}", expected)

    report_rows = DeliveryReport.objects.prefetch_related("product_links", "region_links").in_bulk(list(cases))
    expected = {label: ok for label, ok in cases.values()}
    python = {cases[pk][0]: coverage.report_covers(r, order, T) for pk, r in report_rows.items()}
    sql_ids = sql_covering_ids(order)
    sql = {label: pk in sql_ids for pk, (label, _) in cases.items()}
    assert python == expected
    assert sql == expected
    assert len(cases) == 5 * (3 * 7 + 3)
    # The single-order and bulk forms pick a covering report exactly when one exists.
    assert (coverage.covering_report(order, T) is not None) is any(expected.values())


def test_failure_reasons_name_every_broken_condition(world):
    order, other_shop, other_product = world
    report = DeliveryReportFactory(
        shop=order.shop,
        scope="product",
        products=[other_product],
        status="revoked",
        approved_at=DEADLINE + SECOND,
        revoked_at=T - SECOND,
        starts_at=T + SECOND,
        ends_at=T + timedelta(days=1),
    )
    assert coverage.report_coverage_failures(report, order, T) == [
        "other_scope",
        "approved_after_ship_deadline",
        "revoked",
        "before_window",
    ]


def test_a_report_approved_after_t_does_not_cover_at_t(world):
    order, *_ = world
    order.ship_deadline = T + timedelta(days=1)
    order.save(update_fields=["ship_deadline"])
    report = DeliveryReportFactory(shop=order.shop, approved_at=T + SECOND, starts_at=T - timedelta(days=1))
    assert coverage.report_coverage_failures(report, order, T) == ["approved_after_time"]
    assert sql_covering_ids(order) == set()
    assert coverage.report_covers(report, order, T + SECOND)


# --- unified exemptions ---------------------------------------------------------------------

# The order goes to 330102 (杭州上城区) from 440305 (深圳南山区).
EXEMPTION_REGIONS = [
    ("receiver province 330000", "330000", {"receiver", "either"}),
    ("receiver district 330102", "330102", {"receiver", "either"}),
    ("sender city 440300", "440300", {"sender", "either"}),
    ("sender district 440305", "440305", {"sender", "either"}),
    ("neither 110000", "110000", set()),
    ("neither, sibling district 330105", "330105", set()),
]


@pytest.mark.parametrize("applies_to", ["receiver", "sender", "either"])
def test_exemption_coverage_table(world, applies_to):
    order, *_ = world
    cases = {}
    for (label, code, matches_for), time in cross(EXEMPTION_REGIONS, TIMES):
        exemption = UnifiedExemptionFactory(applies_to=applies_to, regions=[code], **time.kwargs)
        cases[exemption.pk] = (f"{label} / {time.name}", applies_to in matches_for and time.ok)
    expected = {label: ok for label, ok in cases.values()}
    rows = UnifiedExemption.objects.prefetch_related("region_links").in_bulk(list(cases))
    python = {cases[pk][0]: coverage.exemption_covers(e, order, T) for pk, e in rows.items()}
    q = coverage.exemption_coverage_q(receiver_region=order.receiver_region_id, sender_region=order.sender_region_id, at=T)
    sql_ids = set(UnifiedExemption.objects.filter(q).values_list("pk", flat=True))
    assert python == expected
    assert {label: pk in sql_ids for pk, (label, _) in cases.items()} == expected


def test_an_exemption_wins_over_a_report_in_the_verdict(world):
    order, *_ = world
    report = DeliveryReportFactory(shop=order.shop, starts_at=T - timedelta(days=1), approved_at=PAID)
    assert coverage.coverage_of(order, T) == coverage.Cover("report", report)
    exemption = UnifiedExemptionFactory(regions=["330000"], starts_at=T - timedelta(days=1), ends_at=T)
    assert coverage.coverage_of(order, T) == coverage.Cover("exemption", exemption)
    assert coverage.coverage_of(order, T, include_exemptions=False) == coverage.Cover("report", report)
