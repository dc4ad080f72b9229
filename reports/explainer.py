"""The "why covered?" explainer (GET /api/v1/orders/{order_no}/coverage/): every report of the
order's shop and every unified exemption that could concern the order, each with whether it
covers the order at ``at`` and, when not, every reason why — all decided by ``reports.coverage``.
"""

from dataclasses import dataclass, field
from datetime import datetime

from reports.coverage import Cover, coverage_of, covering_version, exemption_coverage_failures, report_coverage_failures, window_q
from reports.coverage_texts import exemption_failure_detail, report_failure_detail
from reports.models import DeliveryReport, UnifiedExemption
from reports.selectors import with_exemption_details, with_report_details
from shops.models import Order
from shops.regions import region_contains_q


@dataclass(frozen=True)
class Reason:
    code: str
    detail: str


@dataclass(frozen=True)
class Candidate:
    obj: DeliveryReport | UnifiedExemption
    reasons: list[Reason] = field(default_factory=list)
    version: int | None = None  # a report: the version that covers (1 = as filed, 2… amendments)

    @property
    def covers(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class Explanation:
    order: Order
    at: datetime
    verdict: Cover | None
    exemptions: list[Candidate]
    reports: list[Candidate]

    @property
    def verdict_version(self) -> int | None:
        """The version of the covering report that covers (``None`` for an exemption or none)."""
        if self.verdict is None or self.verdict.report is None:
            return None
        return next((c.version for c in self.reports if c.obj.pk == self.verdict.report.pk), None)


def exemption_candidates(order: Order, at: datetime):
    """Exemptions listing a region that contains the order's receiver or sender region, plus
    those in force at ``at`` anywhere (so "an exemption exists, but for another region" shows)."""
    concerned = (
        region_contains_q(order.receiver_region_id, prefix_field="region_links__prefix")
        | region_contains_q(order.sender_region_id, prefix_field="region_links__prefix")
        | window_q(at)
    )
    return with_exemption_details(UnifiedExemption.objects.filter(concerned).distinct()).order_by("-starts_at", "-pk")


def coverage_explain(*, order: Order, at: datetime) -> Explanation:
    """Explain the coverage of ``order`` at ``at``; the verdict is ``coverage_of`` (exemption first)."""
    reports = with_report_details(DeliveryReport.objects.filter(shop_id=order.shop_id)).order_by("-submitted_at", "-pk")
    return Explanation(
        order=order,
        at=at,
        verdict=coverage_of(order, at),
        exemptions=[
            Candidate(
                e, [Reason(c, exemption_failure_detail(c, e, order, at)) for c in exemption_coverage_failures(e, order, at)]
            )
            for e in exemption_candidates(order, at)
        ],
        reports=[
            Candidate(
                r,
                [Reason(c, report_failure_detail(c, r, order, at)) for c in report_coverage_failures(r, order, at)],
                covering_version(r, order, at),
            )
            for r in reports
        ],
    )
