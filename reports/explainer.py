"""The "why covered?" explainer (GET /api/v1/orders/{order_no}/coverage/): every report of the
order's shop and every unified exemption that could concern the order, each with whether it
covers the order at ``at`` and, when not, every reason why — all decided by ``reports.coverage``.
"""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from reports.coverage import Cover, coverage_of, exemption_coverage_failures, report_coverage_failures, window_q
from reports.models import DeliveryReport, UnifiedExemption
from reports.selectors import with_exemption_details, with_report_details
from shops.models import Order
from shops.regions import region_contains_q

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _t(value: datetime | None) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


@dataclass(frozen=True)
class Reason:
    code: str
    detail: str


@dataclass(frozen=True)
class Candidate:
    obj: DeliveryReport | UnifiedExemption
    reasons: list[Reason] = field(default_factory=list)

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


def _report_reason(code: str, report: DeliveryReport, order: Order, at: datetime) -> Reason:
    texts = {
        "other_shop": lambda: _("The report belongs to another shop."),
        "other_scope": lambda: (
            _("The report's scope (%(scope)s) does not include this order.") % {"scope": report.get_scope_display()}
        ),
        "approved_after_ship_deadline": lambda: (
            _("Approved at %(approved)s, after the order's ship deadline %(deadline)s.")
            % {"approved": _t(report.approved_at), "deadline": _t(order.ship_deadline)}
        ),
        "not_approved": lambda: _("Not approved (status: %(status)s).") % {"status": report.get_status_display()},
        "approved_after_time": lambda: (
            _("Approved only at %(approved)s, after %(at)s.") % {"approved": _t(report.approved_at), "at": _t(at)}
        ),
        "withdrawn": lambda: _("Withdrawn at %(when)s.") % {"when": _t(report.withdrawn_at)},
        "revoked": lambda: _("Revoked at %(when)s.") % {"when": _t(report.revoked_at)},
        "before_window": lambda: (
            _("Out of window: it starts at %(start)s, after %(at)s.") % {"start": _t(report.starts_at), "at": _t(at)}
        ),
        "after_window": lambda: (
            _("Out of window: it ended at %(end)s, before %(at)s.") % {"end": _t(report.ends_at), "at": _t(at)}
        ),
    }
    return Reason(code, texts[code]() if code in texts else code)


def _exemption_reason(code: str, exemption: UnifiedExemption, order: Order, at: datetime) -> Reason:
    texts = {
        "other_region": lambda: (
            _("None of its regions contains the order's %(which)s.")
            % {
                "which": {
                    "receiver": _("receiver region %(r)s") % {"r": order.receiver_region_id},
                    "sender": _("sender region %(s)s") % {"s": order.sender_region_id},
                    "either": _("receiver region %(r)s or sender region %(s)s")
                    % {"r": order.receiver_region_id, "s": order.sender_region_id},
                }[exemption.applies_to]
            }
        ),
        "before_window": lambda: (
            _("Out of window: it starts at %(start)s, after %(at)s.") % {"start": _t(exemption.starts_at), "at": _t(at)}
        ),
        "after_window": lambda: (
            _("Out of window: it ended at %(end)s, before %(at)s.") % {"end": _t(exemption.ends_at), "at": _t(at)}
        ),
    }
    return Reason(code, texts[code]() if code in texts else code)


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
            Candidate(e, [_exemption_reason(c, e, order, at) for c in exemption_coverage_failures(e, order, at)])
            for e in exemption_candidates(order, at)
        ],
        reports=[
            Candidate(r, [_report_reason(c, r, order, at) for c in report_coverage_failures(r, order, at)]) for r in reports
        ],
    )
