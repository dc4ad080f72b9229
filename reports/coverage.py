"""The one coverage rule and the one scope-match rule (SPEC §3), in Python and in SQL.

* **Scope match** — does a report's scope reach an order? (shop; the order's product listed;
  the order's receiver region inside a listed region). No time or status condition.
  Python: ``report_scope_matches``; SQL: ``report_scope_q``.
* **Coverage** — does a report cover order O at time t? Scope match, approved at or before
  ``O.ship_deadline``, approved at t and not withdrawn/revoked at t, ``starts_at ≤ t ≤ ends_at``.
  Python: ``report_coverage_failures`` (empty = covers) / ``report_covers``;
  SQL: ``report_coverage_q``.
* A unified exemption covers O at t when its regions match O per ``applies_to`` and
  ``starts_at ≤ t ≤ ends_at``. Python: ``exemption_covers``; SQL: ``exemption_coverage_q``.
* **In force at t** — approved at or before t and not withdrawn/revoked at t ("standing":
  ``report_standing_failures`` / ``report_standing_q``; appeals ask ``report_approved_at``), and
  inside the window. Python: ``report_in_force_failures``; SQL: ``report_in_force_q``.
* **Window** (reports and exemptions) — ``starts_at ≤ t ≤ ends_at``; "expired" = ended before t.
  Python: ``in_window`` / ``window_ended``; SQL: ``window_q`` / ``window_ended_q``.
* **Product-level scope match** (badge withholding, SPEC §6) — a shop- or region-scope report
  reaches every product of its shop, a product-scope report the products it lists. Python:
  ``report_scope_matches_product`` / ``withholding_report``; SQL: ``withholding_sources``.
* **Earliest wins** — where several reports qualify, the earliest approved, ties on the lower id:
  ``EARLIEST_REPORT_ORDER`` (ORM), ``earliest_key`` (Python), ``earlier_sql`` (raw SQL).

The SQL forms take plain values (one order) or ``OuterRef`` expressions (a set of rows at once,
as a correlated subquery), so urges, complaints, appeals, badges and the explainer all share
them. ``tests/test_coverage.py`` checks that the two forms agree on a table of cases.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from reports.models import DeliveryReport, ExemptionRegion, ReportProduct, ReportRegion, UnifiedExemption
from shops.models import Order
from shops.regions import region_contains, region_contains_q

Scope = DeliveryReport.Scope
AppliesTo = UnifiedExemption.AppliesTo
# Earliest wins: the first approved report, ties broken on the lower id.
EARLIEST_REPORT_ORDER = ("approved_at", "pk")


@dataclass(frozen=True)
class Cover:
    """What covers an order at a time: a unified exemption or a merchant report."""

    kind: Literal["exemption", "report"]
    obj: DeliveryReport | UnifiedExemption

    @property
    def report(self) -> DeliveryReport | None:
        return self.obj if self.kind == "report" and isinstance(self.obj, DeliveryReport) else None

    @property
    def exemption(self) -> UnifiedExemption | None:
        return self.obj if self.kind == "exemption" and isinstance(self.obj, UnifiedExemption) else None


# --- Python form --------------------------------------------------------------------------


def report_scope_matches(report: DeliveryReport, order: Order) -> bool:
    """Scope test alone. Uses ``product_links``/``region_links`` (prefetch them for many)."""
    if report.shop_id != order.shop_id:
        return False
    if report.scope == Scope.SHOP:
        return True
    if report.scope == Scope.PRODUCT:
        return any(link.product_id == order.product_id for link in report.product_links.all())
    return any(region_contains(link.region_id, order.receiver_region_id) for link in report.region_links.all())


def window_failures(obj: DeliveryReport | UnifiedExemption, at: datetime) -> list[str]:
    """The window of a report or an exemption: ``starts_at ≤ at ≤ ends_at`` (both inclusive)."""
    if at < obj.starts_at:
        return ["before_window"]
    if at > obj.ends_at:
        return ["after_window"]
    return []


def in_window(obj: DeliveryReport | UnifiedExemption, at: datetime) -> bool:
    return not window_failures(obj, at)


def window_ended(obj: DeliveryReport | UnifiedExemption, at: datetime) -> bool:
    """ "Expired" as ops and merchants see it: the window ended before ``at``."""
    return "after_window" in window_failures(obj, at)


def report_standing_failures(report: DeliveryReport, at: datetime) -> list[str]:
    """Why the report is not "approved and not withdrawn/revoked" at ``at`` (timestamps decide)."""
    failures = []
    if report.approved_at is None:
        failures.append("not_approved")
    elif report.approved_at > at:
        failures.append("approved_after_time")
    if report.withdrawn_at is not None and report.withdrawn_at <= at:
        failures.append("withdrawn")
    if report.revoked_at is not None and report.revoked_at <= at:
        failures.append("revoked")
    return failures


def report_approved_at(report: DeliveryReport, at: datetime) -> bool:
    """Approved and not withdrawn or revoked at ``at``, and the status agrees (appeals, §5 check
    4: no window, no ship deadline)."""
    return report.status == DeliveryReport.Status.APPROVED and not report_standing_failures(report, at)


def report_in_force_failures(report: DeliveryReport, at: datetime) -> list[str]:
    """Why the report is not in force at ``at`` (approved, not withdrawn/revoked, in window)."""
    return report_standing_failures(report, at) + window_failures(report, at)


def report_coverage_failures(report: DeliveryReport, order: Order, at: datetime) -> list[str]:
    """Every reason the report does not cover ``order`` at ``at``; empty means it covers."""
    if report.shop_id != order.shop_id:
        return ["other_shop"]
    failures = [] if report_scope_matches(report, order) else ["other_scope"]
    if report.approved_at is not None and report.approved_at > order.ship_deadline:
        failures.append("approved_after_ship_deadline")
    return failures + report_in_force_failures(report, at)


def report_covers(report: DeliveryReport, order: Order, at: datetime) -> bool:
    return not report_coverage_failures(report, order, at)


def earliest_key(report: DeliveryReport) -> tuple[datetime | None, int]:
    """Python twin of ``EARLIEST_REPORT_ORDER`` (for reports that are approved)."""
    return (report.approved_at, report.pk)


def report_scope_matches_product(report: DeliveryReport, *, product_id: int, shop_id: int) -> bool:
    """Product-level scope match (badges, SPEC §6): shop and region scope reach every product of
    the shop, product scope the listed products. Uses ``product_links`` (prefetch for many)."""
    if report.shop_id != shop_id:
        return False
    if report.scope == Scope.PRODUCT:
        return any(link.product_id == product_id for link in report.product_links.all())
    return True


def withholding_report(
    reports: Iterable[DeliveryReport], *, product_id: int, shop_id: int, at: datetime
) -> DeliveryReport | None:
    """Python twin of the badge withholding join: of ``reports``, the earliest in force at ``at``
    whose scope reaches the product."""
    reaching = [
        r
        for r in reports
        if report_scope_matches_product(r, product_id=product_id, shop_id=shop_id) and not report_in_force_failures(r, at)
    ]
    return min(reaching, key=earliest_key, default=None)


def exemption_region_matches(exemption: UnifiedExemption, order: Order) -> bool:
    codes_by_side: dict[str, list[str]] = {
        AppliesTo.RECEIVER: [order.receiver_region_id],
        AppliesTo.SENDER: [order.sender_region_id],
        AppliesTo.EITHER: [order.receiver_region_id, order.sender_region_id],
    }
    codes = codes_by_side[exemption.applies_to]
    return any(region_contains(link.region_id, code) for link in exemption.region_links.all() for code in codes)


def exemption_coverage_failures(exemption: UnifiedExemption, order: Order, at: datetime) -> list[str]:
    failures = [] if exemption_region_matches(exemption, order) else ["other_region"]
    return failures + window_failures(exemption, at)


def exemption_covers(exemption: UnifiedExemption, order: Order, at: datetime) -> bool:
    return not exemption_coverage_failures(exemption, order, at)


# --- SQL form -----------------------------------------------------------------------------

#: What the SQL forms compare with: a plain value (one order) or an outer reference (a set of rows).
IdRef = int | OuterRef
RegionRef = str | OuterRef
TimeRef = datetime | OuterRef
_V = TypeVar("_V")


def _inner(value: _V) -> _V | OuterRef:
    """A value for a subquery one level deeper: outer references gain one more ``OuterRef``."""
    return OuterRef(value) if isinstance(value, OuterRef) else value


def report_scope_q(*, shop: IdRef, product: IdRef, receiver_region: RegionRef) -> Q:
    """SQL twin of ``report_scope_matches`` on ``DeliveryReport`` rows."""
    product_listed = Exists(ReportProduct.objects.filter(report=OuterRef("pk"), product_id=_inner(product)))
    region_listed = Exists(ReportRegion.objects.filter(region_contains_q(_inner(receiver_region)), report=OuterRef("pk")))
    return Q(shop_id=shop) & (
        Q(scope=Scope.SHOP) | (Q(scope=Scope.PRODUCT) & product_listed) | (Q(scope=Scope.REGION) & region_listed)
    )


def window_q(at: TimeRef) -> Q:
    """SQL twin of ``in_window`` (reports and exemptions)."""
    return Q(starts_at__lte=at, ends_at__gte=at)


def window_ended_q(at: TimeRef) -> Q:
    """SQL twin of ``window_ended``."""
    return Q(ends_at__lt=at)


def report_standing_q(at: TimeRef) -> Q:
    """SQL twin of ``report_standing_failures`` being empty."""
    return (
        Q(approved_at__isnull=False, approved_at__lte=at)
        & (Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=at))
        & (Q(revoked_at__isnull=True) | Q(revoked_at__gt=at))
    )


def report_in_force_q(at: TimeRef) -> Q:
    """SQL twin of ``report_in_force_failures`` being empty."""
    return report_standing_q(at) & window_q(at)


def report_coverage_q(*, shop: IdRef, product: IdRef, receiver_region: RegionRef, ship_deadline: TimeRef, at: TimeRef) -> Q:
    """SQL twin of ``report_covers`` on ``DeliveryReport`` rows."""
    return (
        report_scope_q(shop=shop, product=product, receiver_region=receiver_region)
        & Q(approved_at__lte=ship_deadline)
        & report_in_force_q(at)
    )


def withholding_sources(*, at: datetime) -> tuple[QuerySet[Any, Any], QuerySet[Any, Any]]:
    """SQL twin of ``withholding_report``, as two small row sources for a join (SPEC §6):

    * per shop, its earliest shop- or region-scope report in force at ``at`` (``w_shop, w_id,
      w_scope, w_at``) — reaches every product of the shop;
    * per listed product and shop, the earliest product-scope report in force listing it
      (``w_product, w_shop, w_id, w_scope, w_at``).

    The caller keeps, of the two rows that meet a product, the one ``earlier_sql`` names."""
    in_force = DeliveryReport.objects.filter(report_in_force_q(at)).order_by()
    per_shop = (
        in_force.filter(scope__in=[Scope.SHOP, Scope.REGION])
        .annotate(w_rank=Window(RowNumber(), partition_by=[F("shop_id")], order_by=[F("approved_at").asc(), F("pk").asc()]))
        .filter(w_rank=1)
        .values(w_shop=F("shop_id"), w_id=F("pk"), w_scope=F("scope"), w_at=F("approved_at"))
    )
    per_product = (
        ReportProduct.objects.filter(report__in=in_force.filter(scope=Scope.PRODUCT).values("pk"))
        .order_by()
        .annotate(
            w_rank=Window(
                RowNumber(),
                partition_by=[F("product_id"), F("report__shop_id")],
                order_by=[F("report__approved_at").asc(), F("report_id").asc()],
            )
        )
        .filter(w_rank=1)
        .values(
            w_product=F("product_id"),
            w_shop=F("report__shop_id"),
            w_id=F("report_id"),
            w_scope=F("report__scope"),
            w_at=F("report__approved_at"),
        )
    )
    return per_shop, per_product


def earlier_sql(first: str, second: str) -> str:
    """Raw-SQL twin of ``earliest_key``: the row source aliased ``first`` (columns ``w_id``,
    ``w_at``, either may be NULL) holds a report that wins over the one of ``second``."""
    a, b = first, second
    return (
        f"({a}.w_id IS NOT NULL AND ({b}.w_id IS NULL OR {a}.w_at < {b}.w_at OR ({a}.w_at = {b}.w_at AND {a}.w_id < {b}.w_id)))"
    )


def exemption_coverage_q(*, receiver_region: RegionRef, sender_region: RegionRef, at: TimeRef) -> Q:
    """SQL twin of ``exemption_covers`` on ``UnifiedExemption`` rows."""

    def listed(region: RegionRef) -> Exists:
        return Exists(ExemptionRegion.objects.filter(region_contains_q(_inner(region)), exemption=OuterRef("pk")))

    receiver, sender = listed(receiver_region), listed(sender_region)
    return window_q(at) & (
        (Q(applies_to=AppliesTo.RECEIVER) & receiver)
        | (Q(applies_to=AppliesTo.SENDER) & sender)
        | (Q(applies_to=AppliesTo.EITHER) & (receiver | sender))
    )


def _order_refs(order_path: str) -> dict[str, OuterRef]:
    prefix = f"{order_path}__" if order_path else ""
    return {
        "shop": OuterRef(f"{prefix}shop_id"),
        "product": OuterRef(f"{prefix}product_id"),
        "receiver_region": OuterRef(f"{prefix}receiver_region_id"),
        "sender_region": OuterRef(f"{prefix}sender_region_id"),
        "ship_deadline": OuterRef(f"{prefix}ship_deadline"),
    }


def covering_reports_subquery(*, order_path: str = "", at: str) -> Subquery:
    """For ``annotate``: the id of the first report covering each row's order at ``at`` (a field
    of the outer row, e.g. ``"filed_at"``). ``order_path`` is the outer row's path to its order
    (``""`` when the rows are orders, ``"order"`` for complaints)."""
    refs = _order_refs(order_path)
    q = report_coverage_q(
        shop=refs["shop"],
        product=refs["product"],
        receiver_region=refs["receiver_region"],
        ship_deadline=refs["ship_deadline"],
        at=OuterRef(at),
    )
    return Subquery(DeliveryReport.objects.filter(q).order_by(*EARLIEST_REPORT_ORDER).values("pk")[:1])


def covering_exemptions_subquery(*, order_path: str = "", at: str) -> Subquery:
    """Like ``covering_reports_subquery`` for unified exemptions."""
    refs = _order_refs(order_path)
    q = exemption_coverage_q(receiver_region=refs["receiver_region"], sender_region=refs["sender_region"], at=OuterRef(at))
    return Subquery(UnifiedExemption.objects.filter(q).order_by("starts_at", "pk").values("pk")[:1])


def annotate_coverage(queryset: QuerySet[Any], *, order_path: str = "", at: str) -> QuerySet[Any]:
    """Add ``covering_exemption_id`` and ``covering_report_id`` to every row, in one query."""
    annotated: QuerySet[Any] = queryset.annotate(
        covering_exemption_id=covering_exemptions_subquery(order_path=order_path, at=at),
        covering_report_id=covering_reports_subquery(order_path=order_path, at=at),
    )
    return annotated


# --- one order ----------------------------------------------------------------------------


def covering_report(order: Order, at: datetime) -> DeliveryReport | None:
    """The earliest-approved report of the order's shop that covers it at ``at``."""
    q = report_coverage_q(
        shop=order.shop_id,
        product=order.product_id,
        receiver_region=order.receiver_region_id,
        ship_deadline=order.ship_deadline,
        at=at,
    )
    return DeliveryReport.objects.filter(q).order_by(*EARLIEST_REPORT_ORDER).first()


def covering_exemption(order: Order, at: datetime) -> UnifiedExemption | None:
    q = exemption_coverage_q(receiver_region=order.receiver_region_id, sender_region=order.sender_region_id, at=at)
    return UnifiedExemption.objects.filter(q).order_by("starts_at", "pk").first()


def coverage_of(order: Order, at: datetime, *, include_exemptions: bool = True) -> Cover | None:
    """What covers ``order`` at ``at``: a unified exemption first, else a merchant report."""
    if include_exemptions:
        exemption = covering_exemption(order, at)
        if exemption is not None:
            return Cover("exemption", exemption)
    report = covering_report(order, at)
    return Cover("report", report) if report is not None else None


def reports_scope_matching(order: Order) -> QuerySet[DeliveryReport]:
    """Every report whose scope matches the order (the order-number look-up; appeals)."""
    return DeliveryReport.objects.filter(
        report_scope_q(shop=order.shop_id, product=order.product_id, receiver_region=order.receiver_region_id)
    )
