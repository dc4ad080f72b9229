"""Reads of complaints and appeals. Tenant scoping lives here, once."""

from typing import TypedDict

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.explain import APPEAL_REFUSAL_LABELS
from complaints.models import Appeal, Complaint
from core.audit import target_type_of
from core.errors import NotFound
from core.models import AuditEntry
from core.roles import AnyUser
from reports.coverage import (
    exemption_coverage_failures,
    report_coverage_failures,
    reports_scope_matching,
    window_q,
)
from reports.models import DeliveryReport, UnifiedExemption
from shops.selectors import shop_ids_for_user

COMPLAINT_RELATED = ["order", "order__shop", "order__product", "basis_report", "basis_exemption", "judged_by"]


def complaints_for_user(*, user: AnyUser) -> QuerySet[Complaint]:
    """The complaints of the caller's shops (ops reviewers see every shop's)."""
    return Complaint.objects.filter(order__shop__in=shop_ids_for_user(user=user)).select_related(*COMPLAINT_RELATED)


def complaint_get_for_user(*, user: AnyUser, complaint_id: int) -> Complaint:
    complaint = complaints_for_user(user=user).filter(pk=complaint_id).first()
    if complaint is None:
        raise NotFound("complaint_not_found", _("Complaint %(id)s not found.") % {"id": complaint_id})
    return complaint


def appeals_for_user(*, user: AnyUser) -> QuerySet[Appeal]:
    return Appeal.objects.filter(complaint__order__shop__in=shop_ids_for_user(user=user)).select_related(
        "complaint", "complaint__order", "report", "decided_by"
    )


def appeal_get_for_user(*, user: AnyUser, appeal_id: int) -> Appeal:
    appeal = appeals_for_user(user=user).filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound("appeal_not_found", _("Appeal %(id)s not found.") % {"id": appeal_id})
    return appeal


def appeal_get(*, appeal_id: int) -> Appeal:
    """For ops (every shop's)."""
    appeal = Appeal.objects.select_related("complaint", "complaint__order", "report").filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound("appeal_not_found", _("Appeal %(id)s not found.") % {"id": appeal_id})
    return appeal


def complaint_get(*, complaint_id: int) -> Complaint:
    """For ops (every shop's)."""
    complaint = Complaint.objects.select_related(*COMPLAINT_RELATED).filter(pk=complaint_id).first()
    if complaint is None:
        raise NotFound("complaint_not_found", _("Complaint %(id)s not found.") % {"id": complaint_id})
    return complaint


def complaint_timeline(complaint: Complaint) -> QuerySet[AuditEntry]:
    """The audit rows of the complaint and of its appeals, oldest first."""
    appeal_ids = [str(pk) for pk in complaint.appeals.values_list("pk", flat=True)]
    return (
        AuditEntry.objects.filter(
            Q(target_type=target_type_of(Complaint), target_id=str(complaint.pk))
            | Q(target_type=target_type_of(Appeal), target_id__in=appeal_ids)
        )
        .select_related("actor")
        .order_by("at", "id")
    )


def appeal_report_candidates(complaint: Complaint) -> list[DeliveryReport]:
    """The shop's reports whose scope matches the complaint's order (the report-number look-up
    of §3), newest approval first, each with ``usable`` (would pass the appeal's report checks
    now) — so the merchant can pick the right number."""
    from complaints.services.appeals import appeal_report_refusal

    now = timezone.now()
    reports = list(
        reports_scope_matching(complaint.order).prefetch_related("product_links", "region_links").order_by("-approved_at", "-id")
    )
    for report in reports:
        refusal = appeal_report_refusal(complaint=complaint, report=report, now=now) if complaint.judged_at else None
        # display attributes for the appeal form, set on the instances the page shows
        vars(report).update(
            refusal=refusal,
            usable=complaint.judged_at is not None and refusal is None,
            refusal_label=APPEAL_REFUSAL_LABELS.get(refusal, "") if refusal else "",
        )
    return reports


class CoverageExplained(TypedDict):
    """Candidates for a complaint's basis, each with the coverage rule's failures (empty = covers)."""

    reports: list[tuple[DeliveryReport, list[str]]]
    exemptions: list[tuple[UnifiedExemption, list[str]]]


def complaint_coverage_explained(complaint: Complaint) -> CoverageExplained:
    """For the ops review page: every report of the order's shop and the exemptions around the
    filing time, each with the coverage rule's reasons for not covering (empty = covers)."""
    order, at = complaint.order, complaint.filed_at
    reports = (
        DeliveryReport.objects.filter(shop_id=order.shop_id)
        .prefetch_related("product_links", "region_links")
        .order_by("-approved_at", "-id")[:30]
    )
    exemptions = (
        UnifiedExemption.objects.filter(window_q(at)).prefetch_related(Prefetch("region_links")).order_by("starts_at")[:30]
    )
    return {
        "reports": [(r, report_coverage_failures(r, order, at)) for r in reports],
        "exemptions": [(e, exemption_coverage_failures(e, order, at)) for e in exemptions],
    }


def complaints_to_rereview() -> QuerySet[Complaint]:
    """Exempt complaints whose basis report has since been revoked and that ops have not
    re-reviewed yet."""
    return Complaint.objects.filter(
        verdict=Complaint.Verdict.EXEMPT, basis_report__revoked_at__isnull=False, rereviewed_at__isnull=True
    )
