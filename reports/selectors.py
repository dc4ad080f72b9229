"""Reads of reports, exemptions and the commitment letter. Tenant scoping lives here, once."""

from collections.abc import Mapping
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import NotFound
from core.roles import AnyUser
from reports.coverage import report_window_ended_q, reports_scope_matching, window_q
from reports.models import (
    AmendmentProduct,
    AmendmentRegion,
    CommitmentLetter,
    DeliveryReport,
    ExemptionRegion,
    ReportAmendment,
    ReportProduct,
    ReportRegion,
    UnifiedExemption,
)
from shops.models import Shop
from shops.selectors import orders_for_user, shop_ids_for_user, shops_for_user


def commitment_letter_current(*, at: datetime | None = None) -> CommitmentLetter | None:
    """The letter merchants accept at ``at``: the latest one published by then (before the
    first publication, the first letter — reports filed then still needed a commitment)."""
    at = at or timezone.now()
    letters = CommitmentLetter.objects.all()
    return (
        letters.filter(published_at__lte=at).order_by("-published_at", "-pk").first()
        or letters.order_by("published_at", "pk").first()
    )


def with_report_details(qs: QuerySet[DeliveryReport]) -> QuerySet[DeliveryReport]:
    """Everything a report's answer shows, in a fixed number of queries whatever the count."""
    return qs.select_related("shop", "commitment_letter", "decided_by").prefetch_related(
        Prefetch("product_links", queryset=ReportProduct.objects.select_related("product").order_by("product__code")),
        Prefetch("region_links", queryset=ReportRegion.objects.select_related("region").order_by("region_id")),
        Prefetch(
            "amendments",
            queryset=ReportAmendment.objects.select_related("decided_by")
            .order_by("version")
            .prefetch_related(
                Prefetch("product_links", queryset=AmendmentProduct.objects.select_related("product").order_by("product__code")),
                Prefetch("region_links", queryset=AmendmentRegion.objects.select_related("region").order_by("region_id")),
            ),
        ),
    )


def reports_for_user(*, user: AnyUser) -> QuerySet[DeliveryReport]:
    """The reports of the user's shops (ops reviewers: every report)."""
    return DeliveryReport.objects.filter(shop__in=shop_ids_for_user(user=user))


def shop_get_for_merchant(*, user: AnyUser, code: str) -> Shop:
    """One of the caller's shops by code; another merchant's shop is indistinguishable from none."""
    shop = shops_for_user(user=user).filter(code=code).first()
    if shop is None:
        raise NotFound("shop_not_found", _("Shop %(code)s not found.") % {"code": code})
    return shop


def report_list_for_merchant(*, user: AnyUser, filters: Mapping[str, object] | None = None) -> QuerySet[DeliveryReport]:
    """The caller's reports, newest first. ``filters``: ``status``, ``scenario``, ``scope``,
    ``shop`` (code), ``expired`` (bool, derived from the ``ends_at`` of the version in force), ``order_no`` (every report
    whose scope matches that order — empty when the order is not the caller's)."""
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    qs = reports_for_user(user=user)
    for field in ("status", "scenario", "scope"):
        if field in filters:
            qs = qs.filter(**{field: filters[field]})
    if "shop" in filters:
        qs = qs.filter(shop__code=filters["shop"])
    if "expired" in filters:
        now = timezone.now()
        qs = qs.filter(report_window_ended_q(now)) if filters["expired"] else qs.exclude(report_window_ended_q(now))
    if "order_no" in filters:
        order = orders_for_user(user=user).filter(order_no=filters["order_no"]).first()
        if order is None:
            return qs.none()
        qs = qs.filter(pk__in=reports_scope_matching(order).values("pk"))
    return with_report_details(qs).order_by("-submitted_at", "-pk")


def report_get_for_merchant(*, user: AnyUser, report_no: str) -> DeliveryReport:
    """One of the caller's reports; another shop's is a 404 exactly like a missing one."""
    report = with_report_details(reports_for_user(user=user)).filter(report_no=report_no).first()
    if report is None:
        raise NotFound("report_not_found", _("Report %(no)s not found.") % {"no": report_no})
    return report


def report_get_for_ops(*, report_no: str) -> DeliveryReport:
    report = with_report_details(DeliveryReport.objects.all()).filter(report_no=report_no).first()
    if report is None:
        raise NotFound("report_not_found", _("Report %(no)s not found.") % {"no": report_no})
    return report


def with_exemption_details(qs: QuerySet[UnifiedExemption]) -> QuerySet[UnifiedExemption]:
    return qs.prefetch_related(
        Prefetch("region_links", queryset=ExemptionRegion.objects.select_related("region").order_by("region_id"))
    )


def exemptions_in_force(*, at: datetime | None = None) -> QuerySet[UnifiedExemption]:
    """Unified exemptions whose window contains ``at`` (default now)."""
    at = at or timezone.now()
    return with_exemption_details(UnifiedExemption.objects.filter(window_q(at))).order_by("starts_at", "pk")
