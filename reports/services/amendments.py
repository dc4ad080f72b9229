"""Amending an approved report (SPEC §11): extend ``ends_at`` (the whole window still ≤ 30 days)
or widen the scope (add products or regions). Each amendment is a new version with its own
approval — the same auto-approval rule as a report — and an audit row on the report; the report
keeps its number. A version holds its whole window and scope, a superset of the version before,
so no version narrows what an earlier one covered (``reports.coverage`` asks each on its own).

Refusals: 409 ``report_not_amendable`` (not approved, or withdrawn/revoked),
``report_window_over`` (its window has ended: file a new report), ``amendment_pending`` (one
already waits for review); 400 ``amendment_empty`` (nothing would change),
``amendment_narrows`` (an earlier end or promised ship-by time), ``window_too_long``,
``promised_ship_by_outside_window``, ``scope_mismatch``, ``product_not_in_shop``,
``region_unknown``; ops decisions: 409 ``amendment_not_pending``, 400 ``reason_required``.
"""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import Actor, audit_record
from core.bounds import check_list_size
from core.errors import Conflict, IllegalTransition, InvalidInput
from reports.coverage import approved_amendments
from reports.models import AmendmentProduct, AmendmentRegion, DeliveryReport, ReportAmendment
from reports.services.drafts import clean_products
from reports.services.reports import _check_duty, _required_reason, report_auto_approvable
from reports.services.validation import clean_region_codes, validate_window
from shops.models import Product
from shops.regions import region_prefix

Scope = DeliveryReport.Scope
AmendmentStatus = ReportAmendment.Status


#: A version of a report: the report itself (version 1) or one of its amendments.
ReportVersion = DeliveryReport | ReportAmendment


def report_current_version(report: DeliveryReport) -> ReportVersion:
    """The latest approved version: the report itself (version 1) or its latest approved
    amendment — what the report's detail shows as its window and scope."""
    amendments = approved_amendments(report)
    return amendments[-1] if amendments else report


def version_number(version: ReportVersion) -> int:
    return version.version if isinstance(version, ReportAmendment) else 1


@transaction.atomic
def report_amend(
    *,
    actor: User,
    report: DeliveryReport,
    ends_at: datetime | None = None,
    products: Iterable[Product | str] = (),
    regions: Iterable[str] = (),
    promised_ship_by: datetime | None = None,
    note: str = "",
    at: datetime | None = None,
) -> ReportAmendment:
    """File version n+1 of ``report`` (the caller's: scope it before calling) with the fields
    that change. Approved at once when a report of its scenario would be; else it waits for ops."""
    products, regions = list(products or []), list(regions or [])
    check_list_size(products, field="products")  # SPEC §9, before any database work
    check_list_size(regions, field="regions")
    at = at or timezone.now()
    report = DeliveryReport.objects.select_for_update().get(pk=report.pk)
    if report.status != DeliveryReport.Status.APPROVED or report.withdrawn_at or report.revoked_at:
        raise Conflict(
            "report_not_amendable",
            _("Report %(no)s is %(status)s; only an approved report can be amended.")
            % {"no": report.report_no, "status": report.get_status_display()},
        )
    current = report_current_version(report)
    if current.ends_at < at:
        raise Conflict("report_window_over", _("The report's window has ended; file a new report instead."))
    if report.amendments.filter(status=AmendmentStatus.PENDING_REVIEW).exists():
        raise Conflict("amendment_pending", _("An amendment of this report is already waiting for review."))
    products, regions = list(products or []), list(regions or [])
    if (products and report.scope != Scope.PRODUCT) or (regions and report.scope != Scope.REGION):
        raise InvalidInput(
            "scope_mismatch", _("Products can be added to a product-scope report and regions to a region-scope report only.")
        )
    new_ends_at = ends_at or current.ends_at
    if new_ends_at < current.ends_at:
        raise InvalidInput("amendment_narrows", _("An amendment may only extend the window, not end it earlier."))
    validate_window(starts_at=report.starts_at, ends_at=new_ends_at, max_window=settings.REPORT_MAX_WINDOW)
    # The promised ship-by time follows an extended end when it was the default (the end).
    default_promise = current.promised_ship_by == current.ends_at
    new_promise = promised_ship_by or (new_ends_at if default_promise else current.promised_ship_by)
    if new_promise < current.promised_ship_by:
        raise InvalidInput("amendment_narrows", _("The promised ship-by time may only move later."))
    if not report.starts_at <= new_promise <= new_ends_at:
        raise InvalidInput("promised_ship_by_outside_window", _("The promised ship-by time must lie within the window."))

    current_products = [link.product for link in current.product_links.select_related("product")]
    current_regions = [link.region_id for link in current.region_links.all()]
    added_products = [p for p in clean_products(report.shop, products) if p not in current_products]
    added_regions = [c for c in clean_region_codes(regions) if c not in current_regions]
    if new_ends_at == current.ends_at and new_promise == current.promised_ship_by and not added_products and not added_regions:
        raise InvalidInput("amendment_empty", _("The amendment changes nothing: give a later end or new products/regions."))

    version = (report.amendments.aggregate(n=Max("version"))["n"] or 1) + 1
    try:
        with transaction.atomic():
            amendment = ReportAmendment.objects.create(
                report=report,
                version=version,
                scope=report.scope,
                starts_at=report.starts_at,
                ends_at=new_ends_at,
                promised_ship_by=new_promise,
                note=note,
                submitted_at=at,
                submitted_by=actor,
            )
    except IntegrityError:  # a concurrent amendment took the pending slot or the number
        raise Conflict("amendment_pending", _("An amendment of this report is already waiting for review.")) from None
    AmendmentProduct.objects.bulk_create(
        [AmendmentProduct(amendment=amendment, product=p) for p in current_products + added_products]
    )
    AmendmentRegion.objects.bulk_create(
        [AmendmentRegion(amendment=amendment, region_id=c, prefix=region_prefix(c)) for c in current_regions + added_regions]
    )
    audit_record(
        actor=actor,
        target=report,
        action="report_amended",
        to_status=AmendmentStatus.PENDING_REVIEW,
        at=at,
        reason=note,
        data={
            "version": version,
            "ends_at": new_ends_at.isoformat(),
            "promised_ship_by": new_promise.isoformat(),
            "added_products": [p.code for p in added_products],
            "added_regions": added_regions,
        },
    )
    if report_auto_approvable(scenario=report.scenario, at=at):
        _decide(amendment, actor=None, at=at, approve=True, reason="")
    return amendment


def _decide(amendment: ReportAmendment, *, actor: Actor, at: datetime, approve: bool, reason: str) -> ReportAmendment:
    if amendment.status != AmendmentStatus.PENDING_REVIEW:
        raise IllegalTransition(
            "amendment_not_pending",
            _("Version %(v)d of report %(no)s is %(status)s; only a pending amendment can be decided.")
            % {"v": amendment.version, "no": amendment.report.report_no, "status": amendment.get_status_display()},
        )
    previous = amendment.status
    amendment.status = AmendmentStatus.APPROVED if approve else AmendmentStatus.REJECTED
    amendment.approved_at = at if approve else None
    amendment.decided_at, amendment.decided_by, amendment.decided_by_system = at, actor, actor is None
    amendment.reason = reason
    amendment.save(update_fields=["status", "approved_at", "decided_at", "decided_by", "decided_by_system", "reason"])
    _notify_decided(amendment)
    audit_record(
        actor=actor,
        target=amendment.report,
        action="report_amendment_approved" if approve else "report_amendment_rejected",
        from_status=previous,
        to_status=amendment.status,
        reason=reason,
        at=at,
        data={"version": amendment.version, "auto": actor is None},
    )
    return amendment


def _notify_decided(amendment: ReportAmendment) -> None:
    """The shop's inbox hears of the decision, in the same transaction (as for a report)."""
    from notifications.models import Notification
    from notifications.services import inbox_language, notify

    report = amendment.report
    with inbox_language():
        title = (
            _("Version %(v)d of delivery report %(no)s approved")
            if amendment.status == AmendmentStatus.APPROVED
            else _("Version %(v)d of delivery report %(no)s rejected")
        ) % {"v": amendment.version, "no": report.report_no}
        notify(
            shop=report.shop,
            kind=Notification.Kind.REPORT_DECIDED,
            title=title,
            body=amendment.reason,
            link=reverse("reports:portal-detail", args=[report.report_no]),
            dedupe_key=f"amendment-{amendment.status}:{amendment.pk}",
        )


def _locked(amendment: ReportAmendment) -> ReportAmendment:
    return ReportAmendment.objects.select_for_update().select_related("report").get(pk=amendment.pk)


@transaction.atomic
def amendment_approve(
    *, actor: Actor, amendment: ReportAmendment, reason: str = "", at: datetime | None = None
) -> ReportAmendment:
    """Ops approve a pending amendment: the new version covers from now on."""
    amendment = _locked(amendment)
    _check_duty(actor, amendment.report)
    if amendment.report.status != DeliveryReport.Status.APPROVED:
        raise Conflict("report_not_amendable", _("The report is no longer approved; its amendment cannot be approved."))
    return _decide(amendment, actor=actor, at=at or timezone.now(), approve=True, reason=(reason or "").strip())


@transaction.atomic
def amendment_reject(*, actor: Actor, amendment: ReportAmendment, reason: str, at: datetime | None = None) -> ReportAmendment:
    """Ops reject a pending amendment (reason required); the report stays as it was."""
    reason = _required_reason(reason)
    amendment = _locked(amendment)
    _check_duty(actor, amendment.report)
    return _decide(amendment, actor=actor, at=at or timezone.now(), approve=False, reason=reason)
