"""Delivery-report writes (SPEC §3): submit, approve, reject, revoke, withdraw.

Every change goes through the transition table below and writes one audit row in the same
transaction. Coverage is decided from the timestamps (``approved_at``, ``withdrawn_at``,
``revoked_at``) by ``reports.coverage``; the status is what people read.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import Actor, audit_record
from core.bounds import check_list_size
from core.duties import ConflictOfInterest, report_duty_conflict
from core.errors import Conflict, IllegalTransition, InvalidInput
from core.policies import AUTO_APPROVE_WITH_COMMITMENT, policy_in_force
from core.transitions import guard_transition
from notifications import events as inbox
from reports.models import DeliveryReport, ReportProduct, ReportRegion, Scenario
from reports.services.drafts import ReportDraft, report_draft_clean
from reports.services.numbering import report_no_next
from shops.models import Product
from shops.regions import region_prefix
from shops.selectors import require_member

Status = DeliveryReport.Status
Scope = DeliveryReport.Scope

#: Allowed status moves. Anything else is a 409 with the action's own code (``ILLEGAL_MOVE_CODES``).
TRANSITIONS: dict[str, set[str]] = {
    Status.PENDING_REVIEW: {Status.APPROVED, Status.REJECTED, Status.WITHDRAWN},
    Status.APPROVED: {Status.REVOKED, Status.WITHDRAWN},
    Status.REJECTED: set(),
    Status.WITHDRAWN: set(),
    Status.REVOKED: set(),
}
ILLEGAL_MOVE_CODES: dict[str, str] = {
    Status.APPROVED: "report_not_pending",
    Status.REJECTED: "report_not_pending",
    Status.REVOKED: "report_not_revocable",
    Status.WITHDRAWN: "report_not_withdrawable",
}

#: Scenarios approved on submission once ``reports.auto_approve_with_commitment`` is in force.
AUTO_APPROVED_SCENARIOS = frozenset({Scenario.EPIDEMIC, Scenario.NATURAL_DISASTER})


@dataclass(frozen=True)
class Submitted:
    report: DeliveryReport
    created: bool


def _move(report: DeliveryReport, target: str) -> str:
    try:
        guard_transition(
            TRANSITIONS,
            current=report.status,
            target=target,
            code=ILLEGAL_MOVE_CODES[target],
            entity=f"Report {report.report_no}",
        )
    except IllegalTransition as exc:
        raise IllegalTransition(
            exc.code,
            _("Report %(no)s is %(status)s; it cannot become %(target)s.")
            % {
                "no": report.report_no,
                "status": report.get_status_display(),
                "target": Status(target).label,
            },
        ) from None
    previous, report.status = report.status, target
    return previous


def _locked(report: DeliveryReport) -> DeliveryReport:
    """Re-read the report under a row lock so two reviewers cannot both decide it."""
    return DeliveryReport.objects.select_for_update().get(pk=report.pk)


def _check_duty(actor: Actor, report: DeliveryReport) -> None:
    """SPEC §9: no one decides their own case (403 ``conflict_of_interest``)."""
    if report_duty_conflict(actor=actor, report=report):
        raise ConflictOfInterest()


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason_required", _("A reason is required."))
    return reason


def _same_submission(report: DeliveryReport, values: Mapping[str, object], product_ids: set[int], region_codes: set[str]) -> bool:
    return (
        all(getattr(report, k) == v for k, v in values.items())
        and {link.product_id for link in report.product_links.all()} == product_ids
        and {link.region_id for link in report.region_links.all()} == region_codes
    )


def report_auto_approvable(*, scenario: str, at: datetime) -> bool:
    """Would a report of ``scenario`` submitted at ``at`` be approved at once (by policy)?"""
    return scenario in AUTO_APPROVED_SCENARIOS and policy_in_force(AUTO_APPROVE_WITH_COMMITMENT, at)


@transaction.atomic
def report_submit(*, actor: User, draft: ReportDraft, at: datetime | None = None) -> Submitted:
    """File ``draft`` for its shop (the caller's: scope it before calling).

    Refusals (400): ``commitment_required``, ``commitment_letter_outdated``, ``window_invalid``,
    ``window_too_long``, ``window_backdated``, ``promised_ship_by_outside_window``,
    ``products_required``, ``regions_required``, ``scope_mismatch``, ``product_not_in_shop``,
    ``region_unknown`` (``report_draft_clean``). With a ``request_id`` already used in this
    shop: the same submission answers the existing report (``created=False``), a different one
    is 409 ``report_conflict``.
    """
    shop, scenario, scope, request_id = draft.shop, draft.scenario, draft.scope, draft.request_id
    check_list_size(draft.products, field="products")  # SPEC §9, before any database work
    check_list_size(draft.regions, field="regions")
    require_member(user=actor, shop_id=shop.pk, code="shop_not_found", detail=_("Shop %(code)s not found.") % {"code": shop.code})
    submitted_at = at or timezone.now()
    clean = report_draft_clean(draft=draft, submitted_at=submitted_at)
    letter, promised_ship_by = clean.letter, clean.promised_ship_by
    product_rows, region_codes = clean.products, clean.region_codes

    values = {
        "scenario": scenario,
        "scope": scope,
        "starts_at": draft.starts_at,
        "ends_at": draft.ends_at,
        "promised_ship_by": promised_ship_by,
        "note": draft.note,
    }
    if request_id:
        existing = DeliveryReport.objects.filter(shop=shop, request_id=request_id).first()
        if existing is not None:
            return _repeat(existing, values, product_rows, region_codes)
    report = DeliveryReport(
        shop=shop,
        **values,
        commitment_letter=letter,
        commitment_accepted_at=submitted_at,
        commitment_accepted_by=actor,
        submitted_at=submitted_at,
        submitted_by=actor,
        request_id=request_id,
        status=Status.PENDING_REVIEW,
    )
    try:
        with transaction.atomic():  # a lost request_id race gives its number back with the savepoint
            report.report_no = report_no_next(at=submitted_at)
            report.save()
    except IntegrityError:
        existing = DeliveryReport.objects.filter(shop=shop, request_id=request_id).first() if request_id else None
        if existing is None:
            raise
        return _repeat(existing, values, product_rows, region_codes)
    ReportProduct.objects.bulk_create([ReportProduct(report=report, product=p) for p in product_rows])
    ReportRegion.objects.bulk_create(
        [ReportRegion(report=report, region_id=code, prefix=region_prefix(code)) for code in region_codes]
    )
    audit_record(
        actor=actor,
        target=report,
        action="report_submitted",
        to_status=Status.PENDING_REVIEW,
        at=submitted_at,
        data={
            "report_no": report.report_no,
            "commitment_letter": letter.version,
            "scenario": scenario,
            "scope": scope,
            "products": [p.code for p in product_rows],
            "regions": region_codes,
        },
    )
    if report_auto_approvable(scenario=scenario, at=submitted_at):
        _approve(report, actor=None, at=submitted_at, reason="")
    return Submitted(report, True)


def _repeat(
    existing: DeliveryReport, values: Mapping[str, object], products: list[Product], region_codes: list[str]
) -> Submitted:
    if not _same_submission(existing, values, {p.pk for p in products}, set(region_codes)):
        raise Conflict(
            "report_conflict",
            _("request_id %(id)s was already used for report %(no)s with other content.")
            % {"id": existing.request_id, "no": existing.report_no},
        )
    return Submitted(existing, False)


def _approve(report: DeliveryReport, *, actor: Actor, at: datetime, reason: str) -> DeliveryReport:
    previous = _move(report, Status.APPROVED)
    report.approved_at = report.decided_at = at
    report.decided_by = actor
    report.decided_by_system = actor is None
    report.reason = reason
    report.save(update_fields=["status", "approved_at", "decided_at", "decided_by", "decided_by_system", "reason"])
    audit_record(
        actor=actor,
        target=report,
        action="report_approved",
        from_status=previous,
        to_status=report.status,
        reason=reason,
        at=at,
        data={"auto": actor is None},
    )
    inbox.report_decided(report=report)
    return report


@transaction.atomic
def report_approve(*, actor: Actor, report: DeliveryReport, reason: str = "", at: datetime | None = None) -> DeliveryReport:
    """Ops approve a pending report (409 ``report_not_pending`` otherwise; 403
    ``conflict_of_interest`` for the shop's own member or the report's submitter)."""
    report = _locked(report)
    _check_duty(actor, report)
    return _approve(report, actor=actor, at=at or timezone.now(), reason=(reason or "").strip())


@transaction.atomic
def report_reject(*, actor: Actor, report: DeliveryReport, reason: str, at: datetime | None = None) -> DeliveryReport:
    """Ops reject a pending report; a reason is required (400 ``reason_required``)."""
    report, at = _locked(report), at or timezone.now()
    _check_duty(actor, report)
    reason = _required_reason(reason)
    previous = _move(report, Status.REJECTED)
    report.decided_at, report.decided_by, report.decided_by_system, report.reason = at, actor, False, reason
    report.save(update_fields=["status", "decided_at", "decided_by", "decided_by_system", "reason"])
    audit_record(
        actor=actor, target=report, action="report_rejected", from_status=previous, to_status=report.status, reason=reason, at=at
    )
    inbox.report_decided(report=report)
    return report


@transaction.atomic
def report_revoke(*, actor: Actor, report: DeliveryReport, reason: str, at: datetime | None = None) -> DeliveryReport:
    """Ops revoke an approved report (a false commitment): it stops covering from ``revoked_at``."""
    report, at = _locked(report), at or timezone.now()
    _check_duty(actor, report)
    reason = _required_reason(reason)
    previous = _move(report, Status.REVOKED)
    report.revoked_at, report.reason = at, reason
    report.save(update_fields=["status", "revoked_at", "reason"])
    audit_record(
        actor=actor, target=report, action="report_revoked", from_status=previous, to_status=report.status, reason=reason, at=at
    )
    inbox.report_decided(report=report)
    return report


@transaction.atomic
def report_withdraw(*, actor: User, report: DeliveryReport, reason: str = "", at: datetime | None = None) -> DeliveryReport:
    """The merchant withdraws its own pending or approved report: it stops covering from then."""
    require_member(
        user=actor,
        shop_id=report.shop_id,
        code="report_not_found",
        detail=_("Report %(no)s not found.") % {"no": report.report_no},
    )
    report, at = _locked(report), at or timezone.now()
    previous = _move(report, Status.WITHDRAWN)
    report.withdrawn_at = at
    update = ["status", "withdrawn_at"]
    if reason.strip():
        report.reason = reason.strip()
        update.append("reason")
    report.save(update_fields=update)
    audit_record(
        actor=actor,
        target=report,
        action="report_withdrawn",
        from_status=previous,
        to_status=report.status,
        reason=reason.strip(),
        at=at,
    )
    return report
