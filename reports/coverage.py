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
  Python: ``in_window`` / ``window_ended``; SQL: ``window_q`` / ``window_ended_q``. A report's
  window is that of its version in force at t (the latest approved by t; versions only extend):
  ``report_window_ended`` / ``report_window_ended_q`` (the "expired" filters).
* **Product-level scope match** (badge withholding, SPEC §6) — a shop- or region-scope report
  reaches every product of its shop, a product-scope report the products it lists (any approved
  version's list). Python: ``report_scope_matches_product``. **Withholding** — of the reports
  whose version in force at t reaches the product (approved by t, window, scope: each version on
  its own, as coverage asks them), the earliest: ``withholding_report``; SQL:
  ``withholding_sources``.
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

from reports.models import (
    AmendmentProduct,
    AmendmentRegion,
    DeliveryReport,
    ExemptionRegion,
    ReportAmendment,
    ReportProduct,
    ReportRegion,
    UnifiedExemption,
)
from shops.models import Order
from shops.regions import region_contains, region_contains_q, region_inside_q

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


def approved_amendments(report: DeliveryReport) -> list[ReportAmendment]:
    """Versions 2, 3, … of the report that were approved, oldest first (SPEC §11). Uses
    ``amendments`` (prefetch with their links for many); a draft has none."""
    amendments = getattr(report, "amendments", None)
    if amendments is None:
        return []
    return sorted((a for a in amendments.all() if a.approved_at is not None), key=lambda a: a.version)


def _version_scope_matches(version: Any, order: Order) -> bool:
    """The scope test of one version (the report itself or an amendment): its own lists."""
    if version.scope == Scope.SHOP:
        return True
    if version.scope == Scope.PRODUCT:
        return any(link.product_id == order.product_id for link in version.product_links.all())
    return any(region_contains(link.region_id, order.receiver_region_id) for link in version.region_links.all())


def report_scope_matches(report: DeliveryReport, order: Order) -> bool:
    """Scope test alone: the report's or any approved amendment's scope reaches the order
    (amendments only widen). Uses ``product_links``/``region_links``/``amendments``."""
    if report.shop_id != order.shop_id:
        return False
    return any(_version_scope_matches(v, order) for v in [report, *approved_amendments(report)])


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


def _version_in_force_failures(version: Any, report: DeliveryReport, at: datetime) -> list[str]:
    """One version on its own at ``at``: its approval (version 1: the report's standing), its
    window; withdrawing or revoking the report ends every version."""
    standing = report_standing_failures(report, at)
    if version is not report:
        standing = [f for f in standing if f in ("withdrawn", "revoked")]
        if version.approved_at > at:
            standing.insert(0, "approved_after_time")
    return standing + window_failures(version, at)


def _version_coverage_failures(version: Any, report: DeliveryReport, order: Order, at: datetime) -> list[str]:
    """One version on its own: its scope, its approval (by the ship deadline and by ``at``), its
    window; withdrawing or revoking the report ends every version."""
    failures = [] if _version_scope_matches(version, order) else ["other_scope"]
    if version.approved_at is not None and version.approved_at > order.ship_deadline:
        failures.append("approved_after_ship_deadline")
    return failures + _version_in_force_failures(version, report, at)


def _versions_approved_by(report: DeliveryReport, at: datetime) -> list[Any]:
    """Version 1 (the report itself, whatever its state) and the amendments approved by ``at``."""
    return [report, *(a for a in approved_amendments(report) if a.approved_at is not None and a.approved_at <= at)]


def report_window_ended(report: DeliveryReport, at: datetime) -> bool:
    """ "Expired" for a report: the window of its version in force at ``at`` (the latest approved
    by then; versions only extend) ended before ``at``. Uses ``amendments`` (prefetch for many)."""
    return all(window_ended(version, at) for version in _versions_approved_by(report, at))


def report_coverage_failures(report: DeliveryReport, order: Order, at: datetime) -> list[str]:
    """Every reason the report does not cover ``order`` at ``at``; empty means it covers. A report
    covers when any of its approved versions does (the report itself is version 1); when none
    does, the reasons are version 1's."""
    if report.shop_id != order.shop_id:
        return ["other_shop"]
    failures = _version_coverage_failures(report, report, order, at)
    if failures and any(not _version_coverage_failures(a, report, order, at) for a in approved_amendments(report)):
        return []
    return failures


def report_covers(report: DeliveryReport, order: Order, at: datetime) -> bool:
    return not report_coverage_failures(report, order, at)


def covering_version(report: DeliveryReport, order: Order, at: datetime) -> int | None:
    """Which version of the report covers ``order`` at ``at`` (the earliest that does), for the
    "why covered?" explainer and the buyer's notice; ``None`` when none does."""
    if report.shop_id != order.shop_id:
        return None
    for version in [report, *approved_amendments(report)]:
        if not _version_coverage_failures(version, report, order, at):
            return getattr(version, "version", 1)
    return None


def earliest_key(report: DeliveryReport) -> tuple[datetime | None, int]:
    """Python twin of ``EARLIEST_REPORT_ORDER`` (for reports that are approved)."""
    return (report.approved_at, report.pk)


def _version_reaches_product(version: Any, product_id: int) -> bool:
    if version.scope == Scope.PRODUCT:
        return any(link.product_id == product_id for link in version.product_links.all())
    return True


def report_scope_matches_product(report: DeliveryReport, *, product_id: int, shop_id: int) -> bool:
    """Product-level scope match (badges, SPEC §6): shop and region scope reach every product of
    the shop, product scope the products listed by the report or an approved amendment. Uses
    ``product_links`` and ``amendments__product_links`` (prefetch for many)."""
    if report.shop_id != shop_id:
        return False
    return any(_version_reaches_product(v, product_id) for v in [report, *approved_amendments(report)])


def report_withholds(report: DeliveryReport, *, product_id: int, shop_id: int, at: datetime) -> bool:
    """The report's version in force at ``at`` reaches the product: some approved version, on its
    own, is in force at ``at`` (approval, window; the report not withdrawn/revoked) and its scope
    reaches the product. Versions are supersets, so that is the latest one approved by ``at``."""
    if report.shop_id != shop_id:
        return False
    return any(
        _version_reaches_product(v, product_id) and not _version_in_force_failures(v, report, at)
        for v in [report, *approved_amendments(report)]
    )


def withholding_report(
    reports: Iterable[DeliveryReport], *, product_id: int, shop_id: int, at: datetime
) -> DeliveryReport | None:
    """Python twin of the badge withholding join: of ``reports``, the earliest whose version in
    force at ``at`` reaches the product (``report_withholds``)."""
    reaching = [r for r in reports if report_withholds(r, product_id=product_id, shop_id=shop_id, at=at)]
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


def _version_scope_q(*, links: dict[str, Any], product: Any, receiver_region: Any) -> Q:
    """The scope test of one version's rows (``links``: its product and region link models and
    the link's foreign key to the version); ``product``/``receiver_region`` at this level."""
    product_model, region_model, key = links["product"], links["region"], links["key"]
    product_listed = Exists(product_model.objects.filter(**{key: OuterRef("pk")}, product_id=_inner(product)))
    region_listed = Exists(region_model.objects.filter(region_contains_q(_inner(receiver_region)), **{key: OuterRef("pk")}))
    return Q(scope=Scope.SHOP) | (Q(scope=Scope.PRODUCT) & product_listed) | (Q(scope=Scope.REGION) & region_listed)


_REPORT_LINKS = {"product": ReportProduct, "region": ReportRegion, "key": "report"}
_AMENDMENT_LINKS = {"product": AmendmentProduct, "region": AmendmentRegion, "key": "amendment"}


def _approved_amendments_q(**conditions: Any) -> QuerySet[ReportAmendment]:
    return ReportAmendment.objects.filter(report=OuterRef("pk"), status=ReportAmendment.Status.APPROVED, **conditions)


def report_scope_q(*, shop: IdRef, product: IdRef, receiver_region: RegionRef) -> Q:
    """SQL twin of ``report_scope_matches`` on ``DeliveryReport`` rows (the report's scope or an
    approved amendment's)."""
    amendment_reaches = Exists(
        _approved_amendments_q().filter(
            _version_scope_q(links=_AMENDMENT_LINKS, product=_inner(product), receiver_region=_inner(receiver_region))
        )
    )
    scope = _version_scope_q(links=_REPORT_LINKS, product=product, receiver_region=receiver_region) | Q(amendment_reaches)
    return Q(shop_id=shop) & scope


def window_q(at: TimeRef) -> Q:
    """SQL twin of ``in_window`` (reports and exemptions)."""
    return Q(starts_at__lte=at, ends_at__gte=at)


def window_ended_q(at: TimeRef) -> Q:
    """SQL twin of ``window_ended``."""
    return Q(ends_at__lt=at)


def _amendment_in_force_q(at: TimeRef) -> Q:
    """On ``DeliveryReport`` rows: an approved amendment is, on its own terms, in force at ``at``
    (approved by then, its window) — the report's standing is asked separately."""
    return Q(Exists(_approved_amendments_q().filter(approved_at__lte=_inner(at)).filter(window_q(_inner(at)))))


def report_window_ended_q(at: TimeRef) -> Q:
    """SQL twin of ``report_window_ended`` on ``DeliveryReport`` rows."""
    extended = Exists(_approved_amendments_q().filter(approved_at__lte=_inner(at), ends_at__gte=_inner(at)))
    return window_ended_q(at) & ~Q(extended)


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
    """SQL twin of ``report_covers`` on ``DeliveryReport`` rows: version 1 (the row itself)
    covers, or the report stands at ``at`` and an approved amendment covers on its own terms."""
    first = (
        _version_scope_q(links=_REPORT_LINKS, product=product, receiver_region=receiver_region)
        & Q(approved_at__lte=ship_deadline)
        & report_in_force_q(at)
    )
    later = Exists(
        _approved_amendments_q()
        .filter(approved_at__lte=_inner(ship_deadline))
        .filter(approved_at__lte=_inner(at), starts_at__lte=_inner(at), ends_at__gte=_inner(at))
        .filter(_version_scope_q(links=_AMENDMENT_LINKS, product=_inner(product), receiver_region=_inner(receiver_region)))
    )
    return Q(shop_id=shop) & (first | (report_standing_q(at) & Q(later)))


def withholding_sources(*, at: datetime) -> tuple[tuple[str, list[Any]], tuple[str, list[Any]]]:
    """SQL twin of ``withholding_report``, as two small row sources for a join (SPEC §6), each
    ``(sql, params)``:

    * per shop, its earliest shop- or region-scope report whose version 1 or an approved
      amendment is in force at ``at`` (``w_shop, w_id, w_scope, w_at``) — reaches every product
      of the shop;
    * per listed product and shop, the earliest product-scope report with a version in force at
      ``at`` that lists it — version 1's list or an amendment's (``w_product, w_shop, w_id,
      w_scope, w_at``).

    ``w_at`` is the report's approval (the earliest-wins order is the report's, as in coverage).
    The caller keeps, of the two rows that meet a product, the one ``earlier_sql`` names."""
    standing = DeliveryReport.objects.filter(report_standing_q(at)).order_by()
    per_shop = (
        standing.filter(window_q(at) | _amendment_in_force_q(at))
        .filter(scope__in=[Scope.SHOP, Scope.REGION])
        .annotate(w_rank=Window(RowNumber(), partition_by=[F("shop_id")], order_by=[F("approved_at").asc(), F("pk").asc()]))
        .filter(w_rank=1)
        .values(w_shop=F("shop_id"), w_id=F("pk"), w_scope=F("scope"), w_at=F("approved_at"))
    )
    by_product = standing.filter(scope=Scope.PRODUCT)
    listed_by_first = (
        ReportProduct.objects.filter(report__in=by_product.filter(window_q(at)).values("pk"))
        .order_by()
        .values(
            w_product=F("product_id"),
            w_shop=F("report__shop_id"),
            w_id=F("report_id"),
            w_scope=F("report__scope"),
            w_at=F("report__approved_at"),
        )
    )
    listed_by_amendment = (
        AmendmentProduct.objects.filter(
            amendment__report__in=by_product.values("pk"),
            amendment__status=ReportAmendment.Status.APPROVED,
            amendment__approved_at__lte=at,
            amendment__starts_at__lte=at,
            amendment__ends_at__gte=at,
        )
        .order_by()
        .values(
            w_product=F("product_id"),
            w_shop=F("amendment__report__shop_id"),
            w_id=F("amendment__report_id"),
            w_scope=F("amendment__report__scope"),
            w_at=F("amendment__report__approved_at"),
        )
    )
    first_sql, first_params = listed_by_first.query.sql_with_params()
    amended_sql, amended_params = listed_by_amendment.query.sql_with_params()
    per_product = (
        "SELECT w_product, w_shop, w_id, w_scope, w_at FROM ("
        "SELECT u.w_product, u.w_shop, u.w_id, u.w_scope, u.w_at, ROW_NUMBER() OVER "
        "(PARTITION BY u.w_product, u.w_shop ORDER BY u.w_at, u.w_id) AS w_rank "
        f"FROM ({first_sql} UNION ALL {amended_sql}) u) r WHERE r.w_rank = 1"
    )
    shop_sql, shop_params = per_shop.query.sql_with_params()
    return (shop_sql, list(shop_params)), (per_product, [*first_params, *amended_params])


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


# --- a draft report (the coverage preview, SPEC §11) -----------------------------------------


@dataclass(frozen=True)
class _Link:
    product_id: int | None = None
    region_id: str = ""


class _Links(tuple[_Link, ...]):
    def all(self) -> "_Links":
        return self


@dataclass(frozen=True)
class DraftReport:
    """A report as it would be if filed and approved at ``approved_at``: duck-types the fields the
    Python rule reads, so ``report_coverage_failures(draft, order, at)`` is the same rule."""

    shop_id: int
    scope: str
    starts_at: datetime
    ends_at: datetime
    approved_at: datetime
    product_ids: tuple[int, ...] = ()
    region_codes: tuple[str, ...] = ()
    withdrawn_at: None = None
    revoked_at: None = None

    @property
    def product_links(self) -> _Links:
        return _Links(_Link(product_id=pk) for pk in self.product_ids)

    @property
    def region_links(self) -> _Links:
        return _Links(_Link(region_id=code) for code in self.region_codes)


def draft_coverage_q(draft: DraftReport, *, order_path: str = "", at: datetime | str) -> Q:
    """SQL twin of ``report_covers(draft, order, at)`` on rows that are (or lead to) orders:
    ``order_path`` as in ``annotate_coverage``; ``at`` a value or the name of a field of the row
    (``"filed_at"``). The draft is one report, so the rule turns round: the same conditions,
    asked of the orders instead of the reports."""
    prefix = f"{order_path}__" if order_path else ""
    q = Q(**{f"{prefix}shop_id": draft.shop_id}, **{f"{prefix}ship_deadline__gte": draft.approved_at})
    if draft.scope == Scope.PRODUCT:
        q &= Q(**{f"{prefix}product_id__in": draft.product_ids})
    elif draft.scope == Scope.REGION:
        q &= _any_q(region_inside_q(code, field=f"{prefix}receiver_region__code") for code in draft.region_codes)
    if isinstance(at, str):
        return q & Q(**{f"{at}__gte": max(draft.approved_at, draft.starts_at), f"{at}__lte": draft.ends_at})
    in_force = draft.approved_at <= at and draft.starts_at <= at <= draft.ends_at
    return q if in_force else Q(pk__in=[])


def _any_q(parts: Iterable[Q]) -> Q:
    q = Q(pk__in=[])
    for part in parts:
        q |= part
    return q
