"""Coverage preview (SPEC §11): what a draft report would cover, before it is filed.

The draft (a ``ReportDraft``, the value ``report_submit`` files) goes through exactly the checks
``report_submit`` makes (``report_draft_clean``: same 400 codes), then the one coverage rule
(``reports.coverage.draft_coverage_q``, the SQL twin of ``report_covers`` for a report not yet
saved) is asked of three sets of the shop's rows, as if the draft were approved now:

* open urge tasks (open or overdue): would the report cover the order's next urge? — at the
  first moment the report would be in force (``max(now, starts_at)``);
* orders awaiting shipment (not shipped, not cancelled): likewise;
* pending complaints: at their ``filed_at``, as judgment asks. A report never reaches back before
  its approval, so a complaint filed before it is never covered; the count says so honestly.

Two queries a set (count, up to ``PREVIEW_EXAMPLES`` order numbers), nothing written.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Model, QuerySet
from django.utils import timezone

from reports.coverage import DraftReport, draft_coverage_q
from reports.services.drafts import ReportDraft, report_draft_clean
from reports.services.reports import report_auto_approvable
from shops.models import Order

PREVIEW_EXAMPLES = 10


@dataclass(frozen=True)
class PreviewSet:
    count: int
    examples: list[str]


@dataclass(frozen=True)
class CoveragePreview:
    covers_from: datetime | None
    auto_approved: bool
    open_tasks: PreviewSet
    awaiting_shipment: PreviewSet
    pending_complaints: PreviewSet


def _preview_set(queryset: QuerySet[Model], order_no_field: str) -> PreviewSet:
    examples = list(queryset.order_by(order_no_field).values_list(order_no_field, flat=True)[:PREVIEW_EXAMPLES])
    count = len(examples) if len(examples) < PREVIEW_EXAMPLES else queryset.count()
    return PreviewSet(count, examples)


def report_preview(*, draft: ReportDraft, at: datetime | None = None) -> CoveragePreview:
    """What ``draft`` would cover if filed now by a member of its shop (scope it first): the
    same value ``report_submit`` files, through the same ``report_draft_clean``."""
    from complaints.models import Complaint
    from tickets.models import UrgeTask

    now = at or timezone.now()
    clean = report_draft_clean(draft=draft, submitted_at=now)
    shop, starts_at, ends_at = draft.shop, draft.starts_at, draft.ends_at
    coverage_draft = DraftReport(
        shop_id=shop.pk,
        scope=draft.scope,
        starts_at=starts_at,
        ends_at=ends_at,
        approved_at=now,
        product_ids=tuple(p.pk for p in clean.products),
        region_codes=tuple(clean.region_codes),
    )
    covers_from = max(now, starts_at)
    tasks = UrgeTask.objects.filter(shop=shop, status__in=UrgeTask.AWAITING_REPLY).filter(
        draft_coverage_q(coverage_draft, order_path="order", at=covers_from)
    )
    orders = Order.objects.filter(shop=shop, shipped_at__isnull=True, cancelled_at__isnull=True).filter(
        draft_coverage_q(coverage_draft, at=covers_from)
    )
    complaints = Complaint.objects.filter(order__shop=shop, status=Complaint.Status.PENDING_REVIEW).filter(
        draft_coverage_q(coverage_draft, order_path="order", at="filed_at")
    )
    return CoveragePreview(
        covers_from=covers_from if covers_from <= ends_at else None,
        auto_approved=report_auto_approvable(scenario=draft.scenario, at=now),
        open_tasks=_preview_set(tasks, "order__order_no"),
        awaiting_shipment=_preview_set(orders, "order_no"),
        pending_complaints=_preview_set(complaints, "order__order_no"),
    )
